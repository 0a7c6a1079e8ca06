"""Alpaca's JSON shapes: our broker models rendered the way alpaca-py parses them, and
order requests read back.

Trading answers carry money and quantities as decimal strings; data answers carry
prices as JSON numbers, as Alpaca's do.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from trimtab.brokers.exchange import contract_multiplier
from trimtab.brokers.models import (
    Account,
    Asset,
    AssetClass,
    Clock,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
    decimal_text,
)
from trimtab.domain.money import ZERO, to_decimal
from trimtab.errors import InvalidInput

JSON = dict[str, Any]
_E = TypeVar("_E", Side, OrderType, TimeInForce)
_IDS = uuid.UUID("6f1c3c52-6a38-4a4e-9d1b-7a1f0e2b5c10")


def stable_id(kind: str, name: str) -> str:
    """The same UUID for the same account or asset on every run, as Alpaca's are stable."""
    return str(uuid.uuid5(_IDS, f"{kind}:{name}"))


def _optional_text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _timestamp(at: datetime) -> str:
    return at.isoformat()


def error_body(code: int, message: str) -> JSON:
    return {"code": code, "message": message}


def account_json(account: Account, created_at: datetime) -> JSON:
    return {
        "id": stable_id("account", account.id),
        "account_number": "PA" + stable_id("account", account.id)[:10].replace("-", "").upper(),
        "status": account.status,
        "crypto_status": "ACTIVE",
        "currency": account.currency,
        "cash": decimal_text(account.cash),
        "buying_power": decimal_text(account.buying_power),
        "regt_buying_power": decimal_text(account.buying_power),
        "daytrading_buying_power": "0",
        "non_marginable_buying_power": decimal_text(account.buying_power),
        "portfolio_value": decimal_text(account.equity),
        "equity": decimal_text(account.equity),
        "last_equity": decimal_text(account.last_equity or account.equity),
        "long_market_value": decimal_text(account.long_market_value),
        "short_market_value": decimal_text(account.short_market_value),
        "initial_margin": "0",
        "maintenance_margin": "0",
        "multiplier": decimal_text(account.multiplier),
        "pattern_day_trader": account.pattern_day_trader,
        "trading_blocked": account.trading_blocked,
        "transfers_blocked": False,
        "account_blocked": account.account_blocked,
        "trade_suspended_by_user": account.trade_suspended_by_user,
        "shorting_enabled": account.shorting_enabled,
        "daytrade_count": 0,
        "sma": "0",
        "created_at": _timestamp(created_at),
    }


def position_symbol(symbol: str) -> str:
    """Alpaca lists a crypto position without the slash of its order symbol: ``BTCUSD``."""
    return symbol.replace("/", "")


def position_json(position: Position, asset: Asset) -> JSON:
    """Signed as Alpaca sends it: a short has negative qty, market value and cost basis."""
    multiplier = contract_multiplier(position.asset_class)
    cost_basis = position.qty * position.avg_entry_price * multiplier
    unrealized = position.market_value - cost_basis
    return {
        "asset_id": stable_id("asset", position.symbol),
        "symbol": position_symbol(position.symbol),
        "exchange": asset_exchange(asset),
        "asset_class": position.asset_class.value,
        "asset_marginable": False,
        "avg_entry_price": decimal_text(position.avg_entry_price),
        "qty": decimal_text(position.qty),
        "qty_available": decimal_text(position.qty_available),
        "side": position.side,
        "market_value": decimal_text(position.market_value),
        "cost_basis": decimal_text(cost_basis),
        "unrealized_pl": decimal_text(unrealized),
        "unrealized_plpc": decimal_text(unrealized / abs(cost_basis) if cost_basis else ZERO),
        "unrealized_intraday_pl": "0",
        "unrealized_intraday_plpc": "0",
        "current_price": decimal_text(position.current_price),
        "lastday_price": decimal_text(position.current_price),
        "change_today": "0",
    }


