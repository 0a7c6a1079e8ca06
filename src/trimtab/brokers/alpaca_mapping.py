"""alpaca-py's models read into our broker models, money parsed as ``Decimal`` from
Alpaca's decimal strings."""

from __future__ import annotations

from decimal import Decimal

from alpaca.trading import models as sdk

from trimtab.brokers.models import (
    Account,
    Asset,
    Clock,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
)
from trimtab.domain.money import ZERO


def _decimal(value: str | float | None) -> Decimal:
    # alpaca-py keeps trading amounts as the strings Alpaca sent; str() is a no-op for them.
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _optional_decimal(value: str | float | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def account_from_sdk(account: sdk.TradeAccount) -> Account:
    return Account(
        id=str(account.id),
        cash=_decimal(account.cash),
        buying_power=_decimal(account.buying_power),
        equity=_decimal(account.equity),
        status=str(account.status.value),
        trading_blocked=bool(account.trading_blocked),
        account_blocked=bool(account.account_blocked),
        currency=account.currency or "USD",
    )


def position_from_sdk(position: sdk.Position) -> Position:
    qty = _decimal(position.qty)
    return Position(
        symbol=position.symbol,
        qty=qty,
        qty_available=qty if position.qty_available is None else _decimal(position.qty_available),
        market_value=_decimal(position.market_value),
        current_price=_decimal(position.current_price),
        avg_entry_price=_decimal(position.avg_entry_price),
    )


def asset_from_sdk(asset: sdk.Asset) -> Asset:
    return Asset(asset.symbol, tradable=asset.tradable, fractionable=asset.fractionable)


def clock_from_sdk(clock: sdk.Clock) -> Clock:
    return Clock(
        timestamp=clock.timestamp,
        is_open=clock.is_open,
        next_open=clock.next_open,
        next_close=clock.next_close,
    )


def order_from_sdk(order: sdk.Order) -> Order:
    return Order(
        id=str(order.id),
        client_order_id=order.client_order_id,
        symbol=order.symbol or "",
        side=Side(order.side.value if order.side else "buy"),
        qty=_optional_decimal(order.qty),
        notional=_optional_decimal(order.notional),
        filled_qty=_decimal(order.filled_qty),
        filled_avg_price=_optional_decimal(order.filled_avg_price),
        status=OrderStatus(order.status.value),
        type=OrderType(order.type.value if order.type else "market"),
        time_in_force=TimeInForce(order.time_in_force.value),
        submitted_at=order.submitted_at,
        updated_at=order.updated_at,
    )
