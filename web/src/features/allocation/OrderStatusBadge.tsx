import { CheckCircle2, CircleDashed, Clock, XCircle, type LucideIcon } from "lucide-react";
import { isOrderFinal } from "@/api/lifecycle";
import type { OrderStatus } from "@/api/models";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { humanize } from "@/lib/format";

/** How a status looks: filled, finished without a fill (the server's final statuses),
 * partly filled, or still going. */
function look(status: OrderStatus): [BadgeProps["tone"], LucideIcon] {
  if (status === "filled") return ["buy", CheckCircle2];
  if (isOrderFinal(status)) return ["danger", XCircle];
  if (status === "partially_filled") return ["warning", CircleDashed];
  return ["info", Clock];
}

/** Order status as icon + word. */
export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const [tone, Icon] = look(status);
  return (
    <Badge tone={tone}>
      <Icon aria-hidden />
      {humanize(status)}
    </Badge>
  );
}
