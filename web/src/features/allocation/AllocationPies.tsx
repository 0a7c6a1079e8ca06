import type { Allocation, Portfolio } from "@/api/models";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CASH_KEY } from "@/lib/colors";
import { formatDateTime, formatMoneyWhole, formatPercent, toNumber } from "@/lib/format";
import { AllocationPie, type PieSlice } from "./AllocationPie";

const UNALLOCATED_COLOR = "#e2e8f0";

export function targetSlices(allocations: Allocation[], portfolioValue: number, colors: Map<string, string>): PieSlice[] {
  const enabled = allocations.filter((a) => a.enabled);
  const slices: PieSlice[] = enabled.map((a) => {
    const pct = toNumber(a.target_percent);
    return {
      name: a.symbol,
      percent: pct,
      value: Number.isFinite(portfolioValue) ? (pct / 100) * portfolioValue : null,
      color: colors.get(a.symbol) ?? "#64748b",
    };
  });
  const total = slices.reduce((s, x) => s + x.percent, 0);
  if (enabled.length > 0 && total < 99.99) {
    const pct = 100 - total;
    slices.push({
      name: "Unallocated",
      percent: pct,
      value: Number.isFinite(portfolioValue) ? (pct / 100) * portfolioValue : null,
      color: UNALLOCATED_COLOR,
    });
  }
  return slices;
}

export function actualSlices(portfolio: Portfolio, colors: Map<string, string>): PieSlice[] {
  const value = toNumber(portfolio.portfolio_value);
  const slices: PieSlice[] = portfolio.positions
    .map((p) => ({
      name: p.symbol,
      percent: toNumber(p.actual_percent),
      value: toNumber(p.market_value),
      color: colors.get(p.symbol) ?? "#64748b",
    }))
    .sort((a, b) => b.percent - a.percent);
  const cash = toNumber(portfolio.cash);
  if (cash > 0 && value > 0) {
    slices.push({ name: CASH_KEY, percent: (cash / value) * 100, value: cash, color: colors.get(CASH_KEY) ?? "#94a3b8" });
  }
  return slices;
}

export function AllocationPies({
  allocations,
  portfolio,
  colors,
  loading,
  positionsError,
}: {
  allocations: Allocation[];
  portfolio: Portfolio | undefined;
  colors: Map<string, string>;
  /** The positions could not be loaded (the broker is unreachable): said in the card. */
  positionsError?: string | null;
  /** The targets are still loading: say so rather than "no targets". */
  loading?: boolean;
}) {
  const value = toNumber(portfolio?.portfolio_value);
  const target = targetSlices(allocations, value, colors);
  const enabledTotal = allocations.filter((a) => a.enabled).reduce((s, a) => s + toNumber(a.target_percent), 0);
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Card aria-labelledby="pie-target-title">
        <CardHeader>
          <div>
            <CardTitle id="pie-target-title">Target</CardTitle>
            <CardDescription>Enabled targets applied to today’s portfolio value</CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <AllocationPie
            title="Target allocation"
            testId="pie-target"
            slices={target}
            centerLabel="Allocated"
            centerValue={formatPercent(enabledTotal)}
            emptyText={loading ? "Loading targets…" : "No enabled targets yet."}
          />
        </CardContent>
      </Card>
      <Card aria-labelledby="pie-actual-title">
        <CardHeader>
          <div>
            <CardTitle id="pie-actual-title">Actual</CardTitle>
            <CardDescription>
              {portfolio ? `Live positions as of ${formatDateTime(portfolio.as_of)}` : "Live positions from your broker"}
            </CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <AllocationPie
            title="Actual allocation"
            testId="pie-actual"
            slices={portfolio ? actualSlices(portfolio, colors) : []}
            centerLabel="Value"
            centerValue={formatMoneyWhole(value)}
            emptyText={
              portfolio
                ? "No positions or cash yet."
                : positionsError
                  ? `Could not load positions: ${positionsError}`
                  : "Loading positions…"
            }
          />
        </CardContent>
      </Card>
    </div>
  );
}
