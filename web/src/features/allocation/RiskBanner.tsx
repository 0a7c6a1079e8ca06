import { OctagonAlert, ShieldAlert, TrendingDown } from "lucide-react";
import type { RiskFlags, RiskStatus } from "@/api/models";
import { Alert } from "@/components/ui/alert";

interface Block {
  key: string;
  title: string;
  detail: string;
}

function blocksOf(scope: "system" | "user", flags: RiskFlags): Block[] {
  const out: Block[] = [];
  const where = scope === "system" ? "system-wide" : "your account";
  const reason = flags.reason ? ` Reason: ${flags.reason}` : "";
  if (flags.kill_switch)
    out.push({ key: `${scope}-kill`, title: `Kill switch is on (${where})`, detail: `All trading is stopped.${reason}` });
  if (!flags.trading_enabled)
    out.push({ key: `${scope}-disabled`, title: `Trading is disabled (${where})`, detail: `No orders are sent.${reason}` });
  if (flags.drawdown_recovery)
    out.push({
      key: `${scope}-drawdown`,
      title: `Drawdown recovery mode (${where})`,
      detail: `Rebalancing trades wait until the account recovers.${reason}`,
    });
  return out;
}

/** Explains why live rebalancing is blocked; drift is still checked and shown. */
export function RiskBanner({ risk }: { risk: RiskStatus | undefined }) {
  if (!risk) return null;
  const blocks = [...blocksOf("system", risk.system), ...blocksOf("user", risk.user)];
  if (blocks.length === 0 && !risk.blocked_reason) return null;
  const severe = blocks.some((b) => b.key.endsWith("kill"));
  const Icon = severe ? OctagonAlert : blocks.some((b) => b.key.endsWith("drawdown")) ? TrendingDown : ShieldAlert;
  return (
    <Alert
      tone={severe ? "danger" : "warning"}
      role="alert"
      data-testid="risk-banner"
      icon={<Icon aria-hidden />}
      title="Live rebalancing is blocked"
    >
      {/* The server's summary repeats the switches below; show it only when they do not explain the block. */}
      {risk.blocked_reason && blocks.length === 0 && <p>{risk.blocked_reason}</p>}
      {blocks.length > 0 && (
        <ul className="mt-1 list-disc space-y-0.5 pl-5">
          {blocks.map((b) => (
            <li key={b.key}>
              <span className="font-medium">{b.title}.</span> {b.detail}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-1">Preview still shows the drift and the orders a rebalance would place.</p>
    </Alert>
  );
}

export function isBlocked(risk: RiskStatus | undefined): boolean {
  if (!risk) return false;
  const blocked = (f: RiskFlags) => f.kill_switch || !f.trading_enabled || f.drawdown_recovery;
  return Boolean(risk.blocked_reason) || blocked(risk.system) || blocked(risk.user);
}
