"""The exchange's trading sessions, from ``exchange_calendars`` (XNYS): holidays, half days.

Built once per process (loading a calendar takes about a second) and read as a
``TradingCalendar`` by ``domain.schedule``.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from functools import lru_cache

import exchange_calendars

from trimtab.domain.schedule import MarketSession

#: The New York Stock Exchange; its calendar also marks the 13:00 half days.
EXCHANGE = "XNYS"
#: How far the process's calendar reaches around today (a next run is looked for within
#: 400 days; a due time may lie a few weeks back).
DAYS_BACK = 31
DAYS_AHEAD = 2 * 366


class ExchangeCalendar:
    """Every session of ``EXCHANGE`` from ``start`` to ``end`` (exchange-local dates)."""

    def __init__(self, start: date, end: date) -> None:
        with warnings.catch_warnings():
            # pandas' deprecation notes about the library's internals, not about our use.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            calendar = exchange_calendars.get_calendar(EXCHANGE, start=start, end=end)
        self._sessions = {
            label.date(): MarketSession(label.date(), opens.to_pydatetime(), closes.to_pydatetime())
            for label, opens, closes in zip(
                calendar.schedule.index,
                calendar.schedule["open"],
                calendar.schedule["close"],
                strict=True,
            )
        }

    def session(self, day: date) -> MarketSession | None:
        return self._sessions.get(day)


@lru_cache(maxsize=1)
def exchange_calendar(today: date) -> ExchangeCalendar:
    """The process's calendar (rebuilt when the day changes, so it always reaches ahead)."""
    return ExchangeCalendar(today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD))
