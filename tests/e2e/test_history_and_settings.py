"""History and Settings pages end to end."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from trimtab.services import policy, schedules, users
from trimtab.services.demo import seed_demo_user

from .conftest import Live, shot, sign_in


def test_history_lists_runs_and_opens_one(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("rebalance-button").click()
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-rebalance").click()
    expect(page.get_by_test_id("trades-table").get_by_test_id("trade-status-SPY")).to_contain_text(
        "Filled"
    )
    page.get_by_test_id("nav-history").click()
    table = page.get_by_test_id("runs-table")
    expect(table).to_contain_text("Completed")
    shot(page, "history")
    table.get_by_role("link").first.click()
    expect(page.get_by_test_id("run-details")).to_contain_text("Completed")
    expect(page.get_by_test_id("trades-table")).to_contain_text("SPY")
    shot(page, "history-run")


def test_settings_change_the_policy_and_show_a_new_token_once(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_test_id("broker-status")).to_contain_text("Paper broker: connected")
    page.get_by_test_id("settings-threshold").fill("3")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-threshold")).to_have_value("3")
    page.wait_for_timeout(300)
    assert policy.get_policy(live.ctx, seed.user.id).threshold_percent == 3

    page.get_by_test_id("token-name").fill("nightly cron")
    page.get_by_test_id("token-create").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    shot(page, "settings")
    # The token shown works as a Bearer token, and is kept only as a hash.
    me = httpx.get(f"{live.base_url}/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["user"]["email"] == seed.user.email
    assert [t.name for t in users.list_tokens(live.ctx, seed.user.id)] == ["nightly cron"]
    page.reload()
    expect(page.get_by_test_id("tokens-table")).to_contain_text("nightly cron")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)


def test_settings_set_a_weekly_schedule_and_show_its_next_run(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("nav-settings").click()
    # The demo user's daily check, set when the demo was seeded.
    expect(page.get_by_test_id("schedule-frequency")).to_have_value("daily")
    expect(page.get_by_test_id("schedule-next-run")).to_contain_text("Next run:")
    page.get_by_test_id("schedule-frequency").select_option("weekly")
    page.get_by_label("Day", exact=True).select_option("wednesday")
    page.get_by_test_id("schedule-time").fill("15:30")
    page.get_by_test_id("schedule-mode").select_option("rebalance")
    page.get_by_test_id("schedule-save").click()
    expect(page.get_by_test_id("schedule-next-run")).to_contain_text(re.compile(r"Wed, .* 3:30 PM"))
    shot(page, "settings-schedule")
    view = schedules.get_schedule(live.ctx, seed.user.id)
    assert (str(view.schedule.frequency), view.schedule.weekday, str(view.schedule.mode)) == (
        "weekly",
        2,
        "rebalance",
    )


def test_signing_in_with_next_moves_the_address_bar_there(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    page.goto(f"{live.base_url}/signin?next=%2Fhistory")
    page.get_by_test_id("signin-email").fill(seed.user.email)
    page.get_by_test_id("signin-password").fill(seed.password)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/history$"))
    page.reload()
    expect(page).to_have_url(re.compile(r"/history$"))
