"""The allocation page suggests investing idle cash, and one click does it (Chromium)."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from trimtab.services import policy
from trimtab.services.demo import seed_demo_user

from .conftest import Live, shot, sign_in


def test_one_click_invests_idle_cash_and_previews_the_buys(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    suggestion = page.get_by_test_id("idle-cash")
    expect(suggestion).to_contain_text("sits in cash above the buffer")
    shot(page, "allocation-idle-cash")
    suggestion.get_by_test_id("invest-idle-cash").click()

    result = page.get_by_test_id("preview-result")
    expect(result).to_be_visible()
    deadline = time.monotonic() + 30
    while not policy.get_policy(live.ctx, seed.user.id).invest_cash:
        assert time.monotonic() < deadline, "invest_cash was not saved"
        time.sleep(0.1)
    expect(suggestion).to_have_count(0)
    # Symbols inside their bands now buy with the idle cash, and say why.
    expect(page.get_by_test_id("drift-table")).to_contain_text("idle cash invested")
    shot(page, "allocation-idle-cash-invested")
    # A row traded with idle cash shows Buy, and the panel does not say Within band.
    expect(page.get_by_test_id("drift-status")).not_to_have_text("Within band")
    reasons = page.get_by_test_id("drift-table").locator("[data-testid^='drift-reason-']")
    invested = reasons.filter(has_text="idle cash")
    expect(invested).not_to_have_count(0)
    for i in range(invested.count()):
        symbol = (invested.nth(i).get_attribute("data-testid") or "").removeprefix("drift-reason-")
        expect(page.get_by_test_id(f"drift-row-{symbol}")).to_have_attribute("data-action", "buy")
