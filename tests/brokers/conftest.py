"""Venues for the broker tests: the in-memory fake, the paper broker trimtab runs (its
books in the database), AlpacaBroker on the simulator over loopback HTTP, and (only with
real keys) AlpacaBroker on Alpaca's paper API.

Every venue but Alpaca's own is scriptable: the fake and the simulator through their
``Exchange``, the stored paper broker through ``StoredPaperScript``, which changes its
books in the database and its market and flags on the broker."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.fake_broker import FakeBroker
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.brokers.base import Broker
from trimtab.brokers.books import AccountFlags
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Asset, AssetClass, Order, OrderStatus
from trimtab.brokers.paper import ACCOUNT_KEY, StoredPaperBroker
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.store.db import make_engine, make_session_factory
from trimtab.store.models import PaperHoldingRow, UserRow
from trimtab.store.repositories import PaperAccounts

from ..conftest import empty_database

#: An option contract: 100 shares of SPY at $500 until 2025-06-20, quoted per share.
OPTION = "SPY250620C00500000"
PRICES = {
    "SPY": Decimal("500.00"),
    "QQQ": Decimal("400.00"),
    "TLT": Decimal("90.00"),
    "BRK.A": Decimal("700000.00"),
    "LEHMQ": Decimal("0.01"),
    "XYZ": Decimal("250.00"),
    "BTC/USD": Decimal("60000.00"),
    OPTION: Decimal("50.00"),
}
ASSETS = {
    "BRK.A": Asset("BRK.A", fractionable=False),
    "LEHMQ": Asset("LEHMQ", tradable=False, fractionable=False),
    "BTC/USD": Asset(
        "BTC/USD",
        asset_class=AssetClass.CRYPTO,
        min_order_size=Decimal("0.0001"),
        min_trade_increment=Decimal("0.0001"),
    ),
    OPTION: Asset(OPTION, fractionable=False, asset_class=AssetClass.US_OPTION),
}
CASH = Decimal("10000.00")
HOLDINGS = {"SPY": Decimal(10), "QQQ": Decimal("5.5")}
#: Short enough that a stalled answer costs little, long enough for a loaded loopback.
TIMEOUT = 0.5
_keys = itertools.count()


class StoredPaperScript:
    """What the tests script on an ``Exchange``, done to a ``StoredPaperBroker``: cash,
    holdings, fills and order states in the database it reads (``edit_books``); prices,
    quotes, hours, fill rules and the clock on its ``market``; flags on its ``flags``.
    ``account_id`` arguments are accepted for the exchange's signature and ignored."""

    def __init__(self, broker: StoredPaperBroker) -> None:
        self.broker = broker
        self.market = broker.market

    # -- the market -----------------------------------------------------------
    @property
    def fill_immediately(self) -> bool:
        return self.market.fill_immediately

    @fill_immediately.setter
    def fill_immediately(self, value: bool) -> None:
        self.market.fill_immediately = value

    @property
    def fill_delay(self) -> timedelta:
        return self.market.fill_delay

    @fill_delay.setter
    def fill_delay(self, value: timedelta) -> None:
        self.market.fill_delay = value

    def set_prices(self, prices: dict[str, Decimal], *, as_of: datetime | None = None) -> None:
        self.market.set_prices(prices, as_of=as_of)

    def set_quotes(self, prices: dict[str, Decimal], *, as_of: datetime | None = None) -> None:
        self.market.set_quotes(prices, as_of=as_of)

    def set_market_open(self, is_open: bool) -> None:
        self.market.set_market_open(is_open)

    def advance_clock(self, delta: timedelta) -> None:
        self.market.advance_clock(delta)

    # -- the account ------------------------------------------------------------
    def set_flags(self, account_id: str, flags: AccountFlags) -> None:
        self.broker.flags = flags

    def set_cash(self, account_id: str, cash: Decimal) -> None:
        with self.broker.edit_books() as exchange:
            exchange.set_cash(ACCOUNT_KEY, cash)

    def set_holdings(self, account_id: str, holdings: dict[str, Decimal]) -> None:
        """Replace the holdings. PostgreSQL keeps symbols to the column's 16 characters
        (SQLite does not check): an option's OCC symbol cannot be a paper holding there,
        as no paper order can buy one."""
        width = PaperHoldingRow.__table__.c.symbol.type.length
        dialect = self.broker.session_factory.kw["bind"].dialect.name
        if dialect == "postgresql" and any(len(symbol) > width for symbol in holdings):
            pytest.skip(f"a paper holding's symbol has at most {width} characters")
        with self.broker.edit_books() as exchange:
            exchange.set_holdings(ACCOUNT_KEY, holdings)

    def fill_pending(self, account_id: str | None = None, *, fraction: Decimal = Decimal(1)) -> int:
        with self.broker.edit_books() as exchange:
            return exchange.fill_pending(ACCOUNT_KEY, fraction=fraction)

    def set_order_status(self, account_id: str, order_id: str, status: OrderStatus) -> Order:
        with self.broker.edit_books(also_order=order_id) as exchange:
            return exchange.set_order_status(ACCOUNT_KEY, order_id, status)


