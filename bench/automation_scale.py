"""Scheduled checks at scale: 10,000 due accounts, 3 ``trimtab worker`` processes,
PostgreSQL, Alpaca accounts on the simulator (``trimtab sim``, over HTTP).

One in ten accounts is drifted and has never been checked (the screen keeps it; it is
checked live and rebalanced at the simulator); the others were checked before and are
on target (the screen passes them without a broker call, so only the drifted ones and
the first account, whose broker the sweep reads prices through, have simulator
accounts). Prints accounts handled per second (goal >= 200), duplicate orders at the
broker (goal 0), accounts missed (goal 0) and the p95 queue lag of the check jobs.
Bounded: it stops waiting after ``DEADLINE`` seconds and prints what it reached.
"""

from __future__ import annotations

import os
import resource
import secrets
import signal
import subprocess
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import OperationalError

from trimtab.brokers.demo import demo_prices
from trimtab.domain.schedule import Frequency, Schedule, next_run
from trimtab.keys import credentials_cipher
from trimtab.services.market_calendar import exchange_calendar
from trimtab.store.db import make_engine, upgrade
from trimtab.store.models import (
    AllocationRow,
    BrokerAccountRow,
    RebalanceRunRow,
    ScheduleRow,
    UserRow,
)

#: ``TRIMTAB_BENCH_ACCOUNTS`` sets a smaller size for a quick check; the goal is for 10,000.
ACCOUNTS = int(os.environ.get("TRIMTAB_BENCH_ACCOUNTS", "10000"))
DRIFTED_EVERY = 10
WORKERS = 3
DEADLINE = 240.0
GOAL_PER_SECOND = 200
ADMIN_URL = os.environ.get(
    "TRIMTAB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-secret"
TARGETS = {"SPY": Decimal(40), "QQQ": Decimal(30), "TLT": Decimal(20), "GLD": Decimal(10)}
#: On target at the demo prices; the drifted accounts hold SPY only.
BALANCED_VALUE = Decimal(100_000)
BIN = Path(sys.executable).parent
#: How a worker is started (``TRIMTAB_BENCH_WORKER`` replaces it, e.g. to run a profiler).
WORKER_COMMAND = os.environ.get("TRIMTAB_BENCH_WORKER", str(BIN / "trimtab")).split()
#: ``TRIMTAB_BENCH_LOGS``: a folder for each worker's log (default: discarded).
LOGS = os.environ.get("TRIMTAB_BENCH_LOGS")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _latest_due(now: datetime) -> datetime:
    """The latest past 10:00 New York session time: a due time the schedule itself names."""
    schedule = Schedule(Frequency.DAILY, time(10, 0))
    calendar = exchange_calendar(now.date())
    due, probe = None, now - timedelta(days=10)
    while (following := next_run(schedule, after=probe, calendar=calendar)) and following <= now:
        due = probe = following
    assert due is not None
    return due


def _seed(url: str, due: datetime) -> list[int]:
    """Users, targets, Alpaca connections, due schedules and earlier runs; returns the
    users the simulator needs accounts for."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    cipher = credentials_cipher(SECRET)
    token = cipher.encrypt(b"bench-secret-key").decode()
    price = demo_prices()[0]
    users, allocations, brokers, schedule_rows, runs = [], [], [], [], []
    live = []
    for i in range(1, ACCOUNTS + 1):
        users.append(
            {
                "id": i,
                "email": f"u{i}@bench.local",
                "password_hash": "x",
                "is_admin": False,
                "created_at": now,
            }
        )
        for symbol, target in TARGETS.items():
            allocations.append(
                {
                    "user_id": i,
                    "symbol": symbol,
                    "target_percent": target,
                    "enabled": True,
                    "band_percent": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        brokers.append(
            {
                "user_id": i,
                "kind": "alpaca",
                "key_id": f"bench{i}",
                "secret_encrypted": token,
                "paper": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        schedule_rows.append(
            {
                "user_id": i,
                "frequency": "daily",
                "time_of_day": time(10, 0),
                "weekday": None,
                "day_of_month": None,
                "cron": None,
                "cooldown_minutes": 0,
                "mode": "rebalance",
                "next_run_at": due,
                "updated_at": now,
            }
        )
        if i % DRIFTED_EVERY == 1:
            live.append(i)
            continue
        positions = [
            {
                "symbol": s,
                "qty": str((BALANCED_VALUE * t / 100 / price[s]).quantize(Decimal("0.000000001"))),
                "price": str(price[s]),
            }
            for s, t in TARGETS.items()
        ]
        runs.append(
            {
                "user_id": i,
                "trigger": "scheduled",
                "dry_run": True,
                "queue_if_closed": False,
                "status": "nothing_to_do",
                "outcome": "within_band",
                "needs_rebalance": False,
                "portfolio_value": BALANCED_VALUE,
                "message": "earlier check",
                "order_key": secrets.token_hex(3),
                "inputs": {"account": {"cash": "0"}, "positions": positions},
                "result": {},
                "created_at": due - timedelta(days=1),
                "updated_at": due - timedelta(days=1),
                "finished_at": due - timedelta(days=1),
            }
        )
    with engine.begin() as connection:
        for table, rows in (
            (UserRow, users),
            (AllocationRow, allocations),
            (BrokerAccountRow, brokers),
            (ScheduleRow, schedule_rows),
            (RebalanceRunRow, runs),
        ):
            for start in range(0, len(rows), 2000):
                connection.execute(insert(table), rows[start : start + 2000])
        connection.execute(text("SELECT setval('users_id_seq', :n)"), {"n": ACCOUNTS})
    engine.dispose()
    return live


def _store_account_ids(url: str, account_ids: dict[int, str]) -> None:
    """What connecting an account stores: the broker's id of the account the keys reach."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE broker_accounts SET account_id = :account_id WHERE user_id = :user_id"),
            [{"user_id": u, "account_id": a} for u, a in account_ids.items()],
        )
    engine.dispose()


