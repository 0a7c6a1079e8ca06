/**
 * Compile-time check that the server's published schemas (schema.d.ts, from
 * `npm run gen:api`) still fit the hand-written types the page uses: every route
 * the page reads is covered. `npm run typecheck` fails on a mismatch, and a Python
 * test fails when schema.d.ts is older than the server's OpenAPI document.
 */
import type { components } from "./schema";
import type {
  Allocation,
  AllocationList,
  Asset,
  CheckResult,
  CreatedToken,
  DeliveryList,
  DriftRow,
  LoginResponse,
  Me,
  NotificationPrefs,
  Portfolio,
  RiskStatus,
  RunList,
  RunSummary,
  TokenList,
  TradeExecuted,
  UserSettings,
} from "./types";

type Schemas = components["schemas"];
type Fits<Server, Page> = Server extends Page ? true : never;

export const schemaFits: [
  Fits<Schemas["Allocation"], Allocation>,
  Fits<Schemas["AllocationList"], AllocationList>,
  Fits<Schemas["DriftRow"], DriftRow>,
  Fits<Schemas["TradeExecuted"], TradeExecuted>,
  Fits<Schemas["LoginOut"], LoginResponse>,
  Fits<Pick<Schemas["CheckResult"], "needs_rebalance" | "drift_analysis" | "portfolio_value" | "message">, Pick<CheckResult, "needs_rebalance" | "drift_analysis" | "portfolio_value" | "message">>,
  Fits<Schemas["MeOut"], Me>,
  Fits<Schemas["RevokedOut"], { revoked: number }>,
  Fits<Schemas["PortfolioView"], Portfolio>,
  Fits<Schemas["AssetInfo"], Asset>,
  Fits<Schemas["RiskOut"], RiskStatus>,
  Fits<Schemas["PolicyOut"], UserSettings>,
  Fits<Schemas["NotificationsOut"], NotificationPrefs>,
  Fits<Schemas["DeliveriesOut"], DeliveryList>,
  Fits<Schemas["TokensOut"], TokenList>,
  Fits<Schemas["CreatedTokenOut"], CreatedToken>,
  Fits<Schemas["RunList"], RunList>,
  Fits<Schemas["RunDetail"], RunSummary>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
