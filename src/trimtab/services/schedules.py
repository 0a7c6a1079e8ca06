"""Each user's schedule: read, change (checked), and when it is next due.

The rules of when are in ``domain.schedule``; this module stores a schedule, reads
the last live run (for the cooldown) and the exchange calendar, and keeps
``next_run_at`` — the time the sweep (``services.automation``) next finds it due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any, Literal

from trimtab.domain.schedule import (
    EXCHANGE_TZ,
    REGULAR_CLOSE,
    Frequency,
    Schedule,
    ScheduleMode,
    TradingCalendar,
    is_valid_cron,
    next_run,
)
from trimtab.errors import InvalidInput, enum_choice
from trimtab.services.context import AppContext
from trimtab.services.contract import result, to_json
from trimtab.services.market_calendar import exchange_calendar
from trimtab.services.run_records import RunStatus
from trimtab.store.models import ScheduleRow
from trimtab.store.unit_of_work import UnitOfWork

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
#: A week: a longer cooldown would silence a daily schedule for good.
MAX_COOLDOWN_MINUTES = 7 * 24 * 60
#: The frequencies that run at ``time_of_day`` (cron gives its own times).
AT_A_TIME = frozenset({Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY})
#: Live runs that did not place orders start no cooldown.
NO_ORDERS = (RunStatus.NOTHING_TO_DO, RunStatus.REFUSED, RunStatus.BLOCKED_BY_RISK)


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """A schedule as the user sees it: the rule, when it runs next, what it did last."""

    schedule: Schedule
    next_run_at: datetime | None
    last_due_at: datetime | None = None
    last_run_id: int | None = None
    last_outcome: str | None = None


def market_calendar(ctx: AppContext) -> TradingCalendar:
    return exchange_calendar(ctx.clock().astimezone(EXCHANGE_TZ).date())


def schedule_of(row: ScheduleRow | None) -> Schedule:
    if row is None:
        return Schedule()
    return Schedule(
        frequency=Frequency(row.frequency),
        time_of_day=row.time_of_day,
        weekday=row.weekday,
        day_of_month=row.day_of_month,
        cron=row.cron,
        cooldown=timedelta(minutes=row.cooldown_minutes),
        mode=ScheduleMode(row.mode),
    )


def last_live_run_at(uow: UnitOfWork, user_id: int) -> datetime | None:
    """When the user's latest live run that placed (or meant to place) orders last moved."""
    return uow.schedules.last_live_run_at(user_id, [str(s) for s in NO_ORDERS])


def due_time(
    schedule: Schedule,
    *,
    stored: datetime | None,
    last_live: datetime | None,
    calendar: TradingCalendar,
) -> datetime | None:
    """When a stored due time really falls, once the cooldown of a later live run is applied."""
    if stored is None:
        return None
    return next_run(
        schedule,
        after=stored - timedelta(microseconds=1),
        calendar=calendar,
        last_live_run_at=last_live,
    )


def get_schedule(ctx: AppContext, user_id: int) -> ScheduleView:
    """The user's schedule (``off`` when never set), its next run after any cooldown."""
    with ctx.store.read() as uow:
        row = uow.schedules.get(user_id)
        last_live = last_live_run_at(uow, user_id)
    if row is None:
        return ScheduleView(Schedule(), None)
    schedule = schedule_of(row)
    upcoming = due_time(
        schedule, stored=row.next_run_at, last_live=last_live, calendar=market_calendar(ctx)
    )
    return ScheduleView(schedule, upcoming, row.last_due_at, row.last_run_id, row.last_outcome)


def parse_time_of_day(value: str) -> time:
    """``HH:MM`` (24-hour), exchange time; ``InvalidInput`` naming ``time_of_day`` otherwise."""
    try:
        parsed = time.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"time_of_day must be HH:MM (24-hour, New York time), got {value!r}",
            field="time_of_day",
        ) from None
    if parsed.second or parsed.microsecond or parsed.tzinfo:
        raise InvalidInput("time_of_day must be HH:MM with no seconds", field="time_of_day")
    return parsed


def parse_weekday(value: str) -> int:
    try:
        return WEEKDAYS.index(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"weekday must be one of {', '.join(WEEKDAYS)}, got {value!r}", field="weekday"
        ) from None


