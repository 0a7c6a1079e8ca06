"""The Settings page's Notifications card, in Chromium, against a real webhook receiver."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from trimtab.services import notifications
from trimtab.services.demo import seed_demo_user
from trimtab.services.notify_webhook import verify_signature

from ..services.notify_receivers import webhook_receiver
from .conftest import Live, shot, sign_in


def test_set_a_webhook_see_its_secret_once_and_send_a_test(page: Page, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    sign_in(page, live.base_url, seed.user.email, seed.password)
    page.get_by_test_id("nav-settings").click()
    card = page.locator("[aria-labelledby='notifications-title']")
    with webhook_receiver([200]) as (url, hook):
        card.get_by_label("Webhook URL").fill(url)
        card.get_by_label("Drift passed a band (scheduled dry runs)").uncheck()
        card.get_by_role("button", name="Save notifications").click()
        secret_box = page.get_by_test_id("webhook-secret")
        expect(secret_box).to_contain_text("whsec_")
        secret = secret_box.inner_text().strip()
        card.get_by_role("button", name="Send a test").click()
        table = page.get_by_test_id("deliveries-table")
        expect(table).to_contain_text("delivered")
        expect(table).to_contain_text("HTTP 200")
        shot(page, "settings-notifications")

    ((headers, body),) = hook.received
    assert verify_signature(secret, headers["Trimtab-Signature"], body, now=int(time.time()))
    prefs = notifications.get_preferences(live.ctx, seed.user.id)
    assert prefs.webhook_url == url
    assert "drift_past_band" not in prefs.events
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
