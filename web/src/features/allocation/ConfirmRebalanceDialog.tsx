import { useId } from "react";
import { Loader2, Zap } from "lucide-react";
import type { TradePlanned, TradeSkipped } from "@/api/models";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { sentence } from "@/lib/format";
import { PlannedTradesTable, SkippedList } from "./PlannedTrades";

interface ConfirmRebalanceDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The plan made as the dialog opened (recorded nowhere), whose orders are listed. */
  plan: { trades_planned: TradePlanned[]; skipped: TradeSkipped[]; message: string } | null;
  planning: boolean;
  planError: string | null;
  submitting: boolean;
  onConfirm: () => void;
  queueIfClosed?: boolean;
  onQueueIfClosedChange?: (queue: boolean) => void;
  /** Where focus goes when the dialog closes (call preventDefault to move it elsewhere). */
  onCloseAutoFocus?: (event: Event) => void;
  /** The symbols the full plan trades, and those ticked: a partial rebalance trades only these. */
  symbols?: string[];
  selected?: string[];
  onSelectedChange?: (selected: string[]) => void;
}

/** One checkbox per symbol the full plan trades; unticking one plans again without it. */
function SymbolPicker({ symbols, selected, onChange }: { symbols: string[]; selected: string[]; onChange: (s: string[]) => void }) {
  const base = useId();
  return (
    <fieldset className="rounded-lg border border-slate-200 px-3 py-2.5" data-testid="symbol-picker">
      <legend className="px-1 text-sm font-medium text-slate-800">Trade these symbols</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1.5">
        {symbols.map((symbol) => (
          <label key={symbol} htmlFor={`${base}-${symbol}`} className="flex items-center gap-1.5 text-sm text-slate-800">
            <input
              id={`${base}-${symbol}`}
              type="checkbox"
              className="h-4 w-4"
              checked={selected.includes(symbol)}
              onChange={(e) =>
                onChange(e.target.checked ? symbols.filter((s) => s === symbol || selected.includes(s)) : selected.filter((s) => s !== symbol))
              }
              data-testid={`pick-${symbol}`}
            />
            {symbol}
          </label>
        ))}
      </div>
      <p className="mt-1 text-xs text-slate-600">Untick a symbol to leave it alone this time; the others are planned again without it.</p>
    </fieldset>
  );
}

/** Lists the orders a live rebalance is about to send and asks before sending them. */
export function ConfirmRebalanceDialog({
  open,
  onOpenChange,
  plan,
  planning,
  planError,
  submitting,
  onConfirm,
  queueIfClosed = false,
  onQueueIfClosedChange,
  onCloseAutoFocus,
  symbols = [],
  selected = [],
  onSelectedChange,
}: ConfirmRebalanceDialogProps) {
  const orders = plan?.trades_planned ?? [];
  const queueId = useId();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl" data-testid="confirm-dialog" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogHeader>
          <DialogTitle>Rebalance now?</DialogTitle>
          <DialogDescription>
            {orders.length > 0
              ? `${orders.length === 1 ? "This market order" : `These ${orders.length} market orders`} (time in force: day) will be sent to your broker. Sells go first; buys are sized to the buying power left after them, so amounts can differ slightly from this plan.`
              : "Checking what a rebalance would do…"}
          </DialogDescription>
        </DialogHeader>
        {planning && (
          <p className="flex items-center gap-2 py-6 text-sm text-slate-600" role="status">
            <Loader2 className="size-4 animate-spin" aria-hidden /> Planning orders…
          </p>
        )}
        {planError && (
          <Alert tone="danger" role="alert">
            {planError}
          </Alert>
        )}
        {symbols.length > 1 && onSelectedChange && (
          <SymbolPicker symbols={symbols} selected={selected} onChange={onSelectedChange} />
        )}
        {plan && !planning && (
          <div className="space-y-4">
            {orders.length > 0 ? (
              <PlannedTradesTable trades={orders} testId="confirm-orders" />
            ) : (
              <Alert tone="info">{sentence(plan.message) || "Every symbol is within its band: there is nothing to trade."}</Alert>
            )}
            <SkippedList skipped={plan.skipped} />
            {orders.length > 0 && onQueueIfClosedChange && (
              <div className="flex items-center gap-3 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2.5">
                <Switch
                  id={queueId}
                  checked={queueIfClosed}
                  onCheckedChange={onQueueIfClosedChange}
                  data-testid="queue-if-closed"
                />
                <label htmlFor={queueId} className="text-sm text-slate-800">
                  If the market is closed, queue the orders for the next open
                  <span className="block text-xs text-slate-600">Otherwise nothing is sent while it is closed.</span>
                </label>
              </div>
            )}
          </div>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button
            variant="primary"
            onClick={onConfirm}
            disabled={planning || submitting || orders.length === 0}
            data-testid="confirm-rebalance"
          >
            {submitting ? <Loader2 className="animate-spin" aria-hidden /> : <Zap aria-hidden />}
            {orders.length > 0 ? `Place ${orders.length} ${orders.length === 1 ? "order" : "orders"}` : "Nothing to place"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
