"""What happens around each change of a recorded order: its log line, its count once it
is final, and a notification when the broker rejected it. Runs and single trades
call ``order_changed`` after committing the change."""

from __future__ import annotations

from trimtab.brokers.models import OrderStatus
from trimtab.monitoring.logs import OrderStep, log_order_step
from trimtab.monitoring.metrics import record_order
from trimtab.services.context import AppContext
from trimtab.services.notifications import notify_order_rejected
from trimtab.services.run_records import OrderState, order_json, was_sent
from trimtab.store.models import OrderRow


def is_final(status: str) -> bool:
    """Nothing more will happen to an order in ``status``: filled, refused, canceled, skipped..."""
    if status in (OrderState.SKIPPED, OrderState.BLOCKED, OrderState.REJECTED):
        return True
    if status in (OrderState.PLANNED, OrderState.UNKNOWN):
        return False
    return OrderStatus(status).is_terminal


def _final_step(status: str) -> OrderStep:
    if status == OrderStatus.FILLED:
        return OrderStep.FILLED
    if status == OrderStatus.REJECTED:
        return OrderStep.REJECTED
    return OrderStep.SETTLED


def log_step(step: OrderStep, order: OrderRow, **extra: object) -> None:
    log_order_step(
        step,
        run_id=order.run_id,
        user_id=order.user_id,
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        qty=order.qty,
        status=order.status,
        **extra,
    )


def order_changed(ctx: AppContext, order: OrderRow, before: str | None, *, source: str) -> None:
    """Log the step ``order`` just took from status ``before`` (``None``: just recorded);
    count it in ``trimtab_orders_total`` once final; notify a rejection."""
    if before is None:
        log_step(OrderStep.PLANNED, order)
        return
    if before == order.status:
        return
    sent_before = before not in (OrderState.PLANNED, OrderState.UNKNOWN)
    if was_sent(order) and not sent_before and order.status != OrderState.REJECTED:
        log_step(OrderStep.ANSWERED, order, broker_order_id=order.broker_order_id)
    if is_final(order.status) and not is_final(before):
        log_step(
            _final_step(order.status),
            order,
            filled_qty=order.filled_qty,
            filled_avg_price=order.filled_avg_price,
            error=order.error,
        )
        record_order(order.side, order.status, source)
        if order.status == OrderStatus.REJECTED:
            notify_order_rejected(ctx, order.user_id, order_json(order))
