"""The ``Broker`` protocol: everything trimtab asks of a brokerage account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from trimtab.brokers.models import (
    Account,
    Asset,
    Books,
    Clock,
    DailyBar,
    Order,
    OrderRequest,
    Position,
    PricePoint,
)


class Broker(Protocol):
    """One brokerage account. Errors are ``trimtab.errors.BrokerError`` subclasses."""

    def get_account(self) -> Account: ...

    def get_positions(self) -> list[Position]: ...

    def get_books(self, *, open_orders: bool = True) -> Books:
        """The account, its positions and (``open_orders``) its open orders, newest first:
        what ``get_account``, ``get_positions`` and ``list_orders()`` answer, read
        together where the broker can (the stored paper broker: one transaction)."""
        ...

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Last trade price of each symbol, held or not, with its time and source, in one
        call; unknown symbols omitted. Crypto symbols are spelled ``BTC/USD``."""
        ...

    def get_latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        """Latest quote of each symbol (bid/ask midpoint), with its time, source ``"quote"``:
        a fresher price when the last trade is old. Unknown symbols omitted."""
        ...

    def get_asset(self, symbol: str) -> Asset:
        """Tradable/fractionable facts; raises ``NotFound`` for an unknown symbol."""
        ...

    def get_clock(self) -> Clock: ...

    def get_daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        """Daily closes from ``start`` to ``end`` inclusive, oldest first, per symbol;
        symbols without bars are left out (the backtest's broker prices)."""
        ...

    def submit_order(self, request: OrderRequest) -> Order:
        """Place an order, idempotently per ``client_order_id``.

        A crypto order goes out as the broker takes it (``order_rules.order_for_asset``:
        gtc, qty rounded down to the coin's increment).

        Sending the same request again returns the order already placed; reusing
        the id for a different order raises ``DuplicateClientOrderId``.
        """
        ...

    def get_order(self, order_id: str) -> Order:
        """The order by the broker's id; raises ``NotFound`` for an unknown one."""
        ...

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        """The order with this client id, or ``None`` if the broker never received it."""
        ...

    def list_orders(
        self, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        """Orders newest first: open ones only, or all (at most the broker's page of 500)."""
        ...

    def cancel_order(self, order_id: str) -> None:
        """Cancel an open order; a finished one raises ``OrderRejected``."""
        ...


def books_of(broker: Broker, *, open_orders: bool = True) -> Books:
    """``Broker.get_books`` from the three single reads, for a broker that has no
    read of them together (two or three requests to Alpaca)."""
    account, positions = broker.get_account(), broker.get_positions()
    return Books(account, positions, broker.list_orders() if open_orders else None)
