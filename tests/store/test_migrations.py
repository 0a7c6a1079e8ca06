"""Migrations build the whole schema from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from trimtab.errors import TrimtabError
from trimtab.store.db import alembic_config, make_engine, require_current_schema, upgrade
from trimtab.store.models import Base, RebalanceRunRow
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


def test_0009_fills_max_drift_from_each_runs_stored_result(empty_url: str) -> None:
    upgrade(empty_url, "0008")
    engine = make_engine(empty_url)
    now = datetime(2026, 1, 2, tzinfo=UTC)
    run = {
        "user_id": 1,
        "trigger": "manual",
        "dry_run": True,
        "queue_if_closed": False,
        "status": "planned",
        "outcome": "ok",
        "needs_rebalance": True,
        "portfolio_value": "1000.0000",
        "message": "m",
        "order_key": "abc",
        "inputs": "{}",
        "created_at": now,
        "updated_at": now,
    }
    results = {
        1: {"drift_analysis": [{"drift_percent": 2.5}, {"drift_percent": -7.31}]},
        2: {"drift_analysis": []},
        3: {"drift_analysis": [{"drift_percent": 0.0}]},
    }
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, is_admin, created_at) "
                    "VALUES (1, 'a@example.com', 'x', false, :now)"
                ),
                {"now": now},
            )
            for run_id, result in results.items():
                connection.execute(
                    text(
                        "INSERT INTO rebalance_runs (id, user_id, trigger, dry_run, "
                        "queue_if_closed, status, outcome, needs_rebalance, portfolio_value, "
                        "message, order_key, inputs, result, created_at, updated_at) VALUES "
                        "(:id, :user_id, :trigger, :dry_run, :queue_if_closed, :status, "
                        ":outcome, :needs_rebalance, :portfolio_value, :message, :order_key, "
                        ":inputs, :result, :created_at, :updated_at)"
                    ),
                    {**run, "id": run_id, "result": json.dumps(result)},
                )
        upgrade(empty_url)
        with Session(engine) as session:
            rows = session.execute(select(RebalanceRunRow.id, RebalanceRunRow.max_drift_percent))
            drift = {run_id: value for run_id, value in rows}
        assert drift == {1: Decimal("7.31"), 2: None, 3: Decimal("0")}
    finally:
        engine.dispose()
