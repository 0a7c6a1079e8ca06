import { useEffect, useId, useState, type FormEvent } from "react";
import { Loader2, Save } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useSaveSettings, useSettings } from "@/api/queries";
import { limits } from "@/api/rules";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { formatMoney, formatPoints } from "@/lib/format";
import { boundsText, withinBounds } from "@/lib/validation";

// The bounds are the server's (PUT /api/settings), read from the generated api/rules.ts.
const LIMITS = limits.PolicyBody;
const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function validateThreshold(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a number of percentage points, e.g. 5.";
  const bounds = LIMITS.threshold_percent;
  if (!withinBounds(n, bounds)) return `Use a threshold ${boundsText(bounds, (b) => `${plain.format(b)} pp`)}.`;
  return null;
}

export function validateMinTrade(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a dollar amount, e.g. 10.";
  const bounds = LIMITS.min_trade;
  if (!withinBounds(n, bounds)) return `Use a minimum trade ${boundsText(bounds, (b) => formatMoney(b))}.`;
  return null;
}

export function validateCashBuffer(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a percent, e.g. 0.25.";
  const bounds = LIMITS.cash_buffer_percent;
  if (!withinBounds(n, bounds)) return `Use a cash buffer ${boundsText(bounds, (b) => `${plain.format(b)}%`)}.`;
  return null;
}

export function validatePriceAge(raw: string): string | null {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a number of hours, e.g. 96.";
  const bounds = LIMITS.max_price_age_hours;
  if (!withinBounds(n, bounds)) return `Use a price age ${boundsText(bounds, (b) => `${plain.format(b)} hours`)}.`;
  return null;
}

type Untargeted = "leave" | "sell";
type NumberSetting = "threshold_percent" | "min_trade" | "cash_buffer_percent" | "max_price_age_hours";

/** The numeric rules, in the order the form shows them; the holdings rule sits before the last. */
const NUMBER_FIELDS: {
  key: NumberSetting;
  label: string;
  hint: string;
  testId: string;
  /** What the form shows until the server answers with the saved value. */
  initial: string;
  validate: (raw: string) => string | null;
}[] = [
  {
    key: "threshold_percent",
    label: "Drift threshold (pp)",
    hint: "Rebalance a symbol when |actual − target| is more than this. Default 5.",
    testId: "settings-threshold",
    initial: "",
    validate: validateThreshold,
  },
  {
    key: "min_trade",
    label: "Minimum trade (USD)",
    hint: "Smaller orders are skipped. Default $10.",
    testId: "settings-min-trade",
    initial: "",
    validate: validateMinTrade,
  },
  {
    key: "cash_buffer_percent",
    label: "Cash buffer (%)",
    hint: "Share of the portfolio kept in cash when buys are sized. Default 0.25%.",
    testId: "settings-cash-buffer",
    initial: "0.25",
    validate: validateCashBuffer,
  },
  {
    key: "max_price_age_hours",
    label: "Oldest usable price (hours)",
    hint: "Older prices, or ones from before the last trading day, are skipped as stale. Default 96.",
    testId: "settings-price-age",
    initial: "96",
    validate: validatePriceAge,
  },
];

const initialValues = () =>
  Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, f.initial])) as Record<NumberSetting, string>;

/** Drift threshold, minimum trade size, the cash kept back when sizing buys, what happens to
 * holdings without a target, and how old a price may be (docs/rebalancing.md). Fields are
 * judged from the first save on, as they are typed. */
export function PolicyForm() {
  const settings = useSettings();
  const save = useSaveSettings();
  const { notify } = useToast();
  const untargetedId = useId();
  const [values, setValues] = useState(initialValues);
  const [untargeted, setUntargeted] = useState<Untargeted>("leave");
  const [tried, setTried] = useState(false);

  useEffect(() => {
    const data = settings.data;
    if (!data) return;
    setValues((old) => {
      const next = { ...old };
      for (const { key } of NUMBER_FIELDS) if (data[key] !== undefined) next[key] = String(Number(data[key]));
      return next;
    });
    if (data.untargeted !== undefined) setUntargeted(data.untargeted);
  }, [settings.data]);

  const errors = Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, f.validate(values[f.key])])) as Record<
    NumberSetting,
    string | null
  >;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    const numbers = Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, Number(values[f.key])])) as Record<NumberSetting, number>;
    save.mutate(
      { ...numbers, untargeted },
      {
        onSuccess: () =>
          notify({
            title: "Settings saved",
            description: `Band ±${formatPoints(values.threshold_percent)}, minimum trade ${formatMoney(values.min_trade)}.`,
          }),
        onError: (error) => notify({ tone: "error", title: "Could not save settings", description: errorMessage(error) }),
      },
    );
  }

  const field = (f: (typeof NUMBER_FIELDS)[number]) => (
    <TextField
      key={f.key}
      label={f.label}
      inputMode="decimal"
      value={values[f.key]}
      onChange={(value) => setValues((v) => ({ ...v, [f.key]: value }))}
      error={tried ? errors[f.key] : null}
      hint={f.hint}
      data-testid={f.testId}
    />
  );

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
          {NUMBER_FIELDS.slice(0, -1).map(field)}
          <div className="space-y-1.5">
            <Label htmlFor={untargetedId}>Holdings without a target</Label>
            <select
              id={untargetedId}
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
          {NUMBER_FIELDS.slice(-1).map(field)}
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
