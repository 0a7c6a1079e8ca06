"""The per-account run lock: one live rebalance or trade per broker account at a time,
across processes and across the trimtab users connected to that account.

The lock is named by an account key (``paper:<user_id>``, ``alpaca:live:<account id>``;
``services.broker_accounts.account_key`` makes them). PostgreSQL: a session advisory
lock on a 64-bit hash of the key, on a connection held for the run, so a process
that dies releases it with its connection. SQLite (one household, one host): a
lease row taken inside ``BEGIN IMMEDIATE``, naming the holding process; a lease
whose process is gone from this host is taken over, any other runs out.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from trimtab.errors import Conflict
from trimtab.store.models import AccountLockRow

#: Hashed in with the account key, so other apps' advisory locks cannot clash with ours.
ADVISORY_NAMESPACE = b"trimtab account lock\0"
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
        account_key: str,
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.account_key = account_key
        self.lease = lease
        self.clock = clock
        self.holder = f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(8)}"

    def acquire(self) -> None:
        with self.session_factory.begin() as session:
            now = self.clock()
            row = session.get(AccountLockRow, self.account_key)
            if row is None:
                row = AccountLockRow(account_key=self.account_key)
                session.add(row)
            elif (
                row.holder and row.expires_at and row.expires_at > now and _holder_alive(row.holder)
            ):
                raise Conflict(ALREADY_RUNNING)
            row.holder = self.holder
            row.expires_at = now + self.lease

    def keep_alive(self) -> None:
        with self.session_factory.begin() as session:
            row = session.get(AccountLockRow, self.account_key)
            if row is not None and row.holder == self.holder:
                row.expires_at = self.clock() + self.lease

    def release(self) -> None:
        with self.session_factory.begin() as session:
            row = session.get(AccountLockRow, self.account_key)
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
    account_key: str,
    *,
    lease: timedelta,
    clock: Callable[[], datetime],
) -> Iterator[RunLock]:
    """Hold the run lock of the broker account ``account_key`` for the block.

    Raises ``Conflict`` when another run or trade holds it."""
    if engine.dialect.name == "postgresql":
        key = advisory_key(account_key)
        with engine.connect() as connection:
            _try_advisory_lock(connection, key)
            try:
                yield _AdvisoryLock()
            finally:
                _advisory_unlock(connection, key)
        return
    lock = _LeaseLock(session_factory, account_key, lease, clock)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def advisory_key(account_key: str) -> int:
    """The signed 64-bit advisory lock id of an account key (a hash: keys are strings)."""
    digest = hashlib.sha256(ADVISORY_NAMESPACE + account_key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _try_advisory_lock(connection: Connection, key: int) -> None:
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one()
    connection.commit()
    if not got:
        raise Conflict(ALREADY_RUNNING)


def _advisory_unlock(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
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


#: The risk gate's advisory lock (two-key form, apart from the run and edit locks).
RISK_GATE_NAMESPACE = 0x7267  # "rg"


@contextmanager
def risk_gate(session: Session, *, exclusive: bool) -> Iterator[None]:
    """Hold the risk gate until ``session``'s transaction ends (PostgreSQL).

    A sender takes it shared, reads the risk rows and sends its order before the
    transaction ends; a change of the risk switches takes it exclusive before
    writing. A transaction advisory lock: a kill switch flip therefore commits only
    once the sends in flight in every process are answered, and every send after it
    reads the flip, so no order goes out after the flip commits. Nothing on SQLite,
    where ``process_risk_gate`` does this within one process.
    """
    if session.get_bind().dialect.name == "postgresql":
        kind = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {kind}(:ns, 0)"), {"ns": RISK_GATE_NAMESPACE})
    yield


class _SharedOrExclusive:
    """A readers-writer lock; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writer and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._changed:
            self._writers_waiting += 1
            self._changed.wait_for(lambda: not self._writer and not self._readers)
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._changed:
                self._writer = False
                self._changed.notify_all()


_PROCESS_RISK_GATE = _SharedOrExclusive()


def process_risk_gate(engine: Engine, *, exclusive: bool) -> AbstractContextManager[None]:
    """The risk gate within this process, on SQLite (PostgreSQL has ``risk_gate``).

    Held by a sender from reading the risk rows until its order is answered, and by a
    change of the switches until it commits: on SQLite (one household, one host) a
    flip through the API therefore waits for the run threads' sends in flight, and
    none is sent after it commits. A flip from another process (the CLI) is only read
    before the next send.
    """
    if engine.dialect.name == "postgresql":
        return nullcontext()
    return _PROCESS_RISK_GATE.exclusive() if exclusive else _PROCESS_RISK_GATE.shared()
