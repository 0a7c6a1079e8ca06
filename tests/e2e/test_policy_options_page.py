"""The Settings page's policy options, end to end: shown, edited, saved and shown again."""

from __future__ import annotations

import time
from decimal import Decimal

from playwright.sync_api import Page, expect

from trimtab.domain.policy import Policy, Scope, WholeShares
from trimtab.services import policy
from trimtab.services.demo import seed_demo_user

from .conftest import ARTIFACTS, Live, sign_in


def _saved(live: Live, user_id: int, done: object) -> Policy:
    """The stored policy once ``done(policy)`` holds (the save is a request away)."""
    deadline = time.monotonic() + 30
    while True:
        current = policy.get_policy(live.ctx, user_id)
        if done(current) or time.monotonic() > deadline:  # type: ignore[operator]
            return current
        time.sleep(0.1)


def test_settings_edit_the_policy_options_and_keep_the_core_rules(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("nav-settings").click()
    card = page.get_by_test_id("policy-options")
    expect(card.get_by_test_id("option-whole_shares")).to_have_value("round_down")
    card.get_by_test_id("option-relative_band_percent").fill("25")
    card.get_by_test_id("option-scope").select_option("whole_book")
    card.get_by_test_id("option-whole_shares").select_option("optimal")
    card.get_by_test_id("option-invest_cash").check()
    card.get_by_test_id("option-wash_sale_days").fill("31")
    card.get_by_test_id("options-save").click()

    saved = _saved(live, seed.user.id, lambda p: p.whole_shares is WholeShares.OPTIMAL)
    assert saved.whole_shares is WholeShares.OPTIMAL
    assert saved.scope is Scope.WHOLE_BOOK
    assert saved.relative_band_percent == Decimal(25)
    assert saved.invest_cash is True
    assert saved.wash_sale_days == 31
    assert saved.threshold_percent == Policy().threshold_percent  # the core rules are kept
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "settings-policy-options.png"))

    page.reload()
    card = page.get_by_test_id("policy-options")
    expect(card.get_by_test_id("option-whole_shares")).to_have_value("optimal")
    expect(card.get_by_test_id("option-scope")).to_have_value("whole_book")
    expect(card.get_by_test_id("option-relative_band_percent")).to_have_value("25")
    expect(card.get_by_test_id("option-invest_cash")).to_be_checked()
