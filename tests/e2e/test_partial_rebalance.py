"""A partial rebalance chosen in the page: untick a symbol and only the others trade (Chromium)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from trimtab.services.demo import seed_demo_user

from .conftest import Live, shot, sign_in


def test_unticking_a_symbol_leaves_it_out_of_the_plan_and_the_orders(
    page: Page, live: Live
) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("rebalance-button").click()
    dialog = page.get_by_test_id("confirm-dialog")
    orders = dialog.get_by_test_id("confirm-orders")
    # The demo book: SPY is past its band (sell), TLT under it (buy).
    expect(orders).to_contain_text("SPY")
    expect(orders).to_contain_text("TLT")
    dialog.get_by_test_id("pick-TLT").uncheck()
    expect(dialog.get_by_test_id("confirm-rebalance")).to_have_text("Place 1 order")
    expect(orders).not_to_contain_text("TLT")
    expect(dialog).to_contain_text("not among the symbols selected")
    shot(page, "partial-rebalance")
    dialog.get_by_test_id("confirm-rebalance").click()

    trades = page.get_by_test_id("trades-table")
    expect(trades.get_by_test_id("trade-status-SPY")).to_contain_text("Filled")
    expect(trades).not_to_contain_text("TLT")

    # The drift after the run plans for the same symbols: TLT was left out, not traded.
    expect(page.get_by_text("After the rebalance of")).to_be_visible()
    reason = page.get_by_test_id("drift-reason-TLT")
    expect(reason).to_contain_text("Not traded: ")
    expect(reason).to_contain_text("not among the symbols selected")
    shot(page, "partial-rebalance-after")
