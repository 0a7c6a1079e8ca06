import { Loader2, Zap } from "lucide-react";
import type { CheckResult } from "@/api/types";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { PlannedTradesTable, SkippedList } from "./PlannedTrades";

interface ConfirmRebalanceDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The dry run made just before, whose planned orders are listed. */
  plan: CheckResult | null;
  planning: boolean;
  planError: string | null;
  submitting: boolean;
  onConfirm: () => void;
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
}: ConfirmRebalanceDialogProps) {
  const orders = plan?.trades_planned ?? [];
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl" data-testid="confirm-dialog">
        <DialogHeader>
          <DialogTitle>Rebalance now?</DialogTitle>
          <DialogDescription>
            {orders.length > 0
              ? `These ${orders.length === 1 ? "market order" : `${orders.length} market orders`} (time in force: day) will be sent to your broker. Sells go first; buys are sized to the buying power left after them, so amounts can differ slightly from this plan.`
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
        {plan && !planning && (
          <div className="space-y-4">
            {orders.length > 0 ? (
              <PlannedTradesTable trades={orders} testId="confirm-orders" />
            ) : (
              <Alert tone="info">{plan.message || "Every symbol is within its band: there is nothing to trade."}</Alert>
            )}
            <SkippedList skipped={plan.skipped} />
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
