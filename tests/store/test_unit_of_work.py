"""``Store``: a unit of work commits whole or not at all, and a read unit never writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from trimtab.store.models import AuditEventRow, UserRow
from trimtab.store.unit_of_work import ConstraintViolation, Store

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def user(email: str) -> UserRow:
    return UserRow(email=email, password_hash="x", is_admin=False, created_at=NOW)


def emails(store: Store) -> list[str]:
    with store.read() as uow:
        return [row.email for row in uow.users.first(10)]


def audit_count(store: Store) -> int:
    with store.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEventRow)) or 0


def test_a_unit_commits_its_rows_and_its_audit_together(store: Store) -> None:
    with store.write() as uow:
        row = uow.users.add(user("a@b.c"))
        uow.audit("user_created", user_id=row.id, actor=None, data={}, now=NOW)
    assert (emails(store), audit_count(store)) == (["a@b.c"], 1)


def test_a_unit_that_raises_leaves_nothing(store: Store) -> None:
    with pytest.raises(LookupError), store.write() as uow:
        row = uow.users.add(user("a@b.c"))
        uow.audit("user_created", user_id=row.id, actor=None, data={}, now=NOW)
        raise LookupError("stop")
    assert (emails(store), audit_count(store)) == ([], 0)


def test_a_broken_constraint_is_a_constraint_violation_and_nothing_is_kept(
    store: Store,
) -> None:
    with store.write() as uow:
        uow.users.add(user("a@b.c"))
    with pytest.raises(ConstraintViolation), store.write() as uow:
        uow.users.add(user("d@e.f"))
        uow.users.add(user("a@b.c"))
    assert emails(store) == ["a@b.c"]


def test_a_read_unit_refuses_to_write(store: Store) -> None:
    with pytest.raises(RuntimeError, match="must not write"), store.read() as uow:
        uow.users.add(user("a@b.c"))
    assert emails(store) == []


def test_a_unit_hands_out_one_repository_of_each_kind(store: Store) -> None:
    with store.read() as uow:
        assert uow.users is uow.users
        assert uow.users.session is uow.runs.session is uow.session
