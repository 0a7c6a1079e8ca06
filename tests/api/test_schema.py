"""schemathesis over ``/openapi.json``: generated requests never get a server error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.services import users
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user

#: Per operation; bounded so CI stays quick.
EXAMPLES = 25


@pytest.fixture
def on_simulator(ctx: AppContext) -> Iterator[None]:
    """PUT /api/broker asks the broker about the keys: a simulator with no accounts
    refuses every generated pair at once, as Alpaca would."""
    with BackgroundServer(Simulator()) as sim:
        ctx.settings = ctx.settings.model_copy(
            update={"alpaca_base_url": sim.base_url, "alpaca_data_url": sim.base_url}
        )
        ctx.broker_for = make_broker_for(ctx.settings, ctx.store, ctx.clock)
        yield


def test_no_generated_request_gets_a_server_error(
    app: FastAPI, ctx: AppContext, on_simulator: None
) -> None:
    seed = seed_demo_user(ctx)
    token, _ = users.create_token(ctx, seed.user.id, "schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    # The event stream never ends by itself; it has its own tests.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/events")
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    # schemathesis' pytest plugin does not run under this pytest; drive hypothesis directly.
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        no_server_error()
    assert operations >= 15
    # Both accepted and refused requests were generated, for every operation.
    assert len(statuses) >= operations * 5
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
    assert failures == []
