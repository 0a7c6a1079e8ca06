"""Failing slowly, bounded: a rate limit on every send, with alpaca-py's own retry pauses
(3 s, three times) and the run's default budget (``RunOptions.give_up_after``), holds a
live check for one order's retries, not four, and names the orders it did not send."""

from __future__ import annotations

import time

from tests.services.helpers import SEED_TARGETS
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.services import allocations
from trimtab.services.context import AppContext

from .conftest import Client
from .figures import record
from .sim_runs import SECRET, SimAccount

POST_ORDERS = "POST /v2/orders"


def test_a_rate_limit_on_every_send_holds_a_live_check_for_one_order_only(
    ctx: AppContext, alice: Client, sim_server: BackgroundServer
) -> None:
    allocations.replace_allocations(ctx, alice.user.id, SEED_TARGETS)
    account = SimAccount(sim_server)
    # The production client: its timeout and alpaca-py's 3 s pause between 429 retries.
    broker = AlpacaBroker(
        account.key_id,
        SECRET,
        base_url=sim_server.base_url,
        data_url=sim_server.base_url,
        asset_cache=AssetCache(),
    )
    ctx.broker_for = lambda _user: broker  # type: ignore[assignment,return-value]
    sim = sim_server.simulator
    sim.inject(Fault(POST_ORDERS, status=429, times=None))
    sim.reset_counts()
    try:
        started = time.monotonic()
        response = alice.http.post(
            "/callable/check_rebalance_drift", json={"data": {"dry_run": False}}
        )
        held = time.monotonic() - started
    finally:
        sim.faults.clear()
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    record("seconds_held_by_429_on_every_send", round(held, 1))
    assert result["status"] == "failed", result["message"]
    # The sell's post and alpaca-py's three retries; the three buys were never sent.
    assert sim.request_counts()[POST_ORDERS] == 4
    assert "sell SPY: rate limit exceeded" in result["message"]
    assert ": not sent: trimtab gave up placing after " in result["message"]
    assert account.orders() == []
