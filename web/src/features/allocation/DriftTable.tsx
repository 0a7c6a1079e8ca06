import { Fragment } from "react";
import { AlertTriangle } from "lucide-react";
import type { DriftAction, DriftDetail, DriftRow } from "@/api/models";
import type { Num } from "@/lib/format";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/cn";
import { formatDrift, formatDriftMoney, formatPercent, toNumber } from "@/lib/format";
import { ActionBadge } from "./ActionBadge";

const rowTone = {
  sell: "bg-rose-50/70 shadow-[inset_3px_0_0_#e11d48]",
  buy: "bg-emerald-50/70 shadow-[inset_3px_0_0_#059669]",
  none: "",
} as const;

const driftTone = { sell: "text-rose-700", buy: "text-emerald-700", none: "text-slate-700" } as const;

/**
 * Symbol-by-symbol target vs actual. Rows past the threshold are tinted by action
 * and carry a "past threshold" marker and an action word, so colour is never the
 * only signal. A row held and not rebalanced (a short, an option, a holding with no
 * target) says so, with the reason, on a line of its own under the row.
 *
 * With the portfolio's value, each drift is also given in dollars: the holding's market
 * value minus its target value (target % × portfolio value / 100), both from the server's
 * exact numbers (the rounded pp would be off by dollars), the amount by which the holding
 * is over (+) or under (−) its target. A row the plan trades shows its trade action even
 * inside its band (idle cash invested, a whole-book rebalance). On a phone
 * the target moves under the actual percent so that the action stays on screen.
 */
export function DriftTable({
  rows,
  colors,
  details,
  portfolioValue,
}: {
  rows: DriftRow[];
  colors?: Map<string, string>;
  details?: DriftDetail[];
  portfolioValue?: Num | null;
}) {
  const value = toNumber(portfolioValue);
  const held = new Map((details ?? []).filter((d) => d.hold_reason).map((d) => [d.symbol, d]));
  const why = new Map((details ?? []).filter((d) => d.reason_message && !d.hold_reason).map((d) => [d.symbol, d]));
  const bySymbol = new Map((details ?? []).map((d) => [d.symbol, d]));
  return (
    <Table data-testid="drift-table" aria-label="Drift analysis">
      <TableCaption>Drift of each symbol from its target</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Symbol</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Target</TableHead>
          <TableHead className="text-right">Actual</TableHead>
          <TableHead className="text-right">Drift</TableHead>
          <TableHead>Action</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => {
          const detail = bySymbol.get(row.symbol);
          const action = rowAction(row, detail);
          const heldNote = held.get(row.symbol);
          const reason = why.get(row.symbol);
          const driftUsd = driftDollars(row, detail, value);
          return (
            <Fragment key={row.symbol}>
              <TableRow
                data-testid={`drift-row-${row.symbol}`}
                data-action={action}
                data-past-threshold={row.needs_rebalance}
                className={cn(rowTone[action], (heldNote || reason) && "border-0")}
              >
                <TableCell className="font-semibold">
                  <span className="inline-flex items-center gap-2">
                    {colors && (
                      <span className="size-2.5 rounded-full" style={{ backgroundColor: colors.get(row.symbol) ?? "#94a3b8" }} aria-hidden />
                    )}
                    {row.symbol}
                  </span>
                </TableCell>
                <TableCell className="hidden text-right sm:table-cell">{formatPercent(row.target_percent)}</TableCell>
                <TableCell className="text-right">
                  {formatPercent(row.actual_percent)}
                  <span className="block text-xs text-slate-600 sm:hidden">of {formatPercent(row.target_percent)}</span>
                </TableCell>
                <TableCell className={cn("text-right", row.needs_rebalance ? `font-semibold ${driftTone[action]}` : "text-slate-700")}>
                  <span className="inline-flex items-center justify-end gap-1">
                    {row.needs_rebalance && (
                      <>
                        <AlertTriangle className="hidden size-3.5 sm:block" aria-hidden />
                        <span className="sr-only">Past threshold: </span>
                      </>
                    )}
                    {formatDrift(row.drift_percent)}
                  </span>
                  {Number.isFinite(driftUsd) && (
                    <span className="block text-xs font-normal text-slate-600" data-testid={`drift-usd-${row.symbol}`}>
                      {formatDriftMoney(driftUsd)}
                    </span>
                  )}
                </TableCell>
                <TableCell>
                  <ActionBadge action={action} />
                </TableCell>
              </TableRow>
              {(heldNote || reason) && (
                <TableRow className={rowTone[action]}>
                  <TableCell colSpan={5} className="pt-0 text-xs whitespace-normal text-slate-600">
                    {heldNote && <p data-testid={`drift-held-${row.symbol}`}>Held, not rebalanced: {heldNote.note}</p>}
                    {reason && (
                      <p data-testid={`drift-reason-${row.symbol}`}>
                        {reason.traded ? "Traded: " : "Not traded: "}
                        {reason.reason_message}
                      </p>
                    )}
                  </TableCell>
                </TableRow>
              )}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** What the plan does with a row: its side when past the band or traded anyway, else none. */
export function rowAction(row: DriftRow, detail?: DriftDetail): DriftAction {
  if (row.needs_rebalance) return row.action;
  if (!detail?.traded) return "none";
  if (row.action !== "none") return row.action;
  return toNumber(row.drift_percent) > 0 ? "sell" : "buy";
}

/** Over (+) or under (−) target in USD: market value − target % × portfolio value / 100. */
export function driftDollars(row: DriftRow, detail: DriftDetail | undefined, portfolioValue: number): number {
  if (!Number.isFinite(portfolioValue)) return NaN;
  const target = (toNumber(row.target_percent) * portfolioValue) / 100;
  if (detail) return toNumber(detail.market_value) - target;
  return (toNumber(row.drift_percent) * portfolioValue) / 100;
}

/**
 * The symbols a run was limited to, from its drift details: every symbol but those it
 * marked ``not_selected``; undefined when it was run for the whole book.
 */
export function selectedSymbols(details: DriftDetail[] | undefined): string[] | undefined {
  if (!details?.some((d) => d.reason === "not_selected")) return undefined;
  return details.filter((d) => d.reason !== "not_selected").map((d) => d.symbol);
}

/** Largest absolute drift among rows, for summaries. */
export function maxAbsDrift(rows: DriftRow[]): number | null {
  if (rows.length === 0) return null;
  return rows.reduce((m, r) => Math.max(m, Math.abs(toNumber(r.drift_percent))), 0);
}
