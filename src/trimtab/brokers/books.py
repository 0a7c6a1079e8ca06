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
    """A position's books; ``qty`` is negative for a short."""

    qty: Decimal
    avg_entry_price: Decimal


@dataclass
class AccountFlags:
    """What an account may do, as Alpaca's account object reports it.

    ``multiplier`` 1 is a cash account, 2 or 4 a margin one; ``buying_power``,
    when set, replaces the exchange's own figure (to copy a real account's).
    """

    status: str = "ACTIVE"
    trading_blocked: bool = False
    account_blocked: bool = False
    trade_suspended_by_user: bool = False
    pattern_day_trader: bool = False
    shorting_enabled: bool = False
    multiplier: Decimal = Decimal(1)
    buying_power: Decimal | None = None

    @property
    def may_trade(self) -> bool:
        return self.status == "ACTIVE" and not (
            self.trading_blocked or self.account_blocked or self.trade_suspended_by_user
        )


@dataclass
class AccountState:
    """One account's books. ``orders`` keeps insertion order (oldest first)."""

    id: str
    cash: Decimal
    holdings: dict[str, Holding] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    flags: AccountFlags = field(default_factory=AccountFlags)

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
            qty = wanted
            if self.flags.multiplier <= 1:
                covered = (max(self.cash, ZERO) / price).quantize(QTY_STEP, rounding=ROUND_DOWN)
                qty = min(wanted, covered)
            if qty > ZERO:
                self._add(order.symbol, qty, price)
                self.cash -= qty * price
        else:
            held = self.holdings.get(order.symbol)
            # A sell only delivers what is held long; it never opens or adds to a short.
            qty = min(wanted, max(held.qty, ZERO) if held else ZERO)
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

    def _add(self, symbol: str, qty: Decimal, price: Decimal) -> None:
        """Bought ``qty`` at ``price``: a long averages its entry, a short is covered."""
        holding = self.holdings.setdefault(symbol, Holding(ZERO, price))
        before = holding.qty
        holding.qty += qty
        if holding.qty == ZERO:
            del self.holdings[symbol]
        elif before >= ZERO:
            holding.avg_entry_price = (before * holding.avg_entry_price + qty * price) / holding.qty
        elif holding.qty > ZERO:
            holding.avg_entry_price = price


def remaining_qty(order: Order, prices: Mapping[str, Decimal]) -> Decimal:
    """Shares still to fill; a notional order's remainder is valued at the current price."""
    if order.qty is not None:
        return order.qty - order.filled_qty
    assert order.notional is not None
    price = prices.get(order.symbol, ZERO)
    filled_value = order.filled_qty * (order.filled_avg_price or ZERO)
    return (order.notional - filled_value) / price if price else ZERO
