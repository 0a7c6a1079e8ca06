"""SQLite's run lock is a lease: a crashed holder blocks the account until it runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from trimtab.errors import Conflict
from trimtab.store.db import make_engine, make_session_factory, upgrade
from trimtab.store.locks import ADVISORY_NAMESPACE, run_lock
from trimtab.store.models import RunLockRow, UserRow

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


def test_a_crashed_holders_lease_expires(scratch_sqlite_url: str) -> None:
    """(PostgreSQL's advisory lock dies with the crashed holder's connection instead.)"""
    upgrade(scratch_sqlite_url)
    engine = make_engine(scratch_sqlite_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        session.add(UserRow(id=1, email="a@b.c", password_hash="x", is_admin=False, created_at=NOW))
        session.flush()
        session.add(
            RunLockRow(user_id=1, holder="elsewhere:1:x", expires_at=NOW + timedelta(minutes=10))
        )
    now = [NOW]
    lease = timedelta(minutes=10)
    with pytest.raises(Conflict), run_lock(engine, factory, 1, lease=lease, clock=lambda: now[0]):
        pass
    now[0] = NOW + timedelta(minutes=11)
    with run_lock(engine, factory, 1, lease=lease, clock=lambda: now[0]):
        pass
    engine.dispose()


@pytest.mark.postgres
def test_a_dead_holders_postgres_lock_goes_with_its_connection(postgres_database: str) -> None:
    engine = make_engine(postgres_database)
    factory = make_session_factory(engine)
    options = {"lease": timedelta(minutes=10), "clock": lambda: NOW}
    holder = engine.connect()
    holder.execute(
        text("SELECT pg_try_advisory_lock(:ns, 7)"), {"ns": ADVISORY_NAMESPACE}
    ).scalar_one()
    with pytest.raises(Conflict), run_lock(engine, factory, 7, **options):
        pass
    holder.invalidate()  # the holder's process died: its connection is gone
    with run_lock(engine, factory, 7, **options):
        pass
    engine.dispose()
