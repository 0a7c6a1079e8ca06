import { CircleSlash } from "lucide-react";
import type { TradePlanned, TradeSkipped } from "@/api/models";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoney, formatQty, humanize, toNumber } from "@/lib/format";
import { SideBadge } from "./ActionBadge";

/** Orders a run would place (dry run or confirmation), with totals per side. */
export function PlannedTradesTable({ trades, testId = "planned-table" }: { trades: TradePlanned[]; testId?: string }) {
  const total = (side: "buy" | "sell") =>
    trades.filter((t) => t.side === side).reduce((s, t) => s + toNumber(t.notional), 0);
  return (
    <Table data-testid={testId} aria-label="Planned orders">
      <TableCaption>Planned orders</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Symbol</TableHead>
          <TableHead>Side</TableHead>
          <TableHead className="text-right">Qty</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Price</TableHead>
          <TableHead className="text-right">Amount</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {trades.map((t) => (
          <TableRow key={`${t.side}-${t.symbol}`} data-testid={`planned-row-${t.symbol}`}>
            <TableCell className="font-semibold">{t.symbol}</TableCell>
            <TableCell>
              <SideBadge side={t.side} />
            </TableCell>
            <TableCell className="text-right">{formatQty(t.qty)}</TableCell>
            <TableCell className="hidden text-right text-slate-700 sm:table-cell">{formatMoney(t.price)}</TableCell>
            <TableCell className="text-right font-medium">{formatMoney(t.notional)}</TableCell>
          </TableRow>
        ))}
        {trades.length > 0 && (
          <TableRow className="bg-slate-50/70">
            <TableCell colSpan={5} className="text-right text-sm whitespace-normal text-slate-700">
              Sells <span className="font-medium text-slate-900">{formatMoney(total("sell"))}</span>
              <span className="mx-2 text-slate-400" aria-hidden>
                ·
              </span>
              Buys <span className="font-medium text-slate-900">{formatMoney(total("buy"))}</span>
            </TableCell>
          </TableRow>
        )}
      </TableBody>
    </Table>
  );
}

export function SkippedList({ skipped }: { skipped: TradeSkipped[] }) {
  if (skipped.length === 0) return null;
  return (
    <div data-testid="skipped-list">
      <h3 className="mb-2 text-sm font-medium text-slate-800">Skipped</h3>
      <ul className="space-y-1.5">
        {skipped.map((s) => (
          <li key={`${s.symbol}-${s.reason}`} className="flex items-start gap-2 text-sm text-slate-700" data-testid={`skipped-${s.symbol}`}>
            <CircleSlash className="mt-0.5 size-4 shrink-0 text-slate-500" aria-hidden />
            <span>
              <span className="font-semibold text-slate-900">{s.symbol}</span>
              {s.side && <span className="text-slate-600"> ({s.side})</span>}: {s.message || humanize(s.reason)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
