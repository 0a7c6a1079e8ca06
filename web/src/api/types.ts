/**
 * Shapes of the trimtab HTTP API, written by hand from shared/design.md until the
 * server publishes /openapi.json. Each interface is named after the schema the
 * server is expected to expose, so that `npm run gen:api` output
 * (src/api/schema.d.ts) can replace them one by one:
 *   export type Allocation = components["schemas"]["Allocation"];
 *
 * Money and quantities are `Num`: the server keeps Decimals and may serialise
 * them as JSON numbers or as decimal strings; read them with `toNumber`.
 * Fields marked "assumed" are not in design.md yet — see client.ts.
 */

import type { components } from "./schema";

export type Num = number | string;

export type Side = "buy" | "sell";
export type DriftAction = "buy" | "sell" | "none";

/** `{"error": {"code", "message"}}` — every non-2xx response. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

// ---- auth -----------------------------------------------------------------

export interface User {
  id: number | string;
  email: string;
  is_admin?: boolean;
  created_at?: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface LoginResponse {
  user: User;
  csrf_token: string;
}

/** Broker connection status (part of GET /api/me). */
export interface BrokerStatus {
  name: string; // "paper" | "alpaca"
  paper?: boolean;
  /** Whose account: the user's own connection, the server's ALPACA_* account, or paper. */
  source?: "own" | "server" | "paper";
  account_id?: string | null;
  connected: boolean;
  message?: string | null;
}

// ---- broker connection (generated from the server's schema) -------------------

/** GET|DELETE /api/broker: whose account, paper or live, key id masked. */
export type BrokerConnection = components["schemas"]["BrokerConnectionOut"];
/** POST /api/broker/test: the account as read just now, with its flags. */
export type BrokerAccount = components["schemas"]["BrokerAccountOut"];
/** PUT /api/broker body. */
export type BrokerConnectBody = components["schemas"]["BrokerConnectBody"];
/** PUT /api/broker answer. */
export type BrokerConnected = components["schemas"]["BrokerConnectedOut"];

/** GET /api/me — `csrf_token` and `broker` are assumed additions. */
export interface Me {
  user: User;
  csrf_token?: string | null;
  broker?: BrokerStatus;
}

// ---- allocations ----------------------------------------------------------

export interface Allocation {
  symbol: string;
  target_percent: Num;
  enabled: boolean;
  /** the symbol's own band in pp; null: the default band */
  band_percent?: Num | null;
  /** the symbol's own band as a percent of its target; null: none */
  band_relative_percent?: Num | null;
  created_at?: string;
  updated_at?: string;
}

export interface AllocationList {
  allocations: Allocation[];
  total_percent: Num;
}

/** PUT /api/allocations/{symbol} */
export interface AllocationUpdate {
  target_percent: number;
  enabled: boolean;
  /** omitted or null: the default band (a PUT replaces the row, so send what is kept) */
  band_percent?: number | null;
  band_relative_percent?: number | null;
}

// ---- portfolio and assets (assumed) ----------------------------------------

export interface Position {
  symbol: string;
  qty: Num;
  price: Num;
  market_value: Num;
  actual_percent: Num;
}

export interface Portfolio {
  portfolio_value: Num;
  cash: Num;
  buying_power: Num;
  positions: Position[];
  as_of: string;
}

export interface Asset {
  symbol: string;
  tradable: boolean;
  fractionable: boolean;
  name?: string | null;
}

// ---- rebalancing (the seed contract plus extras) ----------------------------

export interface DriftRow {
  symbol: string;
  target_percent: Num;
  actual_percent: Num;
  drift_percent: Num;
  needs_rebalance: boolean;
  action: DriftAction;
}

/** A drift row's facts beyond the seed's six keys (docs/rebalancing.md). */
export interface DriftDetail {
  symbol: string;
  market_value: Num;
  asset_class: "us_equity" | "crypto" | "us_option" | (string & {});
  targeted: boolean;
  exit: boolean;
  /** set when the row is held and not rebalanced: short_position, asset_class, untargeted */
  hold_reason: string | null;
  note: string | null;
  /** the band's half-width in pp (docs/policies.md) */
  band_percent?: number;
  /** whether the plan trades the symbol, and why (or why not) */
  traded?: boolean;
  reason?: string | null;
  reason_message?: string | null;
}

export interface TradeExecuted {
  symbol: string;
  side: Side;
  qty: Num;
  /** null when the broker refused the order before giving it an id */
  order_id: string | null;
  status: string;
  /** assumed: time the order was submitted / last updated (ISO 8601) */
  submitted_at?: string | null;
  updated_at?: string | null;
  filled_qty?: Num | null;
}

export interface TradePlanned {
  symbol: string;
  side: Side;
  qty: Num;
  price: Num;
  notional: Num;
}

export interface TradeSkipped {
  symbol: string;
  side: Side | null;
  reason: string;
  message: string;
}

/** Run status values the page knows; others are shown as they come. */
export type RunStatus =
  | "running"
  | "awaiting_fills"
  | "completed"
  | "no_action"
  | "blocked"
  | "failed"
  | "dry_run"
  | (string & {});

