"""alpaca-py's models read into our broker models, money parsed as ``Decimal`` from
Alpaca's decimal strings."""

from __future__ import annotations

from decimal import Decimal

from alpaca.trading import models as sdk

from trimtab.brokers.models import (
    Account,
    Asset,
    AssetClass,
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


#: The currencies Alpaca quotes crypto pairs in, longest first so ``USDT`` wins over ``USD``.
CRYPTO_QUOTE_CURRENCIES = ("USDT", "USDC", "USD", "BTC")


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
        pattern_day_trader=bool(account.pattern_day_trader),
        shorting_enabled=bool(account.shorting_enabled),
        trade_suspended_by_user=bool(account.trade_suspended_by_user),
        long_market_value=_decimal(account.long_market_value),
        short_market_value=_decimal(account.short_market_value),
        multiplier=_optional_decimal(account.multiplier) or Decimal(1),
        last_equity=_optional_decimal(account.last_equity),
    )


def crypto_order_symbol(symbol: str) -> str:
    """The order and data symbol of a crypto position: Alpaca lists ``BTCUSD`` but orders,
    assets and market data say ``BTC/USD``. A symbol already with a slash is kept."""
    if "/" in symbol:
        return symbol
    for quote in CRYPTO_QUOTE_CURRENCIES:
        base = symbol.removesuffix(quote)
        if base != symbol and base:
            return f"{base}/{quote}"
    return symbol


def position_from_sdk(position: sdk.Position) -> Position:
    """Signed as Alpaca sends it (a short: negative qty and market value); ``market_value``
    is Alpaca's own figure, an option's already times its contract multiplier."""
    qty = _decimal(position.qty)
    asset_class = AssetClass(str(position.asset_class.value))
    symbol = position.symbol
    if asset_class is AssetClass.CRYPTO:
        symbol = crypto_order_symbol(symbol)
    return Position(
        symbol=symbol,
        qty=qty,
        qty_available=qty if position.qty_available is None else _decimal(position.qty_available),
        market_value=_decimal(position.market_value),
        current_price=_decimal(position.current_price),
        avg_entry_price=_decimal(position.avg_entry_price),
        asset_class=asset_class,
    )


def asset_from_sdk(asset: sdk.Asset) -> Asset:
    return Asset(
        asset.symbol,
        tradable=asset.tradable,
        fractionable=asset.fractionable,
        asset_class=AssetClass(str(asset.asset_class.value)),
        min_order_size=_optional_decimal(asset.min_order_size),
        min_trade_increment=_optional_decimal(asset.min_trade_increment),
    )


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
