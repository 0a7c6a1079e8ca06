"""One account's books on the ``Exchange``: cash, holdings, orders and what open orders reserve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from trimtab.brokers.models import Order, OrderStatus, Side
from trimtab.domain.money import QTY_STEP, ZERO


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

    def fill(
        self,
        order: Order,
        prices: Mapping[str, Decimal],
        now: datetime,
        fraction: Decimal = Decimal(1),
    ) -> Order:
        """Fill ``fraction`` of what remains of ``order`` at the current price.

        A price that moved since the order was accepted can leave too little cash
        for a buy, or too few shares for a notional sell: what the account covers
        fills and the order ends there, as a broker would reject the rest.
        """
        price = prices[order.symbol]
        remaining = remaining_qty(order, prices)
        wanted = remaining if fraction >= 1 else (remaining * fraction).quantize(QTY_STEP)
        if order.side is Side.BUY:
            covered = (self.cash / price).quantize(QTY_STEP, rounding=ROUND_DOWN)
            qty = min(wanted, covered)
            if qty > ZERO:
                holding = self.holdings.setdefault(order.symbol, Holding(ZERO, price))
                cost_basis = holding.qty * holding.avg_entry_price + qty * price
                holding.qty += qty
                holding.avg_entry_price = cost_basis / holding.qty
                self.cash -= qty * price
        else:
            held = self.holdings.get(order.symbol)
            qty = min(wanted, held.qty if held else ZERO)
            if held is not None:
                held.qty -= qty
                self.cash += qty * price
                if held.qty == ZERO:
                    del self.holdings[order.symbol]
        filled = order.filled_qty + qty
        old_value = order.filled_qty * (order.filled_avg_price or ZERO)
        avg = (old_value + qty * price) / filled if filled else None
        done = (
            fraction >= 1
            or qty < wanted
            or remaining_qty(replace(order, filled_qty=filled), prices) <= 0
        )
        if not done:
            status = OrderStatus.PARTIALLY_FILLED
        else:
            status = OrderStatus.FILLED if filled > ZERO else OrderStatus.REJECTED
        updated = replace(
            order,
            filled_qty=filled,
            filled_avg_price=avg,
            status=status,
            updated_at=now,
        )
        self.orders[order.id] = updated
        return updated


def remaining_qty(order: Order, prices: Mapping[str, Decimal]) -> Decimal:
    """Shares still to fill; a notional order's remainder is valued at the current price."""
    if order.qty is not None:
        return order.qty - order.filled_qty
    assert order.notional is not None
    price = prices.get(order.symbol, ZERO)
    filled_value = order.filled_qty * (order.filled_avg_price or ZERO)
    return (order.notional - filled_value) / price if price else ZERO
