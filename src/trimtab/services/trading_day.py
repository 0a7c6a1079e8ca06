"""The US market's last trading day, from the exchange calendar (``services.market_calendar``).

A price made before it is too old to trade on (docs/rebalancing.md, "Prices you
can trust").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from trimtab.services.market_calendar import (
    DAYS_AHEAD,
    DAYS_BACK,
    ExchangeCalendar,
    exchange_calendar,
)

NEW_YORK = ZoneInfo("America/New_York")
#: Longer than any run of market holidays and weekends.
LOOKBACK_DAYS = 10


@lru_cache(maxsize=2)
def _calendar_around(day: date) -> ExchangeCalendar:
    """A small calendar for a day outside the process's own (a snapshot's or a test's)."""
    return ExchangeCalendar(day - timedelta(days=LOOKBACK_DAYS + 1), day + timedelta(days=1))


def _calendar_for(day: date) -> ExchangeCalendar:
    today = datetime.now(UTC).date()
    if (
        today - timedelta(days=DAYS_BACK - LOOKBACK_DAYS)
        <= day
        <= today + timedelta(days=DAYS_AHEAD)
    ):
        return exchange_calendar(today)
    return _calendar_around(day)


def last_session_start(now: datetime) -> datetime | None:
    """Midnight (New York) starting the last NYSE session that has opened by ``now``.

    Before Monday's open that is Friday's (or the last one before a holiday).
    ``None`` when no session opened in the last ``LOOKBACK_DAYS`` days.
    """
    day = now.astimezone(NEW_YORK).date()
    calendar = _calendar_for(day)
    for back in range(LOOKBACK_DAYS + 1):
        session = calendar.session(day - timedelta(days=back))
        if session is not None and session.open <= now:
            return datetime.combine(session.day, time(0), NEW_YORK)
    return None
