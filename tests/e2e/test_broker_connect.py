"""Connecting a simulator account from the Settings page, in Chromium, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from trimtab.api.app import create_app
from trimtab.bootstrap import build_context
from trimtab.brokers.sim.schemas import stable_id
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.config import Settings
from trimtab.services import broker_accounts, users
from trimtab.store.db import upgrade

from ..live_server import serving
from .conftest import Live, shot, sign_in

KEY_ID = "PKE2ETEST0000001"
SECRET = "e2e-alpaca-secret-value"
PASSWORD = "correct horse battery"


@pytest.fixture
def live_on_sim(tmp_path: Path, alpaca_sim: BackgroundServer) -> Iterator[Live]:
    """The app with ALPACA_BASE_URL/ALPACA_DATA_URL at the simulator, one account there."""
    alpaca_sim.simulator.open_account(
        KEY_ID, SECRET, cash=Decimal("2500"), holdings={"SPY": Decimal(10)}
    )
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    upgrade(url)
    settings = Settings(
        TRIMTAB_DATABASE_URL=url,
        TRIMTAB_SECRET_KEY="e2e-secret",
        ALPACA_BASE_URL=alpaca_sim.base_url,
        ALPACA_DATA_URL=alpaca_sim.base_url,
    )
    ctx = build_context(settings)
    with serving(create_app(ctx)) as base_url:
        yield Live(base_url, ctx)
    ctx.store.engine.dispose()


def test_connect_a_simulator_account_from_settings(page: Page, live_on_sim: Live) -> None:
    user = users.create_user(live_on_sim.ctx, "ada@example.com", PASSWORD)
    sign_in(page, live_on_sim.base_url, user.email, PASSWORD)
    page.get_by_test_id("nav-settings").click()
    card = page.get_by_role("region", name="Broker connection").or_(
        page.locator("[aria-labelledby=broker-title]")
    )
    expect(page.get_by_test_id("broker-status")).to_contain_text("Paper broker: connected")

    # Malformed keys are named before anything is sent; refused keys come back from Alpaca.
    page.get_by_label("Key ID").fill("PK12")
    page.get_by_label("Secret").fill(SECRET)
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Key ID: 8 to 64 letters and digits")).to_be_visible()
    page.get_by_label("Key ID").fill(KEY_ID)
    page.get_by_label("Secret").fill("wrong-secret-value")
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(card.get_by_role("alert")).to_contain_text("Alpaca refused these keys (paper)")

    # Live needs the box ticked.
    page.get_by_label("Live (real money)").check()
    page.get_by_label("Secret").fill(SECRET)
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Tick the box to connect a live account.")).to_be_visible()
    page.get_by_label("Paper", exact=True).check()

    card.get_by_role("button", name="Connect", exact=True).click()
    account = page.get_by_test_id("broker-account")
    account_id = stable_id("account", KEY_ID)
    expect(account).to_contain_text(account_id)
    expect(account).to_contain_text("ACTIVE")
    for flag in ("Trading blocked", "Account blocked", "Pattern day trader", "Shorting enabled"):
        expect(account.get_by_text(flag)).to_be_visible()
    status = page.get_by_test_id("broker-status")
    expect(status).to_contain_text("Your Alpaca account (paper): connected")
    expect(status).to_contain_text("Key ID PK…0001, secret stored")
    # 10 SPY at the demo close of $313.880005, and $2,500 cash.
    expect(status).to_contain_text("Portfolio $5,638.80")
    expect(page.get_by_label("Secret")).to_have_value("")
    assert broker_accounts.broker_connection(live_on_sim.ctx, user.id).account_id == account_id

    # Test connection reads the account again.
    page.reload()
    expect(page.get_by_test_id("broker-account")).to_have_count(0)
    card.get_by_role("button", name="Test connection").click()
    expect(page.get_by_test_id("broker-account")).to_contain_text(account_id)

    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "settings-broker-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "settings-broker-390")

    card.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_test_id("broker-status")).to_contain_text("Paper broker: connected")
    assert broker_accounts.broker_connection(live_on_sim.ctx, user.id).source == "paper"
