"""``execute_trade``: one order placed by hand, validated and behind the risk gate."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Asset, Order, OrderRequest, OrderType, Side, TimeInForce
from trimtab.domain.money import QTY_RANGE, ZERO
from trimtab.domain.targets import check_symbol
from trimtab.errors import (
    Conflict,
    InvalidInput,
    InvalidTargets,
    NotFound,
    TradingBlocked,
    enum_choice,
)
from trimtab.services.broker_accounts import account_lock
from trimtab.services.context import AppContext
from trimtab.services.contract import TradeResult
from trimtab.services.notifications import tells_broker_failures
from trimtab.services.order_sending import send_order
from trimtab.services.order_steps import order_changed
from trimtab.services.risk import read_risk
from trimtab.services.run_records import OrderState
from trimtab.store.models import OrderRow

#: An order's quantity: above 0, within what the books and columns hold.
ORDER_QTY = QTY_RANGE.narrowed(above=True)
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._-]{1,32}$")


def _asset(broker: Broker, symbol: str) -> Asset:
    try:
        asset = broker.get_asset(symbol)
    except NotFound:
        raise InvalidInput(f"unknown symbol {symbol}", field="symbol") from None
    if not asset.tradable:
        raise InvalidInput(f"{symbol} is not tradable", field="symbol")
    return asset


def trade_client_order_id(user_id: int, idempotency_key: str | None) -> str:
    """The order's client id: from the caller's key, so a retried request finds its order
    instead of placing another; random when the caller gives none."""
    if idempotency_key is None:
        return f"tt-trade-{uuid.uuid4().hex[:24]}"
    if not IDEMPOTENCY_KEY.match(idempotency_key):
        raise InvalidInput(
            "idempotency_key must be 1 to 32 letters, digits, '.', '_' or '-'",
            field="idempotency_key",
        )
    # Namespaced by user: the column is unique across users, as the broker's is per account.
    return f"tt-u{user_id}-{idempotency_key}"


def validate_trade(
    broker: Broker,
    symbol: str,
    side: str,
    qty: object,
    order_type: str,
    time_in_force: str,
    client_order_id: str,
) -> OrderRequest:
    """The order to send, or ``InvalidInput`` naming the first bad field."""
    try:
        check_symbol(symbol)
    except InvalidTargets as err:
        raise InvalidInput(err.message, field="symbol") from None
    order_side = enum_choice(Side, side, "side")
    try:
        amount = ORDER_QTY.check(qty, field="qty")
    except ValueError as err:
        raise InvalidInput(str(err), field="qty") from None
    kind = enum_choice(OrderType, order_type, "order_type")
    if kind is not OrderType.MARKET:
        raise InvalidInput("only market orders are supported", field="order_type")
    tif = enum_choice(TimeInForce, time_in_force, "time_in_force")
    asset = _asset(broker, symbol)
    if amount != amount.to_integral_value():
        if not asset.fractionable:
            raise InvalidInput(f"{symbol} is not fractionable: use a whole qty", field="qty")
        if tif is not TimeInForce.DAY:
            raise InvalidInput(
                "fractional orders must be market orders with time_in_force day",
                field="time_in_force",
            )
    return OrderRequest(
        symbol=symbol,
        side=order_side,
        client_order_id=client_order_id,
        qty=amount,
        type=kind,
        time_in_force=tif,
    )


@tells_broker_failures
def execute_trade(
    ctx: AppContext,
    user_id: int,
    symbol: str,
    side: str,
    qty: Decimal | int | str,
    order_type: str = "market",
    time_in_force: str = "day",
    idempotency_key: str | None = None,
) -> TradeResult:
    """Place one order; returns it as the broker has it (``TradeResult``). Raises
    ``InvalidInput``, ``TradingBlocked`` or the broker's error.

    With an ``idempotency_key``, a repeated request answers with the order the first
    one placed. The account's run lock is held throughout: a trade landing between a
    run's sells and its buys would spend the cash those buys were sized to."""
    broker = ctx.broker_for(user_id)
    client_order_id = trade_client_order_id(user_id, idempotency_key)
    request = validate_trade(broker, symbol, side, qty, order_type, time_in_force, client_order_id)
    with account_lock(ctx, user_id):
        with ctx.store.read() as uow:
            earlier = uow.orders.by_client_order_id(client_order_id)
        if earlier is not None:
            return _replay(broker, earlier)
        return _place(ctx, user_id, broker, request)


def _replay(broker: Broker, earlier: OrderRow) -> TradeResult:
    """The answer for a repeated request: the order the first one placed, as it is now."""
    placed = broker.get_order_by_client_id(earlier.client_order_id)
    if placed is None:
        raise Conflict(
            f"a trade with this idempotency_key was already tried and not placed "
            f"({earlier.status}{': ' + earlier.error if earlier.error else ''})"
        )
    return _trade_json(placed)


def _trade_json(answer: Order) -> TradeResult:
    return TradeResult(
        order_id=answer.id,
        client_order_id=answer.client_order_id,
        symbol=answer.symbol,
        side=answer.side,
        qty=answer.qty or ZERO,
        status=answer.status,
        submitted_at=answer.submitted_at,
    )


def _place(ctx: AppContext, user_id: int, broker: Broker, request: OrderRequest) -> TradeResult:
    """Record the order, send it, record the answer (or the failure) and publish it."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        reason = read_risk(uow, user_id).blocked_reason
        if reason is not None:
            raise TradingBlocked(f"{reason}; no order placed")
        # Recorded before it is sent, so a crash leaves a trace to look up by client id.
        order = uow.orders.add(
            OrderRow(
                user_id=user_id,
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=str(request.side),
                qty=request.qty,
                status=str(OrderState.PLANNED),
                filled_qty=ZERO,
                created_at=now,
                updated_at=now,
            )
        )
        order_id = order.id
    order_changed(ctx, order, None, source="trade")
    sent = send_order(ctx, broker, order, request, source="trade")
    with ctx.store.write() as uow:
        uow.audit(
            "trade_placed" if sent.answer else "trade_failed",
            user_id=user_id,
            actor=None,
            data={
                "order": order_id,
                "client_order_id": sent.order.client_order_id,
                "status": sent.order.status,
            },
            now=now,
        )
    if sent.answer is None:
        assert sent.failure is not None
        raise sent.failure
    return _trade_json(sent.answer)
