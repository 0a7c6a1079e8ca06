"""Builders shared by the service tests: clock, seed targets, exchange-backed brokers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.fake_broker import FakeBroker
from trimtab.brokers.base import books_of
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Books, Order, OrderRequest
from trimtab.domain.targets import Target
from trimtab.services.context import AppContext

PASSWORD = "correct horse battery"
SEED_TARGETS = [
    Target("SPY", Decimal(40)),
    Target("QQQ", Decimal(30)),
    Target("TLT", Decimal(20)),
    Target("GLD", Decimal(10)),
]


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def on_exchange(
    ctx: AppContext, exchange: Exchange, wrap: Callable[[FakeBroker], object] | None = None
) -> None:
    """Point every user's broker at an account on ``exchange`` (optionally wrapped)."""

    def broker_for(user_id: int) -> FakeBroker:
        account = str(user_id)
        if account not in exchange.accounts:
            raise AssertionError(f"open an exchange account for user {user_id} first")
        broker = FakeBroker(exchange, account)
        return wrap(broker) if wrap else broker  # type: ignore[return-value]

    ctx.broker_for = broker_for  # type: ignore[assignment]


def drifted_account(exchange: Exchange, user_id: int) -> None:
    """SPY heavy and TLT light against the seed's 40/30/20/10."""
    exchange.open_account(
        str(user_id),
        Decimal("2500"),
        {"SPY": Decimal(150), "QQQ": Decimal(120), "TLT": Decimal(100), "GLD": Decimal(50)},
    )


def all_in_spy(exchange: Exchange, user_id: int) -> None:
    """Everything in SPY: a run sells SPY and buys QQQ, TLT and GLD (four orders)."""
    exchange.open_account(str(user_id), Decimal(0), {"SPY": Decimal(300)})


class Crash(BaseException):
    """The process dying mid-run: no ``except Exception`` in the service catches it."""


class BrokerSpy:
    """Wraps a broker; ``before_submit``/``after_submit`` hooks see each order in turn."""

    def __init__(
        self,
        inner: FakeBroker,
        before_submit: Callable[[int], None] | None = None,
        after_submit: Callable[[int], None] | None = None,
    ) -> None:
        self.inner = inner
        self.before_submit = before_submit
        self.after_submit = after_submit
        self.submits = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def get_books(self, *, open_orders: bool = True) -> Books:
        """From this spy's own reads, so a subclass that changes one changes the books."""
        return books_of(self, open_orders=open_orders)

    def submit_order(self, request: OrderRequest) -> Order:
        self.submits += 1
        if self.before_submit:
            self.before_submit(self.submits)
        order = self.inner.submit_order(request)
        if self.after_submit:
            self.after_submit(self.submits)
        return order
