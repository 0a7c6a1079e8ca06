import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/api/client";
import type { Asset } from "@/api/models";
import { AllocationDialog } from "./AllocationDialog";

const tradable = (symbol: string): Promise<Asset> => Promise.resolve({ symbol, tradable: true, fractionable: true, name: `${symbol} Trust` });

function setup(props: Partial<Parameters<typeof AllocationDialog>[0]> = {}) {
  const onSubmit = vi.fn().mockResolvedValue(undefined);
  const onOpenChange = vi.fn();
  const lookupAsset = vi.fn(tradable);
  render(
    <AllocationDialog
      open
      onOpenChange={onOpenChange}
      existingSymbols={["SPY"]}
      otherTotal={40}
      onSubmit={onSubmit}
      lookupAsset={lookupAsset}
      {...props}
    />,
  );
  const user = userEvent.setup();
  const fill = async (symbol: string, percent: string) => {
    if (symbol) await user.type(screen.getByLabelText("Symbol"), symbol);
    if (percent) await user.type(screen.getByLabelText("Target percent"), percent);
    await user.click(screen.getByTestId("allocation-save"));
  };
  return { onSubmit, onOpenChange, lookupAsset, user, fill };
}

describe("AllocationDialog", () => {
  it("adds a valid, tradable symbol, upper-cased", async () => {
    const { fill, onSubmit, lookupAsset, onOpenChange } = setup();
    await fill("qqq", "30");
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ symbol: "QQQ", target_percent: 30, band_percent: null, band_relative_percent: null }));
    expect(lookupAsset).toHaveBeenCalledWith("QQQ");
    expect(onOpenChange).toHaveBeenCalledWith(false);
  });

  it("keeps a symbol's bands when its target is edited, and changes them on request", async () => {
    const { user, onSubmit } = setup({
      editing: { symbol: "GLD", target_percent: 10, band_percent: 3, band_relative_percent: 25 },
    });
    expect(screen.getByLabelText("Band (pp)")).toHaveValue("3");
    expect(screen.getByLabelText("Band (% of target)")).toHaveValue("25");
    await user.clear(screen.getByLabelText("Target percent"));
    await user.type(screen.getByLabelText("Target percent"), "12");
    await user.clear(screen.getByLabelText("Band (% of target)"));
    await user.click(screen.getByTestId("allocation-save"));
    await waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith({ symbol: "GLD", target_percent: 12, band_percent: 3, band_relative_percent: null }),
    );
  });

  it("refuses a band outside (0, 100]", async () => {
    const { user, onSubmit } = setup({ editing: { symbol: "GLD", target_percent: 10 } });
    await user.type(screen.getByLabelText("Band (pp)"), "0");
    await user.click(screen.getByTestId("allocation-save"));
    expect(await screen.findByText(/above 0 and at most 100/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows what the total will become", async () => {
    const { user } = setup();
    await user.type(screen.getByLabelText("Target percent"), "30");
    expect(screen.getByText(/will total/)).toHaveTextContent("70.00%");
  });

  it("refuses a malformed symbol without asking the broker", async () => {
    const { fill, onSubmit, lookupAsset } = setup();
    await fill("1ABC", "10");
    expect(await screen.findByText(/Use a ticker of 1–10 letters/)).toBeInTheDocument();
    expect(screen.getByLabelText("Symbol")).toHaveAttribute("aria-invalid", "true");
    expect(lookupAsset).not.toHaveBeenCalled();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("refuses a symbol that already has a target", async () => {
    const { fill, onSubmit } = setup();
    await fill("spy", "10");
    expect(await screen.findByText(/SPY already has a target/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it.each([
    ["-1", /below 0%/],
    ["100.5", /cannot be more than 100%/],
    ["abc", /Enter a number/],
  ])("refuses percent %j", async (percent, message) => {
    const { fill, onSubmit } = setup();
    await fill("QQQ", percent);
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(screen.getByLabelText("Target percent")).toHaveAttribute("aria-invalid", "true");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("accepts exactly 100%", async () => {
    const { fill, onSubmit } = setup();
    await fill("QQQ", "100");
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ symbol: "QQQ", target_percent: 100, band_percent: null, band_relative_percent: null }));
  });

  it("explains a symbol the broker does not know", async () => {
    const { fill, onSubmit } = setup({
      lookupAsset: vi.fn().mockRejectedValue(new ApiError(404, "not_found", "unknown asset")),
    });
    await fill("XYZQ", "10");
    expect(await screen.findByText(/The broker doesn't know XYZQ/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("explains a symbol that is not tradable", async () => {
    const { fill, onSubmit } = setup({
      lookupAsset: vi.fn().mockResolvedValue({ symbol: "OLD", tradable: false, fractionable: false }),
    });
    await fill("OLD", "10");
    expect(await screen.findByText(/OLD exists but is not tradable/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows the server's message when saving fails", async () => {
    const { fill } = setup({ onSubmit: vi.fn().mockRejectedValue(new ApiError(422, "invalid", "target too large")) });
    await fill("QQQ", "10");
    expect(await screen.findByText("Target too large.")).toBeInTheDocument();
  });

  it("edits a target's percent without re-checking the symbol", async () => {
    const { user, onSubmit, lookupAsset } = setup({ editing: { symbol: "SPY", target_percent: 40 } });
    expect(screen.getByLabelText("Symbol")).toBeDisabled();
    const percent = screen.getByLabelText("Target percent");
    await user.clear(percent);
    await user.type(percent, "45");
    await user.click(screen.getByTestId("allocation-save"));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ symbol: "SPY", target_percent: 45, band_percent: null, band_relative_percent: null }));
    expect(lookupAsset).not.toHaveBeenCalled();
  });

  it("drops the server's complaint once the percent changes, and judges the new one as it is typed", async () => {
    const { fill, user } = setup({
      onSubmit: vi.fn().mockRejectedValue(new ApiError(422, "invalid_input", "target_percent must be more than 0 %")),
    });
    await fill("QQQ", "0");
    expect(await screen.findByText("Must be more than 0%.")).toBeInTheDocument();
    const percent = screen.getByLabelText("Target percent");
    await user.clear(percent);
    await user.type(percent, "150");
    expect(screen.queryByText(/must be more than 0/)).not.toBeInTheDocument();
    expect(screen.getByText(/cannot be more than 100%/)).toBeInTheDocument();
    await user.clear(percent);
    await user.type(percent, "15");
    expect(screen.queryByText(/cannot be more than 100%/)).not.toBeInTheDocument();
    expect(percent).toHaveAttribute("aria-invalid", "false");
  });

  it("clears the broker's complaint about a symbol once the symbol is edited", async () => {
    const { fill, user } = setup({
      lookupAsset: vi.fn().mockRejectedValue(new ApiError(404, "not_found", "unknown asset")),
    });
    await fill("AAPLX", "10");
    const symbol = screen.getByLabelText("Symbol");
    expect(await screen.findByText(/The broker doesn't know AAPLX/)).toBeInTheDocument();
    expect(symbol).toHaveAttribute("aria-invalid", "true");
    await user.type(symbol, "{Backspace}");
    expect(screen.queryByText(/The broker doesn't know/)).not.toBeInTheDocument();
    expect(symbol).toHaveAttribute("aria-invalid", "false");
  });

  it("shows no placeholder that could pass for a value already typed", () => {
    setup();
    for (const label of ["Symbol", "Target percent", "Band (pp)", "Band (% of target)"]) {
      expect(screen.getByLabelText(label)).not.toHaveAttribute("placeholder");
    }
    expect(screen.getByText(/such as VTI or BRK.B/)).toBeInTheDocument();
  });
});
