"""The composition root: settings, the database, each user's broker and the event channel,
wired into the ``AppContext`` the API, the CLI and the worker hand to the services.

Only this module knows every concrete part; the services take them from the context.
"""

from __future__ import annotations

from sqlalchemy import Engine

from trimtab.config import Settings, get_settings
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext, RunOptions
from trimtab.services.events import EventPublisher, InProcessEvents
from trimtab.services.instrumented_broker import instrumented
from trimtab.store.db import make_engine, require_current_schema
from trimtab.store.events_postgres import PostgresEvents
from trimtab.store.events_table import TableEvents
from trimtab.store.unit_of_work import Store


def shared_events(engine: Engine) -> EventPublisher:
    """Events every process sharing the database hears: the API, the CLI and workers.

    LISTEN/NOTIFY on PostgreSQL; an events table that listeners poll on SQLite.
    """
    if engine.dialect.name == "postgresql":
        return PostgresEvents(engine, InProcessEvents())
    return TableEvents(engine, InProcessEvents())


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
    store = Store(engine)
    return AppContext(
        store=store,
        broker_for=instrumented(make_broker_for(settings, store)),
        events=events or shared_events(engine),
        settings=settings,
        run_options=run_options or RunOptions(),
    )
