"""One live run per broker account at a time, across connections (threads) on both databases."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from trimtab.brokers.exchange import Exchange
from trimtab.errors import Conflict
from trimtab.services import runs, users
from trimtab.services.broker_accounts import account_lock
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.store.locks import run_lock

from .helpers import BrokerSpy, all_in_spy, on_exchange


def test_two_concurrent_live_checks_give_exactly_one_run_with_orders(
    ctx: AppContext, seeded: int, exchange: Exchange
) -> None:
    all_in_spy(exchange, seeded)
    # Slow sends keep the first run in flight while the second one asks.
    on_exchange(ctx, exchange, lambda b: BrokerSpy(b, before_submit=lambda _n: time.sleep(0.1)))
    start = threading.Barrier(2)
    outcomes: list[dict[str, Any] | Exception] = []

    def check() -> None:
        start.wait()
        try:
            outcomes.append(to_json(check_rebalance_drift(ctx, seeded)))
        except Exception as err:
            outcomes.append(err)

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    results = [o for o in outcomes if isinstance(o, dict)]
    assert len(conflicts) == 1 and len(results) == 1, outcomes
    assert "a rebalance is already running" in str(conflicts[0])
    assert results[0]["status"] == "completed"
    assert len(exchange.account_state(str(seeded)).orders) == 4
    with_orders = [
        r
        for r in to_json(runs.list_runs(ctx, seeded))["runs"]
        if to_json(runs.get_run(ctx, seeded, r["id"]))["orders"]
    ]
    assert len(with_orders) == 1


def test_the_lock_is_free_again_after_a_run(ctx: AppContext, user_id: int) -> None:
    options = {"lease": ctx.run_options.lock_lease, "clock": ctx.clock}
    key = f"paper:{user_id}"
    with (
        run_lock(ctx.store.engine, ctx.store.session_factory, key, **options),
        pytest.raises(Conflict),
        run_lock(ctx.store.engine, ctx.store.session_factory, key, **options),
    ):
        pass
    with run_lock(ctx.store.engine, ctx.store.session_factory, key, **options):
        pass


def test_each_users_paper_account_has_its_own_lock(ctx: AppContext, user_id: int) -> None:
    other = users.create_user(ctx, "bob@example.com", "correct horse battery").id
    with account_lock(ctx, user_id), account_lock(ctx, other):
        pass
    with account_lock(ctx, user_id), pytest.raises(Conflict), account_lock(ctx, user_id):
        pass
