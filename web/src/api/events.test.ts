import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { dryRun, tradeExecuted } from "@/test/fixtures";
import { applyServerEvent } from "./events";
import { keys, runDetailFromCheck } from "./queries";
import type { RunDetail } from "./models";

const message = (data: unknown) => new MessageEvent("message", { data: JSON.stringify(data) });

function clientWithRun(): QueryClient {
  const qc = new QueryClient();
  const run = runDetailFromCheck({
    ...dryRun,
    run_id: 9,
    dry_run: false,
    trades_executed: [tradeExecuted({ symbol: "SPY", side: "sell", qty: 1, order_id: "o-1", status: "accepted" })],
  });
  qc.setQueryData(keys.run(9), run);
  qc.setQueryData(keys.allocations, { allocations: [], total_percent: 0 });
  qc.setQueryData(keys.runs, { runs: [] });
  return qc;
}

describe("applyServerEvent", () => {
  it("updates an order's status in place when it fills", () => {
    const qc = clientWithRun();
    const update = { run_id: 9, broker_order_id: "o-1", status: "filled", filled_qty: 1, filled_avg_price: 465.5, updated_at: "2026-11-25T10:00:02Z" };
    applyServerEvent(qc, "order_updated", message(update));
    const trade = qc.getQueryData<RunDetail>(keys.run(9))?.trades_executed[0];
    expect([trade?.status, trade?.filled_qty, trade?.filled_avg_price, trade?.updated_at]).toEqual(["filled", 1, 465.5, "2026-11-25T10:00:02Z"]);
    expect(qc.getQueryState(keys.run(9))?.isInvalidated).toBe(true);
  });

  it("refetches the risk status when a kill switch or block changes, and the rules when they change", () => {
    const qc = clientWithRun();
    qc.setQueryData(keys.risk, { blocked_reason: null });
    qc.setQueryData(keys.settings, { threshold_percent: 5 });
    applyServerEvent(qc, "risk_changed", message({ scope: "system" }));
    expect(qc.getQueryState(keys.risk)?.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.settings)?.isInvalidated).toBe(false);
    applyServerEvent(qc, "settings_changed", message({}));
    expect(qc.getQueryState(keys.settings)?.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.allocations)?.isInvalidated).toBe(false);
  });

  it("refetches allocations changed elsewhere", () => {
    const qc = clientWithRun();
    applyServerEvent(qc, "allocation_changed", message({}));
    expect(qc.getQueryState(keys.allocations)?.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.runs)?.isInvalidated).toBe(false);
  });

  it("refetches the run list when a run starts or finishes", () => {
    const qc = clientWithRun();
    applyServerEvent(qc, "run_finished", message({ run_id: 9, status: "completed" }));
    expect(qc.getQueryState(keys.runs)?.isInvalidated).toBe(true);
    expect(qc.getQueryState(keys.run(9))?.isInvalidated).toBe(true);
  });

  it("matches the server's order record by broker_order_id", () => {
    const qc = clientWithRun();
    applyServerEvent(qc, "order_updated", message({ id: 3, run_id: 9, broker_order_id: "o-1", status: "partially_filled" }));
    expect(qc.getQueryData<RunDetail>(keys.run(9))?.trades_executed[0]?.status).toBe("partially_filled");
  });

  it("ignores data it cannot parse", () => {
    const qc = clientWithRun();
    applyServerEvent(qc, "order_updated", new MessageEvent("message", { data: "not json" }));
    expect(qc.getQueryData<RunDetail>(keys.run(9))?.trades_executed[0]?.status).toBe("accepted");
  });
});
