"""One read of the stored paper books against the three single reads it replaced.

A portfolio page or a dry-run check needs the account, its positions and its open
orders. ``get_account`` + ``get_positions`` + ``list_orders`` (the anchor) open three
transactions and load the books twice; ``get_books`` loads them once. Printed side by
side on SQLite and PostgreSQL: statements and client CPU per read (``process_time``,
the least of a few batches, so other load on the machine counts little) and their
ratio. Run with ``.venv/bin/python -m bench.paper_books``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bench.services_latency import POSTGRES_ADMIN_URL, postgres_database, sqlite_database
from trimtab.bootstrap import build_context
from trimtab.brokers.base import Broker
from trimtab.config import Settings
from trimtab.services.demo import seed_demo_user
from trimtab.store.db import upgrade

WARMUP = 20
BATCHES = 5
PER_BATCH = 200


def three_reads(broker: Broker) -> None:
    broker.get_account()
    broker.get_positions()
    broker.list_orders()


def one_read(broker: Broker) -> None:
    broker.get_books()


def measure(url: str) -> None:
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    try:
        user_id = seed_demo_user(ctx).user.id
        event.listen(ctx.store.engine, "before_cursor_execute", count)
        results = {}
        for label, read in (("three reads", three_reads), ("get_books", one_read)):
            results[label] = cpu_and_statements(lambda: ctx.broker_for(user_id), read, statements)
        (anchor_cpu, anchor_sql), (cpu, sql) = results["three reads"], results["get_books"]
        name = ctx.store.engine.dialect.name
        for label, (us, per_read) in results.items():
            print(f"   {name:<10} {label:<11}: {per_read:.0f} statements, {us:.0f} us CPU per read")
        print(
            f"   {name:<10} get_books / three reads: {cpu / anchor_cpu:.2f} CPU, "
            f"{sql / anchor_sql:.2f} statements"
        )
    finally:
        ctx.store.engine.dispose()


def cpu_and_statements(
    broker_for: Callable[[], Broker], read: Callable[[Broker], None], statements: list[int]
) -> tuple[float, float]:
    """Microseconds of this process's CPU per read (least of the batches) and statements
    per read, each read on a broker built for it as a request builds one."""
    for _ in range(WARMUP):
        read(broker_for())
    statements[0] = 0
    best = float("inf")
    for _ in range(BATCHES):
        started = time.process_time()
        for _ in range(PER_BATCH):
            read(broker_for())
        best = min(best, (time.process_time() - started) / PER_BATCH * 1e6)
    return best, statements[0] / (BATCHES * PER_BATCH)


def main() -> None:
    with sqlite_database() as url:
        measure(url)
    try:
        with postgres_database() as url:
            measure(url)
    except OperationalError as err:
        print(f"   PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {err.orig}")


if __name__ == "__main__":
    main()
