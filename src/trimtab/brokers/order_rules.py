"""Checks on an ``OrderRequest`` that need no account: both the exchange and the Alpaca
adapter run them, so a malformed order fails the same way before reaching any broker."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from trimtab.brokers.models import Asset, AssetClass, Order, OrderRequest, TimeInForce
from trimtab.domain.money import QTY_STEP, ZERO
from trimtab.errors import BelowMinimumOrderSize, InvalidInput

#: Alpaca's documented limit on ``client_order_id``.
MAX_CLIENT_ORDER_ID = 48
#: The only time in force Alpaca takes for crypto orders (docs/brokers.md).
CRYPTO_TIME_IN_FORCE = frozenset({TimeInForce.GTC, TimeInForce.IOC})


def order_amount(request: OrderRequest) -> Decimal:
    """The request's qty or notional after checking it is well formed.

    Raises ``InvalidInput`` for a missing or over-long ``client_order_id``, both or
    neither of qty and notional, a non-positive amount, or more than 9 decimals.
    """
    if not request.client_order_id or len(request.client_order_id) > MAX_CLIENT_ORDER_ID:
        raise InvalidInput(
            f"client_order_id must be 1 to {MAX_CLIENT_ORDER_ID} characters",
            field="client_order_id",
        )
    if (request.qty is None) == (request.notional is None):
        raise InvalidInput("exactly one of qty and notional is required", field="qty")
    amount = request.qty if request.qty is not None else request.notional
    assert amount is not None
    field = "qty" if request.qty is not None else "notional"
    if amount <= ZERO:
        raise InvalidInput(f"{field} must be positive", field=field)
    if amount != amount.quantize(QTY_STEP):
        raise InvalidInput(f"{field} has more than 9 decimal places", field=field)
    return amount


def is_fractional(request: OrderRequest) -> bool:
    """Notional orders and non-whole quantities both need a fractionable asset."""
    return request.qty is None or request.qty != request.qty.to_integral_value()


def same_order(order: Order, request: OrderRequest) -> bool:
    """Whether ``order`` is what ``request`` asks for: a resubmission, not a clashing reuse
    of its ``client_order_id``."""
    return (
        order.client_order_id == request.client_order_id
        and order.symbol == request.symbol
        and order.side is request.side
        and order.qty == request.qty
        and order.notional == request.notional
        and order.type is request.type
        and order.time_in_force is request.time_in_force
    )


def order_for_asset(request: OrderRequest, asset: Asset) -> OrderRequest:
    """The order as the broker takes it for ``asset``: a crypto order goes out gtc (Alpaca
    refuses day) with its qty rounded down to the coin's ``min_trade_increment``.

    Rounding down never sells more than asked nor spends more. Raises
    ``BelowMinimumOrderSize`` when the rounded qty is under ``min_order_size`` (or zero).
    Other assets' orders are returned unchanged.
    """
    if asset.asset_class is not AssetClass.CRYPTO:
        return request
    time_in_force = request.time_in_force
    if time_in_force not in CRYPTO_TIME_IN_FORCE:
        time_in_force = TimeInForce.GTC
    qty = request.qty
    if qty is not None:
        step = asset.min_trade_increment
        if step is not None:
            qty = (qty / step).to_integral_value(rounding=ROUND_DOWN) * step
        floor = asset.min_order_size or ZERO
        if qty <= ZERO or qty < floor:
            raise BelowMinimumOrderSize(
                f"{request.qty} {asset.symbol} rounds to {qty}, under the coin's minimum "
                f"order of {floor}; trade at least {floor}",
            )
    return replace(request, time_in_force=time_in_force, qty=qty)
