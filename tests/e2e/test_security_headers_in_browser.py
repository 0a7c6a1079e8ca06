"""In Chromium: the built page renders under its Content-Security-Policy with no
violation, and "Sign out everywhere" on Settings ends a second browser's session."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from trimtab.services.demo import seed_demo_user

from .conftest import DESKTOP, Live, shot, sign_in


def test_every_page_renders_with_no_csp_violation(page: Page, live: Live) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda err: problems.append(str(err)))
    seed = seed_demo_user(live.ctx)
    response = page.goto(f"{live.base_url}/signin")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("drift-table")).to_contain_text("SPY")
    shot(page, "csp-allocation")
    # A live run: its dialog, its orders and statuses, and the run's own page.
    page.get_by_test_id("rebalance-button").click()
    # The dialog's scroll lock still applies its CSS (adopted, not an inline <style>).
    expect(page.locator("body")).to_have_css("overflow", "hidden")
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-rebalance").click()
    expect(page.get_by_test_id("trades-table").get_by_test_id("trade-status-SPY")).to_contain_text(
        "Filled"
    )
    page.get_by_test_id("nav-history").click()
    page.get_by_test_id("runs-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("run-details")).to_contain_text("Completed")
    page.wait_for_load_state("networkidle")
    for nav in ("nav-allocation", "nav-backtest", "nav-history", "nav-settings"):
        page.get_by_test_id(nav).click()
        page.wait_for_load_state("networkidle")
    shot(page, "csp-settings")
    assert problems == []


def test_sign_out_everywhere_ends_the_other_browser(
    browser: Browser,
    page: Page,
    live: Live,
) -> None:
    seed = seed_demo_user(live.ctx)
    other = browser.new_context(viewport=DESKTOP)
    elsewhere = other.new_page()
    elsewhere.set_default_timeout(10_000)
    sign_in(elsewhere, live.base_url, seed.user.email, seed.password)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("nav-settings").click()
    shot(page, "settings-sessions")
    page.get_by_test_id("sign-out-everywhere").click()
    expect(page).to_have_url(f"{live.base_url}/signin")
    elsewhere.reload()
    expect(elsewhere).to_have_url(re.compile(r"/signin\?next="))
    shot(elsewhere, "signed-out-elsewhere")
    other.close()
