"""Asset facts (tradable, fractionable) kept for one trading day, shared by every broker
instance in the process: services build a broker per request, and a check should not
pay one request per symbol each time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from trimtab.brokers.models import Asset

NEW_YORK = ZoneInfo("America/New_York")


def market_today() -> date:
    """Asset facts change between trading days, which turn over in New York."""
    return datetime.now(NEW_YORK).date()


class AssetCache:
    """Facts per (API, symbol), dropped when the trading day changes; thread-safe."""

    def __init__(self, today: Callable[[], date] = market_today) -> None:
        self._today = today
        self._day: date | None = None
        self._facts: dict[tuple[str, str], Asset] = {}
        self._lock = threading.Lock()

    def get(self, api: str, symbol: str) -> Asset | None:
        with self._lock:
            self._turn_day()
            return self._facts.get((api, symbol))

    def put(self, api: str, asset: Asset) -> None:
        with self._lock:
            self._turn_day()
            self._facts[(api, asset.symbol)] = asset

    def _turn_day(self) -> None:
        today = self._today()
        if today != self._day:
            self._facts.clear()
            self._day = today


#: The cache every ``AlpacaBroker`` uses unless given its own.
SHARED_ASSET_CACHE = AssetCache()
