"""A few seconds of the mixed API load (bench/api_load.py) against one ``trimtab serve``,
on SQLite and PostgreSQL: no request may fail. Requests/s and p95 are recorded as the
suite's figures; the 60 s form with its goals runs in ``make bench`` and ``make soak``."""

from __future__ import annotations

import pytest
from bench.api_load import load_on
from sqlalchemy import Engine

from . import figures

SECONDS = 4.0
CLIENTS = 8


@pytest.mark.timeout(300)
def test_a_short_mixed_load_sees_no_errors(database_url: str, engine: Engine) -> None:
    name = engine.dialect.name
    result = load_on(name, database_url, seconds=SECONDS, clients=CLIENTS)
    print(result.line())
    assert result.errors == 0, result.failures
    assert result.requests > 0
    figures.measured(f"load_{name}_rps", round(result.rps))
    figures.measured(f"load_{name}_p95_ms", round(result.percentile(95)))
    figures.record("server_errors", result.server_errors)
