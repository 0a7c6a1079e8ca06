import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { settings } from "@/test/fixtures";
import { renderWithProviders, stubFetch } from "@/test/render";
import { PolicyOptionsCard } from "./PolicyOptionsCard";

const SAVED = { ...settings, threshold_percent: 4, min_trade: 20, cash_buffer_percent: 0.5, untargeted: "sell", max_price_age_hours: 48, trade_to: "band_edge" };

describe("PolicyOptionsCard", () => {
  it("shows the saved options and saves the edited ones with the core rules kept", async () => {
    const calls = stubFetch({
      "GET /api/settings": SAVED,
      "PUT /api/settings": (body: unknown) => ({ status: 200, body }),
    });
    renderWithProviders(<PolicyOptionsCard />);
    await waitFor(() => expect(screen.getByLabelText("Trade to")).toHaveValue("band_edge"));
    await userEvent.type(screen.getByLabelText("Relative band (% of target)"), "25");
    await userEvent.selectOptions(screen.getByLabelText("Scope"), "whole_book");
    await userEvent.selectOptions(screen.getByLabelText("Whole shares"), "optimal");
    await userEvent.selectOptions(screen.getByLabelText("Cash mode"), "withdrawal");
    await userEvent.clear(screen.getByLabelText("Withdrawal (USD)"));
    await userEvent.type(screen.getByLabelText("Withdrawal (USD)"), "1500");
    await userEvent.click(screen.getByLabelText("Invest idle cash"));
    await userEvent.click(screen.getByLabelText("Tax-aware selling"));
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
        ...SAVED,
        relative_band_percent: 25,
        scope: "whole_book",
        whole_shares: "optimal",
        cash_mode: "withdrawal",
        withdrawal_amount: 1500,
        invest_cash: true,
        tax_aware: true,
      }),
    );
  });

  it("stays closed until the saved options fill it, so neither typing nor Save meets the defaults", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    stubFetch({});
    globalThis.fetch = (async () => {
      await held;
      return new Response(JSON.stringify(SAVED), { status: 200 });
    }) as typeof fetch;
    renderWithProviders(<PolicyOptionsCard />);
    const tradeTo = screen.getByLabelText("Trade to");
    expect(tradeTo).toBeDisabled();
    expect(screen.getByRole("button", { name: "Save options" })).toBeDisabled();
    release();
    await waitFor(() => expect(tradeTo).toBeEnabled());
    expect(tradeTo).toHaveValue("band_edge");
    expect(screen.getByRole("button", { name: "Save options" })).toBeEnabled();
  });

  it("refuses part days and a relative band over 100 % without saving", async () => {
    const calls = stubFetch({ "GET /api/settings": SAVED });
    renderWithProviders(<PolicyOptionsCard />);
    const days = screen.getByLabelText("Wash-sale window (days)");
    await waitFor(() => expect(days).toBeEnabled());
    await userEvent.clear(days);
    await userEvent.type(days, "3.5");
    await userEvent.type(screen.getByLabelText("Relative band (% of target)"), "150");
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    expect(await screen.findByText("Use whole days, 0 to 3650.")).toBeInTheDocument();
    expect(screen.getByText("Use 0 to 100% of the target.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("refuses a percent cash reserve over 100 but takes it in dollars", async () => {
    const calls = stubFetch({
      "GET /api/settings": SAVED,
      "PUT /api/settings": (body: unknown) => ({ status: 200, body }),
    });
    renderWithProviders(<PolicyOptionsCard />);
    const reserve = screen.getByLabelText("Cash reserve");
    await waitFor(() => expect(reserve).toBeEnabled());
    await userEvent.clear(reserve);
    await userEvent.type(reserve, "150");
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    expect(await screen.findByText("A percent reserve is at most 100.")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    await userEvent.selectOptions(screen.getByLabelText("Reserve unit"), "usd");
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({ cash_reserve: 150, cash_reserve_unit: "usd" }));
  });
});
