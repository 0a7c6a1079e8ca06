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

/** Drift threshold, minimum trade size and the cash kept back when sizing buys. */
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
  };
  const [threshold, setThreshold] = useState("");
  const [minTrade, setMinTrade] = useState("");
  const [buffer, setBuffer] = useState("0.25");
  const [errors, setErrors] = useState<{ threshold?: string | null; minTrade?: string | null; buffer?: string | null }>({});

  useEffect(() => {
    if (settings.data) {
      setThreshold(String(Number(settings.data.threshold_percent)));
      setMinTrade(String(Number(settings.data.min_trade)));
      if (settings.data.cash_buffer_percent !== undefined) setBuffer(String(Number(settings.data.cash_buffer_percent)));
    }
  }, [settings.data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const next = {
      threshold: validateThreshold(threshold),
      minTrade: validateMinTrade(minTrade),
      buffer: validateCashBuffer(buffer),
    };
    setErrors(next);
    if (next.threshold || next.minTrade || next.buffer) return;
    save.mutate(
      { threshold_percent: Number(threshold), min_trade: Number(minTrade), cash_buffer_percent: Number(buffer) },
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
          <CardDescription>When a symbol counts as drifted, the smallest order worth placing, and the cash kept back.</CardDescription>
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
