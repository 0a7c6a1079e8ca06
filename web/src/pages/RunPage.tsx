import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { ArrowLeft } from "lucide-react";
import { useRun } from "@/api/queries";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney, triggerLabel } from "@/lib/format";
import { DriftTable } from "@/features/allocation/DriftTable";
import { PlannedTradesTable, SkippedList } from "@/features/allocation/PlannedTrades";
import { TradesTable, tradesOfRun } from "@/features/allocation/TradesTable";
import { RunStatusBadge } from "@/features/history/RunStatusBadge";
import { useTitle } from "@/lib/useTitle";
import { ErrorAlert } from "@/components/ErrorAlert";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm tabular-nums text-slate-900">{children}</dd>
    </div>
  );
}

export function RunPage() {
  const { runId = "" } = useParams();
  useTitle(`Run ${runId}`);
  const run = useRun(runId);
  const data = run.data;
  return (
    <div className="space-y-6">
      <div>
        <Link to="/history" className="inline-flex items-center gap-1 text-sm text-slate-700 hover:text-slate-900 hover:underline">
          <ArrowLeft className="size-4" aria-hidden /> History
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">Run {runId}</h1>
      </div>
      <ErrorAlert error={run.error} />
      {run.isLoading && <p className="text-sm text-slate-600">Loading…</p>}
      {data && (
        <>
          <Card data-testid="run-details">
            <CardContent className="pt-5">
              <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
                <Fact label="Status">
                  <RunStatusBadge status={data.status} />
                </Fact>
                <Fact label="Trigger">
                  {triggerLabel(data.trigger)}
                  {data.dry_run && " · dry run"}
                </Fact>
                <Fact label="Started">{formatDateTime(data.started_at)}</Fact>
                <Fact label="Finished">{formatDateTime(data.finished_at)}</Fact>
                <Fact label="Portfolio">{formatMoney(data.portfolio_value)}</Fact>
                <Fact label="Orders">{data.trades_executed.length}</Fact>
              </dl>
              {data.message && <p className="mt-4 text-sm text-slate-700">{data.message}</p>}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Drift before the run</CardTitle>
            </CardHeader>
            <CardContent>
              {data.drift_analysis.length ? <DriftTable rows={data.drift_analysis} details={data.drift_details} portfolioValue={data.portfolio_value} /> : <p className="text-sm text-slate-600">No drift recorded.</p>}
            </CardContent>
          </Card>
          {(data.trades_planned?.length ?? 0) > 0 || (data.skipped?.length ?? 0) > 0 ? (
            <Card>
              <CardHeader>
                <CardTitle>Planned</CardTitle>
              </CardHeader>
              <CardContent className="space-y-4">
                {(data.trades_planned?.length ?? 0) > 0 && <PlannedTradesTable trades={data.trades_planned} />}
                <SkippedList skipped={data.skipped ?? []} />
              </CardContent>
            </Card>
          ) : null}
          {!data.dry_run && (
            <Card>
              <CardHeader>
                <CardTitle>Orders</CardTitle>
              </CardHeader>
              <CardContent>
                <TradesTable trades={tradesOfRun(data)} fallbackTime={data.started_at} />
              </CardContent>
            </Card>
          )}
        </>
      )}
    </div>
  );
}