def checked_schedule(
    current: Schedule,
    *,
    frequency: str | None = None,
    time_of_day: str | None = None,
    weekday: str | None = None,
    day_of_month: int | None = None,
    cron: str | None = None,
    cooldown_minutes: int | None = None,
    mode: str | None = None,
) -> Schedule:
    """``current`` with the given fields changed (``None`` keeps one), every rule checked.

    Raises ``InvalidInput`` naming the field: an unknown frequency or mode, a time that
    is not HH:MM, a weekly schedule without a weekday (Monday to Friday), a monthly one
    without a day (1-31), a cron schedule without a valid five-field expression, a
    daily, weekly or monthly time at or after the regular close (16:00, when it would
    never run), or a cooldown outside 0 to a week.
    """
    changes: dict[str, Any] = {}
    if frequency is not None:
        changes["frequency"] = enum_choice(Frequency, frequency, "frequency")
    if mode is not None:
        changes["mode"] = enum_choice(ScheduleMode, mode, "mode")
    if time_of_day is not None:
        changes["time_of_day"] = parse_time_of_day(time_of_day)
    if weekday is not None:
        changes["weekday"] = parse_weekday(weekday)
    if day_of_month is not None:
        if not 1 <= day_of_month <= 31:
            raise InvalidInput("day_of_month must be 1 to 31", field="day_of_month")
        changes["day_of_month"] = day_of_month
    if cron is not None:
        if not is_valid_cron(cron):
            raise InvalidInput(
                f"cron must be five fields (minute hour day month weekday), got {cron!r}",
                field="cron",
            )
        changes["cron"] = cron.strip()
    if cooldown_minutes is not None:
        if not 0 <= cooldown_minutes <= MAX_COOLDOWN_MINUTES:
            raise InvalidInput(
                f"cooldown_minutes must be 0 to {MAX_COOLDOWN_MINUTES}", field="cooldown_minutes"
            )
        changes["cooldown"] = timedelta(minutes=cooldown_minutes)
    updated = replace(current, **changes)
    needs = {Frequency.WEEKLY: "weekday", Frequency.MONTHLY: "day_of_month", Frequency.CRON: "cron"}
    field = needs.get(updated.frequency)
    if field is not None and getattr(updated, field) is None:
        raise InvalidInput(f"a {updated.frequency} schedule needs {field}", field=field)
    if updated.frequency in AT_A_TIME and updated.time_of_day >= REGULAR_CLOSE:
        raise InvalidInput(
            f"time_of_day must be before {REGULAR_CLOSE:%H:%M} New York time (the regular "
            f"session's close), got {updated.time_of_day:%H:%M}: the schedule would never run",
            field="time_of_day",
        )
    return updated


def set_schedule(ctx: AppContext, user_id: int, **fields: Any) -> ScheduleView:
    """Change the user's schedule (see ``checked_schedule``) and compute its next run."""
    now = ctx.clock()
    calendar = market_calendar(ctx)
    with ctx.store.write() as uow:
        row = uow.schedules.get(user_id)
        schedule = checked_schedule(schedule_of(row), **fields)
        upcoming = next_run(
            schedule,
            after=now,
            calendar=calendar,
            last_live_run_at=last_live_run_at(uow, user_id),
        )
        if row is None:
            row = ScheduleRow(user_id=user_id)
            uow.schedules.add(row)
        row.frequency = str(schedule.frequency)
        row.time_of_day = schedule.time_of_day
        row.weekday = schedule.weekday
        row.day_of_month = schedule.day_of_month
        row.cron = schedule.cron
        row.cooldown_minutes = int(schedule.cooldown.total_seconds() // 60)
        row.mode = str(schedule.mode)
        row.next_run_at = upcoming
        row.updated_at = now
        uow.audit(
            "schedule_changed",
            user_id=user_id,
            actor=None,
            data=to_json(schedule_settings(ScheduleView(schedule, upcoming))),
            now=now,
        )
        return ScheduleView(schedule, upcoming, row.last_due_at, row.last_run_id, row.last_outcome)


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]


@result
class ScheduleSettings:
    """A schedule as ``GET|PUT /api/schedule``, ``trimtab schedule show --json`` and the
    audit log give it (``docs/automation.md``)."""

    frequency: Frequency
    time_of_day: str
    """HH:MM, exchange (New York) time."""
    weekday: Weekday | None
    day_of_month: int | None
    cron: str | None
    cooldown_minutes: int
    mode: ScheduleMode
    timezone: str
    next_run_at: datetime | None
    last_due_at: datetime | None
    last_run_id: int | None
    last_outcome: str | None


def schedule_settings(view: ScheduleView) -> ScheduleSettings:
    schedule = view.schedule
    weekday: Any = WEEKDAYS[schedule.weekday] if schedule.weekday is not None else None
    return ScheduleSettings(
        frequency=schedule.frequency,
        time_of_day=schedule.time_of_day.strftime("%H:%M"),
        weekday=weekday,
        day_of_month=schedule.day_of_month,
        cron=schedule.cron,
        cooldown_minutes=int(schedule.cooldown.total_seconds() // 60),
        mode=schedule.mode,
        timezone=str(EXCHANGE_TZ),
        next_run_at=view.next_run_at,
        last_due_at=view.last_due_at,
        last_run_id=view.last_run_id,
        last_outcome=view.last_outcome,
    )
