import { useEffect, useMemo, useRef, useState } from "react";
import { Ban, Eye, Info, Loader2, RefreshCw } from "lucide-react";
import { ApiError, errorMessage } from "@/api/client";
import {
  useAllocations,
  useCheck,
  usePlan,
  usePortfolio,
  useRisk,
  useRun,
  useRuns,
  useSettings,
  useStartRun,
} from "@/api/queries";
import { isRunInFlight } from "@/api/lifecycle";
import type { Allocation, CheckResult, RunSummary } from "@/api/models";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import { symbolColors } from "@/lib/colors";
import { formatDateTime, formatPoints, sentence, toNumber } from "@/lib/format";
import { allocationSum } from "@/lib/validation";
import { AllocationManager } from "@/features/allocation/AllocationManager";
import { AllocationPies } from "@/features/allocation/AllocationPies";
import { ConfirmRebalanceDialog } from "@/features/allocation/ConfirmRebalanceDialog";
import { DriftTable, selectedSymbols } from "@/features/allocation/DriftTable";
import { IdleCashSuggestion } from "@/features/allocation/IdleCashSuggestion";
import { PlannedTradesTable, SkippedList } from "@/features/allocation/PlannedTrades";
import { PortfolioSummary } from "@/features/allocation/PortfolioSummary";
import { RiskBanner, isBlocked } from "@/features/allocation/RiskBanner";
import { TradesTable, tradesOfRun } from "@/features/allocation/TradesTable";
import { useTitle } from "@/lib/useTitle";
import { ErrorAlert } from "@/components/ErrorAlert";

/** A check the server would not plan (no enabled targets, a sum off 100%, a valuation
 * that does not add up): no drift to show, and the reason is what the user needs. */
export const isRefused = (run: { status: string } | undefined | null) => run?.status === "refused";

/** Newest run of the list unless we just made one the list has not caught up with. */
function pickRun(runs: RunSummary[], justMade: string | number | null, match: (r: RunSummary) => boolean) {
  if (justMade !== null && !runs.some((r) => String(r.id) === String(justMade))) return justMade;
  return runs.find(match)?.id ?? null;
}

function targetsChangedSince(allocations: Allocation[], checkedAt: string | null): boolean {
  if (!checkedAt) return false;
  const checked = new Date(checkedAt).getTime();
  return allocations.some((a) => a.updated_at !== undefined && new Date(a.updated_at).getTime() > checked);
}

function checkFailureMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 409) return "A rebalance is already running. Wait for it to finish.";
  return errorMessage(error);
}

