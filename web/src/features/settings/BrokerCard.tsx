import { CheckCircle2, PlugZap, XCircle } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useMe, usePortfolio, useRisk } from "@/api/queries";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";

function Flag({ on, label }: { on: boolean; label: string }) {
  return (
    <li className="flex items-center justify-between gap-2 py-1">
      <span className="text-slate-700">{label}</span>
      <Badge tone={on ? "warning" : "neutral"}>{on ? "On" : "Off"}</Badge>
    </li>
  );
}

/** Broker connection (from /api/me and whether /api/portfolio answers) and risk switches. */
export function BrokerCard() {
  const me = useMe();
  const portfolio = usePortfolio();
  const risk = useRisk();
  const broker = me.data?.broker;
  const connected = portfolio.data ? true : portfolio.error ? false : (broker?.connected ?? null);
  const name = broker ? `${broker.name === "alpaca" ? "Alpaca" : broker.name === "paper" ? "Paper broker" : broker.name}${broker.paper && broker.name === "alpaca" ? " (paper)" : ""}` : "Broker";
  return (
    <Card aria-labelledby="broker-title">
      <CardHeader>
        <div>
          <CardTitle id="broker-title">Broker connection</CardTitle>
          <CardDescription>Where positions are read and orders are sent.</CardDescription>
        </div>
      </CardHeader>
      <CardContent className="space-y-4 text-sm">
        <div className="flex items-center gap-3" data-testid="broker-status">
          {connected === null ? (
            <PlugZap className="size-5 text-slate-500" aria-hidden />
          ) : connected ? (
            <CheckCircle2 className="size-5 text-emerald-600" aria-hidden />
          ) : (
            <XCircle className="size-5 text-red-600" aria-hidden />
          )}
          <div>
            <p className="font-medium text-slate-900">
              {name}: {connected === null ? "checking…" : connected ? "connected" : "not connected"}
            </p>
            <p className="text-slate-600">
              {portfolio.data
                ? `Portfolio ${formatMoney(portfolio.data.portfolio_value)} as of ${formatDateTime(portfolio.data.as_of)}`
                : portfolio.error
                  ? errorMessage(portfolio.error)
                  : (broker?.message ?? "")}
            </p>
          </div>
        </div>
        {risk.data && (
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            {(["system", "user"] as const).map((scope) => (
              <div key={scope}>
                <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-600">
                  {scope === "system" ? "System risk switches" : "Your account"}
                </h3>
                <ul className="divide-y divide-slate-100">
                  <Flag on={!risk.data[scope].trading_enabled} label="Trading disabled" />
                  <Flag on={risk.data[scope].drawdown_recovery} label="Drawdown recovery" />
                  <Flag on={risk.data[scope].kill_switch} label="Kill switch" />
                </ul>
              </div>
            ))}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
