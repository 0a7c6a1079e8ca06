"""What every use case runs with: sessions, each user's broker, events, settings and clock.

The API, the CLI and the worker each build one ``AppContext`` with ``build_context``
and pass it to the services; tests build one around their own broker and clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from trimtab.brokers.base import Broker
from trimtab.config import Settings, get_settings
from trimtab.services.broker_accounts import account_key, make_broker_for
from trimtab.services.events import EventPublisher
from trimtab.services.events_postgres import PostgresEvents
from trimtab.services.events_table import TableEvents
from trimtab.services.instrumented_broker import instrumented
from trimtab.services.notify_delivery import Notifier
from trimtab.store.db import make_engine, make_session_factory, require_current_schema
from trimtab.store.locks import RunLock, run_lock


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How long a live run follows its orders before leaving them to the next check."""

    fill_timeout: float = 30.0
    poll_interval: float = 0.5
    #: Once sends that failed have taken this many seconds, a run stops placing orders
    #: and records the rest as not sent (a rate limit or outage must not hold it for
    #: minutes: alpaca-py alone waits 9 s on a 429).
    give_up_after: float = 5.0
    #: SQLite's run lock is a lease: how long a crashed holder blocks the account.
    lock_lease: timedelta = timedelta(minutes=10)


@dataclass
class AppContext:
    engine: Engine
    session_factory: sessionmaker[Session]
    broker_for: Callable[[int], Broker]
    events: EventPublisher
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    run_options: RunOptions = field(default_factory=RunOptions)
    #: Sends notifications off the run's path (docs/notifications.md).
    notifier: Notifier = field(default_factory=Notifier)


def shared_events(engine: Engine) -> EventPublisher:
    """Events every process sharing the database hears: the API, the CLI and workers.

    LISTEN/NOTIFY on PostgreSQL; an events table that listeners poll on SQLite.
    """
    if engine.dialect.name == "postgresql":
        return PostgresEvents(engine)
    return TableEvents(engine)


def build_context(
    settings: Settings | None = None,
    *,
    events: EventPublisher | None = None,
    run_options: RunOptions | None = None,
    pool_size: int | None = None,
) -> AppContext:
    """Connect to ``settings.database_url`` (which must be migrated) and wire the brokers.

    ``pool_size``: database connections kept per process (PostgreSQL), for a caller that
    runs many threads (a run holds one for its lock and uses another)."""
    settings = settings or get_settings()
    options = {"pool_size": pool_size} if pool_size else {}
    engine = make_engine(settings.database_url, **options)
    require_current_schema(engine)
    session_factory = make_session_factory(engine)
    return AppContext(
        engine=engine,
        session_factory=session_factory,
        broker_for=instrumented(make_broker_for(settings, session_factory)),
        events=events or shared_events(engine),
        settings=settings,
        run_options=run_options or RunOptions(),
    )


def account_lock(ctx: AppContext, user_id: int) -> AbstractContextManager[RunLock]:
    """Hold the run lock of the broker account ``user_id`` trades (``Conflict`` when a
    run or trade already does, whichever trimtab user started it)."""
    return run_lock(
        ctx.engine,
        ctx.session_factory,
        account_key(ctx, user_id),
        lease=ctx.run_options.lock_lease,
        clock=ctx.clock,
    )
