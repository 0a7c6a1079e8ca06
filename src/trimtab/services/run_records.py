"""How runs and their orders are recorded: statuses, client order ids, the stored result."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from trimtab.brokers.models import Order, OrderStatus
from trimtab.services.contract import TradeJSON, number
from trimtab.store.models import OrderRow, RebalanceRunRow


class RunStatus(StrEnum):
    RUNNING = "running"
    AWAITING_FILLS = "awaiting_fills"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    BLOCKED_BY_RISK = "blocked_by_risk"
    NOTHING_TO_DO = "nothing_to_do"
    #: The targets cannot be planned from (none enabled, a sum off 100 %) or the
    #: account's valuation does not add up: no orders, and the message says why.
    REFUSED = "refused"
    #: A dry run that found trades to make.
    PLANNED = "planned"


#: Runs the next live check (or the worker) picks up again.
UNFINISHED = (RunStatus.RUNNING, RunStatus.AWAITING_FILLS)


class Trigger(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"


class OrderState(StrEnum):
    """An order's own states before or instead of a broker status."""

    PLANNED = "planned"
    #: Left out when the buys were sized to the real buying power.
    SKIPPED = "skipped"
    #: Not sent because the risk gate closed during the run.
    BLOCKED = "blocked"
    #: The broker refused it when it was sent.
    REJECTED = "rejected"
    #: Sending failed without an answer: the broker may or may not have it.
    UNKNOWN = "unknown"


NOT_SENT = frozenset(
    {OrderState.PLANNED, OrderState.SKIPPED, OrderState.BLOCKED, OrderState.UNKNOWN}
)


def client_order_id(run: RebalanceRunRow, seq: int, side: str, symbol: str) -> str:
    """Deterministic per planned order, so a retried run finds what it already sent.

    At most 45 characters (Alpaca allows 48): symbols are at most 16.
    """
    return f"tt-{run.id}-{run.order_key}-{seq}-{side}-{symbol}"


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


def trade_json(order: OrderRow) -> TradeJSON:
    return {
        "symbol": order.symbol,
        "side": order.side,
        "qty": number(order.qty),
        "order_id": order.broker_order_id,
        "status": order.status,
    }


def order_json(order: OrderRow) -> dict[str, Any]:
    """Everything recorded about one order, for run details and ``order_updated`` events."""
    return {
        "id": order.id,
        "run_id": order.run_id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "qty": number(order.qty),
        "planned_price": number(order.planned_price) if order.planned_price else None,
        "status": order.status,
        "broker_order_id": order.broker_order_id,
        "filled_qty": number(order.filled_qty),
        "filled_avg_price": number(order.filled_avg_price) if order.filled_avg_price else None,
        "error": order.error,
        "submitted_at": order.submitted_at.isoformat() if order.submitted_at else None,
        "updated_at": order.updated_at.isoformat(),
    }


def run_result(run: RebalanceRunRow, orders: Sequence[OrderRow]) -> dict[str, Any]:
    """The contract for a recorded run: its stored result with what was sent so far."""
    return {
        **run.result,
        "trades_executed": [trade_json(o) for o in orders if was_sent(o)],
        "message": run.message,
        "run_id": run.id,
        "status": run.status,
    }
