"""The transaction boundary: a ``Store`` opens units of work, each one transaction that
hands out the repositories, so the services never see a session or write SQL.

::

    with ctx.store.write() as uow:      # commits on success, rolls back on error
        row = uow.users.by_email(email)
        uow.audit("user_created", user_id=row.id, actor=email, data={}, now=now)

    with ctx.store.read() as uow:       # refuses to write (RuntimeError on flush)
        return uow.runs.get(run_id)

A write begins ``BEGIN IMMEDIATE`` on SQLite (the read-then-write of a unit is atomic)
and takes ``uow.lock_user_edits`` on PostgreSQL where a service asks for it; the risk
gate and the run lock are ``Store`` methods; a read is ``reading``'s transaction
(docs/api.md, "The store").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trimtab.store import locks
from trimtab.store.db import make_session_factory, reading
from trimtab.store.login_throttle import LoginThrottles
from trimtab.store.models import AuditEventRow
from trimtab.store.notification_rows import Deliveries, NotificationSettings
from trimtab.store.repositories import (
    Allocations,
    BrokerAccounts,
    Orders,
    PaperAccounts,
    Policies,
    RiskRows,
    Runs,
    Schedules,
    Screening,
    Tokens,
    Users,
    WebSessions,
)

T = TypeVar("T")
_INSERT_AUDIT = insert(cast(Table, AuditEventRow.__table__))


class ConstraintViolation(Exception):
    """A unit broke a constraint of the schema (a unique key another writer took first,
    a missing parent row); nothing of the unit was committed."""


class UnitOfWork:
    """One transaction and the repositories that work in it (made on first use)."""

    def __init__(self, session: Session) -> None:
        #: For store-level adapters only (the paper broker's books, the events table):
        #: services use the repositories.
        self.session = session
        self._after_commit: list[Callable[[], None]] = []

    @cached_property
    def users(self) -> Users:
        return Users(self.session)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.session)

    @cached_property
    def web_sessions(self) -> WebSessions:
        return WebSessions(self.session)

    @cached_property
    def broker_accounts(self) -> BrokerAccounts:
        return BrokerAccounts(self.session)

    @cached_property
    def allocations(self) -> Allocations:
        return Allocations(self.session)

    @cached_property
    def policies(self) -> Policies:
        return Policies(self.session)

    @cached_property
    def risk(self) -> RiskRows:
        return RiskRows(self.session)

    @cached_property
    def runs(self) -> Runs:
        return Runs(self.session)

    @cached_property
    def orders(self) -> Orders:
        return Orders(self.session)

    @cached_property
    def schedules(self) -> Schedules:
        return Schedules(self.session)

    @cached_property
    def screening(self) -> Screening:
        return Screening(self.session)

    @cached_property
    def notification_settings(self) -> NotificationSettings:
        return NotificationSettings(self.session)

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self.session)

    @cached_property
    def login_throttles(self) -> LoginThrottles:
        return LoginThrottles(self.session)

    @cached_property
    def paper_accounts(self) -> PaperAccounts:
        return PaperAccounts(self.session)

    def flush(self) -> None:
        """Send the pending changes now (ids assigned, constraints checked)."""
        self.session.flush()

    def audit(
        self,
        kind: str,
        *,
        user_id: int | None,
        actor: str | None,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        """Append an audit event; it commits with the rest of the unit.

        Inserted at once, in one statement (no ORM object to track), after the unit's
        pending changes (the user it names may be one of them)."""
        self.session.flush()
        self.session.execute(
            _INSERT_AUDIT,
            {"user_id": user_id, "actor": actor, "kind": kind, "data": data, "created_at": now},
        )

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the unit has committed (``Store.write``); never when it
        rolls back. Callbacks run in the order given; what one raises propagates."""
        self._after_commit.append(callback)

    def run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def lock_user_edits(self, user_id: int) -> None:
        """Serialise the writers of one user's rows until the unit ends
        (``store.locks.lock_user_edits``)."""
        locks.lock_user_edits(self.session, user_id)


class Store:
    """The database of one process: its engine and the units of work opened on it."""

    def __init__(
        self, engine: Engine, session_factory: sessionmaker[Session] | None = None
    ) -> None:
        self.engine = engine
        self.session_factory = session_factory or make_session_factory(engine)

    @property
    def dialect(self) -> str:
        """``"postgresql"`` or ``"sqlite"``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Close the pooled connections (a process about to end)."""
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """A unit that may write: committed when the block ends, rolled back if it raises.

        Raises ``ConstraintViolation`` when a flush or the commit breaks a constraint.
        What the unit asked for with ``after_commit`` runs once it has committed."""
        try:
            with self.session_factory.begin() as session:
                uow = UnitOfWork(session)
                yield uow
        except IntegrityError as err:
            raise ConstraintViolation(str(err.orig)) from err
        uow.run_after_commit()

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """A unit that only reads (``store.db.reading``): a write in it raises
        ``RuntimeError``."""
        with reading(self.session_factory) as session:
            yield UnitOfWork(session)

    def run_lock(
        self, account_key: str, *, lease: timedelta, clock: Callable[[], datetime]
    ) -> AbstractContextManager[locks.RunLock]:
        """Hold the run lock of a broker account (``store.locks.run_lock``)."""
        return locks.run_lock(
            self.engine, self.session_factory, account_key, lease=lease, clock=clock
        )

    @contextmanager
    def write_holding_risk_gate(self) -> Iterator[UnitOfWork]:
        """A write unit holding the risk gate exclusive until it commits (a change of the
        risk switches): it waits for the sends in flight, and none is sent after it
        commits (``store.locks.risk_gate``, ``process_risk_gate``)."""
        with (
            locks.process_risk_gate(self.engine, exclusive=True),
            self.write() as uow,
            locks.risk_gate(uow.session, exclusive=True),
        ):
            yield uow

    @contextmanager
    def holding_risk_gate(self, read: Callable[[UnitOfWork], T]) -> Iterator[T]:
        """What ``read`` reads (the risk rows), with the risk gate held shared for the
        block (a send).

        PostgreSQL: the advisory lock, taken in the transaction that reads and held until
        the block ends. SQLite: the process's own gate; the rows are read in a short
        transaction first, because holding one (``BEGIN IMMEDIATE``) through a send would
        lock out the paper broker's own writes.
        """
        if self.dialect == "postgresql":
            with self.session_factory() as session, locks.risk_gate(session, exclusive=False):
                yield read(UnitOfWork(session))
            return
        with locks.process_risk_gate(self.engine, exclusive=False):
            with self.session_factory() as session:
                value = read(UnitOfWork(session))
            yield value