/** POST /api/rebalance/check with dry_run false: 202, the run goes on in the background. */
export interface RunAccepted {
  run_id: number | string;
  status: RunStatus;
}

/** POST /api/rebalance/check response (a dry run). */
export interface CheckResult {
  needs_rebalance: boolean;
  drift_analysis: DriftRow[];
  trades_executed: TradeExecuted[];
  portfolio_value: Num;
  message: string;
  run_id: number | string;
  dry_run: boolean;
  trades_planned: TradePlanned[];
  skipped: TradeSkipped[];
  drift_details?: DriftDetail[];
  status: RunStatus;
}

export interface CheckRequest {
  dry_run: boolean;
  /** when the market is closed, queue the orders for the open instead of sending nothing */
  queue_if_closed?: boolean;
}

// ---- runs (history) ------------------------------------------------------------

export type RunTrigger = "manual" | "schedule" | "cli" | "api" | (string & {});

/** An item of GET /api/runs (assumed shape). */
export interface RunSummary {
  id: number | string;
  trigger: RunTrigger;
  status: RunStatus;
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  needs_rebalance: boolean;
  /** largest |drift| in pp before the run */
  max_drift_percent: Num | null;
  orders_count: number;
  portfolio_value: Num | null;
  message: string;
}

export interface RunList {
  runs: RunSummary[];
  /** all of the user's runs, for paging */
  total?: number;
}

/** One order as the server records it (run details' `orders`, `order_updated` data). */
export interface OrderRecord {
  id: number | string;
  run_id: number | string | null;
  client_order_id?: string;
  symbol: string;
  side: Side;
  qty: Num;
  status: string;
  broker_order_id: string | null;
  filled_qty?: Num | null;
  filled_avg_price?: Num | null;
  error?: string | null;
  submitted_at?: string | null;
  updated_at?: string | null;
}

/** GET /api/runs/{id}: the summary plus the full check result, and its orders. */
export type RunDetail = RunSummary &
  Omit<CheckResult, "run_id" | "status" | "dry_run"> & {
    orders?: OrderRecord[];
  };

// ---- risk ------------------------------------------------------------------------

export interface RiskFlags {
  trading_enabled: boolean;
  drawdown_recovery: boolean;
  kill_switch: boolean;
  reason: string | null;
}

export interface RiskStatus {
  system: RiskFlags;
  user: RiskFlags;
  blocked_reason: string | null;
}

// ---- settings and tokens (assumed) ---------------------------------------------

export interface UserSettings {
  threshold_percent: Num;
  min_trade: Num;
  /** share of the portfolio left in cash when buys are sized (default 0.25) */
  cash_buffer_percent?: Num;
  /** holdings with no target: left alone, or sold whole */
  untargeted?: "leave" | "sell";
  /** the oldest a price may be to trade on, in hours (default 96) */
  max_price_age_hours?: Num;
}

export interface UserSettingsUpdate {
  threshold_percent: number;
  min_trade: number;
  cash_buffer_percent?: number;
  untargeted?: "leave" | "sell";
  max_price_age_hours?: number;
}

export interface ApiToken {
  id: number | string;
  name: string;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

export interface TokenList {
  tokens: ApiToken[];
}

/** POST /api/tokens response: the secret is shown once. */
export interface CreatedToken extends ApiToken {
  token: string;
}

// ---- server-sent events -----------------------------------------------------------

export type ServerEventName =
  | "allocation_changed"
  | "run_started"
  | "run_finished"
  | "order_updated";

export interface RunEventData {
  run_id: number | string;
  status?: RunStatus;
}

/** `order_updated` data: an OrderRecord (the broker's id is `broker_order_id`). */
export interface OrderUpdatedData {
  run_id?: number | string | null;
  order_id?: string | null;
  broker_order_id?: string | null;
  symbol?: string;
  status: string;
  filled_qty?: Num | null;
  submitted_at?: string | null;
  updated_at?: string | null;
}

// ---- notifications -----------------------------------------------------------

export type NotifyEvent = "run_executed" | "risk_blocked" | "order_rejected" | "drift_past_band" | "broker_failing";

/** GET|PUT /api/notifications. `webhook_secret` is only in the answer that made it. */
export interface NotificationPrefs {
  events: string[];
  email: string | null;
  webhook_url: string | null;
  webhook_secret_set: boolean;
  email_available: boolean;
  webhook_secret: string | null;
  available_events: string[];
}

export interface NotificationsUpdate {
  events?: NotifyEvent[];
  email?: string;
  webhook_url?: string;
  rotate_secret?: boolean;
}

export interface Delivery {
  id: number;
  event: string;
  channel: "email" | "webhook";
  target: string;
  status: "pending" | "sending" | "retrying" | "delivered" | "failed";
  attempts: number;
  status_code: number | null;
  error: string | null;
  next_retry_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** GET /api/notifications/deliveries and POST /api/notifications/test. */
export interface DeliveryList {
  deliveries: Delivery[];
  total: number;
}
