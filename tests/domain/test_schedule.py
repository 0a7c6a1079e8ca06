"""When a scheduled check is next due, against the real NYSE calendar (exchange_calendars)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from trimtab.domain.schedule import Frequency, Schedule, is_valid_cron, next_run
from trimtab.services.market_calendar import ExchangeCalendar


@pytest.fixture(scope="module")
def nyse() -> ExchangeCalendar:
    return ExchangeCalendar(date(2026, 1, 1), date(2027, 12, 31))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


DAILY_10 = Schedule(Frequency.DAILY, time(10, 0), cooldown=timedelta(0))


def test_thanksgiving_is_skipped_and_the_half_day_after_takes_a_morning_run(
    nyse: ExchangeCalendar,
) -> None:
    # Wed 2026-11-25 11:00 New York; Thu 26 is a holiday; Fri 27 closes at 13:00.
    assert next_run(DAILY_10, after=utc(2026, 11, 25, 16), calendar=nyse) == utc(2026, 11, 27, 15)


def test_a_weekend_moves_the_run_to_monday(nyse: ExchangeCalendar) -> None:
    assert next_run(DAILY_10, after=utc(2026, 12, 4, 16), calendar=nyse) == utc(2026, 12, 7, 15)


def test_a_half_day_that_closes_before_the_time_gives_no_run(nyse: ExchangeCalendar) -> None:
    two_pm = Schedule(Frequency.DAILY, time(14, 0), cooldown=timedelta(0))
    # Fri 2026-11-27 closes at 13:00 New York: the next 14:00 is Monday's.
    assert next_run(two_pm, after=utc(2026, 11, 25, 20), calendar=nyse) == utc(2026, 11, 30, 19)


def test_ten_oclock_new_york_stays_ten_across_the_spring_dst_change(
    nyse: ExchangeCalendar,
) -> None:
    # Fri 2026-03-06 is EST (UTC-5); clocks go forward on Sun 8th; Mon 9th is EDT (UTC-4).
    assert next_run(DAILY_10, after=utc(2026, 3, 5, 16), calendar=nyse) == utc(2026, 3, 6, 15)
    assert next_run(DAILY_10, after=utc(2026, 3, 6, 16), calendar=nyse) == utc(2026, 3, 9, 14)


def test_ten_oclock_new_york_stays_ten_across_the_autumn_dst_change(
    nyse: ExchangeCalendar,
) -> None:
    # Fri 2026-10-30 is EDT; clocks go back on Sun 1 Nov; Mon 2nd is EST.
    assert next_run(DAILY_10, after=utc(2026, 10, 29, 15), calendar=nyse) == utc(2026, 10, 30, 14)
    assert next_run(DAILY_10, after=utc(2026, 10, 30, 15), calendar=nyse) == utc(2026, 11, 2, 15)


def test_a_time_before_the_open_runs_at_the_open(nyse: ExchangeCalendar) -> None:
    early = Schedule(Frequency.DAILY, time(8, 0), cooldown=timedelta(0))
    assert next_run(early, after=utc(2026, 12, 1, 0), calendar=nyse) == utc(2026, 12, 1, 14, 30)


@pytest.mark.parametrize(
    ("cooldown_minutes", "due"),
    [
        # A manual live run on Mon 2026-11-30 at 15:00 New York (20:00 UTC).
        (60, utc(2026, 12, 1, 15)),  # over long before Tuesday's 10:00
        (20 * 60, utc(2026, 12, 1, 16)),  # ends Tue 11:00: the run waits for it
        (24 * 60, utc(2026, 12, 1, 20)),  # ends Tue 15:00, still in the session
        (25 * 60, utc(2026, 12, 2, 15)),  # ends at Tuesday's close: Wednesday's run
    ],
)
def test_a_cooldown_after_a_live_run_delays_or_skips_the_next(
    nyse: ExchangeCalendar, cooldown_minutes: int, due: datetime
) -> None:
    schedule = Schedule(Frequency.DAILY, time(10, 0), cooldown=timedelta(minutes=cooldown_minutes))
    got = next_run(
        schedule,
        after=utc(2026, 11, 30, 16),
        calendar=nyse,
        last_live_run_at=utc(2026, 11, 30, 20),
    )
    assert got == due


def test_weekly_on_a_holiday_moves_to_the_next_session(nyse: ExchangeCalendar) -> None:
    thursdays = Schedule(Frequency.WEEKLY, time(10, 0), weekday=3)
    assert next_run(thursdays, after=utc(2026, 11, 20, 16), calendar=nyse) == utc(2026, 11, 27, 15)
    # The week after is an ordinary Thursday again.
    assert next_run(thursdays, after=utc(2026, 11, 27, 15), calendar=nyse) == utc(2026, 12, 3, 15)


def test_monthly_day_31_in_february_is_its_last_day_then_the_next_session(
    nyse: ExchangeCalendar,
) -> None:
    month_end = Schedule(Frequency.MONTHLY, time(10, 0), day_of_month=31)
    # Feb 2026 ends on Saturday 28th: Monday 2 March.
    assert next_run(month_end, after=utc(2026, 2, 20, 16), calendar=nyse) == utc(2026, 3, 2, 15)
    assert next_run(month_end, after=utc(2026, 3, 2, 15), calendar=nyse) == utc(2026, 3, 31, 14)


def test_cron_times_outside_a_session_are_skipped(nyse: ExchangeCalendar) -> None:
    half_past_three = Schedule(Frequency.CRON, cron="30 15 * * 1-5", cooldown=timedelta(0))
    # Thu 26 is a holiday and Fri 27 closes at 13:00: Monday's 15:30 EST.
    got = next_run(half_past_three, after=utc(2026, 11, 25, 21), calendar=nyse)
    assert got == utc(2026, 11, 30, 20, 30)
    every_day = Schedule(Frequency.CRON, cron="0 10 * * *", cooldown=timedelta(0))
    # Saturday and Sunday 10:00 have no session; Monday 9 March is EDT.
    assert next_run(every_day, after=utc(2026, 3, 6, 16), calendar=nyse) == utc(2026, 3, 9, 14)


def test_cron_respects_the_cooldown(nyse: ExchangeCalendar) -> None:
    hourly = Schedule(Frequency.CRON, cron="0 * * * 1-5", cooldown=timedelta(minutes=90))
    got = next_run(
        hourly, after=utc(2026, 12, 1, 15), calendar=nyse, last_live_run_at=utc(2026, 12, 1, 15, 5)
    )
    assert got == utc(2026, 12, 1, 17)


def test_off_never_runs(nyse: ExchangeCalendar) -> None:
    assert next_run(Schedule(), after=utc(2026, 12, 1), calendar=nyse) is None


def test_cron_expressions_are_five_fields() -> None:
    assert is_valid_cron("30 10 * * 1-5")
    assert not is_valid_cron("30 10 * * 1-5 2026")
    assert not is_valid_cron("every day")
