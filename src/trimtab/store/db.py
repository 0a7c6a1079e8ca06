"""Engines, sessions and the schema version: connect, migrate, refuse an old schema."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from trimtab.errors import TrimtabError

MIGRATIONS = Path(__file__).parent / "migrations"
#: How long a SQLite writer waits for another before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 30
#: Seconds a pooled connection may sit idle before it is pinged on its next use.
PING_AFTER_IDLE = 5.0
#: Execution option of a transaction that only reads (``reading``).
READ_ONLY = "trimtab_read_only"


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets a parent directory, foreign keys and WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, **options)
        _ping_idle_connections(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        **options,
    )
    _serialise_sqlite_writers(engine)
    return engine


def libpq_url(url: str | URL) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://``) as libpq takes it (psycopg's own
    connections, procrastinate), password included."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _ping_idle_connections(engine: Engine) -> None:
    """Check a pooled connection before use, with a round trip only when it has been idle.

    A connection the driver knows is closed or broken is replaced at once; one idle
    longer than ``PING_AFTER_IDLE`` seconds (the server may have dropped it since) is
    pinged first, and replaced if the ping fails. SQLAlchemy's ``pool_pre_ping`` pings
    on every checkout: a worker's run checks out dozens of connections a second, each
    used a moment before.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
            raise DisconnectionError("the connection is closed")
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since <= PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError("the connection did not answer a ping") from err


def _serialise_sqlite_writers(engine: Engine) -> None:
    """Make every SQLite transaction ``BEGIN IMMEDIATE``, except those of ``reading``.

    pysqlite's default defers the lock to the first write, so two readers that both
    decide to write deadlock or lose an update; taking the write lock up front makes
    a read-then-write (the paper books, the run lock) atomic, as ``FOR UPDATE`` is
    on PostgreSQL. A transaction that only reads begins deferred: in WAL mode it
    reads a snapshot without waiting for the writer or for other readers.

    The writers of this process also queue on a lock of the engine before their
    ``BEGIN IMMEDIATE``, held until their commit or rollback: SQLite's own busy handler
    polls with sleeps that grow to 100 ms, so a writer that met the lock taken slept on
    long after it was free (the slow tail of a busy API); the queue hands the lock over
    at once. Writers of other processes still meet the busy handler, and a writer waits
    at most ``SQLITE_BUSY_TIMEOUT`` either way.
    """
    writers = threading.Lock()

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_WRITER_LOCK, False):
            writers.release()

    def release_for(connection: PoolProxiedConnection) -> None:
        try:
            info = connection.info
        except NotImplementedError:
            return  # the dialect's first look at a new connection: no transaction of ours
        release(info)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info
        if not info.get(_HOLDS_WRITER_LOCK):
            if not writers.acquire(timeout=SQLITE_BUSY_TIMEOUT):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            info[_HOLDS_WRITER_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(info)
            raise

    # The transaction ends in the dialect's commit or rollback (a pooled connection's
    # reset on check-in included); a connection dropped without either ends it too.
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: PoolProxiedConnection) -> None:
        try:
            commit(dbapi_connection)
        finally:
            release_for(dbapi_connection)

    def do_rollback(dbapi_connection: PoolProxiedConnection) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            release_for(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        release(record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: ConnectionPoolEntry, _err: Any) -> None:
        release(record.info)


#: Marks (in a pooled connection's ``info``) the connection whose transaction holds the
#: engine's writer lock.
_HOLDS_WRITER_LOCK = "trimtab_holds_writer_lock"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (services return them)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _refuse_writes_while_reading)
    return factory


@contextmanager
def reading(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads only. Flushing a change in it raises ``RuntimeError`` (a
    read-then-write needs ``session_factory.begin()``, whose lock makes it atomic).

    On SQLite its transaction begins deferred, so readers never queue behind the write
    lock, and its statements read one snapshot. On PostgreSQL it runs in autocommit:
    under READ COMMITTED each statement reads its own snapshot inside a transaction
    too, so the BEGIN and ROLLBACK round trips bought nothing.
    """
    with session_factory() as session:
        session.info[READ_ONLY] = True
        options: dict[str, Any] = {READ_ONLY: True}
        if session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        session.connection(execution_options=options)
        yield session


def _refuse_writes_while_reading(session: Session, *_: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a reading() session must not write")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (``trimtab db upgrade``)."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current_schema(engine: Engine) -> None:
    """Raise unless the database is at the newest migration, saying how to fix it."""
    current = current_revision(engine)
    if current != head_revision():
        state = "is not migrated" if current is None else f"is at revision {current}, not head"
        raise TrimtabError(
            f"database {state}; run `trimtab db upgrade`", code="database_not_migrated"
        )
