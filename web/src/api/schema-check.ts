/**
 * Compile-time check that the server's published schemas (schema.d.ts, from
 * `npm run gen:api`) still fit the hand-written types the page uses. Routes that
 * answer untyped JSON in OpenAPI (portfolio, runs, risk, settings, tokens) are not
 * covered yet; as the server types them, add them here or switch types.ts over to
 * `components["schemas"][...]`. `npm run typecheck` fails on a mismatch.
 */
import type { components } from "./schema";
import type { Allocation, AllocationList, CheckResult, DriftRow, LoginResponse, TradeExecuted } from "./types";

type Schemas = components["schemas"];
type Fits<Server, Page> = Server extends Page ? true : never;

export const schemaFits: [
  Fits<Schemas["AllocationOut"], Allocation>,
  Fits<Schemas["AllocationsOut"], AllocationList>,
  Fits<Schemas["DriftRowOut"], DriftRow>,
  Fits<Schemas["TradeOut"], TradeExecuted>,
  Fits<Schemas["LoginOut"], LoginResponse>,
  Fits<Pick<Schemas["RebalanceOut"], "needs_rebalance" | "drift_analysis" | "portfolio_value" | "message">, Pick<CheckResult, "needs_rebalance" | "drift_analysis" | "portfolio_value" | "message">>,
] = [true, true, true, true, true, true];
