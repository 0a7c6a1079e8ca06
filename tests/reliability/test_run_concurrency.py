"""Concurrency on PostgreSQL against the simulator over HTTP: 50 concurrent live checks
through two ``trimtab serve`` processes make exactly one run, and allocation edits racing
runs never feed one a half-written target set."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from bench.api_load import serve_process

from tests.services.helpers import PASSWORD, SEED_TARGETS
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.domain.targets import Target
from trimtab.services import allocations, users
from trimtab.services.broker_accounts import set_broker_account
from trimtab.services.context import AppContext
from trimtab.services.rebalance import check_rebalance_drift

from .figures import record
from .sim_runs import SECRET, SimAccount, duplicates_and_mismatches, orders_of, runs_since

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TRIMTAB = Path(sys.executable).parent / "trimtab"
CHECKS = 50
#: Every wait on a server process or a run is bounded by this, in seconds.
PROCESS_TIMEOUT = 120


def serving(ctx: AppContext, sim: BackgroundServer, log: Path) -> AbstractContextManager[str]:
    """``trimtab serve`` on the test's database, its Alpaca URLs on the simulator."""
    env = {
        "TRIMTAB_DATABASE_URL": ctx.settings.database_url,
        "TRIMTAB_SECRET_KEY": "test-secret",
        "ALPACA_BASE_URL": sim.base_url,
        "ALPACA_DATA_URL": sim.base_url,
        "TRIMTAB_SWEEP_SECONDS": "3600",
        "TRIMTAB_LOG_LEVEL": "warning",
    }
    return serve_process(env, startup_seconds=PROCESS_TIMEOUT, log=log)


def wait_until_settled(ctx: AppContext, user_id: int) -> None:
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while any(r.status in ("running", "awaiting_fills") for r in runs_since(ctx, user_id, 0)):
        assert time.monotonic() < deadline, "the run never finished"
        time.sleep(0.2)


# Two server processes start on a loaded machine: more than the suite's 120 s per test.
@pytest.mark.timeout(360)
def test_50_concurrent_live_checks_through_two_servers_make_one_run(
    pg_ctx: AppContext, sim_server: BackgroundServer, tmp_path: Path
) -> None:
    user_id = users.create_user(pg_ctx, "busy@example.com", PASSWORD).id
    allocations.replace_allocations(pg_ctx, user_id, SEED_TARGETS)
    account = SimAccount(sim_server)
    set_broker_account(pg_ctx, user_id, "alpaca", key_id=account.key_id, secret=SECRET)
    token, _ = users.create_token(pg_ctx, user_id, "concurrency")
    # Each order takes 0.3 s to land, so the run is still going while the checks arrive.
    sim_server.simulator.inject(Fault("POST /v2/orders", delay=0.3, times=None))
    try:
        with ExitStack() as stack:
            bases = [
                stack.enter_context(serving(pg_ctx, sim_server, tmp_path / f"serve-{n}.log"))
                for n in range(2)
            ]
            clients = [
                stack.enter_context(
                    httpx.Client(
                        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
                    )
                )
                for base in bases
            ]
            start = threading.Barrier(CHECKS)

            def live_check(n: int) -> tuple[int, dict[str, object]]:
                start.wait(timeout=PROCESS_TIMEOUT)
                response = clients[n % 2].post("/api/rebalance/check", json={"dry_run": False})
                return response.status_code, response.json()

            with ThreadPoolExecutor(CHECKS) as pool:
                answers = list(pool.map(live_check, range(CHECKS)))
            wait_until_settled(pg_ctx, user_id)
    finally:
        sim_server.simulator.faults.clear()

    codes = Counter(code for code, _ in answers)
    server_errors = sum(n for code, n in codes.items() if code >= 500)
    record("server_errors", server_errors)
    assert set(codes) <= {202, 409}, answers
    trading = [r for r in runs_since(pg_ctx, user_id, 0) if r.status != "nothing_to_do"]
    record("runs_from_50_concurrent_live_checks", len(trading))
    assert [r.status for r in trading] == ["completed"], [r.message for r in trading]
    rows = orders_of(pg_ctx, [trading[0].id])
    assert len(rows) == 4
    duplicates, problems = duplicates_and_mismatches(rows, account.orders())
    record("duplicate_orders", duplicates)
    assert (duplicates, problems) == (0, [])
    # Every answer names that run, a run that found nothing to do, or the lock's 409.
    assert {a["run_id"] for c, a in answers if c == 202} >= {trading[0].id}


SET_A = [
    Target("SPY", Decimal(40)),
    Target("QQQ", Decimal(30)),
    Target("TLT", Decimal(20)),
    Target("GLD", Decimal(10)),
]
SET_B = [Target("SPY", Decimal(50)), Target("TLT", Decimal(50))]


def as_recorded(targets: list[Target]) -> frozenset[tuple[str, Decimal]]:
    return frozenset((t.symbol, t.target_percent) for t in targets)


def test_allocation_edits_racing_runs_never_feed_one_a_half_written_target_set(
    pg_ctx: AppContext, sim_server: BackgroundServer
) -> None:
    user_id = users.create_user(pg_ctx, "editor@example.com", PASSWORD).id
    allocations.replace_allocations(pg_ctx, user_id, SET_A)
    SimAccount(sim_server).use_for(pg_ctx)
    whole = [as_recorded(SET_A), as_recorded(SET_B)]
    stop = threading.Event()
    edits = 0

    def edit() -> None:
        nonlocal edits
        while not stop.is_set():
            allocations.replace_allocations(pg_ctx, user_id, SET_B if edits % 2 else SET_A)
            edits += 1

    editors = [threading.Thread(target=edit) for _ in range(2)]
    for editor in editors:
        editor.start()
    try:
        live = [check_rebalance_drift(pg_ctx, user_id).run_id for _ in range(3)]
        dry = [check_rebalance_drift(pg_ctx, user_id, dry_run=True).run_id for _ in range(30)]
    finally:
        stop.set()
        for editor in editors:
            editor.join(timeout=PROCESS_TIMEOUT)
    assert edits > 10
    runs = {r.id: r for r in runs_since(pg_ctx, user_id, 0)}
    half_written = 0
    for run_id in (*live, *dry):
        inputs = runs[run_id].inputs["targets"]
        fed = frozenset((t["symbol"], Decimal(t["target_percent"])) for t in inputs)
        half_written += fed not in whole
    record("half_written_target_sets_fed_to_runs", half_written)
    assert half_written == 0
    assert all(runs[r].status != "refused" for r in (*live, *dry))
