/**
 * The run life cycle as the page needs it, over the server's own enum (docs/api.md):
 * a status the server adds fails the type check here until the page handles it.
 */
import type { RunStatus } from "./models";

/** Whether a run is still moving: its orders are being sent or awaited. */
const IN_FLIGHT = {
  running: true,
  awaiting_fills: true,
  completed: false,
  partial: false,
  failed: false,
  blocked_by_risk: false,
  nothing_to_do: false,
  refused: false,
  planned: false,
} satisfies Record<RunStatus, boolean>;

export function isRunInFlight(status: RunStatus): boolean {
  return IN_FLIGHT[status];
}
