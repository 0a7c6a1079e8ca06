import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { dryRun } from "@/test/fixtures";
import { ConfirmRebalanceDialog } from "./ConfirmRebalanceDialog";

const base = { open: true, onOpenChange: () => undefined, planning: false, planError: null, submitting: false };

describe("ConfirmRebalanceDialog", () => {
  it("lists every planned order with side, quantity and amount", () => {
    render(<ConfirmRebalanceDialog {...base} plan={dryRun} onConfirm={() => undefined} />);
    const dialog = screen.getByRole("dialog", { name: "Rebalance now?" });
    const spy = within(dialog).getByTestId("planned-row-SPY");
    expect(spy).toHaveTextContent("Sell");
    expect(spy).toHaveTextContent("13.9785");
    expect(spy).toHaveTextContent("$6,500.00");
    const tlt = within(dialog).getByTestId("planned-row-TLT");
    expect(tlt).toHaveTextContent("Buy");
    expect(tlt).toHaveTextContent("$6,250.00");
    expect(within(dialog).getByText(/Trade of \$4.10 is under the \$10 minimum/)).toBeInTheDocument();
    expect(within(dialog).getByText(/2 market orders/)).toBeInTheDocument();
  });

  it("sends the orders only when confirmed", async () => {
    const onConfirm = vi.fn();
    render(<ConfirmRebalanceDialog {...base} plan={dryRun} onConfirm={onConfirm} />);
    const confirm = screen.getByTestId("confirm-rebalance");
    expect(confirm).toHaveTextContent("Place 2 orders");
    await userEvent.click(confirm);
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it("offers nothing to confirm when no order is needed", () => {
    const calm = { ...dryRun, needs_rebalance: false, trades_planned: [], skipped: [], message: "All symbols within band" };
    render(<ConfirmRebalanceDialog {...base} plan={calm} onConfirm={() => undefined} />);
    expect(screen.getByText("All symbols within band.")).toBeInTheDocument();
    expect(screen.getByTestId("confirm-rebalance")).toBeDisabled();
  });

  it("waits for the plan and disables confirming meanwhile", () => {
    render(<ConfirmRebalanceDialog {...base} plan={null} planning onConfirm={() => undefined} />);
    expect(screen.getByText(/Planning orders/)).toBeInTheDocument();
    expect(screen.getByTestId("confirm-rebalance")).toBeDisabled();
  });

  it("shows why planning failed", () => {
    render(<ConfirmRebalanceDialog {...base} plan={null} planError="A rebalance is already running." onConfirm={() => undefined} />);
    expect(screen.getByRole("alert")).toHaveTextContent("A rebalance is already running.");
  });
});
