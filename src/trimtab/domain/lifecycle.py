"""The life cycle of a run and of its orders: statuses, which are final, what a run picks up.

A run is recorded ``running`` with its orders ``planned``; sending moves each order to the
broker's status (``OrderStatus``) or to one of ``OrderState``'s own; the run
ends in one of the final statuses below. ``docs/api.md`` describes each status.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """An order's status as the broker (Alpaca) names it."""

    NEW = "new"
    ACCEPTED = "accepted"
    PENDING_NEW = "pending_new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    DONE_FOR_DAY = "done_for_day"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REPLACED = "replaced"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    PENDING_REVIEW = "pending_review"
    ACCEPTED_FOR_BIDDING = "accepted_for_bidding"
    STOPPED = "stopped"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CALCULATED = "calculated"
    HELD = "held"

    @property
    def is_terminal(self) -> bool:
        """No more fills will come: the order is finished one way or another."""
        return self in TERMINAL_ORDER_STATUSES


#: The broker's statuses after which no fill will come.
TERMINAL_ORDER_STATUSES = frozenset(
    {
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.EXPIRED,
        OrderStatus.REPLACED,
        OrderStatus.REJECTED,
        OrderStatus.DONE_FOR_DAY,
    }
)


class RunStatus(StrEnum):
    """Where a run stands: ``running`` and ``awaiting_fills`` are unfinished, the rest final."""

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
    """What started a run: someone asking, or the schedule."""

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


#: A recorded order's status: one of ours, or the broker's latest word.
OrderStatusValue = OrderState | OrderStatus

NOT_SENT = frozenset(
    {OrderState.PLANNED, OrderState.SKIPPED, OrderState.BLOCKED, OrderState.UNKNOWN}
)

#: Order statuses after which nothing more happens to the order (no fill will come).
FINAL_ORDER_STATUSES: frozenset[str] = frozenset(
    {*TERMINAL_ORDER_STATUSES, OrderState.SKIPPED, OrderState.BLOCKED}
)


def order_status(value: str) -> OrderStatusValue:
    """A recorded status as its enum: ours first (``rejected`` is in both, and means the same)."""
    try:
        return OrderState(value)
    except ValueError:
        return OrderStatus(value)
