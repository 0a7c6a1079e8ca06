"""At 390 px wide (a phone) every control and status a user needs is on screen,
not behind a sideways scroll; screenshots at 1440 and 390 px for a person to look at."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, expect

from trimtab.services import users
from trimtab.services.demo import seed_demo_user

from .conftest import Live, shot, sign_in

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}

# True when the element's box lies inside the window and inside every ancestor that
# clips it sideways (a table's scroll frame, a card): visible without scrolling sideways.
ON_SCREEN = """el => {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.left < 0 || box.right > window.innerWidth + 0.5) return false;
  for (let up = el.parentElement; up; up = up.parentElement) {
    const clips = getComputedStyle(up).overflowX;
    if (clips === "visible") continue;
    const frame = up.getBoundingClientRect();
    if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) return false;
  }
  return true;
}"""


def assert_on_screen(*locators: Locator) -> None:
    for locator in locators:
        expect(locator).to_be_visible()
        assert locator.evaluate(ON_SCREEN), f"{locator} is off-screen at this width"


def rebalance(page: Page) -> None:
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("drift-row-SPY")).to_be_visible()
    page.get_by_test_id("rebalance-button").click()
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-rebalance").click()
    expect(page.get_by_test_id("trade-status-SPY")).to_contain_text("Filled")


def test_a_phone_shows_every_tab_action_side_status_and_revoke_button(
    browser: Browser, live: Live
) -> None:
    seed = seed_demo_user(live.ctx)
    users.create_token(live.ctx, seed.user.id, "nightly cron")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live.base_url, seed.user.email, seed.password)
    assert_on_screen(
        *(
            page.get_by_test_id(f"nav-{n}")
            for n in ("allocation", "history", "backtest", "settings")
        )
    )
    page.get_by_test_id("preview-button").click()
    drift = page.get_by_test_id("drift-row-SPY")
    assert_on_screen(drift.get_by_text("Sell"), drift.get_by_text("+9.81 pp"))
    assert_on_screen(page.get_by_test_id("drift-row-GLD").get_by_text("In band", exact=True))
    shot(page, "phone-390-preview")
    rebalance(page)
    assert_on_screen(
        page.get_by_test_id("trade-row-SPY").get_by_text("Sell"),
        page.get_by_test_id("trade-status-SPY"),
        page.get_by_test_id("trade-status-TLT"),
    )
    shot(page, "phone-390-rebalanced")
    page.get_by_test_id("nav-history").click()
    first = page.get_by_test_id("runs-table").locator("tbody tr").first
    assert_on_screen(first.get_by_text("Completed"))
    shot(page, "phone-390-history")
    page.get_by_test_id("nav-settings").click()
    assert_on_screen(page.get_by_role("button", name="Revoke token nightly cron"))
    shot(page, "phone-390-settings")
    context.close()


def test_a_wide_screen_shows_fills_order_ids_and_times(browser: Browser, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, live.base_url, seed.user.email, seed.password)
    rebalance(page)
    row = page.get_by_test_id("trade-row-SPY")
    assert_on_screen(
        page.get_by_test_id("trade-price-SPY"),
        page.get_by_test_id("trade-amount-SPY"),
        row.locator("td.font-mono"),
    )
    # The paper broker fills at the demo's price: 29.531797 SPY × $313.880005.
    expect(page.get_by_test_id("trade-price-SPY")).to_have_text("$313.88")
    expect(page.get_by_test_id("trade-amount-SPY")).to_have_text("$9,269.44")
    shot(page, "wide-1440-rebalanced")
    context.close()
