import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { beforeEach, describe, expect, it } from "vitest";
import { setCsrfToken } from "@/api/client";
import type { CheckResult, RiskStatus, User } from "@/api/models";
import { Layout } from "@/components/Layout";
import { allocation, driftDetail, dryRun, emptyRuns, portfolio, riskClear, tradeExecuted } from "@/test/fixtures";
import { renderWithProviders, stubFetch } from "@/test/render";
import { AllocationPage } from "./AllocationPage";

const liveRun: CheckResult = {
  ...dryRun,
  run_id: 8,
  dry_run: false,
  status: "completed",
  message: "Rebalancing executed",
  trades_executed: [
    tradeExecuted({ symbol: "SPY", side: "sell", qty: 13.9785, order_id: "ord-1", status: "filled", submitted_at: "2026-11-25T10:00:00Z" }),
    tradeExecuted({ symbol: "TLT", side: "buy", qty: 68.18, order_id: "ord-2", status: "accepted", submitted_at: "2026-11-25T10:00:05Z" }),
  ],
};

function routes(overrides: Record<string, unknown> = {}) {
  return {
    "GET /api/allocations": {
      allocations: [allocation("SPY", 40), allocation("TLT", 20), allocation("GLD", 10), allocation("QQQ", 30)],
      total_percent: 100,
    },
    "GET /api/portfolio": portfolio,
    "GET /api/risk": riskClear,
    "GET /api/runs": emptyRuns,
    "GET /api/settings": { threshold_percent: "5", min_trade: "10" },
    ...overrides,
  };
}

beforeEach(() => setCsrfToken("csrf-123"));

