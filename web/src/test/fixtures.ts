import type { Allocation, CheckResult, DriftRow, Portfolio, RiskStatus, RunList } from "@/api/types";

export const allocation = (symbol: string, target_percent: number, enabled = true): Allocation => ({
  symbol,
  target_percent,
  enabled,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
});

export const driftRows: DriftRow[] = [
  { symbol: "SPY", target_percent: 40, actual_percent: 46.5, drift_percent: 6.5, needs_rebalance: true, action: "sell" },
  { symbol: "TLT", target_percent: 20, actual_percent: 13.75, drift_percent: -6.25, needs_rebalance: true, action: "buy" },
  { symbol: "GLD", target_percent: 10, actual_percent: 11.2, drift_percent: 1.2, needs_rebalance: false, action: "none" },
];

export const portfolio: Portfolio = {
  portfolio_value: "100000.00",
  cash: "2500.00",
  buying_power: "5000.00",
  as_of: "2026-11-25T10:00:00Z",
  positions: [
    { symbol: "SPY", qty: "100", price: "465", market_value: "46500", actual_percent: "46.5" },
    { symbol: "TLT", qty: "150", price: "91.67", market_value: "13750", actual_percent: "13.75" },
    { symbol: "GLD", qty: "60", price: "186.67", market_value: "11200", actual_percent: "11.2" },
  ],
};

export const riskClear: RiskStatus = {
  system: { trading_enabled: true, drawdown_recovery: false, kill_switch: false, reason: null },
  user: { trading_enabled: true, drawdown_recovery: false, kill_switch: false, reason: null },
  blocked_reason: null,
};

export const dryRun: CheckResult = {
  needs_rebalance: true,
  drift_analysis: driftRows,
  trades_executed: [],
  portfolio_value: 100000,
  message: "Dry run: 2 orders planned",
  run_id: 7,
  dry_run: true,
  status: "dry_run",
  trades_planned: [
    { symbol: "SPY", side: "sell", qty: 13.9785, price: 465, notional: 6500 },
    { symbol: "TLT", side: "buy", qty: 68.18, price: 91.67, notional: 6250 },
  ],
  skipped: [{ symbol: "GLD", side: "buy", reason: "below_min_trade", message: "Trade of $4.10 is under the $10 minimum" }],
};

export const emptyRuns: RunList = { runs: [] };
