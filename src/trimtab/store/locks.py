"""The per-user run lock: one live rebalance per account at a time, across processes.

PostgreSQL: a session advisory lock on a connection held for the run, so a process
that dies releases it with its connection. SQLite (one household, one host): a
lease row taken inside ``BEGIN IMMEDIATE``, naming the holding process; a lease
whose process is gone from this host is taken over, any other runs out.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from trimtab.errors import Conflict
from trimtab.store.models import RunLockRow

#: First key of the two-int advisory lock, so other apps' advisory locks cannot clash.
ADVISORY_NAMESPACE = 0x7472  # "tr"
ALREADY_RUNNING = "a rebalance is already running for this account; try again when it finishes"


class RunLock(Protocol):
    def keep_alive(self) -> None:
        """Called while waiting for fills, so a long run keeps its lease."""
        ...


class _AdvisoryLock:
    def keep_alive(self) -> None:
        """The lock lives as long as the connection; nothing to renew."""


class _LeaseLock:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        user_id: int,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.user_id = user_id
        self.lease = lease
        self.clock = clock
        self.holder = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(8)}"

    def acquire(self) -> None:
        with self.session_factory.begin() as session:
            now = self.clock()
            row = session.get(RunLockRow, self.user_id)
            if row is None:
                row = RunLockRow(user_id=self.user_id)
                session.add(row)
            elif (
                row.holder and row.expires_at and row.expires_at > now and _holder_alive(row.holder)
            ):
                raise Conflict(ALREADY_RUNNING)
            row.holder = self.holder
            row.expires_at = now + self.lease

    def keep_alive(self) -> None:
        with self.session_factory.begin() as session:
            row = session.get(RunLockRow, self.user_id)
            if row is not None and row.holder == self.holder:
                row.expires_at = self.clock() + self.lease

    def release(self) -> None:
        with self.session_factory.begin() as session:
            row = session.get(RunLockRow, self.user_id)
            if row is not None and row.holder == self.holder:
                row.holder = None
                row.expires_at = None


def _holder_alive(holder: str) -> bool:
    """False only when the holder ran on this host and its process has ended."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:30] or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def run_lock(
    engine: Engine,
    session_factory: sessionmaker[Session],
    user_id: int,
    *,
    lease: timedelta,
    clock: Callable[[], datetime],
) -> Iterator[RunLock]:
    """Hold ``user_id``'s run lock for the block; raise ``Conflict`` if another holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            _try_advisory_lock(connection, user_id)
            try:
                yield _AdvisoryLock()
            finally:
                _advisory_unlock(connection, user_id)
        return
    lock = _LeaseLock(session_factory, user_id, lease, clock)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def _try_advisory_lock(connection: Connection, user_id: int) -> None:
    got = connection.execute(
        text("SELECT pg_try_advisory_lock(:ns, :user_id)"),
        {"ns": ADVISORY_NAMESPACE, "user_id": user_id},
    ).scalar_one()
    connection.commit()
    if not got:
        raise Conflict(ALREADY_RUNNING)


def _advisory_unlock(connection: Connection, user_id: int) -> None:
    try:
        connection.execute(
            text("SELECT pg_advisory_unlock(:ns, :user_id)"),
            {"ns": ADVISORY_NAMESPACE, "user_id": user_id},
        )
        connection.commit()
    except Exception:
        # A connection we cannot unlock on must not go back to the pool still
        # holding the lock: closing it for good releases the lock server-side.
        connection.invalidate()
        raise


#: First key of the per-user edit lock (apart from the run lock: an edit never waits
#: for a run, only for another edit of the same user's rows).
EDIT_NAMESPACE = 0x7465  # "te"


def lock_user_edits(session: Session, user_id: int) -> None:
    """Serialise the writers of one user's rows until this transaction ends.

    PostgreSQL: a transaction advisory lock, so two concurrent replacements of an
    allocation set (or two creates of the same new symbol) run one after the other
    instead of deadlocking, updating a row the other deleted (StaleDataError) or
    inserting the same key twice. SQLite's ``BEGIN IMMEDIATE`` already serialises
    every writer, so there is nothing more to take.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :user_id)"),
            {"ns": EDIT_NAMESPACE, "user_id": user_id},
        )