@dataclass
class Venue:
    """A broker under test and, where we own the venue, what scripts its state."""

    broker: Broker
    account_id: str = ""
    exchange: Exchange | StoredPaperScript | None = None
    simulator: Simulator | None = None
    #: The key pair headers of the simulator account, for raw HTTP checks.
    headers: dict[str, str] = field(default_factory=dict)

    def control(self) -> Any:
        """The exchange (or script) to drive; tests that need one skip on Alpaca's real API."""
        if self.exchange is None:
            pytest.skip("needs a venue whose state the test controls")
        return self.exchange


def new_exchange() -> Exchange:
    return Exchange(prices=PRICES, assets=ASSETS)


@pytest.fixture(scope="session")
def sim_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator()) as server:
        yield server


def alpaca_on_sim(server: BackgroundServer, key_id: str, secret_key: str) -> AlpacaBroker:
    return AlpacaBroker(
        key_id,
        secret_key,
        base_url=server.base_url,
        data_url=server.base_url,
        timeout=TIMEOUT,
        retry_wait=0,
        asset_cache=AssetCache(),
    )


@pytest.fixture
def sim_venue(sim_server: BackgroundServer) -> Iterator[Venue]:
    """A fresh exchange behind the shared simulator, with one funded account."""
    simulator = sim_server.simulator
    simulator.exchange = new_exchange()
    simulator.reset_counts()
    key_id, secret_key = f"PKTEST{next(_keys):06d}", "test-secret"
    simulator.open_account(key_id, secret_key, cash=CASH, holdings=HOLDINGS)
    yield Venue(
        alpaca_on_sim(sim_server, key_id, secret_key),
        key_id,
        simulator.exchange,
        simulator,
        {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret_key},
    )
    # A fault left over would hit the next test, whichever fixtures it uses.
    simulator.faults.clear()


def _paper_venue() -> Venue:
    exchange = new_exchange()
    exchange.open_account("paper", CASH, HOLDINGS)
    return Venue(FakeBroker(exchange, "paper"), "paper", exchange)


def _stored_paper_venue(request: pytest.FixtureRequest, backend: str) -> Venue:
    """The paper broker trimtab runs (books in the database), on an emptied SQLite or
    PostgreSQL database, scripted through the database and its market."""
    url: str = request.getfixturevalue(f"{backend}_database")
    engines: dict[str, Engine] = request.getfixturevalue("engines")
    engine = engines.setdefault(url, make_engine(url))
    empty_database(engine)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with factory.begin() as session:
        user = UserRow(
            email="paper@trimtab.test", password_hash="x", is_admin=False, created_at=now
        )
        session.add(user)
        session.flush()
        PaperAccounts(session).open(user.id, CASH, HOLDINGS, PRICES, now=now)
        user_id = user.id
    broker = StoredPaperBroker(factory, user_id, PRICES, ASSETS)
    return Venue(broker, ACCOUNT_KEY, StoredPaperScript(broker))


def _live_venue() -> Venue:
    key_id, secret_key = os.environ.get("ALPACA_KEY_ID"), os.environ.get("ALPACA_SECRET_KEY")
    if not (key_id and secret_key and os.environ.get("TRIMTAB_LIVE_ALPACA") == "1"):
        pytest.skip("set ALPACA_KEY_ID, ALPACA_SECRET_KEY and TRIMTAB_LIVE_ALPACA=1")
    return Venue(AlpacaBroker(key_id, secret_key, paper=True, timeout=10))


@pytest.fixture(
    params=[
        "paper",
        "stored-paper",
        pytest.param("stored-paper-postgres", marks=pytest.mark.postgres),
        "alpaca-sim",
        pytest.param("alpaca-live", marks=pytest.mark.live_alpaca),
    ]
)
def venue(request: pytest.FixtureRequest) -> Venue:
    if request.param == "paper":
        return _paper_venue()
    if request.param == "stored-paper":
        return _stored_paper_venue(request, "sqlite")
    if request.param == "stored-paper-postgres":
        return _stored_paper_venue(request, "postgres")
    if request.param == "alpaca-sim":
        sim: Venue = request.getfixturevalue("sim_venue")
        return sim
    return _live_venue()