export function AllocationPage() {
  useTitle("Allocation");
  const allocations = useAllocations();
  const portfolio = usePortfolio();
  const risk = useRisk();
  const runs = useRuns();
  const settings = useSettings();
  const preview = useCheck();
  // The confirm dialog's orders and the drift after a rebalance: plans recorded nowhere.
  const plan = usePlan();
  const current = usePlan();
  const driftTitle = useRef<HTMLHeadingElement>(null);
  const tradesTitle = useRef<HTMLHeadingElement>(null);
  const runStarted = useRef(false);
  const live = useStartRun();
  const { notify } = useToast();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [queueIfClosed, setQueueIfClosed] = useState(false);
  // A partial rebalance: the symbols the full plan trades, and those the user left ticked.
  const [pick, setPick] = useState<{ symbols: string[]; selected: string[] }>({ symbols: [], selected: [] });
  const partial = pick.selected.length < pick.symbols.length ? pick.selected : undefined;
  const [justMade, setJustMade] = useState<{ check: string | number | null; live: string | number | null }>({
    check: null,
    live: null,
  });

  const allocationList = allocations.data?.allocations ?? [];
  const runList = runs.data?.runs ?? [];
  const checkRunId = pickRun(runList, justMade.check, () => true);
  const liveRunId = pickRun(runList, justMade.live, (r) => !r.dry_run && r.orders_count > 0);
  const checkRun = useRun(checkRunId);
  const liveRun = useRun(liveRunId);

  const colors = useMemo(
    () =>
      symbolColors([
        ...(allocations.data?.allocations.map((a) => a.symbol) ?? []),
        ...(portfolio.data?.positions.map((p) => p.symbol).sort() ?? []),
      ]),
    [allocations.data, portfolio.data],
  );

  const liveStatus = liveRun.data?.status;
  const inFlight =
    live.isPending || runList.some((r) => isRunInFlight(r.status)) || (liveStatus !== undefined && isRunInFlight(liveStatus));

  // A rebalance's own record keeps the drift from before its orders: once it has ended,
  // plan again (recording nothing) to show the drift as it stands now.
  const replanned = useRef<string | null>(null);
  const lastShown = checkRun.data;
  const endedRebalance =
    lastShown && !lastShown.dry_run && lastShown.trades_executed.length > 0 && !isRunInFlight(lastShown.status)
      ? String(lastShown.id)
      : null;
  const replan = current.mutate;
  // A partial rebalance plans again for the symbols it was run for, not the whole book.
  const runSymbols = lastShown ? selectedSymbols(lastShown.drift_details) : undefined;
  const runSymbolsKey = runSymbols?.join(",");
  useEffect(() => {
    if (endedRebalance === null || replanned.current === endedRebalance) return;
    replanned.current = endedRebalance;
    replan(runSymbolsKey === undefined ? undefined : runSymbolsKey.split(",").filter(Boolean));
  }, [endedRebalance, replan, runSymbolsKey]);
  const blocked = isBlocked(risk.data);
  const sumOk = allocationSum(allocationList).kind === "ok";
  const loadingRules = allocations.isPending || risk.isPending;
  const brokerDown = !portfolio.data && portfolio.isError;
  const rebalanceHint = loadingRules
    ? null
    : brokerDown
    ? "Your broker could not be reached, so nothing can be rebalanced now."
    : inFlight
    ? "A rebalance is in progress."
    : blocked
      ? "Live trading is blocked by a risk control (see below)."
      : !sumOk
        ? "Enabled targets must sum to 100% before rebalancing."
        : null;
  const threshold = settings.data ? toNumber(settings.data.threshold_percent) : null;

  function remember(result: CheckResult) {
    setJustMade((m) => ({ check: result.run_id, live: result.dry_run ? m.live : result.run_id }));
  }

  function runPreview() {
    preview.mutate(true, {
      onSuccess: (result) => {
        remember(result);
        // The result replaces the drift card's content: take the reader there.
        driftTitle.current?.focus();
      },
      onError: (error) => notify({ tone: "error", title: "Preview failed", description: checkFailureMessage(error) }),
    });
  }

  function openConfirm() {
    setConfirmOpen(true);
    plan.reset();
    setPick({ symbols: [], selected: [] });
    plan.mutate(undefined, {
      onSuccess: (full) => {
        const symbols = [...new Set(full.trades_planned.map((t) => t.symbol))];
        setPick({ symbols, selected: symbols });
      },
    });
  }

  function choose(selected: string[]) {
    setPick((now) => ({ ...now, selected }));
    plan.mutate(selected.length < pick.symbols.length ? selected : undefined);
  }

  function runLive() {
    live.mutate({ queueIfClosed, symbols: partial }, {
      onSuccess: (accepted) => {
        setJustMade({ check: accepted.run_id, live: accepted.run_id });
        // Its orders and how it ends appear in Trades executed (a live region): go there.
        runStarted.current = true;
        setConfirmOpen(false);
      },
      onError: (error) => {
        setConfirmOpen(false);
        notify({ tone: "error", title: "Rebalance failed", description: checkFailureMessage(error) });
      },
    });
  }

  const shown = checkRun.data;
  // A live run that placed orders: its drift is the state before those orders.
  const rebalanced = Boolean(shown && !shown.dry_run && shown.trades_executed.length > 0);
  const refused = isRefused(shown);
  const shownAt = shown ? (shown.finished_at ?? shown.started_at) : null;
  // The drift as it stands after that rebalance, once planned again (see above).
  const after =
    rebalanced && current.data && shownAt && current.submittedAt >= Date.parse(shownAt) ? current.data : null;
  const drift = after ?? shown;
  const pageError = [allocations.error, portfolio.error].find(Boolean);

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Allocation</h1>
          <p className="mt-1 text-sm text-slate-600">
            Targets, live drift and rebalancing
            {threshold !== null && <> · band ±{formatPoints(threshold)}</>}
          </p>
        </div>
        <div className="flex flex-col gap-1.5 sm:items-end">
        <div className="flex gap-2">
          <Button
            variant="outline"
            onClick={runPreview}
            disabled={preview.isPending}
            data-testid="preview-button"
            className="flex-1 sm:flex-none"
          >
            {preview.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Eye aria-hidden />}
            Preview
          </Button>
          <Button
            variant="primary"
            onClick={openConfirm}
            disabled={loadingRules || brokerDown || inFlight || blocked || !sumOk}
            aria-busy={loadingRules || undefined}
            aria-describedby={rebalanceHint ? "rebalance-hint" : undefined}
            data-testid="rebalance-button"
            className="flex-1 sm:flex-none"
          >
            {inFlight || loadingRules ? <Loader2 className="animate-spin" aria-hidden /> : <RefreshCw aria-hidden />}
            {inFlight ? "Rebalancing…" : loadingRules ? "Loading…" : "Check & Rebalance"}
          </Button>
        </div>
        {rebalanceHint && (
          <p id="rebalance-hint" className="text-xs text-slate-600" data-testid="rebalance-hint">
            {rebalanceHint}
          </p>
        )}
        </div>
      </div>

      <RiskBanner risk={risk.data} />
      <ErrorAlert error={pageError} title="Could not load your portfolio" />

      <IdleCashSuggestion portfolio={portfolio.data} settings={settings.data} onInvest={runPreview} />

      <PortfolioSummary
        portfolio={portfolio.data}
        lastRun={runList[0]}
        loading={portfolio.isLoading}
        runsLoading={runs.isPending}
      />

      <AllocationPies
        allocations={allocationList}
        portfolio={portfolio.data}
        colors={colors}
        loading={allocations.isPending}
        positionsError={portfolio.error ? errorMessage(portfolio.error) : null}
      />

      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-2">
        <AllocationManager
          allocations={allocationList}
          colors={colors}
          portfolioValue={portfolio.data?.portfolio_value}
          loading={allocations.isLoading}
        />

        <Card aria-labelledby="drift-title">
          <CardHeader>
            <div>
              <CardTitle id="drift-title" ref={driftTitle} tabIndex={-1}>
                Drift analysis
              </CardTitle>
              <CardDescription>
                {shown
                  ? `${after ? "After the rebalance" : rebalanced ? "Before the rebalance" : shown.dry_run ? "Preview" : "Check"} of ${formatDateTime(shownAt)}`
                  : "Actual minus target, in percentage points"}
              </CardDescription>
            </div>
            {drift && (
              <Badge
                tone={
                  refused
                    ? "danger"
                    : rebalanced && !after
                      ? "info"
                      : drift.needs_rebalance || drift.trades_planned.length > 0
                        ? "warning"
                        : "buy"
                }
                data-testid="drift-status"
              >
                {refused
                  ? "Refused"
                  : rebalanced && !after
                    ? "Rebalanced"
                    : drift.needs_rebalance
                      ? "Needs rebalance"
                      : drift.trades_planned.length > 0
                        ? "Trades planned"
                        : "Within band"}
              </Badge>
            )}
          </CardHeader>
          <CardContent className="space-y-3">
            {shown && refused ? (
              <Alert
                tone="danger"
                icon={<Ban aria-hidden />}
                title="Nothing was checked"
                data-testid="check-refused"
              >
                {sentence(shown.message)}
              </Alert>
            ) : shown && drift ? (
              <>
                <DriftTable
                  rows={drift.drift_analysis}
                  colors={colors}
                  details={drift.drift_details}
                  portfolioValue={drift.portfolio_value}
                />
                {!after && shown.message && (
                  <p className="text-sm text-slate-700" data-testid="check-message">
                    {sentence(shown.message)}
                  </p>
                )}
                {!after && targetsChangedSince(allocationList, shownAt) && (
                  <p className="flex items-center gap-1.5 text-sm text-amber-800" data-testid="drift-stale">
                    <Info className="size-4 shrink-0" aria-hidden />
                    Targets changed since this check. Press Preview to see the drift against them.
                  </p>
                )}
              </>
            ) : (
              <p className="py-8 text-center text-sm text-slate-600">
                {checkRun.isLoading || runs.isPending
                  ? "Loading the last check…"
                  : "No check yet. Press Preview to compare your positions with the targets."}
              </p>
            )}
          </CardContent>
        </Card>
      </div>

      {shown?.dry_run && !refused && (
        <Card aria-labelledby="planned-title" data-testid="preview-result">
          <CardHeader>
            <div>
              <CardTitle id="planned-title">Planned trades (preview)</CardTitle>
              <CardDescription>What a rebalance would place now. Nothing was sent.</CardDescription>
            </div>
          </CardHeader>
          <CardContent className="space-y-4">
            {shown.trades_planned.length > 0 ? (
              <PlannedTradesTable trades={shown.trades_planned} />
            ) : (
              <p className="text-sm text-slate-600">No orders needed.</p>
            )}
            <SkippedList skipped={shown.skipped} />
          </CardContent>
        </Card>
      )}

      <Card aria-labelledby="trades-title">
        <CardHeader>
          <div>
            <CardTitle id="trades-title" ref={tradesTitle} tabIndex={-1}>
              Trades executed
            </CardTitle>
            <CardDescription>
              {liveRun.data
                ? `Orders of the rebalance of ${formatDateTime(liveRun.data.started_at)} · statuses update live`
                : "Orders placed by the latest rebalance"}
            </CardDescription>
          </div>
        </CardHeader>
        <CardContent>
          <TradesTable trades={tradesOfRun(liveRun.data)} fallbackTime={liveRun.data?.started_at} />
          {liveRun.data && (
            <p className="mt-3 text-sm text-slate-700" role="status" data-testid="run-summary">
              {isRunInFlight(liveRun.data.status) ? (
                <span className="inline-flex items-center gap-1.5">
                  <Loader2 className="size-4 animate-spin" aria-hidden /> Sending orders…
                </span>
              ) : (
                sentence(liveRun.data.message)
              )}
            </p>
          )}
          {liveRun.data && liveRun.data.skipped.length > 0 && (
            <div className="mt-4">
              <SkippedList skipped={liveRun.data.skipped} />
            </div>
          )}
        </CardContent>
      </Card>

      <ConfirmRebalanceDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        onCloseAutoFocus={(event) => {
          if (!runStarted.current) return;
          runStarted.current = false;
          event.preventDefault();
          tradesTitle.current?.focus();
        }}
        plan={plan.data ?? null}
        planning={plan.isPending}
        planError={plan.error ? checkFailureMessage(plan.error) : null}
        submitting={live.isPending}
        onConfirm={runLive}
        queueIfClosed={queueIfClosed}
        onQueueIfClosedChange={setQueueIfClosed}
        symbols={pick.symbols}
        selected={pick.selected}
        onSelectedChange={choose}
      />
    </div>
  );
}
