"""A service context on each database, with instant fill polling and a fake clock."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from trimtab.brokers.demo import demo_prices
from trimtab.brokers.exchange import Exchange
from trimtab.config import Settings
from trimtab.services import allocations, users
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext, RunOptions
from trimtab.services.events import InProcessEvents
from trimtab.store.unit_of_work import Store

from .helpers import PASSWORD, SEED_TARGETS, FakeClock


@pytest.fixture(autouse=True)
def _fast_hashing(fast_password_hashing: None) -> None:
    """Every service test creates users."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(engine: Engine, clock: FakeClock) -> AppContext:
    settings = Settings(TRIMTAB_DATABASE_URL=str(engine.url), TRIMTAB_SECRET_KEY="test-secret")
    store = Store(engine)
    return AppContext(
        store=store,
        broker_for=make_broker_for(settings, store),
        events=InProcessEvents(),
        settings=settings,
        clock=clock,
        sleep=clock.advance,
        run_options=RunOptions(fill_timeout=1.0, poll_interval=0.0),
    )


@pytest.fixture
def user_id(ctx: AppContext) -> int:
    return users.create_user(ctx, "alice@example.com", PASSWORD).id


@pytest.fixture
def exchange() -> Exchange:
    """An in-memory exchange at the demo prices, for tests that steer fills and faults."""
    prices, assets = demo_prices()
    return Exchange(prices=prices, assets=assets)


@pytest.fixture
def seeded(ctx: AppContext, user_id: int) -> int:
    """Alice with the seed's targets."""
    allocations.replace_allocations(ctx, user_id, SEED_TARGETS)
    return user_id
