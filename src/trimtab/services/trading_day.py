"""The US market's last trading day, from the exchange calendar (``services.market_calendar``).

A price made before it is too old to trade on (docs/rebalancing.md, "Prices you
can trust").
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
#: Longer than any run of market holidays and weekends.
LOOKBACK_DAYS = 10


def last_session_start(now: datetime) -> datetime | None:
    """Midnight (New York) starting the last NYSE session that has opened by ``now``.

    Before Monday's open that is Friday's (or the last one before a holiday).
    ``None`` when no session opened in the last ``LOOKBACK_DAYS`` days.
    """
    from trimtab.services.market_calendar import exchange_calendar

    today = now.astimezone(NEW_YORK).date()
    calendar = exchange_calendar(datetime.now(UTC).date())
    for back in range(LOOKBACK_DAYS + 1):
        session = calendar.session(today - timedelta(days=back))
        if session is not None and session.open <= now:
            return datetime.combine(session.day, time(0), NEW_YORK)
    return None
