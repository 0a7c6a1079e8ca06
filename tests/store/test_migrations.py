"""Migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from trimtab.errors import TrimtabError
from trimtab.store.db import alembic_config, make_engine, require_current_schema, upgrade
from trimtab.store.models import Base
from trimtab.store.queue_schema import include_in_comparison


@pytest.fixture(
    params=["scratch_sqlite_url", pytest.param("scratch_postgres_url", marks=pytest.mark.postgres)]
)
def empty_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    return url


def test_upgrade_from_empty_builds_the_models_schema(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        with pytest.raises(TrimtabError, match=r"run `trimtab db upgrade`"):
            require_current_schema(engine)
        upgrade(empty_url)
        require_current_schema(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_in_comparison}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_up_again(empty_url: str) -> None:
    upgrade(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    engine = make_engine(empty_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(empty_url)
        require_current_schema(engine)
    finally:
        engine.dispose()


def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    upgrade(empty_url)
    upgrade(empty_url)
