/**
 * The page's names for the server's types: every one is generated from the OpenAPI
 * document (`make api-types` writes schema.d.ts; a Python test fails when it is stale),
 * so the page cannot drift from the server. docs/api.md describes them.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** `{"error": {"code", "message"}}`: every non-2xx answer. */
export type ApiErrorBody = Schemas["ErrorBody"];

// ---- auth and the broker --------------------------------------------------------
export type User = Schemas["User"];
export type LoginRequest = Schemas["LoginBody"];
export type LoginResponse = Schemas["SignedIn"];
export type Me = Schemas["Me"];
export type BrokerStatus = Schemas["BrokerStatus"];
/** GET|DELETE /api/broker: whose account, paper or live, key id masked. */
export type BrokerConnection = Schemas["BrokerConnection"];
/** POST /api/broker/test: the account as read just now, with its flags. */
export type BrokerAccount = Schemas["AccountCheck"];
export type BrokerConnectBody = Schemas["BrokerConnectBody"];
export type BrokerConnected = Schemas["BrokerConnected"];

// ---- allocations, portfolio ----------------------------------------------------------
export type Allocation = Schemas["Allocation"];
export type AllocationList = Schemas["AllocationList"];
export type AllocationUpdate = Schemas["AllocationUpdate"];
export type Position = Schemas["PositionView"];
export type Portfolio = Schemas["PortfolioView"];
export type Asset = Schemas["AssetInfo"];

// ---- checks and runs ------------------------------------------------------------------
export type Side = Schemas["Side"];
export type DriftAction = Schemas["Action"];
export type DriftRow = Schemas["DriftRow"];
export type DriftDetail = Schemas["DriftDetail"];
export type TradeExecuted = Schemas["TradeExecuted"];
export type TradePlanned = Schemas["TradePlanned"];
export type TradeSkipped = Schemas["TradeSkipped"];
export type RunStatus = Schemas["RunStatus"];
export type RunTrigger = Schemas["Trigger"];
export type OrderStatus = Schemas["OrderRecord"]["status"];
export type CheckRequest = Schemas["CheckBody"];
export type CheckResult = Schemas["CheckResult"];
/** 202 from POST /api/rebalance/check: a live run going on in the background. */
export type RunAccepted = Schemas["RunAccepted"];
export type RunSummary = Schemas["RunSummary"];
export type RunList = Schemas["RunList"];
export type OrderRecord = Schemas["OrderRecord"];
export type RunDetail = Schemas["RunDetail"];

// ---- risk, settings, tokens ------------------------------------------------------------
export type RiskFlags = Schemas["RiskRow"];
export type RiskStatus = Schemas["RiskView"];
export type UserSettings = Schemas["PolicyView"];
export type UserSettingsUpdate = Schemas["PolicyBody"];
export type ApiToken = Schemas["TokenInfo"];
export type TokenList = Schemas["TokenList"];
export type CreatedToken = Schemas["CreatedToken"];
export type Schedule = Schemas["ScheduleSettings"];
export type ScheduleUpdate = Schemas["ScheduleBody"];
export type BacktestBody = Schemas["BacktestBody"];
export type BacktestResult = Schemas["BacktestResult"];
export type PolicyResult = Schemas["PolicyResult"];
/** A plan recorded nowhere (POST /api/rebalance/plan); `outcome` says when it is refused. */
export type PlanResult = Schemas["PlanResult"];

// ---- server-sent events ----------------------------------------------------------------
export type ServerEventName = Schemas["EventKind"];
/** `run_started` and `run_finished` data. */
export type RunEventData = Schemas["RunEvent"];
/** `order_updated` data. */
export type OrderUpdatedData = Schemas["OrderRecord"];

// ---- notifications ---------------------------------------------------------------------
export type NotificationPrefs = Schemas["NotificationPrefs"];
export type NotificationsUpdate = Schemas["NotificationsBody"];
export type NotifyEvent = NonNullable<NotificationsUpdate["events"]>[number];
export type Delivery = Schemas["Delivery"];
export type DeliveryList = Schemas["DeliveryList"];
