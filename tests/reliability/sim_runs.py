"""Live runs on PostgreSQL against the simulator over HTTP: a context, accounts on the
simulator, and the check that the records match the broker."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import empty_database
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.brokers.demo import demo_prices
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Order
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.config import Settings
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext, RunOptions
from trimtab.services.events import InProcessEvents
from trimtab.services.run_records import OrderState, was_sent
from trimtab.store.db import make_engine
from trimtab.store.models import OrderRow, RebalanceRunRow
from trimtab.store.unit_of_work import Store

_keys = itertools.count()
#: The secret of every simulator account here (8+ characters, as trimtab asks of one).
SECRET = "sim-secret-key"


def _context(url: str) -> AppContext:
    engine = make_engine(url)
    empty_database(engine)
    settings = Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="test-secret")
    store = Store(engine)
    return AppContext(
        store=store,
        broker_for=make_broker_for(settings, store),
        events=InProcessEvents(),
        settings=settings,
        run_options=RunOptions(fill_timeout=5.0, poll_interval=0.05),
    )


@pytest.fixture
def pg_ctx(postgres_database: str) -> Iterator[AppContext]:
    """A context on the migrated PostgreSQL database, emptied; orders followed briskly."""
    ctx = _context(postgres_database)
    yield ctx
    ctx.store.engine.dispose()


@pytest.fixture(
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("sqlite")]
)
def live_ctx(request: pytest.FixtureRequest) -> Iterator[AppContext]:
    """As ``pg_ctx``, on PostgreSQL and on SQLite."""
    ctx = _context(request.getfixturevalue(f"{request.param}_database"))
    yield ctx
    ctx.store.engine.dispose()


@pytest.fixture(scope="module")
def sim_server() -> Iterator[BackgroundServer]:
    """The simulator at the demo prices; market orders fill 0.1 s after they arrive, so
    a run also follows open orders."""
    prices, assets = demo_prices()
    exchange = Exchange(prices=prices, assets=assets, fill_delay=timedelta(seconds=0.1))
    with BackgroundServer(Simulator(exchange)) as server:
        yield server


class SimAccount:
    """A fresh account on the simulator, all in SPY: a run against the seed's targets
    sells SPY and buys QQQ, TLT and GLD."""

    def __init__(self, server: BackgroundServer, spy: int = 300) -> None:
        self.server = server
        self.sim = server.simulator
        self.key_id = f"PKREL{next(_keys):07d}"
        self.sim.open_account(self.key_id, SECRET, cash=Decimal(0))
        self.sim.exchange.set_holdings(self.key_id, {"SPY": Decimal(spy)}, {})

    def broker(self, timeout: float = 5.0) -> AlpacaBroker:
        return AlpacaBroker(
            self.key_id,
            SECRET,
            base_url=self.server.base_url,
            data_url=self.server.base_url,
            timeout=timeout,
            retry_wait=0,
            asset_cache=AssetCache(),
        )

    def orders(self) -> list[Order]:
        return list(self.sim.exchange.account_state(self.key_id).orders.values())

    def use_for(self, ctx: AppContext) -> None:
        """Every user of ``ctx`` trades this account."""
        broker = self.broker()
        ctx.broker_for = lambda _user: broker  # type: ignore[assignment,return-value]


def runs_since(ctx: AppContext, user_id: int, after_id: int) -> list[RebalanceRunRow]:
    with ctx.store.session_factory() as session:
        return list(
            session.scalars(
                select(RebalanceRunRow)
                .where(RebalanceRunRow.user_id == user_id, RebalanceRunRow.id > after_id)
                .order_by(RebalanceRunRow.id)
            )
        )


def orders_of(ctx: AppContext, run_ids: Sequence[int]) -> list[OrderRow]:
    with ctx.store.session_factory() as session:
        return list(
            session.scalars(
                select(OrderRow).where(OrderRow.run_id.in_(run_ids)).order_by(OrderRow.id)
            )
        )


def duplicates_and_mismatches(
    rows: Sequence[OrderRow], broker: Sequence[Order]
) -> tuple[int, list[str]]:
    """How many orders the broker holds more than once (by client id, or an order no
    record planned), and every way the records differ from the broker."""
    held = Counter(o.client_order_id for o in broker)
    planned = {r.client_order_id for r in rows}
    duplicates = sum(n - 1 for n in held.values()) + sum(1 for c in held if c not in planned)
    by_client = {o.client_order_id: o for o in broker}
    problems = []
    for row in rows:
        order = by_client.get(row.client_order_id)
        if not was_sent(row) or row.status == OrderState.REJECTED:
            if order is not None:
                problems.append(f"{row.client_order_id}: recorded {row.status}, broker has it")
            continue
        if order is None:
            problems.append(f"{row.client_order_id}: recorded {row.status}, broker has none")
            continue
        recorded = (row.broker_order_id, row.status, row.filled_qty)
        actual = (order.id, str(order.status), order.filled_qty)
        if recorded != actual:
            problems.append(f"{row.client_order_id}: recorded {recorded}, broker {actual}")
    return duplicates, problems
