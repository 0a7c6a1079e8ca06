import type { ReactNode } from "react";
import { Clock, DollarSign, Landmark, Wallet } from "lucide-react";
import type { Portfolio, RunSummary } from "@/api/models";
import { Card } from "@/components/ui/card";
import { formatMoney, formatRelative, formatWhen, humanize, toNumber } from "@/lib/format";

function Stat({ label, value, hint, icon, testId }: { label: string; value: ReactNode; hint?: ReactNode; icon: ReactNode; testId?: string }) {
  return (
    <Card className="p-4">
      <div className="flex items-center gap-2 text-sm text-slate-600">
        <span className="text-slate-500 [&_svg]:size-4" aria-hidden>
          {icon}
        </span>
        {label}
      </div>
      <div className="mt-1 text-xl font-semibold break-words tabular-nums text-slate-900 sm:text-2xl" data-testid={testId}>
        {value}
      </div>
      {hint && <div className="mt-0.5 text-xs break-words text-slate-600">{hint}</div>}
    </Card>
  );
}

export function PortfolioSummary({
  portfolio,
  lastRun,
  loading,
  runsLoading,
}: {
  portfolio: Portfolio | undefined;
  lastRun: RunSummary | undefined;
  loading?: boolean;
  /** The history is still loading: when the last check was is not known yet. */
  runsLoading?: boolean;
}) {
  const value = toNumber(portfolio?.portfolio_value);
  const cash = toNumber(portfolio?.cash);
  const cashShare = value > 0 && Number.isFinite(cash) ? `${((cash / value) * 100).toFixed(2)}% of portfolio` : undefined;
  const checkedAt = lastRun ? (lastRun.finished_at ?? lastRun.started_at) : null;
  const placeholder = loading ? "…" : "—";
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Portfolio summary" role="group">
      <Stat
        label="Portfolio value"
        icon={<DollarSign />}
        testId="portfolio-value"
        value={portfolio ? formatMoney(value) : placeholder}
        hint={portfolio ? `As of ${formatWhen(portfolio.as_of)}` : undefined}
      />
      <Stat label="Cash" icon={<Wallet />} testId="portfolio-cash" value={portfolio ? formatMoney(cash) : placeholder} hint={cashShare} />
      <Stat
        label="Buying power"
        icon={<Landmark />}
        testId="portfolio-buying-power"
        value={portfolio ? formatMoney(portfolio.buying_power) : placeholder}
        hint={portfolio ? "Available for buys" : undefined}
      />
      <Stat
        label="Last checked"
        icon={<Clock />}
        testId="last-checked"
        value={
          runsLoading ? "…" : <time dateTime={checkedAt ?? undefined}>{checkedAt ? formatRelative(checkedAt) : "Never"}</time>
        }
        hint={
          runsLoading
            ? "Loading the history…"
            : lastRun
              ? `${formatWhen(checkedAt)} · ${lastRun.dry_run ? "Preview" : humanize(lastRun.status)}`
              : "Run Preview to analyse drift"
        }
      />
    </div>
  );
}
