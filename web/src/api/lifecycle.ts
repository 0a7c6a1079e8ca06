/**
 * The run and order life cycle as the page needs it, read from the server's own lists
 * (api/rules.ts, generated from the OpenAPI document; docs/api.md).
 */
import type { OrderStatus, RunStatus } from "./models";
import { enums } from "./rules";

const UNFINISHED: readonly RunStatus[] = enums.UnfinishedRunStatus;
const FINAL_ORDER: readonly OrderStatus[] = enums.FinalOrderStatus;

/** Whether a run is still moving: its orders are being sent or awaited. */
export function isRunInFlight(status: RunStatus): boolean {
  return UNFINISHED.includes(status);
}

/** Whether no more fills will come for an order. */
export function isOrderFinal(status: OrderStatus): boolean {
  return FINAL_ORDER.includes(status);
}
