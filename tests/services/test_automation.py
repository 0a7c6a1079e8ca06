"""Scheduled checks in-process: the sweep screens, checks due accounts once, and moves on."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from trimtab.brokers.base import Broker
from trimtab.brokers.models import Clock
from trimtab.services import schedules
from trimtab.services.automation import Due, DueOutcome, check_due, sweep
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.demo import seed_demo_user
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.store.models import PaperOrderRow, RebalanceRunRow, ScheduleRow

from .helpers import FakeClock

#: Tue 2026-01-06 10:00 New York (EST): the demo user's daily check after Monday's.
TUESDAY_10 = datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
WEDNESDAY_10 = datetime(2026, 1, 7, 15, 0, tzinfo=UTC)


def _count(ctx: AppContext, column: object) -> int:
    with ctx.store.session_factory() as session:
        return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[call-overload]


def _schedule(ctx: AppContext, user_id: int) -> ScheduleRow:
    with ctx.store.session_factory() as session:
        row = session.get(ScheduleRow, user_id)
        assert row is not None
        return row


def _check_all(ctx: AppContext) -> list[DueOutcome]:
    outcomes: list[DueOutcome] = []
    sweep(ctx, lambda due: outcomes.extend(check_due(ctx, d) for d in due))
    return outcomes


def test_the_demo_user_is_scheduled_daily_at_ten(ctx: AppContext) -> None:
    user_id = seed_demo_user(ctx).user.id
    view = schedules.get_schedule(ctx, user_id)
    assert (str(view.schedule.frequency), str(view.schedule.mode)) == ("daily", "dry_run")
    # Set on Monday 2026-01-05 at 10:00 New York: the next run is Tuesday's.
    assert view.next_run_at == TUESDAY_10


def test_a_due_rebalance_places_its_orders_once_and_moves_to_the_next_day(
    ctx: AppContext, clock: FakeClock
) -> None:
    user_id = seed_demo_user(ctx).user.id
    schedules.set_schedule(ctx, user_id, mode="rebalance")
    clock.now = TUESDAY_10.replace(second=30)
    assert _check_all(ctx) == [DueOutcome.CHECKED]
    row = _schedule(ctx, user_id)
    assert (row.last_due_at, row.last_outcome, row.next_run_at) == (
        TUESDAY_10,
        "checked",
        WEDNESDAY_10,
    )
    assert _count(ctx, PaperOrderRow.id) == 2  # sell SPY, buy TLT
    with ctx.store.session_factory() as session:
        run = session.get(RebalanceRunRow, row.last_run_id)
        assert run is not None
        assert (run.trigger, run.dry_run, run.status) == ("scheduled", False, "completed")
    # The same due time handed out again (a second worker, a late job) does nothing.
    assert check_due(ctx, Due(user_id, TUESDAY_10)) is DueOutcome.ALREADY_HANDLED
    assert _count(ctx, PaperOrderRow.id) == 2


def test_a_calm_account_is_screened_out_without_a_broker_check(
    ctx: AppContext, clock: FakeClock
) -> None:
    user_id = seed_demo_user(ctx).user.id
    to_json(check_rebalance_drift(ctx, user_id))  # Monday's manual rebalance: now on target
    schedules.set_schedule(ctx, user_id, cooldown_minutes=0)
    runs_before = _count(ctx, RebalanceRunRow.id)
    clock.now = TUESDAY_10.replace(second=30)
    assert _check_all(ctx) == []
    row = _schedule(ctx, user_id)
    assert (row.last_outcome, row.next_run_at) == ("within bands (screened)", WEDNESDAY_10)
    assert _count(ctx, RebalanceRunRow.id) == runs_before


def test_a_live_run_inside_the_cooldown_pushes_the_scheduled_one_back(
    ctx: AppContext, clock: FakeClock
) -> None:
    user_id = seed_demo_user(ctx).user.id
    schedules.set_schedule(ctx, user_id, mode="rebalance", cooldown_minutes=90)
    clock.now = datetime(2026, 1, 6, 14, 45, tzinfo=UTC)  # 09:45 New York
    to_json(check_rebalance_drift(ctx, user_id))
    finished = clock.now
    clock.now = TUESDAY_10.replace(second=30)
    assert check_due(ctx, Due(user_id, TUESDAY_10)) is DueOutcome.COOLDOWN
    assert _schedule(ctx, user_id).next_run_at == finished.replace(hour=16, minute=15)


class ClockCounter:
    """A broker that counts how often its clock is read."""

    def __init__(self, inner: Broker, reads: list[int]) -> None:
        self.inner = inner
        self.reads = reads

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def get_clock(self) -> Clock:
        self.reads.append(1)
        return self.inner.get_clock()


def test_a_due_live_rebalance_reads_the_market_clock_once(
    ctx: AppContext, clock: FakeClock
) -> None:
    """The clock the worker reads to see the market open is the one the run goes by."""
    user_id = seed_demo_user(ctx).user.id
    schedules.set_schedule(ctx, user_id, mode="rebalance")
    clock.now = TUESDAY_10.replace(second=30)
    reads: list[int] = []
    broker_for = ctx.broker_for
    ctx.broker_for = lambda uid: ClockCounter(broker_for(uid), reads)  # type: ignore[assignment,return-value]
    assert _check_all(ctx) == [DueOutcome.CHECKED]
    assert _count(ctx, PaperOrderRow.id) == 2  # sell SPY, buy TLT: a live run
    assert len(reads) == 1
