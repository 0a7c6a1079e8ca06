"""Placing a live run's orders, as the design's "How a live run places orders" says.

The run and its planned orders are already recorded (with their client order
ids). ``LiveRun.advance`` then sends the sells and follows them to a terminal
state, sizes the buys to the buying power really there less the cash buffer,
sends and follows them, and records every broker answer as it comes. It is safe
to call again on a run that crashed or is awaiting fills: orders the broker may
already have are looked up by client order id first, so none is placed twice.

The run's orders are read once per advance and kept in memory (the run lock keeps
other writers out); every change is committed before the run goes on
(docs/order-safety.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Order, OrderRequest, OrderStatus, Side
from trimtab.domain.planner import BuyWant, buy_budget, fit_buys
from trimtab.domain.policy import Policy
from trimtab.errors import BrokerError
from trimtab.monitoring.metrics import record_run
from trimtab.services.broker_view import read_broker
from trimtab.services.context import AppContext
from trimtab.services.contract import CheckResult
from trimtab.services.notifications import notify_broker_failing, notify_run_finished
from trimtab.services.order_sending import look_up, record_changes, send_order, set_state
from trimtab.services.run_records import (
    OrderState,
    RunStatus,
    copy_answer,
    is_open,
    run_result,
    was_sent,
)
from trimtab.store.locks import RunLock
from trimtab.store.models import OrderRow
from trimtab.wording import counted


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
        #: Seconds this advance spent on sends that failed, and why it stopped sending.
        self.failing_for = 0.0
        self.gave_up: str | None = None
        #: The run's orders as last committed, by id in the run's order: read once per
        #: advance and kept current by every write (the run lock keeps other writers out).
        self._rows: dict[int, OrderRow] = {}

    # -- records ------------------------------------------------------------
    def _load(self) -> None:
        with self.ctx.store.read() as uow:
            self._rows = {row.id: row for row in uow.orders.for_run(self.run_id)}

    def _orders(self) -> list[OrderRow]:
        return list(self._rows.values())

    def _update_all(self, changes: Sequence[tuple[OrderRow, Callable[[OrderRow], None]]]) -> None:
        """Commit the changes in one transaction (``record_changes``), then keep the rows."""
        if changes:
            self._keep(record_changes(self.ctx, changes, source="run"))

    def _keep(self, rows: Sequence[OrderRow]) -> None:
        for row in rows:
            self._rows[row.id] = row

    def _record_answer(self, order: OrderRow, answer: Order) -> OrderRow:
        self._update_all([(order, partial(copy_answer, answer=answer))])
        return self._rows[order.id]

    def _mark(self, order: OrderRow, state: OrderState, error: str | None) -> None:
        self._update_all([(order, partial(set_state, state=state, error=error))])

    # -- steps --------------------------------------------------------------
    def _reconcile(self, orders: Sequence[OrderRow]) -> None:
        """Adopt what the broker already has of orders we may have sent before a crash.

        A failed look-up raises (the run stops there): an order the broker may hold
        is never sent again before the broker has said it does not.
        """
        for order in orders:
            if order.status in (OrderState.PLANNED, OrderState.UNKNOWN):
                placed = self.broker.get_order_by_client_id(order.client_order_id)
                if placed is not None:
                    self._record_answer(order, placed)

    def _look_up_unanswered(self, orders: Sequence[OrderRow]) -> None:
        """Ask the broker once more about each order sent without an answer, before
        following the orders and before saying where the run stands: a lost answer is
        found by its client order id, and the run goes on from what the broker holds."""
        for order in orders:
            if order.status == OrderState.UNKNOWN:
                placed, _ = look_up(self.broker, order.client_order_id)
                if placed is not None:
                    self._record_answer(order, placed)

    def _send(self, orders: Sequence[OrderRow]) -> None:
        """Send each planned order (``send_order`` checks the risk gate before every one)
        until the failures cost ``RunOptions.give_up_after`` seconds; the rest are then
        recorded as not sent (``skipped``, naming why)."""
        for order in orders:
            if order.status not in (OrderState.PLANNED, OrderState.UNKNOWN):
                continue
            if self.blocked_reason is not None:
                self._mark(order, OrderState.BLOCKED, self.blocked_reason)
                continue
            if self.gave_up is not None:
                if order.status == OrderState.PLANNED:
                    self._mark(order, OrderState.SKIPPED, self.gave_up)
                continue  # one sent without an answer is looked up, not sent again
            sent = send_order(self.ctx, self.broker, order, self._request(order), source="run")
            self._keep([sent.order])
            if sent.blocked is not None:
                self.blocked_reason = sent.blocked
            elif sent.failure is not None:
                self._count_failure(sent.seconds, sent.failure.message)

    def _count_failure(self, seconds: float, message: str) -> None:
        self.failing_for += seconds
        budget = self.ctx.run_options.give_up_after
        if self.gave_up is None and self.failing_for >= budget:
            self.gave_up = (
                f"not sent: trimtab gave up placing after {self.failing_for:.1f} s of broker "
                f"failures (last: {message}); the next check plans again"
            )

    @staticmethod
    def _request(order: OrderRow) -> OrderRequest:
        return OrderRequest(
            symbol=order.symbol,
            side=Side(order.side),
            client_order_id=order.client_order_id,
            qty=order.qty,
        )

    def _follow(self, side: Side, market_open: bool) -> bool:
        """Look up the side's orders sent without an answer, then poll each open one
        until all are terminal or the timeout passes.

        True when every order is settled; one sent without an answer is not, since
        the cash a sell brings must not be spent before it is known.
        """
        options = self.ctx.run_options
        deadline = time.monotonic() + options.fill_timeout
        self._look_up_unanswered(self._by_side(side))
        orders = self._by_side(side)
        pending = [o for o in orders if is_open(o)]
        while pending:
            answers: list[tuple[OrderRow, Callable[[OrderRow], None]]] = []
            for order in pending:
                try:
                    answer = self.broker.get_order(order.broker_order_id or "")
                except BrokerError:
                    continue
                if str(answer.status) != order.status or answer.filled_qty != order.filled_qty:
                    answers.append((order, partial(copy_answer, answer=answer)))
            # The answers of one round are recorded together: each is the broker's own.
            self._update_all(answers)
            pending = [self._rows[o.id] for o in pending if is_open(self._rows[o.id])]
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
        changes: list[tuple[OrderRow, Callable[[OrderRow], None]]] = []
        for order in unsent:
            planned = new_qty.get(order.symbol)
            if planned is None:
                why = reasons.get(order.symbol, "not sized")
                changes.append((order, partial(set_state, state=OrderState.SKIPPED, error=why)))
            else:
                changes.append((order, partial(_resize, qty=planned.qty, price=planned.price)))
        # Committed together before any buy is sent: each is sent as recorded.
        self._update_all(changes)

    # -- the run --------------------------------------------------------------
    def advance(self, *, resuming: bool, market_open: bool | None = None) -> CheckResult:
        """Move the run forward and record where it stands; returns the contract result.

        ``market_open`` is the broker's clock as the caller just read it (the plan's
        reading); ``None`` reads it here.
        """
        interrupted = None
        self._load()
        try:
            if resuming:
                self._reconcile(self._orders())
            if market_open is None:
                market_open = self.broker.get_clock().is_open
            self._send(self._by_side(Side.SELL))
            if self.gave_up is not None:
                self._send(self._by_side(Side.BUY))  # recorded as not sent
            elif self._follow(Side.SELL, market_open):
                self._size_buys(self._by_side(Side.BUY))
                self._send(self._by_side(Side.BUY))
                self._follow(Side.BUY, market_open)
        except BrokerError as err:
            # What was sent is recorded; the next check picks the run up from there.
            interrupted = f"broker error: {err.message}"
            notify_broker_failing(self.ctx, self.user_id, err)
        self._look_up_unanswered(self._orders())
        return self._finish(interrupted)

    def _by_side(self, side: Side) -> list[OrderRow]:
        return [o for o in self._rows.values() if o.side == side]

    def _finish(self, interrupted: str | None) -> CheckResult:
        orders = self._orders()
        outcome = judge(orders, self.blocked_reason)
        if interrupted and outcome.status is RunStatus.AWAITING_FILLS:
            outcome = Outcome(outcome.status, f"{outcome.message} ({interrupted})")
        now = self.ctx.clock()
        with self.ctx.store.write() as uow:
            run = uow.runs.get(self.run_id)
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
    open_count = sum(1 for o in orders if is_open(o))
    unanswered = sum(1 for o in orders if o.status == OrderState.UNKNOWN)
    waiting = sum(1 for o in orders if o.status == OrderState.PLANNED)
    if open_count or unanswered or waiting:
        lost = f", {unanswered} sent without an answer yet" if unanswered else ""
        return Outcome(
            RunStatus.AWAITING_FILLS,
            f"Waiting for fills: {counted(open_count, 'order')} open{lost}, "
            f"{waiting} not yet sent; "
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
        return Outcome(
            RunStatus.COMPLETED, f"Rebalancing executed: {counted(total, 'order')} filled"
        )
    # Orders that ended alike are named together: "buy QQQ, buy TLT: not sent: ...".
    problems: dict[str, list[str]] = {}
    for order in orders:
        if order not in filled:
            problems.setdefault(order.error or order.status, []).append(
                f"{order.side} {order.symbol}"
            )
    lines = [f"{', '.join(names)}: {why}" for why, names in problems.items()]
    if blocked_reason is not None and blocked_reason not in problems:
        lines.insert(0, blocked_reason)
    detail = "; ".join(lines)
    if not filled:
        return Outcome(RunStatus.FAILED, f"Rebalancing failed: no order filled ({detail})")
    return Outcome(
        RunStatus.PARTIAL,
        f"Rebalancing partly executed: {len(filled)} of {counted(total, 'order')} filled "
        f"({detail})",
    )
