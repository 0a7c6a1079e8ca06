"""Every broker request's failure counted by endpoint and code, at the services' boundary.

One wrapper around whatever ``Broker`` a user trades through (Alpaca, paper, the
simulator), so the adapters need no metrics code of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Account, Asset, Clock, Order, OrderRequest, Position
from trimtab.errors import BrokerError
from trimtab.monitoring.metrics import record_broker_error

T = TypeVar("T")


class InstrumentedBroker:
    """``inner`` with each ``BrokerError`` counted in ``trimtab_broker_errors_total``
    (endpoint = the Broker method, code = the error's code) and raised on unchanged."""

    def __init__(self, inner: Broker) -> None:
        self.inner = inner

    def _counted(self, endpoint: str, send: Callable[[], T]) -> T:
        try:
            return send()
        except BrokerError as err:
            record_broker_error(endpoint, err.code)
            raise

    def get_account(self) -> Account:
        return self._counted("get_account", self.inner.get_account)

    def get_positions(self) -> list[Position]:
        return self._counted("get_positions", self.inner.get_positions)

    def get_latest_prices(self, symbols: Sequence[str]) -> dict[str, Decimal]:
        return self._counted("get_latest_prices", lambda: self.inner.get_latest_prices(symbols))

    def get_asset(self, symbol: str) -> Asset:
        return self._counted("get_asset", lambda: self.inner.get_asset(symbol))

    def get_clock(self) -> Clock:
        return self._counted("get_clock", self.inner.get_clock)

    def submit_order(self, request: OrderRequest) -> Order:
        return self._counted("submit_order", lambda: self.inner.submit_order(request))

    def get_order(self, order_id: str) -> Order:
        return self._counted("get_order", lambda: self.inner.get_order(order_id))

    def get_order_by_client_id(self, client_order_id: str) -> Order | None:
        return self._counted(
            "get_order_by_client_id", lambda: self.inner.get_order_by_client_id(client_order_id)
        )

    def list_orders(
        self, *, open_only: bool = True, symbols: Sequence[str] | None = None
    ) -> list[Order]:
        return self._counted(
            "list_orders", lambda: self.inner.list_orders(open_only=open_only, symbols=symbols)
        )

    def cancel_order(self, order_id: str) -> None:
        self._counted("cancel_order", lambda: self.inner.cancel_order(order_id))


def instrumented(broker_for: Callable[[int], Broker]) -> Callable[[int], Broker]:
    """``broker_for`` whose brokers count their errors."""

    def counted_broker_for(user_id: int) -> Broker:
        return InstrumentedBroker(broker_for(user_id))

    return counted_broker_for
