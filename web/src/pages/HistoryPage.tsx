import { Link, useNavigate } from "react-router";
import { errorMessage } from "@/api/client";
import { useRunsPages } from "@/api/queries";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney, formatPoints, sentence, triggerLabel } from "@/lib/format";
import { RunStatusBadge } from "@/features/history/RunStatusBadge";
import { useTitle } from "@/lib/useTitle";

const PAGE = 25;

export function HistoryPage() {
  useTitle("History");
  const runs = useRunsPages(PAGE);
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
      {runs.error && (
        <Alert tone="danger" role="alert">
          {errorMessage(runs.error)}
        </Alert>
      )}
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
                <TableHead className="text-right">Orders</TableHead>
                <TableHead className="hidden text-right md:table-cell">Portfolio</TableHead>
                <TableHead className="hidden lg:table-cell">Message</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7} className="py-10 text-center text-slate-600">
                    {runs.isLoading ? "Loading runs…" : "No runs yet. Preview or rebalance on the Allocation page."}
                  </TableCell>
                </TableRow>
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
                  <TableCell className="text-right">{run.orders_count}</TableCell>
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
