import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { Loader2, Save } from "lucide-react";
import { errorMessage } from "@/api/client";
import { limits } from "@/api/rules";
import { useSaveSettings, useSettings } from "@/api/queries";
import type { UserSettings, UserSettingsUpdate } from "@/api/models";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { FieldError, Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";

type Options = Pick<
  UserSettings,
  | "scope"
  | "trade_to"
  | "cash_mode"
  | "invest_cash"
  | "cash_reserve_unit"
  | "cash_reserve_kind"
  | "whole_shares"
  | "tax_aware"
  | "avoid_short_term_gains"
>;
/** The numbers, as typed. */
type Numbers = {
  relative_band_percent: string;
  withdrawal_amount: string;
  cash_reserve: string;
  holding_period_days: string;
  wash_sale_days: string;
};

const DEFAULTS: Options = {
  scope: "past_band",
  trade_to: "target",
  cash_mode: "rebalance",
  invest_cash: false,
  cash_reserve_unit: "percent",
  cash_reserve_kind: "floor",
  whole_shares: "round_down",
  tax_aware: false,
  avoid_short_term_gains: true,
};

/** The API's ranges (services/policy.py): a percent 0–100, dollars up to 1e9, days 0–3650. */
export function validateOption(name: keyof Numbers, raw: string, unit: Options["cash_reserve_unit"] = "percent"): string | null {
  if (name === "relative_band_percent" && raw.trim() === "") return null;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return "Enter a number.";
  const percentMax = limits.PolicyBody.cash_reserve["x-percent-maximum"];
  if (name === "cash_reserve" && unit === "percent" && n > percentMax) return `A percent reserve is at most ${percentMax}.`;
  if (name === "relative_band_percent") return n < 0 || n > 100 ? "Use 0 to 100% of the target." : null;
  if (name.endsWith("_days")) return Number.isInteger(n) && n >= 0 && n <= 3650 ? null : "Use whole days, 0 to 3650.";
  return n < 0 || n > 1e9 ? "Use 0 to 1,000,000,000." : null;
}

function Field({ id, label, hint, error, errorId, children }: {
  id: string; label: string; hint?: string; error?: string | null; errorId?: string; children: ReactNode;
}) {
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {errorId && <FieldError id={errorId}>{error}</FieldError>}
      {hint && <p className="text-xs text-slate-600">{hint}</p>}
    </div>
  );
}

const SELECT = "h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm";

/** The rebalancing policy options of docs/policies.md: bands, scope, how far, cash, whole
 * shares, tax lots. Saving sends the core rules as loaded, so they are kept. */
