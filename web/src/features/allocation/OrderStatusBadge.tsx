import { CheckCircle2, CircleDashed, Clock, XCircle } from "lucide-react";
import { isOrderFinal } from "@/api/lifecycle";
import type { OrderStatus } from "@/api/models";
import { Badge } from "@/components/ui/badge";
import { humanize } from "@/lib/format";

/** Order status as icon + word: filled, finished without a fill (the server's final
 * statuses), partly filled, or still going. */
export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const label = humanize(status);
  if (status === "filled")
    return (
      <Badge tone="buy">
        <CheckCircle2 aria-hidden />
        {label}
      </Badge>
    );
  if (isOrderFinal(status))
    return (
      <Badge tone="danger">
        <XCircle aria-hidden />
        {label}
      </Badge>
    );
  if (status === "partially_filled")
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
