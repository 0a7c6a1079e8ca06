"""Shared database fixtures: every store and service test runs on SQLite and PostgreSQL.

Each backend is migrated once per session (SQLite: a temp file; PostgreSQL: a
fresh database on 127.0.0.1:5432, dropped afterwards) and emptied before each
test. PostgreSQL being unreachable fails the tests; set
``TRIMTAB_TEST_SKIP_POSTGRES=1`` to skip them on purpose.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import demo_simulator
from trimtab.store.db import make_engine, upgrade
from trimtab.store.models import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "TRIMTAB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def postgres_admin() -> Engine:
    """An autocommit engine on the server's ``test`` database, or a failed test."""
    if os.environ.get("TRIMTAB_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("TRIMTAB_TEST_SKIP_POSTGRES=1")
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except OperationalError as err:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({err.orig}); the store and "
            "service tests need it (TRIMTAB_TEST_SKIP_POSTGRES=1 skips them on purpose)",
            pytrace=False,
        )
    return engine


def fresh_postgres_database(admin: Engine) -> str:
    name = f"trimtab_test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin: Engine, url: str) -> None:
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'trimtab.db'}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    admin = postgres_admin()
    url = fresh_postgres_database(admin)
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(admin, url)
        admin.dispose()


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Engine]]:
    """One engine per database URL for the whole session (pools are slow to rebuild)."""
    cache: dict[str, Engine] = {}
    yield cache
    for engine in cache.values():
        engine.dispose()


def empty_database(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database: SQLite or PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_database")
    return url


@pytest.fixture
def engine(database_url: str, engines: dict[str, Engine]) -> Engine:
    if database_url not in engines:
        engines[database_url] = make_engine(database_url)
    empty_database(engines[database_url])
    return engines[database_url]


@pytest.fixture
def scratch_postgres_url() -> Iterator[str]:
    """A fresh, unmigrated PostgreSQL database (migration tests)."""
    admin = postgres_admin()
    url = fresh_postgres_database(admin)
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)
        admin.dispose()


@pytest.fixture
def scratch_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'scratch.db'}"


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with test-sized costs: the real ones take ~100 ms per user created."""
    from argon2 import PasswordHasher

    from trimtab.services import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture(scope="session")
def alpaca_sim() -> Iterator[BackgroundServer]:
    """The Alpaca simulator on a loopback port with the demo prices and no accounts:
    each test module opens the accounts (key pairs) it needs."""
    with BackgroundServer(demo_simulator(with_demo_account=False)) as server:
        yield server
