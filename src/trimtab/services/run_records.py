"""How runs and their orders are recorded: statuses, client order ids, the stored result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from trimtab.brokers.models import Order
from trimtab.domain.lifecycle import (
    NOT_SENT,
    UNFINISHED,
    OrderState,
    OrderStatus,
    RunStatus,
    Trigger,
    order_status,
)
from trimtab.domain.portfolio import Side
from trimtab.services.contract import (
    CheckResult,
    OrderRecord,
    TradeExecuted,
    from_json,
    to_json,
)
from trimtab.store.models import OrderRow, RebalanceRunRow

__all__ = [
    "NOT_SENT",
    "UNFINISHED",
    "OrderState",
    "RunStatus",
    "Trigger",
    "client_order_id",
    "copy_answer",
    "is_open",
    "max_drift_percent",
    "order_json",
    "order_record",
    "run_result",
    "trade_executed",
    "was_sent",
]


def client_order_id(run: RebalanceRunRow, seq: int, side: str, symbol: str) -> str:
    """Deterministic per planned order, so a retried run finds what it already sent.

    At most 45 characters (Alpaca allows 48): symbols are at most 16.
    """
    return f"tt-{run.id}-{run.order_key}-{seq}-{side}-{symbol}"


def max_drift_percent(result: Mapping[str, Any]) -> Decimal | None:
    """The largest |drift_percent| of a result as stored (its JSON), in pp as shown
    there (0.01), or None when its drift_analysis is empty: kept in the run's
    ``max_drift_percent`` column so that the history list need not read the result."""
    drifts = [abs(Decimal(str(row["drift_percent"]))) for row in result.get("drift_analysis", ())]
    return max(drifts, default=None)


def was_sent(order: OrderRow) -> bool:
    """Whether the broker answered for this order (accepted it or refused it)."""
    return order.status not in NOT_SENT


def is_open(order: OrderRow) -> bool:
    """Sent and still able to fill."""
    if not was_sent(order) or order.status == OrderState.REJECTED:
        return False
    return not OrderStatus(order.status).is_terminal


def copy_answer(row: OrderRow, answer: Order) -> None:
    """Record the broker's latest word on an order."""
    row.broker_order_id = answer.id
    row.status = str(answer.status)
    row.filled_qty = answer.filled_qty
    row.filled_avg_price = answer.filled_avg_price
    row.submitted_at = row.submitted_at or answer.submitted_at
    row.error = None


def trade_executed(order: OrderRow) -> TradeExecuted:
    return TradeExecuted(
        symbol=order.symbol,
        side=Side(order.side),
        qty=order.qty,
        order_id=order.broker_order_id,
        status=order_status(order.status),
        filled_qty=order.filled_qty,
        filled_avg_price=order.filled_avg_price if order.filled_avg_price else None,
        submitted_at=order.submitted_at,
        updated_at=order.updated_at,
    )


def order_record(order: OrderRow) -> OrderRecord:
    """Everything recorded about one order, for run details and ``order_updated`` events."""
    return OrderRecord(
        id=order.id,
        run_id=order.run_id,
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=Side(order.side),
        qty=order.qty,
        planned_price=order.planned_price if order.planned_price else None,
        status=order_status(order.status),
        broker_order_id=order.broker_order_id,
        filled_qty=order.filled_qty,
        filled_avg_price=order.filled_avg_price if order.filled_avg_price else None,
        error=order.error,
        submitted_at=order.submitted_at,
        updated_at=order.updated_at,
    )


def order_json(order: OrderRow) -> dict[str, Any]:
    """``order_record`` as JSON: the ``order_updated`` event's data."""
    data: dict[str, Any] = to_json(order_record(order))
    return data


def run_result(
    run: RebalanceRunRow, orders: Sequence[OrderRow], *, resumed: bool = False
) -> CheckResult:
    """The contract for a recorded run: its stored result with what was sent so far."""
    stored = {key: value for key, value in run.result.items() if key != "trades_executed"}
    return from_json(
        CheckResult,
        {
            **stored,
            "trades_executed": [trade_executed(o) for o in orders if was_sent(o)],
            "message": run.message,
            "run_id": run.id,
            "status": run.status,
            "resumed": resumed,
        },
    )
