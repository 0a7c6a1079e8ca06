import { useId } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import type { RunFilters } from "@/api/client";
import { useRunsPages } from "@/api/queries";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyRow, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Label } from "@/components/ui/label";
import { formatDateTime, formatMoney, formatPoints, sentence, triggerLabel } from "@/lib/format";
import { RUN_STATUSES, RunStatusBadge, runStatusLabel } from "@/features/history/RunStatusBadge";
import { useTitle } from "@/lib/useTitle";
import { ErrorAlert } from "@/components/ErrorAlert";

const PAGE = 25;

/** Each filter's choices: the value sent to GET /api/runs ("" for any) and its words. */
const KINDS = [
  ["", "All runs"],
  ["false", "Live runs"],
  ["true", "Dry runs"],
] as const;
const TRIGGERS = [
  ["", "Any"],
  ["manual", "Manual"],
  ["scheduled", "Scheduled"],
] as const;
const STATUSES = [["", "Any"], ...RUN_STATUSES.map((status) => [status, runStatusLabel(status)] as const)] as const;

function Filter({
  label,
  value,
  choices,
  onChange,
}: {
  label: string;
  value: string;
  choices: readonly (readonly [string, string])[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-1 flex-col gap-1 sm:flex-none">
      <Label htmlFor={id}>{label}</Label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="h-9 w-full rounded-lg border border-slate-300 bg-white px-2 text-sm sm:w-44"
        data-testid={`runs-filter-${label.toLowerCase()}`}
      >
        {choices.map(([choice, words]) => (
          <option key={choice} value={choice}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}

export function HistoryPage() {
  useTitle("History");
  // The filters live in the address (?kind=&trigger=&status=), so a reload or a shared link keeps them.
  const [params, setParams] = useSearchParams();
  const kind = params.get("kind") ?? "";
  const trigger = params.get("trigger") ?? "";
  const status = params.get("status") ?? "";
  const setter = (name: string) => (value: string) =>
    setParams(
      (now) => {
        const next = new URLSearchParams(now);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  const [setKind, setTrigger, setStatus] = [setter("kind"), setter("trigger"), setter("status")];
  const filters: RunFilters = {
    dry_run: kind === "" ? undefined : kind === "true",
    trigger: (trigger || undefined) as RunFilters["trigger"],
    status: (status || undefined) as RunFilters["status"],
  };
  const filtered = Boolean(kind || trigger || status);
  const runs = useRunsPages(PAGE, filters);
  const navigate = useNavigate();
  // A run started between two pages shifts the offsets by one: show each run once.
  const seen = new Set<string | number>();
  const list = (runs.data?.pages ?? []).flatMap((p) => p.runs).filter((r) => !seen.has(r.id) && seen.add(r.id));
  const more = runs.hasNextPage;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">History</h1>
        <p className="mt-1 text-sm text-slate-600">Every check and rebalance, from the page, the CLI, the API or the schedule.</p>
      </div>
      <div className="flex flex-wrap gap-3" role="group" aria-label="Filter runs">
        <Filter label="Kind" value={kind} choices={KINDS} onChange={setKind} />
        <Filter label="Trigger" value={trigger} choices={TRIGGERS} onChange={setTrigger} />
        <Filter label="Status" value={status} choices={STATUSES} onChange={setStatus} />
      </div>
      <ErrorAlert error={runs.error} />
      <Card>
        <CardContent className="p-2 sm:p-3">
          <Table data-testid="runs-table" aria-label="Past runs">
            <TableCaption>Past runs, newest first</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Started</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden sm:table-cell">Trigger</TableHead>
                <TableHead className="hidden text-right md:table-cell">Max drift before</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Orders</TableHead>
                <TableHead className="hidden text-right md:table-cell">Portfolio</TableHead>
                <TableHead className="hidden lg:table-cell">Message</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.length === 0 && (
                <EmptyRow colSpan={7} className="py-10">
                  {runs.isLoading
                    ? "Loading runs…"
                    : filtered
                      ? "No runs match these filters."
                      : "No runs yet. Preview or rebalance on the Allocation page."}
                </EmptyRow>
              )}
              {list.map((run) => (
                <TableRow
                  key={run.id}
                  data-testid={`run-row-${run.id}`}
                  className="cursor-pointer hover:bg-slate-50"
                  onClick={() => void navigate(`/history/${run.id}`)}
                >
                  <TableCell>
                    <Link to={`/history/${run.id}`} className="font-medium text-slate-900 hover:underline" onClick={(e) => e.stopPropagation()}>
                      {formatDateTime(run.started_at)}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <RunStatusBadge status={run.status} />
                  </TableCell>
                  <TableCell className="hidden sm:table-cell">
                    <span className="inline-flex items-center gap-1.5">
                      {triggerLabel(run.trigger)}
                      {run.dry_run && <Badge>dry run</Badge>}
                    </span>
                  </TableCell>
                  <TableCell className="hidden text-right md:table-cell">{formatPoints(run.max_drift_percent)}</TableCell>
                  <TableCell className="hidden text-right sm:table-cell">{run.orders_count}</TableCell>
                  <TableCell className="hidden text-right md:table-cell">{formatMoney(run.portfolio_value)}</TableCell>
                  <TableCell className="hidden max-w-64 truncate text-slate-700 lg:table-cell" title={run.message}>
                    {sentence(run.message)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {more && (
            <div className="flex justify-center p-3">
              <Button variant="outline" size="sm" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} data-testid="runs-more">
                Show older runs
              </Button>
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