def main() -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError as err:
        print(f"   skipped: PostgreSQL unreachable at {ADMIN_URL} ({err.orig})")
        return
    name = f"trimtab_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    port = _free_port()
    sim_url = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(url)
        processes.append(
            subprocess.Popen(
                [str(BIN / "trimtab"), "sim", "--port", str(port), "--no-seed-demo"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_for(sim_url)
        httpx.put(f"{sim_url}/_sim/market", json={"is_open": True}).raise_for_status()
        httpx.post(
            f"{sim_url}/_sim/accounts", json={"key_id": "bench0", "secret_key": "bench-secret-key"}
        ).raise_for_status()
        due = _latest_due(datetime.now(UTC))
        started = clock.perf_counter()
        live = _seed(url, due)
        account_ids = {}
        with httpx.Client(base_url=sim_url) as sim:
            for i in live:
                created = sim.post(
                    "/_sim/accounts",
                    json={
                        "key_id": f"bench{i}",
                        "secret_key": "bench-secret-key",
                        "cash": "0",
                        "holdings": {"SPY": "200"},
                    },
                )
                created.raise_for_status()
                account_ids[i] = created.json()["account_id"]
            sim.delete("/_sim/requests")
        _store_account_ids(url, account_ids)
        print(
            f"   seeded {ACCOUNTS:,} due accounts ({len(live):,} drifted, at the simulator) "
            f"in {clock.perf_counter() - started:.0f} s"
        )
        env = {
            **os.environ,
            "TRIMTAB_DATABASE_URL": url,
            "TRIMTAB_SECRET_KEY": SECRET,
            "TRIMTAB_BROKER": "alpaca",
            "ALPACA_BASE_URL": sim_url,
            "ALPACA_DATA_URL": sim_url,
            "TRIMTAB_SWEEP_SECONDS": "2",
        }
        launched = clock.perf_counter()
        for n in range(WORKERS):
            processes.append(
                subprocess.Popen(
                    [*WORKER_COMMAND, "worker", "--concurrency", "8", "--name", f"bench{n}"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=_worker_log(n),
                )
            )
        _report(url, sim_url, due, launched, workers=processes[1:])
    finally:
        _stop(processes)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stop(processes: list[subprocess.Popen[bytes]]) -> float:
    """Stop ``processes`` (SIGTERM: a worker finishes the jobs it runs) and return the CPU
    seconds they used: a measure of the work per account that a busy machine does not skew."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _worker_log(n: int) -> int | IO[bytes]:
    if not LOGS:
        return subprocess.DEVNULL
    return (Path(LOGS) / f"worker{n}.log").open("wb")


def _wait_for(sim_url: str) -> None:
    # Start-up takes a minute on a loaded two-core machine.
    deadline = clock.monotonic() + 180
    while clock.monotonic() < deadline:
        try:
            httpx.get(f"{sim_url}/_sim/requests", timeout=1)
            return
        except httpx.HTTPError:
            clock.sleep(0.2)
    raise RuntimeError("the simulator did not start")


def _report(
    url: str, sim_url: str, due: datetime, launched: float, workers: list[subprocess.Popen[bytes]]
) -> None:
    engine = make_engine(url)
    handled = 0
    first_at = None
    try:
        while clock.perf_counter() - launched < DEADLINE:
            with engine.connect() as connection:
                handled = connection.execute(
                    text("SELECT count(*) FROM schedules WHERE last_due_at = :due"), {"due": due}
                ).scalar_one()
            if handled and first_at is None:
                first_at = clock.perf_counter()
            if handled >= ACCOUNTS:
                break
            clock.sleep(0.5)
        ended = clock.perf_counter()
        # Counted once the workers have stopped: an order on its way is not a duplicate.
        workers_cpu = _stop(workers)
        with engine.connect() as connection:
            sent = connection.execute(
                text(
                    "SELECT count(DISTINCT client_order_id) FROM orders "
                    "WHERE broker_order_id IS NOT NULL"
                )
            ).scalar_one()
            completed = connection.execute(
                text("SELECT count(*) FROM rebalance_runs WHERE status = 'completed'")
            ).scalar_one()
            lags = (
                connection.execute(
                    text(
                        "SELECT extract(epoch FROM s.at - d.at) FROM procrastinate_jobs j "
                        "JOIN procrastinate_events d ON d.job_id = j.id AND d.type = 'deferred' "
                        "JOIN procrastinate_events s ON s.job_id = j.id AND s.type = 'started' "
                        "WHERE j.task_name = 'trimtab.scheduled_check'"
                    )
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    posted = httpx.get(f"{sim_url}/_sim/requests").json().get("POST /v2/orders", 0)
    missed = ACCOUNTS - handled
    span = ended - (first_at or launched)
    rate = handled / span if span > 0 else 0.0
    lag = sorted(float(x) for x in lags)
    p95 = lag[int(0.95 * (len(lag) - 1))] if lag else float("nan")
    print(
        f"   {handled:,} of {ACCOUNTS:,} accounts handled by {WORKERS} workers in {span:.1f} s "
        f"from the first ({ended - launched:.1f} s from launch, start-up included)"
    )
    print(
        f"   accounts/s: {rate:,.0f} (goal {GOAL_PER_SECOND}; ratio {rate / GOAL_PER_SECOND:.2f}); "
        f"{completed:,} live rebalances completed"
    )
    print(
        f"   duplicate orders at the broker: {posted - sent} ({posted:,} order requests, "
        f"{sent:,} distinct orders); missed accounts: {missed}"
    )
    print(f"   queue lag of {len(lag):,} check jobs: p95 {p95:.2f} s")
    per_run = 1000 * workers_cpu / max(completed, 1)
    print(
        f"   CPU time of the workers: {workers_cpu:.1f} s ({per_run:.0f} ms per live "
        "rebalance completed, start-up and sweeps included)"
    )
    if missed:
        print(
            f"   stopped waiting after {DEADLINE:.0f} s: the two shared cores ran "
            "three workers, the simulator and PostgreSQL at once"
        )
