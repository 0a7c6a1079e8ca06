import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { driftDetail, driftRows } from "@/test/fixtures";
import { DriftTable, driftDollars, rowAction, selectedSymbols } from "./DriftTable";

describe("DriftTable", () => {
  it("shows target, actual and signed drift per symbol", () => {
    render(<DriftTable rows={driftRows} />);
    const spy = screen.getByTestId("drift-row-SPY");
    expect(spy).toHaveTextContent("40.00%");
    expect(spy).toHaveTextContent("46.50%");
    expect(spy).toHaveTextContent("+6.50 pp");
    expect(screen.getByTestId("drift-row-TLT")).toHaveTextContent("−6.25 pp");
    expect(screen.getByTestId("drift-row-GLD")).toHaveTextContent("+1.20 pp");
  });

  it("gives each drift in dollars too, from the portfolio's value", () => {
    render(<DriftTable rows={driftRows} portfolioValue="100000.00" />);
    expect(screen.getByTestId("drift-usd-SPY")).toHaveTextContent("+$6,500");
    expect(screen.getByTestId("drift-usd-TLT")).toHaveTextContent("−$6,250");
    expect(screen.getByTestId("drift-usd-GLD")).toHaveTextContent("+$1,200");
  });

  it("highlights an overweight row as a sell, with a word and not only colour", () => {
    render(<DriftTable rows={driftRows} />);
    const row = screen.getByTestId("drift-row-SPY");
    expect(row).toHaveAttribute("data-action", "sell");
    expect(row).toHaveAttribute("data-past-threshold", "true");
    expect(row.className).toMatch(/bg-rose/);
    expect(within(row).getByText("Sell")).toBeInTheDocument();
    expect(within(row).getByText(/Past threshold/)).toBeInTheDocument();
  });

  it("highlights an underweight row as a buy", () => {
    render(<DriftTable rows={driftRows} />);
    const row = screen.getByTestId("drift-row-TLT");
    expect(row).toHaveAttribute("data-action", "buy");
    expect(row.className).toMatch(/bg-emerald/);
    expect(within(row).getByText("Buy")).toBeInTheDocument();
  });

  it("leaves a row within the band unhighlighted", () => {
    render(<DriftTable rows={driftRows} />);
    const row = screen.getByTestId("drift-row-GLD");
    expect(row).toHaveAttribute("data-action", "none");
    expect(row).toHaveAttribute("data-past-threshold", "false");
    expect(row.className).not.toMatch(/bg-(rose|emerald)/);
    expect(within(row).getByText("Within band")).toBeInTheDocument();
    expect(within(row).queryByText(/Past threshold/)).toBeNull();
  });

  it("gives every action an icon next to its word", () => {
    render(<DriftTable rows={driftRows} />);
    for (const symbol of ["SPY", "TLT", "GLD"]) {
      const badge = within(screen.getByTestId(`drift-row-${symbol}`)).getByText(/Sell|Buy|Within band/);
      expect(badge.closest("[data-action]")?.querySelector("svg")).not.toBeNull();
    }
  });

  it("marks a short or an option as held and not rebalanced, with the reason", () => {
    const rows = [
      ...driftRows,
      { symbol: "XYZ", target_percent: 0, actual_percent: -41.67, drift_percent: -41.67, needs_rebalance: false, action: "none" as const },
    ];
    const note = "XYZ is a short position: counted at its negative value, never added to or covered";
    render(
      <DriftTable
        rows={rows}
        details={[
          driftDetail("XYZ", { market_value: -10000, targeted: false, hold_reason: "short_position", note }),
          driftDetail("SPY", { market_value: 4000 }),
        ]}
      />,
    );
    expect(screen.getByTestId("drift-held-XYZ")).toHaveTextContent(`Held, not rebalanced: ${note}`);
    expect(screen.queryByTestId("drift-held-SPY")).toBeNull();
  });
});

describe("DriftTable: what the plan does", () => {
  const tlt = { symbol: "TLT", target_percent: 40, actual_percent: 37.34, drift_percent: -2.66, needs_rebalance: false, action: "buy" as const };

  it("shows Buy on a row inside its band that the plan trades (idle cash invested)", () => {
    render(
      <DriftTable
        rows={[tlt]}
        details={[driftDetail("TLT", { traded: true, reason: "cash_invested", reason_message: "idle cash invested" })]}
      />,
    );
    const row = screen.getByTestId("drift-row-TLT");
    expect(row).toHaveAttribute("data-action", "buy");
    expect(within(row).getByText("Buy")).toBeInTheDocument();
    expect(within(row).queryByText("Within band")).toBeNull();
  });

  it("derives the side from the sign when a traded row comes with no action", () => {
    const row = { ...tlt, action: "none" as const };
    expect(rowAction(row, driftDetail("TLT", { traded: true }))).toBe("buy");
    expect(rowAction({ ...row, drift_percent: 1.5 }, driftDetail("TLT", { traded: true }))).toBe("sell");
    expect(rowAction(row, driftDetail("TLT"))).toBe("none");
  });

  it("gives dollars from market value minus target value, not from the rounded pp", () => {
    // 40% of 100,000.00 is 40,000.00; held 34,803.72: under by 5,196.28 (−5.1963 pp rounds to −5.20).
    render(
      <DriftTable
        rows={[{ ...tlt, actual_percent: 34.80372, drift_percent: -5.19628, needs_rebalance: true }]}
        details={[driftDetail("TLT", { market_value: 34803.72 })]}
        portfolioValue="100000.00"
      />,
    );
    expect(screen.getByTestId("drift-usd-TLT")).toHaveTextContent("−$5,196.28");
  });

  it("never shows a negative zero", () => {
    expect(driftDollars({ ...tlt, target_percent: 10 }, driftDetail("TLT", { market_value: 9999.999 }), 100000)).toBeCloseTo(-0.001, 6);
    render(
      <DriftTable rows={[{ ...tlt, target_percent: 10 }]} details={[driftDetail("TLT", { market_value: 9999.999 })]} portfolioValue={100000} />,
    );
    expect(screen.getByTestId("drift-usd-TLT")).toHaveTextContent(/^\$0\.00$/);
  });

  it("limits an after-view to the symbols a partial run was for", () => {
    expect(
      selectedSymbols([
        driftDetail("SPY", { traded: true, reason: "past_band" }),
        driftDetail("TLT", { reason: "not_selected" }),
        driftDetail("GLD", { reason: "within_band" }),
      ]),
    ).toEqual(["SPY", "GLD"]);
    expect(selectedSymbols([driftDetail("SPY", { traded: true, reason: "past_band" })])).toBeUndefined();
    expect(selectedSymbols(undefined)).toBeUndefined();
  });
});
