import type {
  UserSettings,
  Allocation,
  CheckResult,
  DriftDetail,
  DriftRow,
  Portfolio,
  Position,
  RiskFlags,
  RiskStatus,
  RunList,
  RunSummary,
  TradeExecuted,
  TradePlanned,
} from "@/api/models";

export const allocation = (symbol: string, target_percent: number, enabled = true): Allocation => ({
  symbol,
  target_percent,
  enabled,
  band_percent: null,
  band_relative_percent: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
});

export const driftRows: DriftRow[] = [
  { symbol: "SPY", target_percent: 40, actual_percent: 46.5, drift_percent: 6.5, needs_rebalance: true, action: "sell" },
  { symbol: "TLT", target_percent: 20, actual_percent: 13.75, drift_percent: -6.25, needs_rebalance: true, action: "buy" },
  { symbol: "GLD", target_percent: 10, actual_percent: 11.2, drift_percent: 1.2, needs_rebalance: false, action: "none" },
];

/** A drift row's details as the server sends them, with ``extra`` over the defaults. */
export const driftDetail = (symbol: string, extra: Partial<DriftDetail> = {}): DriftDetail => ({
  symbol,
  band_percent: 5,
  traded: false,
  reason: null,
  reason_message: null,
  market_value: 0,
  asset_class: "us_equity",
  targeted: true,
  exit: false,
  hold_reason: null,
  note: null,
  ...extra,
});

const position = (symbol: string, qty: number, price: number, market_value: number, actual_percent: number): Position => ({
  symbol,
  qty,
  price,
  market_value,
  actual_percent,
  asset_class: "us_equity",
  side: "long",
});

export const portfolio: Portfolio = {
  portfolio_value: 100000,
  cash: 2500,
  buying_power: 5000,
  equity: 100000,
  valuation_agrees: true,
  as_of: "2026-11-25T10:00:00Z",
  positions: [
    position("SPY", 100, 465, 46500, 46.5),
    position("TLT", 150, 91.67, 13750, 13.75),
    position("GLD", 60, 186.67, 11200, 11.2),
  ],
};

const clear: RiskFlags = {
  trading_enabled: true,
  drawdown_recovery: false,
  kill_switch: false,
  reason: "",
  updated_by: null,
  updated_at: null,
};

export const riskClear: RiskStatus = { system: clear, user: clear, blocked_reason: null };

/** An order the run sent, as the server sends it. */
export const tradeExecuted = (extra: Partial<TradeExecuted> & Pick<TradeExecuted, "symbol" | "side" | "qty">): TradeExecuted => ({
  order_id: null,
  status: "accepted",
  filled_qty: 0,
  filled_avg_price: null,
  submitted_at: null,
  updated_at: null,
  ...extra,
});

const planned = (symbol: string, side: TradePlanned["side"], qty: number, price: number, notional: number): TradePlanned => ({
  symbol,
  side,
  qty,
  price,
  notional,
  price_as_of: null,
  price_source: null,
  asset_class: "us_equity",
  exit: false,
  estimated_gain: null,
});

export const dryRun: CheckResult = {
  needs_rebalance: true,
  drift_analysis: driftRows,
  trades_executed: [],
  portfolio_value: 100000,
  message: "Dry run: 2 orders planned",
  run_id: 7,
  dry_run: true,
  status: "planned",
  outcome: "planned",
  trades_planned: [planned("SPY", "sell", 13.9785, 465, 6500), planned("TLT", "buy", 68.18, 91.67, 6250)],
  skipped: [{ symbol: "GLD", side: "buy", reason: "below_minimum", message: "Trade of $4.10 is under the $10 minimum" }],
  drift_details: [],
  buy_budget: null,
  curing_deposit: null,
  realised_gains: {},
  trading_blocked: null,
  account: null,
  resumed: false,
};

/** A run in the history, as the server lists it, with ``extra`` over the defaults. */
export const runSummary = (id: number, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  created_at: "2026-11-24T10:00:00Z",
  started_at: "2026-11-24T10:00:00Z",
  finished_at: "2026-11-24T10:00:05Z",
  trigger: "scheduled",
  dry_run: false,
  status: "completed",
  needs_rebalance: true,
  max_drift_percent: 6.5,
  orders_count: 2,
  portfolio_value: 100000,
  message: "Rebalancing executed",
  ...extra,
});

export const emptyRuns: RunList = { runs: [], total: 0 };

/** GET /api/settings of a fresh account: the classic rules, every policy option off. */
export const settings: UserSettings = {
  threshold_percent: 5,
  min_trade: 10,
  cash_buffer_percent: 0.25,
  untargeted: "leave",
  max_price_age_hours: 96,
  relative_band_percent: null,
  scope: "past_band",
  trade_to: "target",
  cash_mode: "rebalance",
  withdrawal_amount: 0,
  invest_cash: false,
  cash_reserve: 0,
  cash_reserve_unit: "percent",
  cash_reserve_kind: "floor",
  whole_shares: "round_down",
  tax_aware: false,
  avoid_short_term_gains: true,
  holding_period_days: 365,
  wash_sale_days: 30,
};
