"""A check's ``run_finished`` travels with the run it reports: the events table writes it in
the run's own transaction (a SAVEPOINT), and a publish that fails never fails the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text

from trimtab.bootstrap import shared_events
from trimtab.brokers.exchange import Exchange
from trimtab.services import rebalance
from trimtab.services.context import AppContext
from trimtab.services.events import InProcessEvents
from trimtab.store.events_postgres import PostgresEvents
from trimtab.store.events_table import TableEvents
from trimtab.store.models import AuditEventRow, EventRow, RebalanceRunRow

from .helpers import on_exchange

#: What each database says when the trigger below refuses an event.
REFUSAL = "events are refused"


@contextmanager
def refusing_events(engine: Engine) -> Iterator[None]:
    """A trigger that makes every insert into ``events`` fail, dropped afterwards."""
    if engine.dialect.name == "postgresql":
        create = [
            "CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
            "CREATE TRIGGER refuse_events BEFORE INSERT ON events "
            "FOR EACH ROW EXECUTE FUNCTION refuse_events()",
        ]
        drop = ["DROP TRIGGER refuse_events ON events", "DROP FUNCTION refuse_events()"]
    else:
        create = [
            "CREATE TRIGGER refuse_events BEFORE INSERT ON events "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ]
        drop = ["DROP TRIGGER refuse_events"]
    with engine.begin() as connection:
        for statement in create:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.execute(text(statement))


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def table_events(ctx: AppContext, engine: Engine) -> Iterator[TableEvents[Any]]:
    events: TableEvents[Any] = TableEvents(engine, InProcessEvents())
    ctx.events = events
    yield events
    events.close()


def test_a_dry_run_and_its_event_are_one_transaction(
    ctx: AppContext, engine: Engine, seeded: int, exchange: Exchange, table_events: TableEvents[Any]
) -> None:
    exchange.open_account(str(seeded), Decimal(10_000))
    on_exchange(ctx, exchange)
    steps: list[str] = []

    def statement(_c: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.startswith(("INSERT INTO rebalance_runs", "INSERT INTO events")):
            steps.append(sql.split()[2])

    def commit(_connection: Any) -> None:
        steps.append("COMMIT")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        result = rebalance.check_rebalance_drift(ctx, seeded, dry_run=True)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
    assert steps == ["rebalance_runs", "events", "COMMIT"]
    with engine.connect() as connection:
        rows = connection.execute(select(EventRow.user_id, EventRow.kind, EventRow.data)).all()
    assert [tuple(row) for row in rows] == [
        (
            seeded,
            "run_finished",
            {"run_id": result.run_id, "status": "planned", "message": result.message},
        )
    ]


def test_a_failing_event_insert_still_commits_the_run(
    ctx: AppContext,
    engine: Engine,
    seeded: int,
    exchange: Exchange,
    table_events: TableEvents[Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    exchange.open_account(str(seeded), Decimal(10_000))
    on_exchange(ctx, exchange)
    with refusing_events(engine):
        result = rebalance.check_rebalance_drift(ctx, seeded, dry_run=True)
    assert result.status == "planned"
    with engine.connect() as connection:
        runs = connection.execute(select(RebalanceRunRow.id, RebalanceRunRow.status)).all()
    assert [tuple(run) for run in runs] == [(result.run_id, "planned")]
    with engine.connect() as connection:
        audited = connection.scalars(
            select(AuditEventRow.data).where(AuditEventRow.kind == "rebalance_checked")
        ).all()
    assert audited == [{"run_id": result.run_id, "dry_run": True, "status": "planned"}]
    assert count(engine, EventRow) == 0
    assert "could not publish run_finished event" in caplog.text
    assert REFUSAL in caplog.text


def test_the_wired_channel_failing_to_publish_still_commits_the_run(
    ctx: AppContext,
    engine: Engine,
    seeded: int,
    exchange: Exchange,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``build_context``'s channel: SQLite's events table refusing the row; PostgreSQL's
    NOTIFY, sent after the commit as before, on a sender that cannot connect."""
    events = shared_events(engine)
    ctx.events = events
    exchange.open_account(str(seeded), Decimal(10_000))
    on_exchange(ctx, exchange)
    broken: AbstractContextManager[None] = nullcontext()
    if isinstance(events, PostgresEvents):
        events.dsn = events.dsn.rsplit("/", 1)[0] + "/no_such_database"
    else:
        broken = refusing_events(engine)
    try:
        with broken:
            result = rebalance.check_rebalance_drift(ctx, seeded, dry_run=True)
    finally:
        events.close()  # type: ignore[attr-defined]
    with engine.connect() as connection:
        runs = connection.execute(select(RebalanceRunRow.id, RebalanceRunRow.status)).all()
    assert [tuple(run) for run in runs] == [(result.run_id, "planned")]
    assert "could not publish run_finished event" in caplog.text


def test_a_run_that_rolls_back_publishes_nothing(
    ctx: AppContext, engine: Engine, seeded: int, exchange: Exchange, table_events: TableEvents[Any]
) -> None:
    exchange.open_account(str(seeded), Decimal(10_000))
    on_exchange(ctx, exchange)

    def refuse_audit(_c: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.startswith("INSERT INTO audit_events"):
            raise RuntimeError("the audit insert fails")

    event.listen(engine, "before_cursor_execute", refuse_audit)
    try:
        with pytest.raises(RuntimeError, match="the audit insert fails"):
            rebalance.check_rebalance_drift(ctx, seeded, dry_run=True)
    finally:
        event.remove(engine, "before_cursor_execute", refuse_audit)
    assert count(engine, RebalanceRunRow) == 0
    assert count(engine, EventRow) == 0
