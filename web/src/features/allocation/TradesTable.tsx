import type { RunDetail, TradeExecuted } from "@/api/models";
import type { Num } from "@/lib/format";
import { EmptyRow, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney, formatQty, toNumber } from "@/lib/format";
import { SideBadge } from "./ActionBadge";
import { OrderStatusBadge } from "./OrderStatusBadge";

/** A trade row with what its order record adds: the times and the fill. */
export type TradeRow = TradeExecuted & { filled_avg_price?: Num | null };

/**
 * A run's trades with their times and fills taken from the run's order records
 * (the contract's trade rows carry only symbol, side, qty, order id and status).
 */
export function tradesOfRun(run: RunDetail | undefined): TradeRow[] {
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
      filled_avg_price: record.filled_avg_price,
    };
  });
}

/** The filled amount in USD (filled shares × average fill price), or null before a fill. */
export function filledAmount(trade: TradeRow): number | null {
  const qty = toNumber(trade.filled_qty);
  const price = toNumber(trade.filled_avg_price);
  return qty > 0 && Number.isFinite(price) ? Math.round(qty * price * 100) / 100 : null;
}

/**
 * Orders a live run placed; statuses update from order_updated events. On a phone the
 * symbol, side, quantity and status fit the screen; fill, order id and time follow on
 * wider screens.
 */
export function TradesTable({ trades, fallbackTime }: { trades: TradeRow[]; fallbackTime?: string | null }) {
  return (
    <Table data-testid="trades-table" aria-label="Trades executed">
      <TableCaption>Trades executed</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Symbol</TableHead>
          <TableHead>Side</TableHead>
          <TableHead className="text-right">Qty</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Fill price</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Amount</TableHead>
          <TableHead className="hidden lg:table-cell">Order ID</TableHead>
          <TableHead className="hidden md:table-cell">Time</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {trades.length === 0 && <EmptyRow colSpan={8}>No orders placed yet.</EmptyRow>}
        {trades.map((t, i) => {
          const amount = filledAmount(t);
          return (
            <TableRow key={t.order_id ?? `${t.symbol}-${i}`} data-testid={`trade-row-${t.symbol}`}>
              <TableCell className="font-semibold">{t.symbol}</TableCell>
              <TableCell>
                <SideBadge side={t.side} />
              </TableCell>
              <TableCell className="text-right">{formatQty(t.qty)}</TableCell>
              <TableCell data-testid={`trade-status-${t.symbol}`}>
                <span className="inline-flex flex-wrap items-center gap-1.5">
                  <OrderStatusBadge status={t.status} />
                  {t.status === "partially_filled" && t.filled_qty != null && (
                    <span className="text-xs text-slate-600">
                      {formatQty(t.filled_qty)} of {formatQty(t.qty)}
                    </span>
                  )}
                </span>
              </TableCell>
              <TableCell className="hidden text-right sm:table-cell" data-testid={`trade-price-${t.symbol}`}>
                {amount === null ? "—" : formatMoney(t.filled_avg_price)}
              </TableCell>
              <TableCell className="hidden text-right sm:table-cell" data-testid={`trade-amount-${t.symbol}`}>
                {formatMoney(amount)}
              </TableCell>
              <TableCell className="hidden max-w-48 truncate font-mono text-xs text-slate-700 lg:table-cell" title={t.order_id ?? undefined}>
                {t.order_id ?? "—"}
              </TableCell>
              <TableCell className="hidden text-slate-700 md:table-cell">
                {formatDateTime(t.submitted_at ?? t.updated_at ?? fallbackTime)}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
