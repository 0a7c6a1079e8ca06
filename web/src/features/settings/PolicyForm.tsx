import { useEffect, useId, useState, type FormEvent } from "react";
import { Loader2, Save } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useSaveSettings, useSettings } from "@/api/queries";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { FieldError, Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { formatMoney, formatPercent } from "@/lib/format";

export function validateThreshold(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a number of percentage points, e.g. 5.";
  if (n <= 0 || n > 50) return "Use a threshold above 0 and at most 50 pp.";
  return null;
}

export function validateMinTrade(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a dollar amount, e.g. 10.";
  if (n < 0) return "The minimum trade cannot be negative.";
  return null;
}

export function validateCashBuffer(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a percent, e.g. 0.25.";
  if (n < 0 || n > 50) return "Use 0 to 50%.";
  return null;
}

export function validatePriceAge(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a number of hours, e.g. 96.";
  if (n <= 0 || n > 720) return "Use more than 0 and at most 720 hours.";
  return null;
}

type Untargeted = "leave" | "sell";

/** Drift threshold, minimum trade size, the cash kept back when sizing buys, what happens to
 * holdings without a target, and how old a price may be (docs/rebalancing.md). */
export function PolicyForm() {
  const settings = useSettings();
  const save = useSaveSettings();
  const { notify } = useToast();
  const ids = {
    threshold: useId(),
    minTrade: useId(),
    buffer: useId(),
    thresholdErr: useId(),
    minTradeErr: useId(),
    bufferErr: useId(),
    untargeted: useId(),
    priceAge: useId(),
    priceAgeErr: useId(),
  };
  const [threshold, setThreshold] = useState("");
  const [minTrade, setMinTrade] = useState("");
  const [buffer, setBuffer] = useState("0.25");
  const [untargeted, setUntargeted] = useState<Untargeted>("leave");
  const [priceAge, setPriceAge] = useState("96");
  const [errors, setErrors] = useState<{
    threshold?: string | null;
    minTrade?: string | null;
    buffer?: string | null;
    priceAge?: string | null;
  }>({});

  useEffect(() => {
    if (settings.data) {
      setThreshold(String(Number(settings.data.threshold_percent)));
      setMinTrade(String(Number(settings.data.min_trade)));
      if (settings.data.cash_buffer_percent !== undefined) setBuffer(String(Number(settings.data.cash_buffer_percent)));
      if (settings.data.untargeted !== undefined) setUntargeted(settings.data.untargeted);
      if (settings.data.max_price_age_hours !== undefined) setPriceAge(String(Number(settings.data.max_price_age_hours)));
    }
  }, [settings.data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const next = {
      threshold: validateThreshold(threshold),
      minTrade: validateMinTrade(minTrade),
      buffer: validateCashBuffer(buffer),
      priceAge: validatePriceAge(priceAge),
    };
    setErrors(next);
    if (next.threshold || next.minTrade || next.buffer || next.priceAge) return;
    save.mutate(
      {
        threshold_percent: Number(threshold),
        min_trade: Number(minTrade),
        cash_buffer_percent: Number(buffer),
        untargeted,
        max_price_age_hours: Number(priceAge),
      },
      {
        onSuccess: () =>
          notify({ title: "Settings saved", description: `Band ±${formatPercent(threshold)}, minimum trade ${formatMoney(minTrade)}` }),
        onError: (error) => notify({ tone: "error", title: "Could not save settings", description: errorMessage(error) }),
      },
    );
  }

  return (
    <Card aria-labelledby="policy-title">
      <CardHeader>
        <div>
          <CardTitle id="policy-title">Rebalancing rules</CardTitle>
          <CardDescription>When a symbol counts as drifted, the smallest order worth placing (never under Alpaca's $1), the cash kept back, holdings without a target, and stale prices.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {settings.error && <p className="mb-3 text-sm text-red-700">{errorMessage(settings.error)}</p>}
        <form onSubmit={submit} noValidate className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <div className="space-y-1.5">
            <Label htmlFor={ids.threshold}>Drift threshold (pp)</Label>
            <Input
              id={ids.threshold}
              inputMode="decimal"
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              aria-invalid={Boolean(errors.threshold)}
              aria-describedby={errors.threshold ? ids.thresholdErr : undefined}
              data-testid="settings-threshold"
            />
            <FieldError id={ids.thresholdErr}>{errors.threshold}</FieldError>
            <p className="text-xs text-slate-600">Rebalance a symbol when |actual − target| is more than this. Default 5.</p>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={ids.minTrade}>Minimum trade (USD)</Label>
            <Input
              id={ids.minTrade}
              inputMode="decimal"
              value={minTrade}
              onChange={(e) => setMinTrade(e.target.value)}
              aria-invalid={Boolean(errors.minTrade)}
              aria-describedby={errors.minTrade ? ids.minTradeErr : undefined}
              data-testid="settings-min-trade"
            />
            <FieldError id={ids.minTradeErr}>{errors.minTrade}</FieldError>
            <p className="text-xs text-slate-600">Smaller orders are skipped. Default $10.</p>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={ids.buffer}>Cash buffer (%)</Label>
            <Input
              id={ids.buffer}
              inputMode="decimal"
              value={buffer}
              onChange={(e) => setBuffer(e.target.value)}
              aria-invalid={Boolean(errors.buffer)}
              aria-describedby={errors.buffer ? ids.bufferErr : undefined}
              data-testid="settings-cash-buffer"
            />
            <FieldError id={ids.bufferErr}>{errors.buffer}</FieldError>
            <p className="text-xs text-slate-600">Share of the portfolio kept in cash when buys are sized. Default 0.25%.</p>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={ids.untargeted}>Holdings without a target</Label>
            <select
              id={ids.untargeted}
              value={untargeted}
              onChange={(e) => setUntargeted(e.target.value as Untargeted)}
              className="h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm"
              data-testid="settings-untargeted"
            >
              <option value="leave">Leave them alone</option>
              <option value="sell">Sell them whole</option>
            </select>
            <p className="text-xs text-slate-600">A 0% target always sells the whole position. Shorts and options are never traded.</p>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={ids.priceAge}>Oldest usable price (hours)</Label>
            <Input
              id={ids.priceAge}
              inputMode="decimal"
              value={priceAge}
              onChange={(e) => setPriceAge(e.target.value)}
              aria-invalid={Boolean(errors.priceAge)}
              aria-describedby={errors.priceAge ? ids.priceAgeErr : undefined}
              data-testid="settings-price-age"
            />
            <FieldError id={ids.priceAgeErr}>{errors.priceAge}</FieldError>
            <p className="text-xs text-slate-600">Older prices, or ones from before the last trading day, are skipped as stale. Default 96.</p>
          </div>
          <div className="sm:col-span-3">
            <Button type="submit" disabled={save.isPending || settings.isLoading} data-testid="settings-save">
              {save.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Save aria-hidden />}
              Save
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
