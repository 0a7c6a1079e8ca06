import { CheckCircle2, CircleDashed, Clock, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { humanize } from "@/lib/format";

const FILLED = new Set(["filled"]);
const FAILED = new Set(["rejected", "canceled", "cancelled", "expired", "failed", "done_for_day"]);
const PARTIAL = new Set(["partially_filled"]);

/** Broker order status as icon + word; pending states spin so a live update is visible. */
export function OrderStatusBadge({ status }: { status: string }) {
  const label = humanize(status);
  if (FILLED.has(status))
    return (
      <Badge tone="buy">
        <CheckCircle2 aria-hidden />
        {label}
      </Badge>
    );
  if (FAILED.has(status))
    return (
      <Badge tone="danger">
        <XCircle aria-hidden />
        {label}
      </Badge>
    );
  if (PARTIAL.has(status))
    return (
      <Badge tone="warning">
        <CircleDashed aria-hidden />
        {label}
      </Badge>
    );
  return (
    <Badge tone="info">
      <Clock aria-hidden />
      {label}
    </Badge>
  );
}
