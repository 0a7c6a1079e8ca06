import { ArrowDown, ArrowUp, Check } from "lucide-react";
import type { DriftAction } from "@/api/models";
import { Badge } from "@/components/ui/badge";

const SIDES = {
  buy: { Icon: ArrowUp, label: "Buy" },
  sell: { Icon: ArrowDown, label: "Sell" },
} as const;

/** Buy / sell / within band, by icon and word as well as colour. */
export function ActionBadge({ action }: { action: DriftAction }) {
  if (action === "buy" || action === "sell") {
    const { Icon, label } = SIDES[action];
    return (
      <Badge tone={action} data-action={action}>
        <Icon aria-hidden />
        {label}
      </Badge>
    );
  }
  return (
    <Badge tone="neutral" data-action="none">
      <Check aria-hidden />
      {/* Shorter on a phone, so the drift table's action column stays on screen. */}
      <span className="sm:hidden">In band</span>
      <span className="hidden sm:inline">Within band</span>
    </Badge>
  );
}

export function SideBadge({ side }: { side: "buy" | "sell" }) {
  return <ActionBadge action={side} />;
}