def order_json(order: Order) -> JSON:
    filled = order.status is OrderStatus.FILLED
    canceled = order.status is OrderStatus.CANCELED
    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "created_at": _timestamp(order.submitted_at),
        "updated_at": _timestamp(order.updated_at),
        "submitted_at": _timestamp(order.submitted_at),
        "filled_at": _timestamp(order.updated_at) if filled else None,
        "expired_at": None,
        "expires_at": None,
        "canceled_at": _timestamp(order.updated_at) if canceled else None,
        "failed_at": None,
        "replaced_at": None,
        "replaced_by": None,
        "replaces": None,
        "asset_id": stable_id("asset", order.symbol),
        "symbol": order.symbol,
        # Alpaca spells crypto pairs with a slash, and nothing else.
        "asset_class": "crypto" if "/" in order.symbol else "us_equity",
        "notional": _optional_text(order.notional),
        "qty": _optional_text(order.qty),
        "filled_qty": decimal_text(order.filled_qty),
        "filled_avg_price": _optional_text(order.filled_avg_price),
        "order_class": "simple",
        "order_type": order.type.value,
        "type": order.type.value,
        "side": order.side.value,
        "time_in_force": order.time_in_force.value,
        "limit_price": None,
        "stop_price": None,
        "status": order.status.value,
        "extended_hours": False,
        "legs": None,
        "trail_percent": None,
        "trail_price": None,
        "hwm": None,
        "position_intent": "buy_to_open" if order.side is Side.BUY else "sell_to_close",
    }


def asset_exchange(asset: Asset) -> str:
    if asset.asset_class is AssetClass.CRYPTO:
        return "CRYPTO"
    if asset.asset_class is AssetClass.US_OPTION:
        return ""
    return "NASDAQ" if asset.symbol == "QQQ" else "ARCA"


#: Every simulated coin is priced in whole cents.
CRYPTO_PRICE_INCREMENT = Decimal("0.01")


def asset_json(asset: Asset) -> JSON:
    crypto = asset.asset_class is AssetClass.CRYPTO
    return {
        "id": stable_id("asset", asset.symbol),
        "class": asset.asset_class.value,
        "exchange": asset_exchange(asset),
        "symbol": asset.symbol,
        "name": asset.symbol,
        "status": "active" if asset.tradable else "inactive",
        "tradable": asset.tradable,
        "marginable": asset.tradable and not crypto,
        "shortable": False,
        "easy_to_borrow": False,
        "fractionable": asset.fractionable,
        "min_order_size": _optional_text(asset.min_order_size),
        "min_trade_increment": _optional_text(asset.min_trade_increment),
        "price_increment": decimal_text(CRYPTO_PRICE_INCREMENT) if crypto else None,
        "attributes": ["fractional_eh_enabled"] if asset.fractionable and not crypto else [],
    }


def clock_json(clock: Clock) -> JSON:
    return {
        "timestamp": _timestamp(clock.timestamp),
        "is_open": clock.is_open,
        "next_open": _timestamp(clock.next_open),
        "next_close": _timestamp(clock.next_close),
    }


# Data answers are JSON numbers. A price with up to 15 significant digits survives
# float's repr unchanged, which is what Alpaca's feed sends and alpaca-py reads.
def trade_json(price: Decimal, at: datetime) -> JSON:
    return {
        "t": _timestamp(at),
        "x": "V",
        "p": float(price),
        "s": 100,
        "c": ["@"],
        "i": 1,
        "z": "C",
    }


def quote_json(price: Decimal, at: datetime) -> JSON:
    number = float(price)
    return {
        "t": _timestamp(at),
        "ax": "V",
        "ap": number,
        "as": 1,
        "bx": "V",
        "bp": number,
        "bs": 1,
        "c": ["R"],
        "z": "C",
    }


def bar_json(price: Decimal, at: datetime) -> JSON:
    number = float(price)
    return {
        "t": _timestamp(at),
        "o": number,
        "h": number,
        "l": number,
        "c": number,
        "v": 100,
        "n": 1,
        "vw": number,
    }


def order_request_from_json(body: object) -> OrderRequest:
    """Read a POST /v2/orders body; numbers or decimal strings are both accepted.

    Raises ``InvalidInput`` naming the offending field.
    """
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    symbol = body.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise InvalidInput("symbol is required", field="symbol")
    client_order_id = body.get("client_order_id") or str(uuid.uuid4())
    return OrderRequest(
        symbol=symbol,
        side=_choice(Side, body, "side", None),
        client_order_id=str(client_order_id),
        qty=_optional_decimal(body, "qty"),
        notional=_optional_decimal(body, "notional"),
        type=_choice(OrderType, body, "type", OrderType.MARKET),
        time_in_force=_choice(TimeInForce, body, "time_in_force", None),
        limit_price=_optional_decimal(body, "limit_price"),
    )


def _optional_decimal(body: JSON, name: str) -> Decimal | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        return to_decimal(value, field=name)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=name) from None


def _choice(enum: type[_E], body: JSON, name: str, default: _E | None) -> _E:
    value = body.get(name)
    if value is None and default is not None:
        return default
    try:
        return enum(str(value))
    except ValueError:
        raise InvalidInput(f"invalid {name}: {value!r}", field=name) from None
