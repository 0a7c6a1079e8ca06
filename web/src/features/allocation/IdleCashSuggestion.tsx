import { Loader2, PiggyBank } from "lucide-react";
import { errorMessage } from "@/api/client";
import type { Portfolio, UserSettings } from "@/api/models";
import { useSaveSettings } from "@/api/queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { formatMoney } from "@/lib/format";

/** Cash above what a plan keeps back (the buffer, or a larger cash floor or target), in USD
 * (docs/policies.md, "Cash"). */
export function idleCash(portfolio: Portfolio, settings: UserSettings): number {
  const value = portfolio.portfolio_value;
  const buffer = (value * settings.cash_buffer_percent) / 100;
  const reserve = settings.cash_reserve_unit === "usd" ? settings.cash_reserve : (value * settings.cash_reserve) / 100;
  return portfolio.cash - Math.max(buffer, reserve);
}

/** Suggests investing idle cash when it passes the minimum trade and the setting is off; one
 * click turns it on (keeping every other rule) and then calls ``onInvest`` (a preview). */
export function IdleCashSuggestion({
  portfolio,
  settings,
  onInvest,
}: {
  portfolio: Portfolio | undefined;
  settings: UserSettings | undefined;
  onInvest: () => void;
}) {
  const save = useSaveSettings();
  const { notify } = useToast();
  if (!portfolio || !settings || settings.invest_cash || settings.cash_mode !== "rebalance") return null;
  const idle = idleCash(portfolio, settings);
  if (idle < Math.max(settings.min_trade, 1)) return null;

  function invest() {
    if (!settings) return;
    save.mutate(
      { ...settings, invest_cash: true },
      {
        onSuccess: () => onInvest(),
        onError: (error) => notify({ tone: "error", title: "Could not turn on investing idle cash", description: errorMessage(error) }),
      },
    );
  }

  return (
    <Alert tone="info" icon={<PiggyBank aria-hidden />} title="Idle cash" data-testid="idle-cash">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <p>
          {formatMoney(idle)} sits in cash above the buffer. Rebalancing leaves it there unless idle cash is invested
          in the most underweight symbols.
        </p>
        <Button variant="outline" onClick={invest} disabled={save.isPending} data-testid="invest-idle-cash">
          {save.isPending && <Loader2 className="animate-spin" aria-hidden />}
          Invest idle cash
        </Button>
      </div>
    </Alert>
  );
}
