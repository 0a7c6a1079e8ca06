"""Repositories and the constraints the schema enforces, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trimtab.store.db import make_session_factory
from trimtab.store.models import AllocationRow, OrderRow, RebalanceRunRow, UserRow
from trimtab.store.repositories import Allocations, AllocationValues, Orders, Runs, Users

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def add_user(session: Session, email: str = "a@b.c") -> int:
    return (
        Users(session)
        .add(UserRow(email=email, password_hash="x", is_admin=False, created_at=NOW))
        .id
    )


def run_row(user_id: int, status: str, minutes: int = 0) -> RebalanceRunRow:
    stamp = NOW + timedelta(minutes=minutes)
    return RebalanceRunRow(
        user_id=user_id,
        trigger="manual",
        dry_run=False,
        status=status,
        outcome="planned",
        needs_rebalance=True,
        portfolio_value=Decimal("1000.5"),
        message="",
        order_key="abc123",
        inputs={},
        result={},
        created_at=stamp,
        updated_at=stamp,
    )


def order_row(user_id: int, run_id: int, client_order_id: str) -> OrderRow:
    return OrderRow(
        user_id=user_id,
        run_id=run_id,
        client_order_id=client_order_id,
        symbol="SPY",
        side="sell",
        qty=Decimal("1.5"),
        status="planned",
        filled_qty=Decimal(0),
        created_at=NOW,
        updated_at=NOW,
    )


def allocation(user_id: int, symbol: str) -> AllocationRow:
    return AllocationRow(
        user_id=user_id,
        symbol=symbol,
        target_percent=Decimal(50),
        enabled=True,
        created_at=NOW,
        updated_at=NOW,
    )


def test_one_allocation_per_user_and_symbol(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        user_id = add_user(session)
        Allocations(session).add(allocation(user_id, "SPY"))
    with pytest.raises(IntegrityError), factory.begin() as session:
        Allocations(session).add(allocation(user_id, "SPY"))


def test_plain_reads_see_the_units_pending_changes(factory: sessionmaker[Session]) -> None:
    """The reads of table columns (no ORM objects) flush first, as the ORM's queries do."""
    with factory.begin() as session:
        user_id = add_user(session)
        allocations = Allocations(session)
        allocations.add(allocation(user_id, "TLT"))
        allocations.add(allocation(user_id, "SPY"))
        assert allocations.values_for_user(user_id) == [
            AllocationValues("SPY", Decimal(50), True, None, None, NOW, NOW),
            AllocationValues("TLT", Decimal(50), True, None, None, NOW, NOW),
        ]
        run = Runs(session).add(run_row(user_id, "running"))
        run.status = "completed"
        assert [r.status for r in Runs(session).for_user(user_id, 10, 0)] == ["completed"]
        assert Runs(session).count_for_user(user_id, status="completed") == 1


def test_client_order_ids_are_unique(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        user_id = add_user(session)
        run_id = Runs(session).add(run_row(user_id, "running")).id
        Orders(session).add(order_row(user_id, run_id, "tt-1-x-0-sell-SPY"))
    with pytest.raises(IntegrityError), factory.begin() as session:
        Orders(session).add(order_row(user_id, run_id, "tt-1-x-0-sell-SPY"))


def test_runs_newest_first_and_the_oldest_unfinished(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        alice = add_user(session)
        bob = add_user(session, "bob@b.c")
        runs = Runs(session)
        first = runs.add(run_row(alice, "awaiting_fills", 0)).id
        runs.add(run_row(alice, "completed", 1))
        runs.add(run_row(alice, "running", 2))
        runs.add(run_row(bob, "completed", 3))
    with factory() as session:
        runs = Runs(session)
        assert [r.status for r in runs.for_user(alice, 10, 0)] == [
            "running",
            "completed",
            "awaiting_fills",
        ]
        assert runs.count_for_user(alice) == 3
        unfinished = runs.unfinished(alice, ["running", "awaiting_fills"])
        assert unfinished is not None and unfinished.id == first
        assert runs.unfinished(bob, ["running", "awaiting_fills"]) is None
        assert runs.users_with_unfinished(["running", "awaiting_fills"]) == [alice]
        assert runs.get_for_user(bob, first) is None


def test_deleting_a_user_deletes_their_records(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        user_id = add_user(session)
        Allocations(session).add(allocation(user_id, "SPY"))
        run_id = Runs(session).add(run_row(user_id, "completed")).id
        Orders(session).add(order_row(user_id, run_id, "tt-9"))
    with factory.begin() as session:
        user = Users(session).get(user_id)
        session.delete(user)
    with factory() as session:
        for table in (AllocationRow, RebalanceRunRow, OrderRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0
