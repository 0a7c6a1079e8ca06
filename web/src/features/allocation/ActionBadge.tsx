import { ArrowDown, ArrowUp, Check } from "lucide-react";
import type { DriftAction } from "@/api/models";
import { Badge } from "@/components/ui/badge";

/** Buy / sell / within band, by icon and word as well as colour. */
export function ActionBadge({ action }: { action: DriftAction }) {
  switch (action) {
    case "buy":
      return (
        <Badge tone="buy" data-action="buy">
          <ArrowUp aria-hidden />
          Buy
        </Badge>
      );
    case "sell":
      return (
        <Badge tone="sell" data-action="sell">
          <ArrowDown aria-hidden />
          Sell
        </Badge>
      );
    default:
      return (
        <Badge tone="neutral" data-action="none">
          <Check aria-hidden />
          {/* Shorter on a phone, so the drift table's action column stays on screen. */}
          <span className="sm:hidden">In band</span>
          <span className="hidden sm:inline">Within band</span>
        </Badge>
      );
  }
}

export function SideBadge({ side }: { side: "buy" | "sell" }) {
  return <ActionBadge action={side} />;
}
