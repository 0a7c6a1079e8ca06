"""Sending one recorded order and recording the broker's answer: the one place that does
it, for a live run's orders and for a single trade (docs/order-safety.md).

The order is already recorded (``planned``, with its client order id) before it is
sent, so a crash leaves a trace to look up. ``send_order`` then:

- checks the risk gate under the gate lock, so no order goes out once a kill switch
  flip has committed: the flip waits for the sends in flight (``store.locks``:
  ``risk_gate`` across processes on PostgreSQL, ``process_risk_gate`` on SQLite);
- sends it, and on an answer records it;
- on a timeout or 5xx (``BrokerUnavailable``: the broker may have it) looks it up by
  client order id and records what the broker holds, else records it ``unknown`` so
  the next check looks again instead of saying it was never sent;
- on any other refusal records it ``rejected`` with the broker's words. A
  ``DuplicateClientOrderId`` means the id already names a *different* order at the
  broker (every broker here answers a resubmission of the same order with that
  order), so it is a refusal too, never adopted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Order, OrderRequest
from trimtab.errors import BrokerError, BrokerUnavailable, DuplicateClientOrderId, TradingBlocked
from trimtab.monitoring.logs import OrderStep
from trimtab.services.context import AppContext
from trimtab.services.order_steps import log_step, order_changed
from trimtab.services.risk import read_risk
from trimtab.services.run_records import OrderState, copy_answer, order_json
from trimtab.store.models import OrderRow


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of one send."""

    #: The order as recorded afterwards.
    order: OrderRow
    #: The broker's order, when it has one.
    answer: Order | None
    #: Why it was not placed, or why its outcome is unknown; ``None`` with an answer.
    failure: BrokerError | TradingBlocked | None
    #: The risk gate's reason when it refused to send; the order is then ``blocked``.
    blocked: str | None
    #: Wall time the send took, in seconds.
    seconds: float


def record_change(
    ctx: AppContext, order: OrderRow, change: Callable[[OrderRow], None], *, source: str
) -> OrderRow:
    """Apply ``change`` to the recorded ``order`` and commit it, as ``record_changes``."""
    return record_changes(ctx, [(order, change)], source=source)[0]


def record_changes(
    ctx: AppContext,
    changes: Sequence[tuple[OrderRow, Callable[[OrderRow], None]]],
    *,
    source: str,
) -> list[OrderRow]:
    """Apply each change to its recorded order in one transaction and commit; then, for
    each, publish ``order_updated``, log the step and count it when final.

    The rows are the caller's copies of the stored orders, as last committed (read or
    written by the holder of the run lock, or just recorded by a single trade): they
    are written as they are, without being read again, and returned changed.
    """
    befores = []
    with ctx.store.write() as uow:
        now = ctx.clock()
        for row, change in changes:
            uow.orders.attach(row)
            befores.append(row.status)
            change(row)
            row.updated_at = now
        uow.flush()
        payloads = [order_json(row) for row, _ in changes]
    rows = [row for row, _ in changes]
    for row, before, payload in zip(rows, befores, payloads, strict=True):
        ctx.events.publish(row.user_id, "order_updated", payload)
        order_changed(ctx, row, before, source=source)
    return rows


def mark(
    ctx: AppContext, order: OrderRow, state: OrderState, error: str | None, *, source: str
) -> OrderRow:
    """Record ``order`` in one of our own states (blocked, skipped...) with its reason."""
    return record_change(ctx, order, partial(set_state, state=state, error=error), source=source)


def set_state(row: OrderRow, *, state: OrderState, error: str | None) -> None:
    """A change for ``record_changes``: ``row`` in one of our own states, with its reason."""
    row.status = str(state)
    row.error = error


def look_up(broker: Broker, client_order_id: str) -> tuple[Order | None, str]:
    """The broker's order with this client id, or ``None`` and why not (never raises a
    ``BrokerError``: a failed look-up is reported in the text)."""
    try:
        placed = broker.get_order_by_client_id(client_order_id)
    except BrokerError as err:
        return None, f"looking it up by client order id failed too ({err.message})"
    if placed is None:
        return None, "the broker has no order with its client order id yet"
    return placed, ""


def send_order(
    ctx: AppContext, broker: Broker, order: OrderRow, request: OrderRequest, *, source: str
) -> Sent:
    """Send the recorded ``order`` as ``request`` and record the answer (see the module
    docstring). Raises only for the database; broker failures are in the result."""
    assert request.client_order_id == order.client_order_id
    started = time.monotonic()
    with _gate(ctx, order.user_id) as blocked:
        if blocked is None:
            log_step(OrderStep.SUBMITTED, order)
            answer, failure, note = _submit(broker, request)
    if blocked is not None:
        row = mark(ctx, order, OrderState.BLOCKED, blocked, source=source)
        refusal = TradingBlocked(f"{blocked}; no order placed")
        return Sent(row, None, refusal, blocked, time.monotonic() - started)
    row = record_change(
        ctx, order, partial(_record, answer=answer, failure=failure, note=note), source=source
    )
    return Sent(row, answer, failure, None, time.monotonic() - started)


@contextmanager
def _gate(ctx: AppContext, user_id: int) -> Iterator[str | None]:
    """The risk gate's block reason, the gate held for the block
    (``Store.holding_risk_gate``)."""
    with ctx.store.holding_risk_gate(lambda uow: read_risk(uow, user_id).blocked_reason) as reason:
        yield reason


def _submit(broker: Broker, request: OrderRequest) -> tuple[Order | None, BrokerError | None, str]:
    try:
        return broker.submit_order(request), None, ""
    except BrokerUnavailable as err:
        # The broker may have it after all: its client id says.
        placed, note = look_up(broker, request.client_order_id)
        return placed, err, note
    except DuplicateClientOrderId as err:
        return None, err, "its client order id names another order at the broker"
    except BrokerError as err:
        return None, err, ""


def _record(row: OrderRow, *, answer: Order | None, failure: BrokerError | None, note: str) -> None:
    if answer is not None:
        copy_answer(row, answer)
        return
    assert failure is not None
    unknown = isinstance(failure, BrokerUnavailable)
    row.status = str(OrderState.UNKNOWN if unknown else OrderState.REJECTED)
    row.error = f"{failure.message}; {note}" if note else failure.message
