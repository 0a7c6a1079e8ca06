import { AlertTriangle, CheckCircle2, Info } from "lucide-react";
import type { Allocation } from "@/api/models";
import { formatPercent } from "@/lib/format";
import { allocationSum } from "@/lib/validation";
import { cn } from "@/lib/cn";

/** Live sum of the enabled targets, with how much is missing or over when it is not 100 %. */
export function SumStatus({ allocations, className }: { allocations: Allocation[]; className?: string }) {
  const sum = allocationSum(allocations);
  const base = "flex items-start gap-2 rounded-lg border px-3 py-2 text-sm";
  switch (sum.kind) {
    case "empty":
      return (
        <div data-testid="sum-status" role="status" className={cn(base, "border-slate-200 bg-slate-50 text-slate-700", className)}>
          <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>No enabled targets yet. Add targets that sum to 100%.</span>
        </div>
      );
    case "ok":
      return (
        <div data-testid="sum-status" role="status" className={cn(base, "border-emerald-200 bg-emerald-50 text-emerald-900", className)}>
          <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            Enabled targets sum to <strong className="tabular-nums">{formatPercent(sum.total)}</strong>. Ready to rebalance.
          </span>
        </div>
      );
    case "under":
    case "over":
      return (
        <div data-testid="sum-status" role="alert" className={cn(base, "border-amber-300 bg-amber-50 text-amber-950", className)}>
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-amber-700" aria-hidden />
          <span>
            Enabled targets sum to <strong className="tabular-nums">{formatPercent(sum.total)}</strong>, not 100%:{" "}
            <strong className="tabular-nums">
              {sum.kind === "under" ? `${formatPercent(sum.missing)} missing` : `${formatPercent(sum.over)} over`}
            </strong>
            . A rebalance will not run until they add up.
          </span>
        </div>
      );
  }
}
