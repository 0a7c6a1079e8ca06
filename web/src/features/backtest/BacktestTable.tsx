import type { PolicyResult } from "@/api/client";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoneyWhole } from "@/lib/format";

const fixed = (digits: number) => (value: number) => value.toFixed(digits);
const signed = (value: number) => (value > 0 ? "+" : "") + value.toFixed(2);

/**
 * The CLI's figures, one row per policy; units as in docs/backtest.md. Headers are short
 * and wrap, the unit on a line of its own, so all twelve columns fit a 1440 px screen;
 * `title` gives each in full.
 */
const COLUMNS: { label: string; unit: string; title: string; cell: (p: PolicyResult) => string }[] = [
  { label: "Final value", unit: "$", title: "Value at the last close", cell: (p) => formatMoneyWhole(p.final_value) },
  { label: "CAGR", unit: "%", title: "Compound annual growth", cell: (p) => fixed(2)(p.cagr) },
  { label: "Volatility", unit: "%", title: "Annualised standard deviation of daily returns", cell: (p) => fixed(2)(p.volatility) },
  { label: "Max drawdown", unit: "%", title: "Largest fall from a peak", cell: (p) => fixed(2)(p.max_drawdown) },
  { label: "Rebalances", unit: "days", title: "Days that traded, the first included", cell: (p) => String(p.rebalances) },
  { label: "Orders", unit: "", title: "Orders filled", cell: (p) => String(p.orders) },
  { label: "Turnover", unit: "%/yr", title: "Half the traded notional over the mean value, per year", cell: (p) => fixed(1)(p.turnover) },
  { label: "Costs", unit: "$", title: "Trading costs paid", cell: (p) => formatMoneyWhole(p.costs) },
  { label: "Mean drift", unit: "pp", title: "Mean of the daily largest drift", cell: (p) => fixed(2)(p.mean_abs_drift) },
  { label: "Max drift", unit: "pp", title: "Largest drift on any day", cell: (p) => fixed(2)(p.max_abs_drift) },
  { label: "vs daily", unit: "pp/yr", title: "CAGR minus that of a portfolio rebalanced every day", cell: (p) => signed(p.tracking_difference) },
];

/** One row per policy; on a phone the table scrolls sideways with a fade (ui/table). */
export function BacktestTable({ policies }: { policies: PolicyResult[] }) {
  return (
    <Table aria-label="Backtest results" data-testid="backtest-table">
      <TableCaption>One row per policy</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead className="align-bottom sm:px-2">Policy</TableHead>
          {COLUMNS.map((c) => (
            <TableHead key={c.label} className="py-1.5 text-right align-bottom leading-tight whitespace-normal sm:px-2" title={c.title}>
              {c.label}
              {c.unit && <span className="block font-normal normal-case">{c.unit}</span>}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {policies.map((p) => (
          <TableRow key={p.policy}>
            <TableCell className="font-medium whitespace-nowrap sm:px-2">{p.policy}</TableCell>
            {COLUMNS.map((c) => (
              <TableCell key={c.label} className="text-right tabular-nums sm:px-2">
                {c.cell(p)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
