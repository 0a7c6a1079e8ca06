import { AlertOctagon, CheckCircle2, Clock, Eye, Loader2, MinusCircle, ShieldAlert } from "lucide-react";
import type { RunStatus } from "@/api/types";
import { Badge } from "@/components/ui/badge";
import { humanize } from "@/lib/format";

export function RunStatusBadge({ status, dryRun }: { status: RunStatus; dryRun?: boolean }) {
  const label = humanize(status);
  switch (status) {
    case "completed":
      return (
        <Badge tone="buy">
          <CheckCircle2 aria-hidden />
          {label}
        </Badge>
      );
    case "running":
      return (
        <Badge tone="info">
          <Loader2 className="animate-spin" aria-hidden />
          {label}
        </Badge>
      );
    case "awaiting_fills":
      return (
        <Badge tone="info">
          <Clock aria-hidden />
          {label}
        </Badge>
      );
    case "blocked":
      return (
        <Badge tone="warning">
          <ShieldAlert aria-hidden />
          {label}
        </Badge>
      );
    case "failed":
      return (
        <Badge tone="danger">
          <AlertOctagon aria-hidden />
          {label}
        </Badge>
      );
    case "dry_run":
      return (
        <Badge tone="neutral">
          <Eye aria-hidden />
          Preview
        </Badge>
      );
    default:
      return (
        <Badge tone="neutral">
          {dryRun ? <Eye aria-hidden /> : <MinusCircle aria-hidden />}
          {label}
        </Badge>
      );
  }
}
