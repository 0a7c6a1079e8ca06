import { useId, useState, type FormEvent } from "react";
import { CheckCircle2, Loader2, PlugZap, Unplug, XCircle } from "lucide-react";
import { errorMessage } from "@/api/client";
import { useBroker, useConnectBroker, useDisconnectBroker, useMe, usePortfolio, useRisk, useTestBroker } from "@/api/queries";
import type { BrokerAccount, BrokerConnection } from "@/api/models";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { formatDateTime, formatMoney } from "@/lib/format";
import { ErrorAlert } from "@/components/ErrorAlert";

// The server's rules (services/broker_accounts.py); it re-checks them.
const KEY_ID_RE = /^[A-Za-z0-9]{8,64}$/;
const SECRET_RE = /^[!-~]{8,128}$/;

function Flag({ on, label }: { on: boolean; label: string }) {
  return (
    <li className="flex items-center justify-between gap-2 py-1">
      <span className="text-slate-700">{label}</span>
      <Badge tone={on ? "warning" : "neutral"}>{on ? "On" : "Off"}</Badge>
    </li>
  );
}

function sourceLabel(connection: BrokerConnection): string {
  const mode = connection.paper ? "paper" : "LIVE";
  if (connection.source === "own") return `Your Alpaca account (${mode})`;
  if (connection.source === "server") return `Server's Alpaca account (${mode})`;
  return "Paper broker";
}

function sourceText(connection: BrokerConnection): string {
  if (connection.source === "own") return "You connected it with your own keys.";
  if (connection.source === "server") return "The server's ALPACA_* account; it is yours alone.";
  return "trimtab's own paper account: simulated fills, no real orders.";
}

/** The account as read by "Test connection": its id, status and the flags that stop trading. */
function AccountCheck({ account }: { account: BrokerAccount }) {
  const flags: [boolean, string][] = [
    [account.trading_blocked, "Trading blocked"],
    [account.account_blocked, "Account blocked"],
    [account.pattern_day_trader, "Pattern day trader"],
    [account.shorting_enabled, "Shorting enabled"],
  ];
  return (
    <section aria-label="Account check" className="rounded-lg border border-slate-200 p-3" data-testid="broker-account">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-slate-600">Account</dt>
        <dd className="break-all font-mono text-xs leading-5 text-slate-900">{account.account_id}</dd>
        <dt className="text-slate-600">Status</dt>
        <dd>
          <Badge tone={account.status === "ACTIVE" ? "info" : "danger"}>{account.status}</Badge>
        </dd>
      </dl>
      <ul className="mt-2 divide-y divide-slate-100">
        {flags.map(([on, label]) => (
          <Flag key={label} on={on} label={label} />
        ))}
      </ul>
    </section>
  );
}

