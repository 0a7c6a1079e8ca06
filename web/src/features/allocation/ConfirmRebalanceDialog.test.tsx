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

  it("ticks every symbol the plan trades and reports a partial choice in the plan's order", async () => {
    const onSelectedChange = vi.fn();
    const { rerender } = render(
      <ConfirmRebalanceDialog
        {...base}
        plan={dryRun}
        onConfirm={() => undefined}
        symbols={["SPY", "TLT", "GLD"]}
        selected={["SPY", "TLT", "GLD"]}
        onSelectedChange={onSelectedChange}
      />,
    );
    const picker = screen.getByTestId("symbol-picker");
    expect(within(picker).getAllByRole("checkbox").map((c) => (c as HTMLInputElement).checked)).toEqual([true, true, true]);
    await userEvent.click(within(picker).getByLabelText("TLT"));
    expect(onSelectedChange).toHaveBeenLastCalledWith(["SPY", "GLD"]);
    rerender(
      <ConfirmRebalanceDialog
        {...base}
        plan={dryRun}
        onConfirm={() => undefined}
        symbols={["SPY", "TLT", "GLD"]}
        selected={["GLD"]}
        onSelectedChange={onSelectedChange}
      />,
    );
    await userEvent.click(within(picker).getByLabelText("SPY"));
    expect(onSelectedChange).toHaveBeenLastCalledWith(["SPY", "GLD"]);
  });

  it("shows no picker for a plan that trades one symbol", () => {
    render(<ConfirmRebalanceDialog {...base} plan={dryRun} onConfirm={() => undefined} symbols={["SPY"]} selected={["SPY"]} onSelectedChange={() => undefined} />);
    expect(screen.queryByTestId("symbol-picker")).toBeNull();
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
