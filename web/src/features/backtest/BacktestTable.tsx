import type { PolicyResult } from "@/api/client";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoneyWhole } from "@/lib/format";

const fixed = (digits: number) => (value: number) => value.toFixed(digits);
const signed = (value: number) => (value > 0 ? "+" : "") + value.toFixed(2);

/** The CLI's figures, one row per policy; units as in docs/backtest.md. */
const COLUMNS: { label: string; title: string; cell: (p: PolicyResult) => string }[] = [
  { label: "Final value", title: "Value at the last close", cell: (p) => formatMoneyWhole(p.final_value) },
  { label: "CAGR %", title: "Compound annual growth", cell: (p) => fixed(2)(p.cagr) },
  { label: "Volatility %", title: "Annualised standard deviation of daily returns", cell: (p) => fixed(2)(p.volatility) },
  { label: "Max drawdown %", title: "Largest fall from a peak", cell: (p) => fixed(2)(p.max_drawdown) },
  { label: "Rebalances", title: "Days that traded, the first included", cell: (p) => String(p.rebalances) },
  { label: "Orders", title: "Orders filled", cell: (p) => String(p.orders) },
  { label: "Turnover %/yr", title: "Half the traded notional over the mean value, per year", cell: (p) => fixed(1)(p.turnover) },
  { label: "Costs", title: "Trading costs paid", cell: (p) => formatMoneyWhole(p.costs) },
  { label: "Mean drift pp", title: "Mean of the daily largest drift", cell: (p) => fixed(2)(p.mean_abs_drift) },
  { label: "Max drift pp", title: "Largest drift on any day", cell: (p) => fixed(2)(p.max_abs_drift) },
  { label: "vs daily pp/yr", title: "CAGR minus that of a portfolio rebalanced every day", cell: (p) => signed(p.tracking_difference) },
];

export function BacktestTable({ policies }: { policies: PolicyResult[] }) {
  return (
    <div className="overflow-x-auto">
      <Table aria-label="Backtest results" data-testid="backtest-table">
        <TableCaption>One row per policy</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Policy</TableHead>
            {COLUMNS.map((c) => (
              <TableHead key={c.label} className="text-right align-bottom whitespace-normal" title={c.title}>
                {c.label}
              </TableHead>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {policies.map((p) => (
            <TableRow key={p.policy}>
              <TableCell className="font-medium whitespace-nowrap">{p.policy}</TableCell>
              {COLUMNS.map((c) => (
                <TableCell key={c.label} className="text-right tabular-nums">
                  {c.cell(p)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
