import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { driftRows } from "@/test/fixtures";
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
      expect(badge.querySelector("svg")).not.toBeNull();
    }
  });
});
