import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { driftDetail, driftRows } from "@/test/fixtures";
import { DriftTable } from "./DriftTable";

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
