"""Scheduled checks: the sweep that finds due accounts, and the check of one due account.

``sweep`` moves unfinished runs forward, finds schedules whose ``next_run_at`` has
come, screens them (``services.screening``), marks the calm ones handled and
hands the rest to ``dispatch`` — the procrastinate queue (``trimtab worker``) or,
in-process, ``check_due`` itself. ``check_due`` runs under the account's run lock,
the same lock as manual runs, and happens once per due time however many workers
or sweeps hand it out: the schedule row's ``next_run_at`` moves on only from the
due time it was given (compare-and-set), and a run already recorded for that due
time (a worker died after recording it) is resumed rather than started again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.schedule import Frequency, ScheduleMode, next_run
from trimtab.errors import BrokerError, Conflict
from trimtab.services.broker_accounts import account_lock
from trimtab.services.context import AppContext
from trimtab.services.notifications import NotifyEvent, notify, run_summary
from trimtab.services.rebalance import (
    CheckRequest,
    check_holding_lock,
    resume_holding_lock,
    resume_unfinished_runs,
)
from trimtab.services.run_records import UNFINISHED, Trigger
from trimtab.services.schedules import due_time, last_live_run_at, market_calendar, schedule_of
from trimtab.services.screening import accounts_to_check, known_accounts

log = logging.getLogger(__name__)


class DueOutcome(StrEnum):
    """What became of one due time (``schedules.last_outcome``)."""

    CHECKED = "checked"
    SCREENED = "within bands (screened)"
    COOLDOWN = "cooldown"
    MARKET_CLOSED = "market closed"
    #: Another run holds the account: left due, the next sweep hands it out again.
    BUSY = "busy"
    #: Another worker or sweep handled this due time already.
    ALREADY_HANDLED = "already handled"


@dataclass(frozen=True, slots=True)
class Due:
    user_id: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class SweepReport:
    resumed: int
    due: int
    screened_out: int
    dispatched: int


def due_accounts(ctx: AppContext, now: datetime, limit: int | None = None) -> list[Due]:
    """Schedules whose next run has come, oldest due first."""
    with ctx.store.read() as uow:
        rows = uow.schedules.due(now, str(Frequency.OFF), limit)
    return [Due(user_id, due_at) for user_id, due_at in rows]


def market_prices(ctx: AppContext, user_id: int) -> Callable[[Sequence[str]], dict[str, Decimal]]:
    """Current prices through one account's broker (market data is the same for every one)."""

    def prices_for(symbols: Sequence[str]) -> dict[str, Decimal]:
        points = ctx.broker_for(user_id).get_latest_prices(list(symbols))
        return {symbol: point.price for symbol, point in points.items()}

    return prices_for


def sweep(ctx: AppContext, dispatch: Callable[[list[Due]], object]) -> SweepReport:
    """One pass: resume unfinished runs, then screen the due accounts and dispatch the rest."""
    resumed = len(resume_unfinished_runs(ctx))
    due = due_accounts(ctx, ctx.clock())
    if not due:
        return SweepReport(resumed, 0, 0, 0)
    user_ids = [d.user_id for d in due]
    with ctx.store.read() as uow:
        known = known_accounts(uow, user_ids)
    try:
        wanted = accounts_to_check(known, user_ids, market_prices(ctx, due[0].user_id))
    except BrokerError:
        log.warning("prices unavailable; checking every due account", exc_info=True)
        wanted = set(user_ids)
    to_check = [d for d in due if d.user_id in wanted]
    if to_check:
        dispatch(to_check)
    calm = [d for d in due if d.user_id not in wanted]
    _screened_out(ctx, calm)
    return SweepReport(resumed, len(due), len(calm), len(to_check))


