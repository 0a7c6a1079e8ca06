"""When a user's scheduled check is next due: pure, with the calendar and the time as inputs.

The rules (docs/automation.md): times of day are the exchange's wall-clock time
(America/New_York, so a 10:00 check stays at 10:00 across both DST changes); a run
happens only inside a trading session; a time before the open runs at the open; a
session that closes before the time (a 13:00 half day) does not take the run. A
weekly or monthly day that is not a trading day moves to the next session that can
take it. After a live run, no scheduled run starts before the cooldown ends: a due
time inside it waits for its end when the session is still open then, else the
next due time is taken.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from croniter import croniter

#: The time zone of the exchange (NYSE) whose sessions the schedule follows.
EXCHANGE_TZ = ZoneInfo("America/New_York")
#: How far ahead a next run is looked for before the schedule is judged never due.
HORIZON = timedelta(days=400)
#: Cron expressions are stepped at most this many times per lookup (a bound, not a rule).
MAX_CRON_STEPS = 50_000
#: A weekly or monthly day moves forward at most this many days to find a session.
MAX_ROLL_DAYS = 10
#: The regular session's close (exchange time): a daily, weekly or monthly time at or
#: after it never falls inside a session. A time before the open runs at the open.
REGULAR_CLOSE = time(16, 0)


class Frequency(StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CRON = "cron"


class ScheduleMode(StrEnum):
    #: Place the orders, as a live ``check`` does.
    REBALANCE = "rebalance"
    #: Plan only, and notify when drift is past a band.
    DRY_RUN = "dry_run"


@dataclass(frozen=True, slots=True)
class MarketSession:
    """One trading day's regular session; ``open`` and ``close`` are aware datetimes."""

    day: date
    open: datetime
    close: datetime


class TradingCalendar(Protocol):
    def session(self, day: date) -> MarketSession | None:
        """The session on ``day`` (exchange-local date), or ``None`` when it does not trade."""
        ...


@dataclass(frozen=True, slots=True)
class Schedule:
    """A user's schedule. ``weekday`` (0 = Monday) is for weekly, ``day_of_month`` (1-31,
    clamped to the month's last day) for monthly, ``cron`` (five fields, exchange time) for
    cron. ``cooldown`` follows any live run, manual or scheduled."""

    frequency: Frequency = Frequency.OFF
    time_of_day: time = time(10, 0)
    weekday: int | None = None
    day_of_month: int | None = None
    cron: str | None = None
    cooldown: timedelta = timedelta(hours=1)
    mode: ScheduleMode = ScheduleMode.DRY_RUN


def next_run(
    schedule: Schedule,
    *,
    after: datetime,
    calendar: TradingCalendar,
    last_live_run_at: datetime | None = None,
) -> datetime | None:
    """The first due time strictly after ``after`` (aware, in UTC), or ``None`` when the
    schedule is off or has no due time within ``HORIZON``."""
    if schedule.frequency is Frequency.OFF:
        return None
    cooldown_end = last_live_run_at + schedule.cooldown if last_live_run_at is not None else None
    if schedule.frequency is Frequency.CRON:
        return _next_cron(schedule, after, calendar, cooldown_end)
    roll = schedule.frequency is not Frequency.DAILY
    # A weekly or monthly day up to MAX_ROLL_DAYS back may have rolled forward past ``after``.
    start = after.astimezone(EXCHANGE_TZ).date() - timedelta(days=MAX_ROLL_DAYS if roll else 0)
    end = (after + HORIZON).astimezone(EXCHANGE_TZ).date()
    for day in _nominal_days(schedule, start, end):
        slot = _slot(schedule, day, calendar, roll)
        if slot is None:
            continue
        due, session = slot
        if due <= after:
            continue
        if cooldown_end is not None and due < cooldown_end:
            if cooldown_end >= session.close:
                continue
            due = cooldown_end
        return due.astimezone(EXCHANGE_TZ).astimezone(after.tzinfo)
    return None


def is_valid_cron(expression: str) -> bool:
    """Five fields (minute hour day month weekday), as croniter reads them."""
    return len(expression.split()) == 5 and bool(croniter.is_valid(expression))


def _nominal_days(schedule: Schedule, start: date, end: date) -> Iterator[date]:
    """The days the schedule names, before trading days are considered."""
    day = start
    if schedule.frequency is Frequency.MONTHLY:
        wanted = schedule.day_of_month or 1
        year, month = day.year, day.month
        while True:
            last = month_calendar.monthrange(year, month)[1]
            nominal = date(year, month, min(wanted, last))
            if nominal > end:
                return
            if nominal >= start:
                yield nominal
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while day <= end:
        if schedule.frequency is Frequency.DAILY or day.weekday() == schedule.weekday:
            yield day
        day += timedelta(days=1)


def _slot(
    schedule: Schedule, day: date, calendar: TradingCalendar, roll: bool
) -> tuple[datetime, MarketSession] | None:
    """The due time for nominal ``day``: on it, or (``roll``) on the next session taking it."""
    for offset in range(MAX_ROLL_DAYS if roll else 1):
        current = day + timedelta(days=offset)
        session = calendar.session(current)
        if session is None:
            continue
        due = max(datetime.combine(current, schedule.time_of_day, EXCHANGE_TZ), session.open)
        if due < session.close:
            return due, session
    return None


def _next_cron(
    schedule: Schedule,
    after: datetime,
    calendar: TradingCalendar,
    cooldown_end: datetime | None,
) -> datetime | None:
    """The first cron time after ``after`` (and past the cooldown) inside a session."""
    start = after if cooldown_end is None else max(after, cooldown_end - timedelta(seconds=1))
    times = croniter(schedule.cron or "", start.astimezone(EXCHANGE_TZ))
    limit = after + HORIZON
    for _ in range(MAX_CRON_STEPS):
        due: datetime = times.get_next(datetime)
        if due > limit:
            return None
        if due <= after or (cooldown_end is not None and due < cooldown_end):
            continue
        session = calendar.session(due.astimezone(EXCHANGE_TZ).date())
        if session is not None and session.open <= due < session.close:
            return due.astimezone(after.tzinfo)
    return None
