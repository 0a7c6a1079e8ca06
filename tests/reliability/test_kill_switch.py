"""The kill switch flipped while a live run places its orders, on PostgreSQL and SQLite
against the simulator over HTTP: no order reaches the broker after the flip commits.

Each order takes a while to land (the simulator holds the request before taking it), and
the flip comes while one is on its way. The flip waits for that send to be answered
(docs/order-safety.md), so every order the broker took, it took before the flip was
committed; the orders after it are recorded ``blocked``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.services.helpers import PASSWORD, SEED_TARGETS
from trimtab.brokers.models import Order, OrderRequest
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.services import allocations, risk, users
from trimtab.services.context import AppContext
from trimtab.services.contract import CheckResult
from trimtab.services.rebalance import check_rebalance_drift

from .figures import record
from .sim_runs import SimAccount, duplicates_and_mismatches, orders_of

POST_ORDERS = "POST /v2/orders"
#: How long the simulator holds each order before taking it, in seconds.
LANDING = 0.4
#: Every wait is bounded by this, in seconds.
TIMEOUT = 60


class TakenAt:
    """Records when (monotonic seconds) the simulator's exchange took each order."""

    def __init__(self, server: BackgroundServer) -> None:
        self.exchange = server.simulator.exchange
        self.real_submit = self.exchange.submit
        self.times: dict[str, float] = {}

    def __enter__(self) -> TakenAt:
        def submit(account_id: str, request: OrderRequest, **options: object) -> Order:
            order = self.real_submit(account_id, request, **options)  # type: ignore[arg-type]
            self.times[request.client_order_id] = time.monotonic()
            return order

        self.exchange.submit = submit  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self.exchange.submit = self.real_submit  # type: ignore[method-assign]


@pytest.fixture
def slow_orders(sim_server: BackgroundServer) -> Iterator[None]:
    sim_server.simulator.inject(Fault(POST_ORDERS, delay=LANDING, times=None))
    yield
    sim_server.simulator.faults.clear()


@pytest.mark.parametrize("flip_during", [1, 2, 3])
def test_no_order_is_sent_after_the_kill_switch_flip_commits(
    live_ctx: AppContext, sim_server: BackgroundServer, slow_orders: None, flip_during: int
) -> None:
    user_id = users.create_user(live_ctx, "stop@example.com", PASSWORD).id
    allocations.replace_allocations(live_ctx, user_id, SEED_TARGETS)
    account = SimAccount(sim_server)
    account.use_for(live_ctx)
    sim = sim_server.simulator
    sim.reset_counts()
    results: list[CheckResult] = []

    with TakenAt(sim_server) as taken:
        run = threading.Thread(
            target=lambda: results.append(check_rebalance_drift(live_ctx, user_id))
        )
        run.start()
        # The flip comes while order number ``flip_during`` is on its way to the broker.
        deadline = time.monotonic() + TIMEOUT
        while sim.request_counts().get(POST_ORDERS, 0) < flip_during:
            assert run.is_alive() and time.monotonic() < deadline, "the run never got there"
            time.sleep(0.01)
        risk.set_user_risk(live_ctx, user_id, kill_switch=True, reason="stop now")
        committed = time.monotonic()
        run.join(timeout=TIMEOUT)
        assert not run.is_alive()

    late = [cid for cid, at in taken.times.items() if at > committed]
    record("orders_sent_after_kill_switch_flip", len(late))
    assert late == []
    assert len(taken.times) == flip_during
    [result] = results
    assert "Kill switch is on: stop now" in result.message
    rows = orders_of(live_ctx, [result.run_id])
    assert [r.status for r in rows][flip_during:] == ["blocked"] * (4 - flip_during)
    duplicates, problems = duplicates_and_mismatches(rows, account.orders())
    assert (duplicates, problems) == (0, [])
