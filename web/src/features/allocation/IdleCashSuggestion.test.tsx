import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Portfolio, UserSettings } from "@/api/models";
import { settings } from "@/test/fixtures";
import { renderWithProviders, stubFetch } from "@/test/render";
import { IdleCashSuggestion, idleCash } from "./IdleCashSuggestion";

const SETTINGS = settings;

const portfolio = (cash: number) => ({ cash, portfolio_value: 100_000 }) as Portfolio;

describe("IdleCashSuggestion", () => {
  it("keeps back the buffer or a larger cash floor", () => {
    // $3,000 cash of $100,000: the 0.25 % buffer keeps $250, a 2 % floor $2,000, a $2,900 one $2,900.
    expect(idleCash(portfolio(3000), SETTINGS)).toBe(2750);
    expect(idleCash(portfolio(3000), { ...SETTINGS, cash_reserve: 2 })).toBe(1000);
    expect(idleCash(portfolio(3000), { ...SETTINGS, cash_reserve: 2900, cash_reserve_unit: "usd" })).toBe(100);
  });

  it("suggests investing idle cash and turns the setting on in one click", async () => {
    const calls = stubFetch({ "PUT /api/settings": (body: unknown) => ({ status: 200, body }) });
    const onInvest = vi.fn();
    renderWithProviders(<IdleCashSuggestion portfolio={portfolio(3000)} settings={SETTINGS} onInvest={onInvest} />);
    expect(screen.getByTestId("idle-cash")).toHaveTextContent("$2,750.00 sits in cash above the buffer");
    await userEvent.click(screen.getByRole("button", { name: "Invest idle cash" }));
    await waitFor(() => expect(onInvest).toHaveBeenCalledOnce());
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ ...SETTINGS, invest_cash: true });
  });

  it("says nothing when the setting is on, cash is under the minimum trade, or cash flow is chosen", () => {
    const none = (p: Portfolio, s: UserSettings) =>
      renderWithProviders(<IdleCashSuggestion portfolio={p} settings={s} onInvest={() => {}} />);
    none(portfolio(3000), { ...SETTINGS, invest_cash: true });
    none(portfolio(259.99), SETTINGS); // $9.99 idle: under the $10 minimum trade
    none(portfolio(3000), { ...SETTINGS, cash_mode: "cash_flow" });
    expect(screen.queryByTestId("idle-cash")).toBeNull();
    none(portfolio(260), SETTINGS);
    expect(screen.getByTestId("idle-cash")).toHaveTextContent("$10.00");
  });
});
