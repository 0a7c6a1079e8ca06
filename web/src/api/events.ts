/**
 * Live updates: one EventSource on /api/events per signed-in tab. Each server event
 * invalidates the queries it affects, so a change made in another tab, by the CLI or
 * by the scheduler shows up without a reload.
 */
import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { keys } from "./queries";
import type { OrderUpdatedData, RunDetail, RunEventData, ServerEventName } from "./models";

export type LiveState = "connecting" | "live" | "offline";

/** The run and allocation events, and the risk and rules changes (services/events.py). */
export type EventName = ServerEventName;

function parse<T>(event: MessageEvent): T | null {
  try {
    return JSON.parse(String(event.data)) as T;
  } catch {
    return null;
  }
}

/** Applies one server event to the query cache. Exported for tests. */
export function applyServerEvent(qc: QueryClient, name: EventName, event: MessageEvent): void {
  switch (name) {
    case "risk_changed":
      // A kill switch or a block, set by an admin or a script: the banner and the button follow.
      void qc.invalidateQueries({ queryKey: keys.risk });
      return;
    case "settings_changed":
      void qc.invalidateQueries({ queryKey: keys.settings });
      return;
    case "allocation_changed":
      void qc.invalidateQueries({ queryKey: keys.allocations });
      return;
    case "run_started":
    case "run_finished": {
      const data = parse<RunEventData>(event);
      void qc.invalidateQueries({ queryKey: keys.runs, exact: true });
      void qc.invalidateQueries({ queryKey: ["runs-pages"] });
      if (data?.run_id !== undefined) void qc.invalidateQueries({ queryKey: keys.run(data.run_id) });
      if (name === "run_finished") {
        void qc.invalidateQueries({ queryKey: keys.portfolio });
        void qc.invalidateQueries({ queryKey: keys.risk });
      }
      return;
    }
    case "order_updated": {
      const data = parse<OrderUpdatedData>(event);
      if (!data) return;
      if (data.run_id !== undefined && data.run_id !== null) {
        // Patch the order at once; the refetch brings the rest.
        const orderId = data.broker_order_id;
        qc.setQueryData(keys.run(data.run_id), (old: RunDetail | undefined) =>
          old && orderId
            ? {
                ...old,
                trades_executed: old.trades_executed.map((t) =>
                  t.order_id === orderId
                    ? {
                        ...t,
                        status: data.status,
                        updated_at: data.updated_at,
                        filled_qty: data.filled_qty,
                        filled_avg_price: data.filled_avg_price,
                      }
                    : t,
                ),
              }
            : old,
        );
        void qc.invalidateQueries({ queryKey: keys.run(data.run_id) });
      }
      void qc.invalidateQueries({ queryKey: keys.portfolio });
      return;
    }
  }
}

/** Every kind the server sends: a kind added on the server fails the type check here. */
const EVENT_NAMES = Object.keys({
  allocation_changed: true,
  run_started: true,
  run_finished: true,
  order_updated: true,
  risk_changed: true,
  settings_changed: true,
} satisfies Record<EventName, true>) as EventName[];

/**
 * Subscribes while `enabled`. EventSource retries by itself after a dropped stream;
 * when the server refuses the stream (it closes for good) we reopen with backoff.
 */
export function useServerEvents(enabled: boolean): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");

  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    let openedBefore = false;

    const open = () => {
      setState("connecting");
      source = new EventSource("/api/events", { withCredentials: true });
      source.onopen = () => {
        attempt = 0;
        setState("live");
        // Anything may have changed while we were disconnected.
        if (openedBefore) void qc.invalidateQueries();
        openedBefore = true;
      };
      source.onerror = () => {
        setState("offline");
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          const delay = Math.min(30_000, 1000 * 2 ** attempt++);
          retryTimer = setTimeout(open, delay);
        }
      };
      for (const name of EVENT_NAMES) {
        source.addEventListener(name, (event) => applyServerEvent(qc, name, event as MessageEvent));
      }
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [enabled, qc]);

  return enabled ? state : "offline";
}
