"""One account's books on the ``Exchange``: cash, holdings, orders and what open orders reserve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from trimtab.brokers.models import Order, Side
from trimtab.domain.money import ZERO


@dataclass
class Holding:
    qty: Decimal
    avg_entry_price: Decimal


@dataclass
class AccountState:
    """One account's books. ``orders`` keeps insertion order (oldest first)."""

    id: str
    cash: Decimal
    holdings: dict[str, Holding] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if not o.status.is_terminal]

    def reserved_cash(self, prices: Mapping[str, Decimal]) -> Decimal:
        """Cash that open buys will spend at current prices: it is not buying power."""
        return sum(
            (
                remaining_qty(o, prices) * prices.get(o.symbol, ZERO)
                for o in self.open_orders()
                if o.side is Side.BUY
            ),
            ZERO,
        )

    def reserved_qty(self, symbol: str, prices: Mapping[str, Decimal]) -> Decimal:
        """Shares that open sells will deliver: they are not ``qty_available``."""
        return sum(
            (
                remaining_qty(o, prices)
                for o in self.open_orders()
                if o.side is Side.SELL and o.symbol == symbol
            ),
            ZERO,
        )

    def equity(self, prices: Mapping[str, Decimal]) -> Decimal:
        return self.cash + sum(
            (h.qty * prices.get(s, h.avg_entry_price) for s, h in self.holdings.items()), ZERO
        )


def remaining_qty(order: Order, prices: Mapping[str, Decimal]) -> Decimal:
    """Shares still to fill; a notional order's remainder is valued at the current price."""
    if order.qty is not None:
        return order.qty - order.filled_qty
    assert order.notional is not None
    price = prices.get(order.symbol, ZERO)
    filled_value = order.filled_qty * (order.filled_avg_price or ZERO)
    return (order.notional - filled_value) / price if price else ZERO
