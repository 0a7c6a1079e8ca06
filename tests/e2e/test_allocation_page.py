"""The /allocation page end to end: sign in, set targets, preview, rebalance, live updates, risk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

from trimtab.services import users
from trimtab.services.demo import seed_demo_user

from .conftest import DESKTOP, PHONE, Live, shot, sign_in

PASSWORD = "correct horse battery"
SEED = [("SPY", "40"), ("QQQ", "30"), ("TLT", "20"), ("GLD", "10")]
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


def api_client(live: Live, email: str) -> httpx.Client:
    """A script's view of the same account: signed in over the API with a token."""
    user = users.get_user_by_email(live.ctx, email)
    token, _ = users.create_token(live.ctx, user.id, "e2e script")
    return httpx.Client(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"})


def add_allocation(page: Page, symbol: str, percent: str) -> None:
    page.get_by_test_id("add-allocation").click()
    page.get_by_test_id("allocation-symbol-input").fill(symbol)
    page.get_by_test_id("allocation-percent-input").fill(percent)
    page.get_by_test_id("allocation-save").click()
    expect(page.get_by_test_id(f"allocation-row-{symbol}")).to_be_visible()


def test_new_user_sets_targets_previews_and_rebalances(page: Page, live: Live) -> None:
    users.create_user(live.ctx, "new@example.com", PASSWORD)
    sign_in(page, live.base_url, "new@example.com", PASSWORD)
    for symbol, percent in SEED[:3]:
        add_allocation(page, symbol, percent)
    expect(page.get_by_test_id("sum-status")).to_contain_text("10")  # 10 pp missing
    shot(page, "allocation-sum-90")
    add_allocation(page, *SEED[3])
    expect(page.get_by_test_id("sum-status")).to_contain_text("100")
    shot(page, "allocation-sum-100")

    page.get_by_test_id("preview-button").click()
    planned = page.get_by_test_id("preview-result")
    for symbol, _ in SEED:
        expect(planned.get_by_test_id(f"planned-row-{symbol}")).to_be_visible()
    shot(page, "allocation-preview")

    page.get_by_test_id("rebalance-button").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog.get_by_test_id("confirm-rebalance")).to_have_text("Place 4 orders")
    shot(page, "allocation-confirm")
    dialog.get_by_test_id("confirm-rebalance").click()
    # The run goes on after the 202: its orders and then its summary arrive over SSE.
    expect(page.get_by_test_id("run-summary")).to_have_text(
        "Rebalancing executed: 4 orders filled."
    )
    trades = page.get_by_test_id("trades-table")
    for symbol, _ in SEED:
        expect(trades.get_by_test_id(f"trade-status-{symbol}")).to_contain_text(
            re.compile("filled", re.I)
        )
    # The actual pie now has a slice per bought symbol.
    actual = page.get_by_test_id("pie-actual")
    for symbol, _ in SEED:
        expect(actual.get_by_test_id(f"pie-actual-legend-{symbol}")).to_be_visible()
    shot(page, "allocation-after-rebalance")


def test_a_change_made_through_the_api_appears_without_reload(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    expect(page.get_by_test_id("allocation-row-GLD")).to_contain_text("10")
    with api_client(live, seed.user.email) as script:
        response = script.put("/api/allocations/GLD", json={"target_percent": 15})
        assert response.status_code == 200
    expect(page.get_by_test_id("allocation-row-GLD")).to_contain_text("15")
    expect(page.get_by_test_id("sum-status")).to_contain_text("105")
    shot(page, "allocation-live-update")


def test_kill_switch_blocks_a_run_and_says_why(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    users.create_user(live.ctx, "ops@example.com", PASSWORD, is_admin=True)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    expect(page.get_by_test_id("rebalance-button")).to_be_enabled()
    with api_client(live, "ops@example.com") as ops:
        assert ops.put("/api/risk", json={"kill_switch": True, "reason": "halt"}).status_code == 200
    # No reload: the change arrives over the event stream.
    banner = page.get_by_test_id("risk-banner")
    expect(banner).to_contain_text("Kill switch")
    expect(page.get_by_test_id("rebalance-button")).to_be_disabled()
    shot(page, "allocation-kill-switch")
    with api_client(live, seed.user.email) as script:
        settings = {"threshold_percent": 7.5, "min_trade": 10}
        assert script.put("/api/settings", json=settings).status_code == 200
    expect(page.get_by_text("band ±7.50 pp")).to_be_visible()


def test_page_at_desktop_and_phone_sizes_passes_axe(browser: Browser, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    for name, viewport in (("desktop-1280x800", DESKTOP), ("phone-390x844", PHONE)):
        # axe is injected as a script of the test's own, which the page's CSP rightly
        # refuses; test_security_headers_in_browser.py tests the CSP with no bypass.
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        sign_in(page, live.base_url, seed.user.email, seed.password)
        page.get_by_test_id("preview-button").click()
        expect(page.get_by_test_id("preview-result")).to_be_visible()
        expect(page.get_by_test_id("drift-row-SPY")).to_be_visible()
        shot(page, f"allocation-{name}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        assert result == [], json.dumps(result, indent=1)
        # Keyboard: the main actions are reachable with Tab.
        reached = set()
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.add(page.evaluate("document.activeElement?.dataset?.testid || ''"))
        assert {"preview-button", "add-allocation"} <= reached
        context.close()
