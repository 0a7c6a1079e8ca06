"""Placing a live run's orders, as the design's "How a live run places orders" says.

The run and its planned orders are already recorded (with their client order
ids). ``LiveRun.advance`` then sends the sells and follows them to a terminal
state, sizes the buys to the buying power really there less the cash buffer,
sends and follows them, and records every broker answer as it comes. It is safe
to call again on a run that crashed or is awaiting fills: orders the broker may
already have are looked up by client order id first, so none is placed twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Order, OrderRequest, OrderStatus, Side
from trimtab.domain.planner import BuyWant, buy_budget, fit_buys
from trimtab.domain.policy import Policy
from trimtab.errors import BrokerError, BrokerUnavailable, DuplicateClientOrderId
from trimtab.monitoring.logs import OrderStep
from trimtab.monitoring.metrics import record_run
from trimtab.services.broker_view import read_broker
from trimtab.services.context import AppContext
from trimtab.services.notifications import notify_broker_failing, notify_run_finished
from trimtab.services.order_steps import log_step, order_changed
from trimtab.services.risk import read_risk
from trimtab.services.run_records import (
    OrderState,
    RunStatus,
    copy_answer,
    is_open,
    is_unsettled,
    order_json,
    run_result,
    was_sent,
)
from trimtab.store.locks import RunLock
from trimtab.store.models import OrderRow
from trimtab.store.repositories import Orders, Runs


@dataclass(frozen=True, slots=True)
class Outcome:
    status: RunStatus
    message: str


class LiveRun:
    """One recorded live run of one user, moved forward as far as it can go now."""

    def __init__(
        self,
        ctx: AppContext,
        broker: Broker,
        lock: RunLock,
        *,
        user_id: int,
        run_id: int,
        policy: Policy,
    ) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.broker = broker
        self.lock = lock
        self.run_id = run_id
        self.policy = policy
        self.blocked_reason: str | None = None

    # -- records ------------------------------------------------------------
    def _orders(self) -> list[OrderRow]:
        with self.ctx.session_factory() as session:
            return list(Orders(session).for_run(self.run_id))

    def _update(self, order: OrderRow, change: Callable[[OrderRow], None]) -> OrderRow:
        """Apply ``change`` to the stored order, commit, publish it, return the fresh copy."""
        with self.ctx.session_factory.begin() as session:
            row = Orders(session).get(order.id)
            assert row is not None
            before = row.status
            change(row)
            row.updated_at = self.ctx.clock()
            session.flush()
            payload = order_json(row)
        self.ctx.events.publish(self.user_id, "order_updated", payload)
        order_changed(self.ctx, row, before, source="run")
        return row

    def _record_answer(self, order: OrderRow, answer: Order) -> OrderRow:
        return self._update(order, lambda row: copy_answer(row, answer))

    def _mark(self, order: OrderRow, state: OrderState, error: str | None) -> OrderRow:
        def change(row: OrderRow) -> None:
            row.status = str(state)
            row.error = error

        return self._update(order, change)

    # -- steps --------------------------------------------------------------
    def _reconcile(self, orders: Sequence[OrderRow]) -> None:
        """Adopt what the broker already has of orders we may have sent before a crash."""
        for order in orders:
            if order.status in (OrderState.PLANNED, OrderState.UNKNOWN):
                placed = self.broker.get_order_by_client_id(order.client_order_id)
                if placed is not None:
                    self._record_answer(order, placed)

    def _gate(self) -> str | None:
        with self.ctx.session_factory() as session:
            return read_risk(session, self.user_id).blocked_reason

    def _send(self, orders: Sequence[OrderRow]) -> None:
        """Send each planned order, checking the risk gate before every one."""
        for order in orders:
            if order.status not in (OrderState.PLANNED, OrderState.UNKNOWN):
                continue
            reason = self.blocked_reason or self._gate()
            if reason is not None:
                self.blocked_reason = reason
                self._mark(order, OrderState.BLOCKED, reason)
                continue
            self._submit(order)

    def _submit(self, order: OrderRow) -> None:
        request = OrderRequest(
            symbol=order.symbol,
            side=Side(order.side),
            client_order_id=order.client_order_id,
            qty=order.qty,
        )
        log_step(OrderStep.SUBMITTED, order)
        try:
            answer = self.broker.submit_order(request)
        except (BrokerUnavailable, DuplicateClientOrderId) as err:
            # The broker may have the order after all: its client id says.
            placed = self.broker.get_order_by_client_id(order.client_order_id)
            if placed is not None:
                self._record_answer(order, placed)
            else:
                self._mark(order, OrderState.UNKNOWN, err.message)
            return
        except BrokerError as err:
            self._mark(order, OrderState.REJECTED, err.message)
            return
        self._record_answer(order, answer)

    def _follow(self, orders: Sequence[OrderRow], market_open: bool) -> bool:
        """Poll each open order until all are terminal or the timeout passes.

        True when every order is settled; one sent without an answer is not, since
        the cash a sell brings must not be spent before it is known.
        """
        options = self.ctx.run_options
        deadline = time.monotonic() + options.fill_timeout
        pending = [o for o in orders if is_open(o)]
        while pending:
            still = []
            for order in pending:
                try:
                    answer = self.broker.get_order(order.broker_order_id or "")
                except BrokerError:
                    still.append(order)
                    continue
                if str(answer.status) != order.status or answer.filled_qty != order.filled_qty:
                    order = self._record_answer(order, answer)
                if is_open(order):
                    still.append(order)
            pending = still
            # A closed market fills nothing: leave the orders to the next check.
            if not pending or not market_open or time.monotonic() >= deadline:
                break
            self.lock.keep_alive()
            self.ctx.sleep(options.poll_interval)
        return not pending and not any(o.status == OrderState.UNKNOWN for o in orders)

    def _size_buys(self, buys: Sequence[OrderRow]) -> None:
        """Resize the unsent buys to the account as it is now that the sells are done.

        The budget is the planner's own (``buy_budget``) on the re-read account, so a
        live run spends exactly what its preview said it could: never borrowed money,
        a short's proceeds, cash open orders may spend, or the buffer.
        """
        unsent = [o for o in buys if o.status == OrderState.PLANNED]
        if not unsent:
            return
        view = read_broker(
            self.broker,
            [o.symbol for o in unsent],
            now=self.ctx.clock(),
            with_clock=False,
            max_price_age=self.policy.max_price_age,
        )
        budget = buy_budget(view.portfolio, self.policy)
        wants = [BuyWant(o.symbol, o.qty * (o.planned_price or Decimal(0))) for o in unsent]
        sized, skipped = fit_buys(wants, budget.spendable, view.portfolio, self.policy)
        new_qty = {p.symbol: p for p in sized}
        reasons = {s.symbol: s.message for s in skipped}
        for order in unsent:
            planned = new_qty.get(order.symbol)
            if planned is None:
                self._mark(order, OrderState.SKIPPED, reasons.get(order.symbol, "not sized"))
            else:
                self._update(order, partial(_resize, qty=planned.qty, price=planned.price))

    # -- the run --------------------------------------------------------------
    def advance(self, *, resuming: bool) -> dict[str, Any]:
        """Move the run forward and record where it stands; returns the contract result."""
        interrupted = None
        try:
            if resuming:
                self._reconcile(self._orders())
            market_open = self.broker.get_clock().is_open
            self._send(self._by_side(Side.SELL))
            if self._follow(self._by_side(Side.SELL), market_open):
                self._size_buys(self._by_side(Side.BUY))
                self._send(self._by_side(Side.BUY))
                self._follow(self._by_side(Side.BUY), market_open)
        except BrokerError as err:
            # What was sent is recorded; the next check picks the run up from there.
            interrupted = f"broker error: {err.message}"
            notify_broker_failing(self.ctx, self.user_id, err)
        return self._finish(interrupted)

    def _by_side(self, side: Side) -> list[OrderRow]:
        return [o for o in self._orders() if o.side == side]

    def _finish(self, interrupted: str | None) -> dict[str, Any]:
        orders = self._orders()
        outcome = judge(orders, self.blocked_reason)
        if interrupted and outcome.status is RunStatus.AWAITING_FILLS:
            outcome = Outcome(outcome.status, f"{outcome.message} ({interrupted})")
        now = self.ctx.clock()
        with self.ctx.session_factory.begin() as session:
            run = Runs(session).get(self.run_id)
            assert run is not None
            run.status = outcome.status
            run.message = outcome.message
            run.updated_at = now
            if outcome.status not in (RunStatus.RUNNING, RunStatus.AWAITING_FILLS):
                run.finished_at = now
            result = run_result(run, orders)
        if run.finished_at is not None:
            self.ctx.events.publish(
                run.user_id,
                "run_finished",
                {"run_id": run.id, "status": run.status, "message": run.message},
            )
            record_run(
                result,
                user_id=run.user_id,
                trigger=run.trigger,
                dry_run=False,
                seconds=(now - run.created_at).total_seconds(),
            )
            notify_run_finished(self.ctx, run.user_id, result)
        return result


def _resize(row: OrderRow, *, qty: Decimal, price: Decimal) -> None:
    row.qty = qty
    row.planned_price = price


def judge(orders: Sequence[OrderRow], blocked_reason: str | None) -> Outcome:
    """The run's status and message from where its orders stand."""
    total = len(orders)
    open_count = sum(1 for o in orders if is_unsettled(o))
    waiting = sum(1 for o in orders if o.status == OrderState.PLANNED)
    if open_count or waiting:
        return Outcome(
            RunStatus.AWAITING_FILLS,
            f"Waiting for fills: {open_count} order(s) open, {waiting} not yet sent; "
            "the next check or the worker completes the run",
        )
    sent = [o for o in orders if was_sent(o)]
    filled = [o for o in sent if o.filled_qty > 0]
    complete = all(o.status == OrderStatus.FILLED for o in orders)
    if blocked_reason is not None and not sent:
        return Outcome(
            RunStatus.BLOCKED_BY_RISK, f"{blocked_reason}; drift reported, no orders placed"
        )
    if complete:
        return Outcome(RunStatus.COMPLETED, f"Rebalancing executed: {total} order(s) filled")
    problems = [f"{o.side} {o.symbol}: {o.error or o.status}" for o in orders if o not in filled]
    if blocked_reason is not None:
        problems.insert(0, blocked_reason)
    detail = "; ".join(dict.fromkeys(problems))
    if not filled:
        return Outcome(RunStatus.FAILED, f"Rebalancing failed: no order filled ({detail})")
    return Outcome(
        RunStatus.PARTIAL,
        f"Rebalancing partly executed: {len(filled)} of {total} order(s) filled ({detail})",
    )