describe("AllocationPage", () => {
  it("shows the portfolio, the targets and their sum", async () => {
    renderWithProviders(<AllocationPage />);
    expect(await screen.findByTestId("allocation-row-SPY")).toHaveTextContent("40.00%");
    expect(screen.getByTestId("allocation-row-SPY")).toHaveTextContent("$40,000.00");
    expect(await screen.findByTestId("portfolio-value")).toHaveTextContent("$100,000.00");
    expect(screen.getByTestId("sum-status")).toHaveTextContent("100.00%");
    expect(screen.getByTestId("pie-target")).toBeInTheDocument();
    expect(screen.getByTestId("pie-actual")).toBeInTheDocument();
    expect(within(screen.getByTestId("pie-actual")).getByText("Cash")).toBeInTheDocument();
  });

  it("previews planned trades and reasons for skips", async () => {
    const calls = stubFetch(routes({ "POST /api/rebalance/check": dryRun, "GET /api/runs/7": { ...dryRun, id: 7 } }));
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await userEvent.click(screen.getByTestId("preview-button"));
    const preview = await screen.findByTestId("preview-result");
    expect(within(preview).getByTestId("planned-row-SPY")).toHaveTextContent("$6,500.00");
    expect(within(preview).getByText(/under the \$10 minimum/)).toBeInTheDocument();
    expect(screen.getByTestId("drift-row-SPY")).toHaveAttribute("data-action", "sell");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ dry_run: true });
  });

  it("does not call a preview that plans trades inside the band (idle cash) Within band", async () => {
    const idle = { ...dryRun, needs_rebalance: false };
    stubFetch(routes({ "POST /api/rebalance/check": idle, "GET /api/runs/7": { ...idle, id: 7 } }));
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await userEvent.click(screen.getByTestId("preview-button"));
    await screen.findByTestId("preview-result");
    expect(screen.getByTestId("drift-status")).toHaveTextContent("Trades planned");
  });

  it("says the broker is unreachable in the Actual card, the header and the Rebalance button", async () => {
    const down = () => ({ status: 503, body: { error: { code: "broker_unavailable", message: "The broker could not be reached" } } });
    stubFetch(routes({ "GET /api/portfolio": down }));
    renderWithProviders(
      <>
        <Layout user={{ id: 1, email: "a@b.c" } as User} live="live" />
        <AllocationPage />
      </>,
    );
    expect(await screen.findByText(/Could not load positions: The broker could not be reached/, {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.queryByText("Loading positions…")).toBeNull();
    expect(screen.getByTestId("live-status")).toHaveTextContent("Broker unreachable");
    expect(screen.getByTestId("live-status")).not.toHaveTextContent(/^Live$/);
    expect(screen.getByTestId("rebalance-button")).toBeDisabled();
    expect(screen.getByTestId("rebalance-hint")).toHaveTextContent("broker could not be reached");
  }, 20_000);

  it("confirms the listed orders, starts the live run (202) and follows it", async () => {
    const calls = stubFetch(
      routes({
        "POST /api/rebalance/plan": dryRun,
        "POST /api/rebalance/check": () => ({ status: 202, body: { run_id: 8, status: "running" } }),
        "GET /api/runs/8": { ...liveRun, id: 8, started_at: "2026-11-25T10:00:00Z" },
      }),
    );
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await waitFor(() => expect(screen.getByTestId("rebalance-button")).toBeEnabled());
    await userEvent.click(screen.getByTestId("rebalance-button"));
    const dialog = await screen.findByRole("dialog", { name: "Rebalance now?" });
    expect(await within(dialog).findByTestId("planned-row-TLT")).toHaveTextContent("Buy");
    await userEvent.click(within(dialog).getByRole("switch", { name: /queue the orders for the next open/ }));
    await userEvent.click(within(dialog).getByTestId("confirm-rebalance"));
    const trades = await screen.findByTestId("trades-table");
    expect(await within(trades).findByText("ord-2")).toBeInTheDocument();
    expect(within(trades).getByText("Accepted")).toBeInTheDocument();
    expect(screen.getByTestId("run-summary")).toHaveTextContent(liveRun.message);
    // Opening the dialog planned without recording: the one check sent is the live run.
    const checks = calls.filter((c) => c.path === "/api/rebalance/check");
    expect(checks.map((c) => c.body)).toEqual([{ dry_run: false, queue_if_closed: true }]);
    expect(checks[0]?.headers["X-CSRF-Token"]).toBe("csrf-123");
    // One plan for the dialog; one more once the run ended, for the drift after it.
    expect(calls.filter((c) => c.path === "/api/rebalance/plan")).toHaveLength(2);
    // Focus follows the run to where its orders appear.
    await waitFor(() => expect(screen.getByRole("heading", { name: "Trades executed" })).toHaveFocus());
  });

  it("shows a refused preview as a problem, with the reason, not as a healthy check", async () => {
    const refused: CheckResult = {
      ...dryRun,
      needs_rebalance: false,
      drift_analysis: [],
      trades_planned: [],
      skipped: [],
      status: "refused",
      message: "Cannot rebalance: targets sum to 105.00 %, expected 100 % (5.00 pp over)",
    };
    stubFetch(routes({ "POST /api/rebalance/check": refused, "GET /api/runs/7": { ...refused, id: 7 } }));
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await userEvent.click(screen.getByTestId("preview-button"));
    expect(await screen.findByTestId("drift-status")).toHaveTextContent("Refused");
    expect(screen.queryByText("Within band")).not.toBeInTheDocument();
    expect(screen.getByTestId("check-refused")).toHaveTextContent("targets sum to 105.00%, expected 100% (5.00 pp over)");
    expect(screen.queryByTestId("drift-table")).not.toBeInTheDocument();
    expect(screen.queryByTestId("preview-result")).not.toBeInTheDocument();
    expect(screen.queryByText("Preview ready")).not.toBeInTheDocument();
  });

  it("takes focus to the drift card when a preview arrives", async () => {
    stubFetch(routes({ "POST /api/rebalance/check": dryRun, "GET /api/runs/7": { ...dryRun, id: 7 } }));
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await userEvent.click(screen.getByTestId("preview-button"));
    await waitFor(() => expect(screen.getByRole("heading", { name: "Drift analysis" })).toHaveFocus());
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  });

  it("shows the drift after a finished rebalance, not the rows from before it", async () => {
    const done = {
      ...liveRun,
      id: 8,
      status: "completed",
      trigger: "manual",
      started_at: "2026-11-25T10:00:00Z",
      finished_at: "2026-11-25T10:00:09Z",
      max_drift_percent: 6.5,
      orders_count: 2,
      trades_executed: liveRun.trades_executed.map((t) => ({ ...t, status: "filled" })),
    };
    const now = {
      ...dryRun,
      needs_rebalance: false,
      trades_planned: [],
      drift_analysis: [
        { symbol: "SPY", target_percent: 40, actual_percent: 40.1, drift_percent: 0.1, needs_rebalance: false, action: "none" as const },
        { symbol: "TLT", target_percent: 20, actual_percent: 19.95, drift_percent: -0.05, needs_rebalance: false, action: "none" as const },
      ],
    };
    const calls = stubFetch(routes({ "GET /api/runs": { runs: [done], total: 1 }, "GET /api/runs/8": done, "POST /api/rebalance/plan": now }));
    renderWithProviders(<AllocationPage />);
    expect(await screen.findByText(/^After the rebalance of/)).toBeInTheDocument();
    expect(screen.getByTestId("drift-row-SPY")).toHaveTextContent("+0.10 pp");
    expect(screen.getByTestId("drift-status")).toHaveTextContent("Within band");
    expect(calls.filter((c) => c.path === "/api/rebalance/check")).toEqual([]);
  });

  it("after a partial rebalance, plans again for the symbols that run was for", async () => {
    const done = {
      ...liveRun,
      id: 9,
      status: "completed",
      trigger: "manual",
      started_at: "2026-11-25T10:00:00Z",
      finished_at: "2026-11-25T10:00:09Z",
      orders_count: 1,
      trades_executed: liveRun.trades_executed.slice(0, 1).map((t) => ({ ...t, status: "filled" })),
      drift_details: [
        driftDetail("SPY", { traded: true, reason: "past_band", reason_message: "past its band" }),
        driftDetail("TLT", { reason: "not_selected", reason_message: "TLT was not among the symbols selected for this run" }),
      ],
    };
    const calls = stubFetch(
      routes({ "GET /api/runs": { runs: [done], total: 1 }, "GET /api/runs/9": done, "POST /api/rebalance/plan": dryRun }),
    );
    renderWithProviders(<AllocationPage />);
    expect(await screen.findByText(/^After the rebalance of/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path === "/api/rebalance/plan").map((c) => c.body)).toEqual([{ symbols: ["SPY"] }]);
  });

  it("says it is loading instead of claiming there is nothing, and does not disable Rebalance for a wrong reason", async () => {
    const never = () => new Promise<Response>(() => undefined);
    globalThis.fetch = never as typeof fetch;
    renderWithProviders(<AllocationPage />);
    expect(await screen.findByTestId("last-checked")).toHaveTextContent("…");
    expect(screen.getByTestId("last-checked")).not.toHaveTextContent("Never");
    expect(screen.queryByText(/No enabled targets yet/)).not.toBeInTheDocument();
    expect(screen.queryByTestId("rebalance-hint")).not.toBeInTheDocument();
    expect(screen.getByTestId("rebalance-button")).toHaveTextContent("Loading…");
    expect(screen.getByText("Loading the last check…")).toBeInTheDocument();
  });

  it("explains a run already in flight", async () => {
    stubFetch(
      routes({
        "POST /api/rebalance/check": () => ({ status: 409, body: { error: { code: "conflict", message: "a run is in progress" } } }),
      }),
    );
    renderWithProviders(<AllocationPage />);
    await screen.findByTestId("allocation-row-SPY");
    await userEvent.click(screen.getByTestId("preview-button"));
    expect(await screen.findByText("A rebalance is already running. Wait for it to finish.")).toBeInTheDocument();
  });

  it("explains risk blocks in a banner and disables live rebalancing", async () => {
    const blocked: RiskStatus = {
      ...riskClear,
      system: { ...riskClear.system, kill_switch: true, reason: "broker outage" },
      user: { ...riskClear.user, drawdown_recovery: true },
      blocked_reason: "Trading is stopped by the kill switch.",
    };
    stubFetch(routes({ "GET /api/risk": blocked }));
    renderWithProviders(<AllocationPage />);
    const banner = await screen.findByTestId("risk-banner");
    expect(banner).toHaveTextContent("Kill switch is on (system-wide)");
    expect(banner).toHaveTextContent("Reason: broker outage");
    expect(banner).toHaveTextContent("Drawdown recovery mode (your account)");
    expect(screen.getByTestId("rebalance-button")).toBeDisabled();
    expect(screen.getByTestId("preview-button")).toBeEnabled();
  });

  it("disables live rebalancing while the targets do not sum to 100%", async () => {
    stubFetch(routes({ "GET /api/allocations": { allocations: [allocation("SPY", 40)], total_percent: 40 } }));
    renderWithProviders(<AllocationPage />);
    await waitFor(() => expect(screen.getByTestId("sum-status")).toHaveTextContent("60.00% missing"));
    expect(screen.getByTestId("rebalance-button")).toBeDisabled();
    expect(screen.getByTestId("rebalance-hint")).toHaveTextContent("must sum to 100%");
  });

  it("says when the targets changed after the check it shows", async () => {
    const summary = { ...dryRun, id: 7, trigger: "manual", started_at: "2026-11-25T10:00:00Z", finished_at: "2026-11-25T10:00:01Z", max_drift_percent: 6.5, orders_count: 0 };
    stubFetch(
      routes({
        "GET /api/allocations": { allocations: [{ ...allocation("SPY", 100), updated_at: "2026-11-25T10:05:00Z" }], total_percent: 100 },
        "GET /api/runs": { runs: [summary] },
        "GET /api/runs/7": summary,
      }),
    );
    renderWithProviders(<AllocationPage />);
    expect(await screen.findByTestId("drift-stale")).toHaveTextContent("Targets changed since this check");
  });

  it("has no axe violations (labels, roles, names)", async () => {
    stubFetch(routes({ "GET /api/runs": { runs: [{ ...dryRun, id: 7, trigger: "manual", started_at: "2026-11-25T10:00:00Z", finished_at: "2026-11-25T10:00:01Z", max_drift_percent: 6.5, orders_count: 0 }] }, "GET /api/runs/7": { ...dryRun, id: 7, trigger: "manual", started_at: "2026-11-25T10:00:00Z", finished_at: null, max_drift_percent: 6.5, orders_count: 0 } }));
    const { container } = renderWithProviders(<AllocationPage />);
    await screen.findByTestId("drift-row-SPY");
    // Colour contrast needs real layout; the e2e run in Chromium checks it.
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });
});

beforeEach(() => {
  stubFetch(routes());
});
