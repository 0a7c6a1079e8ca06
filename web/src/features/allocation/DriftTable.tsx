import { AlertTriangle } from "lucide-react";
import type { DriftDetail, DriftRow } from "@/api/types";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/cn";
import { formatDrift, formatPercent, toNumber } from "@/lib/format";
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
 * target) says so, with the reason.
 */
export function DriftTable({
  rows,
  colors,
  details,
}: {
  rows: DriftRow[];
  colors?: Map<string, string>;
  details?: DriftDetail[];
}) {
  const held = new Map((details ?? []).filter((d) => d.hold_reason).map((d) => [d.symbol, d]));
  const why = new Map((details ?? []).filter((d) => d.reason_message && !d.hold_reason).map((d) => [d.symbol, d]));
  return (
    <Table data-testid="drift-table" aria-label="Drift analysis">
      <TableCaption>Drift of each symbol from its target</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Symbol</TableHead>
          <TableHead className="text-right">Target</TableHead>
          <TableHead className="text-right">Actual</TableHead>
          <TableHead className="text-right">Drift</TableHead>
          <TableHead>Action</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => {
          const action = row.needs_rebalance ? row.action : "none";
          return (
            <TableRow
              key={row.symbol}
              data-testid={`drift-row-${row.symbol}`}
              data-action={action}
              data-past-threshold={row.needs_rebalance}
              className={rowTone[action]}
            >
              <TableCell className="font-semibold">
                <span className="inline-flex items-center gap-2">
                  {colors && (
                    <span className="size-2.5 rounded-full" style={{ backgroundColor: colors.get(row.symbol) ?? "#94a3b8" }} aria-hidden />
                  )}
                  {row.symbol}
                </span>
              </TableCell>
              <TableCell className="text-right">{formatPercent(row.target_percent)}</TableCell>
              <TableCell className="text-right">{formatPercent(row.actual_percent)}</TableCell>
              <TableCell className={cn("text-right", row.needs_rebalance ? `font-semibold ${driftTone[action]}` : "text-slate-700")}>
                <span className="inline-flex items-center justify-end gap-1">
                  {row.needs_rebalance && (
                    <>
                      <AlertTriangle className="size-3.5" aria-hidden />
                      <span className="sr-only">Past threshold: </span>
                    </>
                  )}
                  {formatDrift(row.drift_percent)}
                </span>
              </TableCell>
              <TableCell>
                <ActionBadge action={action} />
                {held.get(row.symbol) && (
                  <p className="mt-1 text-xs text-slate-600" data-testid={`drift-held-${row.symbol}`}>
                    Held, not rebalanced: {held.get(row.symbol)?.note}
                  </p>
                )}
                {why.get(row.symbol) && (
                  <p className="mt-1 text-xs text-slate-600" data-testid={`drift-reason-${row.symbol}`}>
                    {why.get(row.symbol)?.traded ? "Traded: " : "Not traded: "}
                    {why.get(row.symbol)?.reason_message}
                  </p>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** Largest absolute drift among rows, for summaries. */
export function maxAbsDrift(rows: DriftRow[]): number | null {
  if (rows.length === 0) return null;
  return rows.reduce((m, r) => Math.max(m, Math.abs(toNumber(r.drift_percent))), 0);
}