export function PolicyOptionsCard() {
  const settings = useSettings();
  const save = useSaveSettings();
  const { notify } = useToast();
  const base = useId();
  const id = (name: string) => `${base}-${name}`;
  const [options, setOptions] = useState<Options>(DEFAULTS);
  const [numbers, setNumbers] = useState<Numbers>({
    relative_band_percent: "",
    withdrawal_amount: "0",
    cash_reserve: "0",
    holding_period_days: "365",
    wash_sale_days: "30",
  });
  const [errors, setErrors] = useState<Partial<Record<keyof Numbers, string | null>>>({});
  // Set with the saved values, in the same render: the form opens already filled (as the
  // notifications card does), so nothing typed or saved before is the defaults.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    const data = settings.data;
    if (!data) return;
    setOptions((now) => {
      const next = { ...now };
      for (const key of Object.keys(DEFAULTS) as (keyof Options)[]) {
        if (data[key] !== undefined) (next as Record<string, unknown>)[key] = data[key];
      }
      return next;
    });
    setNumbers((now) => ({
      relative_band_percent: data.relative_band_percent == null ? "" : String(Number(data.relative_band_percent)),
      withdrawal_amount: data.withdrawal_amount == null ? now.withdrawal_amount : String(Number(data.withdrawal_amount)),
      cash_reserve: data.cash_reserve == null ? now.cash_reserve : String(Number(data.cash_reserve)),
      holding_period_days: data.holding_period_days == null ? now.holding_period_days : String(data.holding_period_days),
      wash_sale_days: data.wash_sale_days == null ? now.wash_sale_days : String(data.wash_sale_days),
    }));
    setFilled(true);
  }, [settings.data]);

  const set = <K extends keyof Options>(key: K, value: Options[K]) => setOptions((now) => ({ ...now, [key]: value }));
  const setNumber = (key: keyof Numbers, value: string) => setNumbers((now) => ({ ...now, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const data = settings.data;
    if (!data) return;
    const found = Object.fromEntries(
      (Object.keys(numbers) as (keyof Numbers)[]).map((key) => [key, validateOption(key, numbers[key], options.cash_reserve_unit)]),
    ) as Record<keyof Numbers, string | null>;
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    const body: UserSettingsUpdate = {
      threshold_percent: data.threshold_percent,
      min_trade: data.min_trade,
      cash_buffer_percent: data.cash_buffer_percent,
      untargeted: data.untargeted,
      max_price_age_hours: data.max_price_age_hours,
      ...options,
      relative_band_percent: numbers.relative_band_percent.trim() === "" ? 0 : Number(numbers.relative_band_percent),
      withdrawal_amount: Number(numbers.withdrawal_amount),
      cash_reserve: Number(numbers.cash_reserve),
      holding_period_days: Number(numbers.holding_period_days),
      wash_sale_days: Number(numbers.wash_sale_days),
    };
    save.mutate(body, {
      onSuccess: () => notify({ title: "Policy options saved" }),
      onError: (error) => notify({ tone: "error", title: "Could not save the policy options", description: errorMessage(error) }),
    });
  }

  const number = (key: keyof Numbers, label: string, hint: string) => (
    <Field id={id(key)} label={label} hint={hint} error={errors[key]} errorId={id(`${key}-error`)}>
      <Input
        id={id(key)}
        inputMode="decimal"
        value={numbers[key]}
        onChange={(e) => setNumber(key, e.target.value)}
        aria-invalid={Boolean(errors[key])}
        aria-describedby={errors[key] ? id(`${key}-error`) : undefined}
        data-testid={`option-${key}`}
      />
    </Field>
  );
  const choice = <K extends keyof Options>(key: K, label: string, hint: string, values: [Options[K], string][]) => (
    <Field id={id(key)} label={label} hint={hint}>
      <select
        id={id(key)}
        value={String(options[key])}
        onChange={(e) => set(key, values.find(([v]) => String(v) === e.target.value)![0])}
        className={SELECT}
        data-testid={`option-${key}`}
      >
        {values.map(([value, text]) => (
          <option key={String(value)} value={String(value)}>{text}</option>
        ))}
      </select>
    </Field>
  );
  const toggle = (key: "invest_cash" | "tax_aware" | "avoid_short_term_gains", label: string, hint: string) => (
    <div className="flex items-start gap-2">
      <input
        id={id(key)}
        type="checkbox"
        className="mt-1 h-4 w-4"
        checked={options[key]}
        onChange={(e) => set(key, e.target.checked)}
        data-testid={`option-${key}`}
      />
      <div>
        <Label htmlFor={id(key)}>{label}</Label>
        <p className="text-xs text-slate-600">{hint}</p>
      </div>
    </div>
  );

  return (
    <Card aria-labelledby={id("title")}>
      <CardHeader>
        <div>
          <CardTitle id={id("title")}>Policy options</CardTitle>
          <CardDescription>Relative bands, which symbols trade and how far, what happens to cash, whole shares and tax lots. Every default is the rule above.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {settings.error && <p className="mb-3 text-sm text-red-700">{errorMessage(settings.error)}</p>}
        <form onSubmit={submit} noValidate data-testid="policy-options">
          {/* Disabled until the saved options are in, so nothing typed is overwritten by them. */}
          <fieldset disabled={!filled} className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          {number("relative_band_percent", "Relative band (% of target)", "Also act past this share of a symbol's own target (25: the 5/25 rule). Blank: off.")}
          {choice("scope", "Scope", "Once a band is passed.", [["past_band", "Only symbols past their band"], ["whole_book", "The whole book"]])}
          {choice("trade_to", "Trade to", "How far a traded symbol moves back.", [["target", "The target"], ["band_edge", "The band's edge"], ["halfway", "Halfway"]])}
          {choice("cash_mode", "Cash mode", "Cash flow never sells; withdrawal raises the amount below.", [["rebalance", "Rebalance"], ["cash_flow", "Cash flow (never sell)"], ["withdrawal", "Withdrawal"]])}
          {options.cash_mode === "withdrawal" && number("withdrawal_amount", "Withdrawal (USD)", "Raised by selling the most overweight first.")}
          {number("cash_reserve", "Cash reserve", "Kept as cash besides the buffer, in the unit below.")}
          {choice("cash_reserve_unit", "Reserve unit", "Percent of the value, or dollars.", [["percent", "Percent"], ["usd", "USD"]])}
          {choice("cash_reserve_kind", "Reserve kind", "A floor is never spent; a target also takes its share off the targets' base.", [["floor", "Floor"], ["target", "Target"]])}
          {choice("whole_shares", "Whole shares", "For assets that are not fractionable.", [["round_down", "Round down"], ["optimal", "Least drift (optimal)"]])}
          {number("holding_period_days", "Long-term after (days)", "Held longer than this is long term. Default 365.")}
          {number("wash_sale_days", "Wash-sale window (days)", "Default 30.")}
          <div className="space-y-3 sm:col-span-3">
            {toggle("invest_cash", "Invest idle cash", "Cash above what is kept buys the most underweight symbols, even inside their bands.")}
            {toggle("tax_aware", "Tax-aware selling", "Sell loss lots first, then long-term gains; a wash-sale guard.")}
            {toggle("avoid_short_term_gains", "Avoid short-term gains", "When tax-aware, hold lots that would realise a short-term gain.")}
          </div>
          <div className="sm:col-span-3">
            <Button type="submit" disabled={save.isPending || !filled} data-testid="options-save">
              {save.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Save aria-hidden />}
              Save options
            </Button>
          </div>
          </fieldset>
        </form>
      </CardContent>
    </Card>
  );
}