/** Connect your own Alpaca account: key id, secret, paper or live (live needs a confirmation). */
function ConnectForm({ replacing, onConnected }: { replacing: boolean; onConnected: (account: BrokerAccount) => void }) {
  const connect = useConnectBroker();
  const ids = { live: useId() };
  const [keyId, setKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const [live, setLive] = useState(false);
  const [liveConfirmed, setLiveConfirmed] = useState(false);
  const [tried, setTried] = useState(false);
  const keyError = tried && !KEY_ID_RE.test(keyId.trim()) ? "Key ID: 8 to 64 letters and digits, e.g. PK followed by 18 capitals and digits." : null;
  const secretError = tried && !SECRET_RE.test(secret.trim()) ? "Secret: 8 to 128 characters without spaces." : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (!KEY_ID_RE.test(keyId.trim()) || !SECRET_RE.test(secret.trim()) || (live && !liveConfirmed)) return;
    connect.mutate(
      { key_id: keyId.trim(), secret: secret.trim(), paper: !live, confirm_live: live && liveConfirmed },
      {
        onSuccess: (answer) => {
          setSecret("");
          setTried(false);
          onConnected(answer.account);
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-labelledby="broker-connect-title" noValidate>
      <h3 id="broker-connect-title" className="text-sm font-semibold text-slate-900">
        {replacing ? "Connect a different Alpaca account" : "Connect your Alpaca account"}
      </h3>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="Key ID"
          value={keyId}
          onChange={setKeyId}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          placeholder="PK…"
          error={keyError}
        />
        <TextField
          label="Secret"
          type="password"
          value={secret}
          onChange={setSecret}
          autoComplete="new-password"
          maxLength={128}
          error={secretError}
        />
      </div>
      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium text-slate-800">Account type</legend>
        <div className="flex flex-wrap gap-4">
          {([false, true] as const).map((isLive) => (
            <label key={String(isLive)} className="flex items-center gap-2 text-slate-800">
              <input
                type="radio"
                name="broker-mode"
                checked={live === isLive}
                onChange={() => {
                  setLive(isLive);
                  setLiveConfirmed(false);
                }}
              />
              {isLive ? "Live (real money)" : "Paper"}
            </label>
          ))}
        </div>
      </fieldset>
      {live && (
        <Alert tone="warning" title="Live trading uses real money">
          <label htmlFor={ids.live} className="mt-1 flex items-start gap-2">
            <input id={ids.live} type="checkbox" className="mt-1" checked={liveConfirmed} onChange={(e) => setLiveConfirmed(e.target.checked)} />
            <span>I understand that trimtab will place real orders with real money on this account.</span>
          </label>
          {tried && !liveConfirmed && <p className="mt-1 font-medium">Tick the box to connect a live account.</p>}
        </Alert>
      )}
      <ErrorAlert error={connect.error} />
      <p className="text-xs text-slate-600">The keys are tried before they are saved. The secret is stored encrypted and never shown again.</p>
      <Button type="submit" disabled={connect.isPending}>
        {connect.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <PlugZap aria-hidden />}
        Connect
      </Button>
    </form>
  );
}

/** Broker connection: whose account, test it, connect your own or disconnect; and the risk switches. */
export function BrokerCard() {
  const me = useMe();
  const connection = useBroker();
  const portfolio = usePortfolio();
  const risk = useRisk();
  const test = useTestBroker();
  const disconnect = useDisconnectBroker();
  const { notify } = useToast();
  const [checked, setChecked] = useState<BrokerAccount | null>(null);
  const broker = me.data?.broker;
  const connected = portfolio.data ? true : portfolio.error ? false : (broker?.connected ?? null);
  const current = connection.data;
  const shownAccount = checked ?? test.data ?? null;
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
          <div className="min-w-0">
            <p className="font-medium text-slate-900">
              {current ? sourceLabel(current) : "Broker"}: {connected === null ? "checking…" : connected ? "connected" : "not connected"}
            </p>
            {current && <p className="text-slate-600">{sourceText(current)}</p>}
            {current?.key_id && (
              <p className="text-slate-600">
                Key ID {current.key_id}
                {current.secret_set ? ", secret stored" : ", no secret"}
                {current.connected_at ? ` · connected ${formatDateTime(current.connected_at)}` : ""}
              </p>
            )}
            <p className="text-slate-600">
              {portfolio.data
                ? `Portfolio ${formatMoney(portfolio.data.portfolio_value)} as of ${formatDateTime(portfolio.data.as_of)}`
                : portfolio.error
                  ? errorMessage(portfolio.error)
                  : (broker?.message ?? "")}
            </p>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="outline"
            disabled={test.isPending}
            onClick={() => {
              setChecked(null);
              test.mutate();
            }}
          >
            {test.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <PlugZap aria-hidden />}
            Test connection
          </Button>
          {current?.source === "own" && (
            <Button
              variant="ghostDanger"
              disabled={disconnect.isPending}
              onClick={() =>
                disconnect.mutate(undefined, {
                  onSuccess: () => {
                    setChecked(null);
                    test.reset();
                    notify({ title: "Disconnected", description: "Your keys were deleted." });
                  },
                  onError: (error) => notify({ tone: "error", title: "Could not disconnect", description: errorMessage(error) }),
                })
              }
            >
              <Unplug aria-hidden />
              Disconnect
            </Button>
          )}
        </div>
        <ErrorAlert error={test.error} />
        {shownAccount && <AccountCheck account={shownAccount} />}
        <ConnectForm
          replacing={current?.source === "own"}
          onConnected={(account) => {
            test.reset();
            setChecked(account);
            notify({ title: "Connected", description: `Alpaca account ${account.account_id}` });
          }}
        />
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
