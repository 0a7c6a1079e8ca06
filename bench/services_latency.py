"""Dry-run ``check_rebalance_drift`` latency on SQLite and PostgreSQL, paper broker.

Each run reads targets, policy and risk, reads the stored paper account, plans and
records the run: the whole service path the API's ``POST /api/rebalance/check``
takes, minus HTTP. Run with ``.venv/bin/python -m bench.services_latency``.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services.demo import seed_demo_user
from trimtab.services.rebalance import check_rebalance_drift
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


def measure(url: str) -> list[float]:
    """Milliseconds per dry-run check for the demo user."""
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    try:
        user_id = seed_demo_user(ctx).user.id
        for _ in range(WARMUP):
            check_rebalance_drift(ctx, user_id, dry_run=True)
        timings = []
        for _ in range(RUNS):
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
    with sqlite_database() as url:
        report("SQLite", measure(url))
    try:
        with postgres_database() as url:
            report("PostgreSQL", measure(url))
    except OperationalError as err:
        print(f"   PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {err.orig}")


if __name__ == "__main__":
    main()
