"""The per-account run lock. SQLite's is a lease: a crashed holder blocks the account
until it runs out; PostgreSQL's goes with the holder's connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from trimtab.errors import Conflict
from trimtab.store.db import make_engine, make_session_factory, upgrade
from trimtab.store.locks import advisory_key, run_lock
from trimtab.store.models import AccountLockRow

NOW = datetime(2026, 1, 5, 15, tzinfo=UTC)


def test_a_crashed_holders_lease_expires(scratch_sqlite_url: str) -> None:
    """(PostgreSQL's advisory lock dies with the crashed holder's connection instead.)"""
    upgrade(scratch_sqlite_url)
    engine = make_engine(scratch_sqlite_url)
    factory = make_session_factory(engine)
    key = "alpaca:paper:acct-1"
    with factory.begin() as session:
        session.add(
            AccountLockRow(
                account_key=key, holder="elsewhere:1:x", expires_at=NOW + timedelta(minutes=10)
            )
        )
    now = [NOW]
    lease = timedelta(minutes=10)
    with pytest.raises(Conflict), run_lock(engine, factory, key, lease=lease, clock=lambda: now[0]):
        pass
    now[0] = NOW + timedelta(minutes=11)
    with run_lock(engine, factory, key, lease=lease, clock=lambda: now[0]):
        pass
    engine.dispose()


@pytest.mark.postgres
def test_a_dead_holders_postgres_lock_goes_with_its_connection(postgres_database: str) -> None:
    engine = make_engine(postgres_database)
    factory = make_session_factory(engine)
    options = {"lease": timedelta(minutes=10), "clock": lambda: NOW}
    holder = engine.connect()
    key = "alpaca:live:acct-7"
    holder.execute(
        text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(key)}
    ).scalar_one()
    with pytest.raises(Conflict), run_lock(engine, factory, key, **options):
        pass
    holder.invalidate()  # the holder's process died: its connection is gone
    with run_lock(engine, factory, key, **options):
        pass
    engine.dispose()
