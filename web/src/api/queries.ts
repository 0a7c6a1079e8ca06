/**
 * TanStack Query keys and hooks over `api`. Keys live here so the SSE handler and
 * mutations invalidate exactly what the pages read.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type RunFilters } from "./client";
import { isOrderFinal } from "./lifecycle";
import type { AllocationUpdate, CheckResult, RunDetail } from "./models";

export const keys = {
  me: ["me"] as const,
  allocations: ["allocations"] as const,
  portfolio: ["portfolio"] as const,
  risk: ["risk"] as const,
  runs: ["runs"] as const,
  runsPages: (size: number, filters: RunFilters = {}) => ["runs-pages", size, filters] as const,
  run: (id: string | number) => ["runs", String(id)] as const,
  settings: ["settings"] as const,
  schedule: ["schedule"] as const,
  tokens: ["tokens"] as const,
  broker: ["broker"] as const,
  notifications: ["notifications"] as const,
  deliveries: ["deliveries"] as const,
};

export const useMe = () => useQuery({ queryKey: keys.me, queryFn: api.me, retry: false });
// Events make changes appear at once; the slow polls catch what a stream can miss
// (a dropped connection, or a server whose events do not cross processes).
const SAFETY_POLL_MS = 30_000;

export const useAllocations = () =>
  useQuery({ queryKey: keys.allocations, queryFn: api.allocations, refetchInterval: SAFETY_POLL_MS });
export const usePortfolio = () =>
  useQuery({ queryKey: keys.portfolio, queryFn: api.portfolio, refetchInterval: 60_000 });
export const useRisk = () => useQuery({ queryKey: keys.risk, queryFn: api.risk, refetchInterval: 60_000 });
export const useRuns = () =>
  useQuery({ queryKey: keys.runs, queryFn: () => api.runs(), refetchInterval: SAFETY_POLL_MS });

/** The history list, newest first, `size` runs a page by offset (the API's limit is at
 * most 200, so the page never asks for more than one page at a time). */
export const useRunsPages = (size: number, filters: RunFilters = {}) =>
  useInfiniteQuery({
    queryKey: keys.runsPages(size, filters),
    queryFn: ({ pageParam }) => api.runs(size, pageParam, filters),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.runs.length, 0);
      return last.runs.length === size && loaded < (last.total ?? Infinity) ? loaded : undefined;
    },
    refetchInterval: SAFETY_POLL_MS,
  });

/** Orders still open at the broker: their run is re-read now and then, in case an event is missed. */
export function hasOpenOrders(run: RunDetail | undefined): boolean {
  return Boolean(run?.trades_executed.some((t) => !isOrderFinal(t.status)));
}

export const useRun = (id: string | number | null | undefined) =>
  useQuery({
    queryKey: keys.run(id ?? "none"),
    queryFn: () => api.run(id as string | number),
    enabled: id !== null && id !== undefined,
    refetchInterval: (query) => (hasOpenOrders(query.state.data) ? 10_000 : false),
  });
export const useSettings = () => useQuery({ queryKey: keys.settings, queryFn: api.settings });
export const useTokens = () => useQuery({ queryKey: keys.tokens, queryFn: api.tokens });
export const useNotifications = () => useQuery({ queryKey: keys.notifications, queryFn: api.notifications });
export const useDeliveries = () =>
  useQuery({ queryKey: keys.deliveries, queryFn: api.deliveries, refetchInterval: SAFETY_POLL_MS });

export function useSaveAllocation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ symbol, ...body }: AllocationUpdate & { symbol: string }) => api.putAllocation(symbol, body),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.allocations }),
  });
}

export function useDeleteAllocation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (symbol: string) => api.deleteAllocation(symbol),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.allocations }),
  });
}

/** Turns a check response into the run detail it describes, so the page can show it at once. */
export function runDetailFromCheck(result: CheckResult, now = new Date().toISOString()): RunDetail {
  const maxDrift = result.drift_analysis.reduce((m, r) => Math.max(m, Math.abs(Number(r.drift_percent))), 0);
  return {
    ...result,
    id: result.run_id,
    trigger: "manual",
    created_at: now,
    started_at: now,
    inputs: {},
    orders: [],
    finished_at: now,
    max_drift_percent: result.drift_analysis.length ? maxDrift : null,
    orders_count: result.trades_executed.length,
  };
}

/** Starts a live run (202); its orders and summary arrive through the event stream. */
export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ queueIfClosed, symbols }: { queueIfClosed: boolean; symbols?: string[] }) =>
      api.startRun(queueIfClosed, symbols),
    onSuccess: (accepted) => {
      void qc.invalidateQueries({ queryKey: keys.run(accepted.run_id) });
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.runs, exact: true });
      void qc.invalidateQueries({ queryKey: ["runs-page"] });
    },
  });
}

export function useCheck() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (dryRun: boolean) => api.check(dryRun),
    onSuccess: (result) => {
      qc.setQueryData(keys.run(result.run_id), (old: RunDetail | undefined) => ({
        ...runDetailFromCheck(result),
        ...(old ? { started_at: old.started_at, finished_at: old.finished_at, trigger: old.trigger } : {}),
      }));
      void qc.invalidateQueries({ queryKey: keys.run(result.run_id) });
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.runs, exact: true });
      void qc.invalidateQueries({ queryKey: ["runs-pages"] });
      void qc.invalidateQueries({ queryKey: keys.portfolio });
      void qc.invalidateQueries({ queryKey: keys.risk });
    },
  });
}

/** A plan recorded nowhere: the orders a confirm dialog lists, the drift after a run. */
export const usePlan = () => useMutation({ mutationFn: (symbols?: string[]) => api.plan(symbols) });

export const useSchedule = () => useQuery({ queryKey: keys.schedule, queryFn: api.schedule });

export function useSaveSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.putSchedule,
    onSuccess: (data) => qc.setQueryData(keys.schedule, data),
  });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.putSettings,
    onSuccess: (data) => qc.setQueryData(keys.settings, data),
  });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.createToken,
    onSettled: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useDeleteToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.deleteToken,
    onSettled: () => qc.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export const useBroker = () => useQuery({ queryKey: keys.broker, queryFn: api.broker });

/** Connecting or disconnecting changes which account every page reads. */
function useBrokerChange<T, V>(mutationFn: (variables: V) => Promise<T>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => {
      for (const key of [keys.broker, keys.me, keys.portfolio, keys.risk, keys.allocations]) {
        void qc.invalidateQueries({ queryKey: key });
      }
    },
  });
}

export const useConnectBroker = () => useBrokerChange(api.connectBroker);
export const useDisconnectBroker = () => useBrokerChange(() => api.disconnectBroker());
export const useTestBroker = () => useMutation({ mutationFn: () => api.testBroker() });

export function useSaveNotifications() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.putNotifications,
    // The answer may carry the webhook secret: keep it out of the cache, which outlives the card.
    onSuccess: (data) => qc.setQueryData(keys.notifications, { ...data, webhook_secret: null }),
  });
}

export function useTestNotification() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.testNotification,
    onSettled: () => qc.invalidateQueries({ queryKey: keys.deliveries }),
  });
}
