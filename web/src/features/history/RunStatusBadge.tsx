import type { ComponentType } from "react";
import { AlertOctagon, Ban, CheckCircle2, CircleDashed, Clock, Eye, Loader2, MinusCircle, ShieldAlert } from "lucide-react";
import type { RunStatus } from "@/api/models";
import { Badge, type BadgeProps } from "@/components/ui/badge";

interface Look {
  tone: BadgeProps["tone"];
  icon: ComponentType<{ className?: string; "aria-hidden"?: boolean }>;
  label: string;
}

/** Each run status the server records (docs/api.md), as the page shows it: a status the
 * server adds fails the type check here. */
const LOOKS: Record<RunStatus, Look> = {
  running: { tone: "info", icon: Loader2, label: "Running" },
  awaiting_fills: { tone: "info", icon: Clock, label: "Awaiting fills" },
  completed: { tone: "buy", icon: CheckCircle2, label: "Completed" },
  partial: { tone: "warning", icon: CircleDashed, label: "Partly filled" },
  failed: { tone: "danger", icon: AlertOctagon, label: "Failed" },
  blocked_by_risk: { tone: "warning", icon: ShieldAlert, label: "Blocked by risk" },
  refused: { tone: "danger", icon: Ban, label: "Refused" },
  nothing_to_do: { tone: "neutral", icon: MinusCircle, label: "Nothing to do" },
  planned: { tone: "neutral", icon: Eye, label: "Planned" },
};

/** Every status the server records, in the order a filter offers them. */
export const RUN_STATUSES = Object.keys(LOOKS) as RunStatus[];

export function runStatusLabel(status: RunStatus): string {
  return LOOKS[status].label;
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  const look = LOOKS[status];
  const Icon = look.icon;
  return (
    <Badge tone={look.tone} data-status={status}>
      <Icon className={status === "running" ? "animate-spin" : undefined} aria-hidden />
      {look.label}
    </Badge>
  );
}
