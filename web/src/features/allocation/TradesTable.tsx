import type { RunDetail, TradeExecuted } from "@/api/types";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatQty } from "@/lib/format";
import { SideBadge } from "./ActionBadge";
import { OrderStatusBadge } from "./OrderStatusBadge";

/**
 * A run's trades with their times and fills taken from the run's order records
 * (the contract's trade rows carry only symbol, side, qty, order id and status).
 */
export function tradesOfRun(run: RunDetail | undefined): TradeExecuted[] {
  if (!run) return [];
  const records = new Map((run.orders ?? []).map((o) => [o.broker_order_id, o]));
  return run.trades_executed.map((t) => {
    const record = t.order_id ? records.get(t.order_id) : undefined;
    if (!record) return t;
    return {
      ...t,
      submitted_at: t.submitted_at ?? record.submitted_at,
      updated_at: t.updated_at ?? record.updated_at,
      filled_qty: t.filled_qty ?? record.filled_qty,
    };
  });
}

/** Orders a live run placed; statuses update from order_updated events. */
export function TradesTable({ trades, fallbackTime }: { trades: TradeExecuted[]; fallbackTime?: string | null }) {
  return (
    <Table data-testid="trades-table" aria-label="Trades executed">
      <TableCaption>Trades executed</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Symbol</TableHead>
          <TableHead>Side</TableHead>
          <TableHead className="text-right">Qty</TableHead>
          <TableHead>Order ID</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Time</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {trades.length === 0 && (
          <TableRow>
            <TableCell colSpan={6} className="py-8 text-center text-slate-600">
              No orders placed yet.
            </TableCell>
          </TableRow>
        )}
        {trades.map((t, i) => (
          <TableRow key={t.order_id ?? `${t.symbol}-${i}`} data-testid={`trade-row-${t.symbol}`}>
            <TableCell className="font-semibold">{t.symbol}</TableCell>
            <TableCell>
              <SideBadge side={t.side} />
            </TableCell>
            <TableCell className="text-right">{formatQty(t.qty)}</TableCell>
            <TableCell className="max-w-48 truncate font-mono text-xs text-slate-700" title={t.order_id ?? undefined}>
              {t.order_id ?? "—"}
            </TableCell>
            <TableCell data-testid={`trade-status-${t.symbol}`}>
              <span className="inline-flex items-center gap-1.5">
                <OrderStatusBadge status={t.status} />
                {t.status === "partially_filled" && t.filled_qty != null && (
                  <span className="text-xs text-slate-600">
                    {formatQty(t.filled_qty)} of {formatQty(t.qty)}
                  </span>
                )}
              </span>
            </TableCell>
            <TableCell className="text-slate-700">{formatDateTime(t.submitted_at ?? t.updated_at ?? fallbackTime)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
