"""``reading``: read-only sessions that never wait for a writer, and never write."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from trimtab.store.db import make_session_factory, reading
from trimtab.store.models import UserRow
from trimtab.store.repositories import Users

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def user(email: str) -> UserRow:
    return UserRow(email=email, password_hash="x", is_admin=False, created_at=NOW)


def emails(session: Session) -> list[str]:
    return list(session.scalars(select(UserRow.email).order_by(UserRow.email)))


def test_a_reading_session_refuses_to_write(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        Users(session).add(user("a@b.c"))
    with reading(factory) as session, pytest.raises(RuntimeError, match="must not write"):
        session.add(user("d@e.f"))
        session.flush()
    with reading(factory) as session:
        assert emails(session) == ["a@b.c"]


def test_a_reader_does_not_wait_for_a_writer_and_sees_only_what_is_committed(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as session:
        Users(session).add(user("a@b.c"))
    with factory.begin() as writer:
        # The writer holds SQLite's write lock (PostgreSQL: a row not yet committed).
        Users(writer).add(user("d@e.f"))
        started = time.monotonic()
        with reading(factory) as session:
            assert emails(session) == ["a@b.c"]
        # A reader queued behind the write lock would wait out the 30 s busy timeout.
        assert time.monotonic() - started < 5
    with reading(factory) as session:
        assert emails(session) == ["a@b.c", "d@e.f"]