def _screened_out(ctx: AppContext, calm: list[Due]) -> None:
    """Move every calm account on to its next due time, in one transaction.

    No cooldown is applied here: ``check_due`` applies it when that time comes.
    """
    if not calm:
        return
    now = ctx.clock()
    calendar = market_calendar(ctx)
    upcoming: dict[tuple[object, datetime], datetime | None] = {}
    with ctx.store.write() as uow:
        rows = uow.schedules.of_users([d.user_id for d in calm])
        due_of = {d.user_id: d.due_at for d in calm}
        for row in rows:
            due_at = due_of[row.user_id]
            if row.next_run_at != due_at:
                continue  # handled meanwhile, or the user changed the schedule
            schedule = schedule_of(row)
            key = (schedule, due_at)
            if key not in upcoming:
                upcoming[key] = next_run(schedule, after=max(due_at, now), calendar=calendar)
            row.next_run_at = upcoming[key]
            row.last_due_at = due_at
            row.last_run_id = None
            row.last_outcome = str(DueOutcome.SCREENED)
            row.updated_at = now


def check_due(ctx: AppContext, due: Due) -> DueOutcome:
    """Run one account's due check (under its run lock), once per due time."""
    try:
        with account_lock(ctx, due.user_id) as lock:
            with ctx.store.read() as uow:
                row = uow.schedules.get(due.user_id)
                if row is None or row.next_run_at != due.due_at or row.frequency == Frequency.OFF:
                    return DueOutcome.ALREADY_HANDLED
                schedule = schedule_of(row)
                last_live = last_live_run_at(uow, due.user_id)
                recorded = uow.schedules.run_since(due.user_id, str(Trigger.SCHEDULED), due.due_at)
            if recorded is not None:
                # A worker died after recording this due time's run: finish that run.
                if recorded.status in UNFINISHED:
                    resume_holding_lock(ctx, due.user_id, lock)
                return _move_on(ctx, due, DueOutcome.CHECKED, run_id=recorded.id)
            later = due_time(
                schedule, stored=due.due_at, last_live=last_live, calendar=market_calendar(ctx)
            )
            if later != due.due_at:
                _reschedule(ctx, due, later)
                return DueOutcome.COOLDOWN
            market_open = ctx.broker_for(due.user_id).get_clock().is_open
            if not market_open:
                return _move_on(ctx, due, DueOutcome.MARKET_CLOSED, run_id=None)
            request = CheckRequest(
                due.user_id,
                dry_run=schedule.mode is ScheduleMode.DRY_RUN,
                symbols=None,
                trigger=Trigger.SCHEDULED,
                queue_if_closed=False,
            )
            result = check_holding_lock(ctx, request, lock, market_open=market_open)
            if request.dry_run and result.needs_rebalance:
                notify(ctx, due.user_id, NotifyEvent.DRIFT_PAST_BAND, run_summary(result))
            return _move_on(ctx, due, DueOutcome.CHECKED, run_id=result.run_id)
    except Conflict:
        return DueOutcome.BUSY


def _reschedule(ctx: AppContext, due: Due, later: datetime | None) -> None:
    with ctx.store.write() as uow:
        uow.schedules.move_due(due.user_id, due.due_at, next_run_at=later)


def _move_on(ctx: AppContext, due: Due, outcome: DueOutcome, run_id: int | None) -> DueOutcome:
    """Record how the due time went and set the next one, unless someone already did."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        row = uow.schedules.get(due.user_id)
        if row is None or row.next_run_at != due.due_at:
            return DueOutcome.ALREADY_HANDLED
        # After ``now`` too, so a run recorded late is never taken for the next due time's.
        upcoming = next_run(
            schedule_of(row),
            after=max(due.due_at, now),
            calendar=market_calendar(ctx),
            last_live_run_at=last_live_run_at(uow, due.user_id),
        )
        moved = uow.schedules.move_due(
            due.user_id,
            due.due_at,
            next_run_at=upcoming,
            last_due_at=due.due_at,
            last_run_id=run_id,
            last_outcome=str(outcome),
            updated_at=now,
        )
        if not moved:
            return DueOutcome.ALREADY_HANDLED
    return outcome
