import { useEffect, useRef, useState, type FormEvent } from "react";
import { Loader2 } from "lucide-react";
import { api, errorMessage, type BacktestResult } from "@/api/client";
import { useAllocations } from "@/api/queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Field, TextField } from "@/components/ui/field";
import { BacktestCharts } from "@/features/backtest/BacktestCharts";
import { BacktestTable } from "@/features/backtest/BacktestTable";
import { parseTargets, pricesForRequest, uniquePolicies } from "@/features/backtest/prices";
import { useTitle } from "@/lib/useTitle";

/** The policies offered with a tick box; any other SPEC goes in the text field. */
const POLICIES = ["none", "band:5", "relative:25", "band:5,relative:25", "monthly", "quarterly", "yearly"];
const DEFAULT_POLICIES = new Set(["band:5", "relative:25", "quarterly"]);

export function BacktestPage() {
  useTitle("Backtest");
  const allocations = useAllocations();
  const [targets, setTargets] = useState("");
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(DEFAULT_POLICIES);
  const [other, setOther] = useState("");
  const [cash, setCash] = useState("100000");
  const [costBps, setCostBps] = useState("0");
  const [costPerOrder, setCostPerOrder] = useState("0");
  const [minTrade, setMinTrade] = useState("10");
  const [fractional, setFractional] = useState(true);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const controller = useRef<AbortController | null>(null);

  // Start from the saved targets, once they are known and nothing was typed yet.
  const saved = allocations.data?.allocations;
  useEffect(() => {
    if (!saved || targets) return;
    setTargets(
      saved
        .filter((a) => a.enabled)
        .map((a) => `${a.symbol}=${a.target_percent}`)
        .join(" "),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
  useEffect(() => () => controller.current?.abort(), []);

  const toggle = (spec: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(spec)) next.delete(spec);
      else next.add(spec);
      return next;
    });

  async function run(event: FormEvent) {
    event.preventDefault();
    setError(null);
    // Results of earlier inputs must not sit under this run's error or cancel.
    setResult(null);
    const parsed = parseTargets(targets);
    if (!parsed) return setError("Targets: write them as SYMBOL=PERCENT, e.g. SPY=60 TLT=40.");
    const policies = uniquePolicies([...POLICIES.filter((p) => chosen.has(p)), ...other.split(/\s+/)]);
    if (!policies.length) return setError("Policies: tick at least one, or write a SPEC.");
    // Without a file the server uses the broker's daily bars.
    const prices = csv ? pricesForRequest(csv.text, Object.keys(parsed), start, end) : null;
    if (prices && "error" in prices) return setError(prices.error);
    controller.current = new AbortController();
    setRunning(true);
    try {
      setResult(
        await api.backtest(
          {
            prices_csv: prices ? prices.csv : null,
            targets: parsed,
            policies,
            cash,
            cost_bps: costBps,
            cost_per_order: costPerOrder,
            min_trade: minTrade,
            fractional,
            start: start || null,
            end: end || null,
          },
          controller.current.signal,
        ),
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setRunning(false);
      controller.current = null;
    }
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Backtest</h1>
        <p className="mt-1 text-sm text-slate-600">
          Replay rebalancing policies on price history with the planner that places your orders: how often each trades,
          what it costs, how far the portfolio strays and what it returns. Nothing is traded or saved.
        </p>
      </div>
      <Card>
        <CardHeader>
          <div>
            <CardTitle>Inputs</CardTitle>
            <CardDescription>
              Prices are daily closes: a CSV with a date column and one column per symbol, or, without a file, your
              broker&apos;s daily bars (from the first day every target has one, unless you pick dates).
            </CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <form className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => void run(e)} aria-label="Backtest inputs">
            <div className="sm:col-span-2">
              <TextField label="Targets (SYMBOL=%)" value={targets} onChange={setTargets} placeholder="SPY=60 TLT=40" />
            </div>
            <div className="sm:col-span-2">
              <Field id="bt-prices" label="Prices CSV (optional)">
                <Input
                  id="bt-prices"
                  type="file"
                  accept=".csv,text/csv"
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    if (file) void file.text().then((text) => setCsv({ name: file.name, text }));
                  }}
                />
              </Field>
            </div>
            <fieldset className="sm:col-span-2 lg:col-span-4">
              <legend className="text-sm font-medium text-slate-800">Policies</legend>
              <div className="mt-2 flex flex-wrap gap-x-4 gap-y-2">
                {POLICIES.map((spec) => (
                  <label key={spec} className="inline-flex items-center gap-1.5 text-sm text-slate-800">
                    <input type="checkbox" checked={chosen.has(spec)} onChange={() => toggle(spec)} className="size-4" />
                    {spec}
                  </label>
                ))}
                <Input
                  aria-label="Other policies (SPEC, space separated)"
                  value={other}
                  onChange={(e) => setOther(e.target.value)}
                  placeholder="other SPECs, e.g. band:3 relative:10"
                  className="w-full sm:w-80"
                />
              </div>
            </fieldset>
            <TextField label="Start cash ($)" inputMode="decimal" value={cash} onChange={setCash} />
            <TextField label="Cost (bps of each order)" inputMode="decimal" value={costBps} onChange={setCostBps} />
            <TextField label="Cost per order ($)" inputMode="decimal" value={costPerOrder} onChange={setCostPerOrder} />
            <TextField label="Minimum trade ($)" inputMode="decimal" value={minTrade} onChange={setMinTrade} />
            <TextField label="From" type="date" value={start} onChange={setStart} />
            <TextField label="To" type="date" value={end} onChange={setEnd} />
            <label className="inline-flex items-center gap-2 self-end pb-2 text-sm text-slate-800">
              <input type="checkbox" checked={fractional} onChange={(e) => setFractional(e.target.checked)} className="size-4" />
              Fractional shares
            </label>
            <div className="flex items-end gap-2">
              <Button type="submit" disabled={running} data-testid="backtest-run">
                {running && <Loader2 className="animate-spin" aria-hidden />}
                {running ? "Running…" : "Run backtest"}
              </Button>
              {running && (
                <Button type="button" variant="outline" onClick={() => controller.current?.abort()} data-testid="backtest-cancel">
                  Cancel
                </Button>
              )}
            </div>
          </form>
          {csv && (
            <p className="mt-3 text-sm text-slate-600" data-testid="backtest-file">
              {csv.name}: {csv.text.split("\n").filter((l) => l.trim()).length - 1} rows
            </p>
          )}
        </CardContent>
      </Card>
      {error && (
        <Alert tone="danger" role="alert">
          {error}
        </Alert>
      )}
      {result && (
        <Card aria-live="polite">
          <CardHeader>
            <div>
              <CardTitle>Results</CardTitle>
              <CardDescription>
                {result.start} to {result.end}, {result.days} days, {result.symbols.join(", ")}
              </CardDescription>
            </div>
          </CardHeader>
          <CardContent className="space-y-6">
            <BacktestTable policies={result.policies} />
            <BacktestCharts policies={result.policies} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}
