import type { TradeExecuted } from "@/api/types";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatQty } from "@/lib/format";
import { SideBadge } from "./ActionBadge";
import { OrderStatusBadge } from "./OrderStatusBadge";

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
              <OrderStatusBadge status={t.status} />
            </TableCell>
            <TableCell className="text-slate-700">{formatDateTime(t.updated_at ?? t.submitted_at ?? fallbackTime)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
