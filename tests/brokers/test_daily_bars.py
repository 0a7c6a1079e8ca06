"""Daily bars for backtests: the paper broker and AlpacaBroker (through alpaca-py, over
HTTP to the simulator) serve the packaged closes; the simulator pages them as Alpaca does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx

from tests.brokers.conftest import Venue
from trimtab.brokers.models import DailyBar
from trimtab.brokers.sim.server import BackgroundServer


def test_daily_bars_are_the_packaged_closes(venue: Venue) -> None:
    venue.control()
    bars = venue.broker.get_daily_bars(["AAPL", "SPY", "NOPE"], date(2018, 4, 9), date(2018, 4, 11))
    assert bars == {
        "AAPL": [
            DailyBar(date(2018, 4, 9), Decimal("170.050003")),
            DailyBar(date(2018, 4, 10), Decimal("173.25")),
            DailyBar(date(2018, 4, 11), Decimal("172.440002")),
        ],
        "SPY": [
            DailyBar(date(2018, 4, 9), Decimal("253.62239100000002")),
            DailyBar(date(2018, 4, 10), Decimal("257.655121")),
            DailyBar(date(2018, 4, 11), Decimal("256.304413")),
        ],
    }
    assert venue.broker.get_daily_bars(["AAPL"], date(2030, 1, 1), date(2030, 2, 1)) == {}


def test_the_simulator_pages_bars_over_all_symbols(
    sim_server: BackgroundServer, sim_venue: Venue
) -> None:
    params = {
        "symbols": "AAPL,SPY",
        "timeframe": "1Day",
        "start": "2018-04-10T04:00:00Z",  # midnight in New York
        "end": "2018-04-11T23:59:00-04:00",
        "limit": 3,
    }
    url = f"{sim_server.base_url}/v2/stocks/bars"
    first = httpx.get(url, params=params, headers=sim_venue.headers, timeout=5).json()
    assert {s: [b["c"] for b in bars] for s, bars in first["bars"].items()} == {
        "AAPL": [173.25, 172.440002],
        "SPY": [257.655121],
    }
    assert first["bars"]["AAPL"][0]["t"] == "2018-04-10T04:00:00+00:00"
    assert first["next_page_token"] == "3"
    second = httpx.get(
        url, params={**params, "page_token": "3"}, headers=sim_venue.headers, timeout=5
    ).json()
    assert second == {
        "bars": {"SPY": [second["bars"]["SPY"][0]]},
        "next_page_token": None,
    }
    assert second["bars"]["SPY"][0]["c"] == 256.304413
