"""``FakeBroker``: the tests' in-memory broker, one account on an ``Exchange`` (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from trimtab.brokers.exchange import Exchange
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
from trimtab.brokers.order_rules import order_for_asset, same_order
from trimtab.errors import DuplicateClientOrderId


class FakeBroker:
    """Fills market orders at the last price, with the refusals a real Alpaca account has."""

    def __init__(self, exchange: Exchange, account_id: str) -> None:
        self.exchange = exchange
        self.account_id = account_id

    def get_account(self) -> Account:
        return self.exchange.account(self.account_id)

    def get_positions(self) -> list[Position]:
        return self.exchange.positions(self.account_id)

    def get_books(self, *, open_orders: bool = True) -> Books:
        return self.exchange.books(self.account_id, open_orders=open_orders)

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        return self.exchange.latest_prices(symbols)

    def get_latest_quotes(self, symbols: Sequence[str]) -> dict[str, PricePoint]:
        return self.exchange.latest_quotes(symbols)

    def get_asset(self, symbol: str) -> Asset:
        return self.exchange.asset(symbol)

    def get_clock(self) -> Clock:
        return self.exchange.clock()

    def get_daily_bars(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[DailyBar]]:
        return self.exchange.daily_bars(symbols, start, end)

    def submit_order(self, request: OrderRequest) -> Order:
        request = order_for_asset(request, self.exchange.asset(request.symbol))
        try:
            return self.exchange.submit(self.account_id, request)
        except DuplicateClientOrderId:
            placed = self.get_order_by_client_id(request.client_order_id)
            if placed is not None and same_order(placed, request):
                return placed
            raise

    def get_order(self, order_id: str) -> Order:
        return self.exchange.order(self.account_id, order_id)

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        return self.exchange.order_by_client_id(self.account_id, client_order_id)

    def list_orders(
        self, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        return self.exchange.orders(self.account_id, open_only=open_only, symbols=symbols)

    def cancel_order(self, order_id: str) -> None:
        self.exchange.cancel(self.account_id, order_id)
