"""Typed results and requests of the broker protocol, in our own types with ``Decimal`` money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.lifecycle import OrderStatus
from trimtab.domain.money import ZERO
from trimtab.domain.portfolio import Asset, AssetClass, PricePoint, Side

__all__ = [
    "Account",
    "Asset",
    "AssetClass",
    "Books",
    "Clock",
    "DailyBar",
    "Order",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PricePoint",
    "Side",
    "TimeInForce",
    "decimal_text",
]


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"
    OPG = "opg"
    CLS = "cls"
    IOC = "ioc"
    FOK = "fok"


@dataclass(frozen=True, slots=True)
class Account:
    """The account's figures as the broker reports them (USD).

    ``cash`` includes a short sale's proceeds; ``equity`` = cash +
    ``long_market_value`` + ``short_market_value`` (the latter negative, as Alpaca
    sends it). ``multiplier`` is 1 for a cash account, 2 or 4 for margin.
    """

    id: str
    cash: Decimal
    buying_power: Decimal
    equity: Decimal
    status: str = "ACTIVE"
    trading_blocked: bool = False
    account_blocked: bool = False
    currency: str = "USD"
    pattern_day_trader: bool = False
    shorting_enabled: bool = False
    trade_suspended_by_user: bool = False
    long_market_value: Decimal = ZERO
    short_market_value: Decimal = ZERO
    multiplier: Decimal = Decimal(1)
    last_equity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """One position, signed as Alpaca sends it: a short has negative ``qty`` and
    ``market_value``.

    ``symbol`` is the symbol orders and market data use (``BTC/USD``, not the
    position's ``BTCUSD``). ``market_value`` is the broker's own figure (an option's
    includes its contract multiplier); value a position by it, never by qty × price.
    """

    symbol: str
    qty: Decimal
    qty_available: Decimal
    market_value: Decimal
    current_price: Decimal
    avg_entry_price: Decimal
    asset_class: AssetClass = AssetClass.US_EQUITY

    @property
    def side(self) -> str:
        """``"long"`` or ``"short"``, as Alpaca names them."""
        return "short" if self.qty < ZERO else "long"


@dataclass(frozen=True, slots=True)
class Clock:
    timestamp: datetime
    is_open: bool
    next_open: datetime
    next_close: datetime


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new order. Exactly one of ``qty`` and ``notional`` is set."""

    symbol: str
    side: Side
    client_order_id: str
    qty: Decimal | None = None
    notional: Decimal | None = None
    type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    client_order_id: str
    symbol: str
    side: Side
    qty: Decimal | None
    notional: Decimal | None
    filled_qty: Decimal
    filled_avg_price: Decimal | None
    status: OrderStatus
    type: OrderType
    time_in_force: TimeInForce
    submitted_at: datetime
    updated_at: datetime


def decimal_text(value: Decimal) -> str:
    """Plain notation, never ``1E+2``: the form of Alpaca's decimal strings."""
    return format(value, "f")


@dataclass(frozen=True, slots=True)
class DailyBar:
    """One trading day's close in USD (``day`` is the exchange's date, New York time)."""

    day: date
    close: Decimal


@dataclass(frozen=True, slots=True)
class Books:
    """An account read at one moment: its figures, its positions and, when asked for,
    its open orders (newest first; ``None`` when not asked)."""

    account: Account
    positions: list[Position]
    open_orders: list[Order] | None = None
