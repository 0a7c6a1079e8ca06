"""The services behind the API load's mix, measured without HTTP, on SQLite and PostgreSQL.

For each operation of ``bench.api_load``'s mix (and the token check every request of it
makes), on the demo user and the paper broker: CPU milliseconds per call
(``time.process_time``, this process only: the database server's own CPU is not in it)
and SQL statements per call (counted on the engine), then the wall-clock p50 and p95 of
the dry-run check as before. Run with ``.venv/bin/python -m bench.services_latency``
(``[calls]`` per operation, 200 by default).
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services import users
from trimtab.services.allocations import list_allocations
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user
from trimtab.services.portfolio import portfolio_view
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.services.runs import list_runs
from trimtab.store.db import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "TRIMTAB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WARMUP = 10
RUNS = 200


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"trimtab_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True, slots=True)
class Cost:
    """One operation's cost per call: CPU milliseconds of this process, SQL statements."""

    name: str
    cpu_ms: float
    statements: float

    def line(self) -> str:
        return f"{self.name:<22} {self.cpu_ms:6.2f} ms CPU  {self.statements:5.1f} statements"


class StatementCounter:
    """Counts the statements an engine sends (``before_cursor_execute``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


def operations(ctx: AppContext, user_id: int, token: str) -> dict[str, Callable[[], object]]:
    """The mix of ``bench.api_load`` as service calls, and the token check each request makes."""
    return {
        "token check": lambda: users.user_for_token(ctx, token),
        "list_allocations": lambda: list_allocations(ctx, user_id),
        "portfolio_view": lambda: portfolio_view(ctx, user_id),
        "dry-run check": lambda: check_rebalance_drift(ctx, user_id, dry_run=True),
        "list_runs(limit=20)": lambda: list_runs(ctx, user_id, limit=20),
    }


def costs(url: str, runs: int = RUNS) -> list[Cost]:
    """CPU and statements per call of each operation, on a migrated, seeded ``url``."""
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    counter = StatementCounter()
    try:
        user_id = seed_demo_user(ctx).user.id
        token, _ = users.create_token(ctx, user_id, "bench")
        event.listen(ctx.store.engine, "before_cursor_execute", counter)
        measured = []
        for name, call in operations(ctx, user_id, token).items():
            for _ in range(WARMUP):
                call()
            counter.count = 0
            started = time.process_time()
            for _ in range(runs):
                call()
            cpu = time.process_time() - started
            measured.append(Cost(name, cpu * 1000 / runs, counter.count / runs))
        return measured
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", counter)
        ctx.store.engine.dispose()


def measure(url: str, runs: int = RUNS) -> list[float]:
    """Wall-clock milliseconds per dry-run check for the demo user."""
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    try:
        user_id = seed_demo_user(ctx).user.id
        for _ in range(WARMUP):
            check_rebalance_drift(ctx, user_id, dry_run=True)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            check_rebalance_drift(ctx, user_id, dry_run=True)
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        ctx.store.engine.dispose()


def report(name: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"   {name:<10} dry-run check, paper broker, {len(timings)} runs: "
        f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms"
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    print(f"   machine load: {os.getloadavg()[0]:.2f} (1 min)")
    databases: list[tuple[str, Callable[[], Any]]] = [
        ("SQLite", sqlite_database),
        ("PostgreSQL", postgres_database),
    ]
    for name, database in databases:
        try:
            with database() as url:
                print(f"   {name}, per call ({runs} calls):")
                for cost in costs(url, runs):
                    print(f"     {cost.line()}")
            with database() as url:
                report(name, measure(url, runs))
        except OperationalError as err:
            print(f"   {name} unreachable at {POSTGRES_ADMIN_URL}: {err.orig}")


if __name__ == "__main__":
    main()
