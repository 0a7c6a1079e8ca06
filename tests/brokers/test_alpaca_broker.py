"""AlpacaBroker's own behaviour: configuration from settings, asset
facts cached per trading day, and a dry-run read costing three requests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.brokers.conftest import Venue
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import SHARED_ASSET_CACHE, AssetCache
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.config import Settings
from trimtab.errors import ConfigError


def alpaca_settings(server: BackgroundServer, venue: Venue) -> Settings:
    key_id, secret_key = venue.headers.values()
    return Settings(
        TRIMTAB_BROKER="alpaca",
        ALPACA_KEY_ID=key_id,
        ALPACA_SECRET_KEY=secret_key,
        ALPACA_BASE_URL=server.base_url,
        ALPACA_DATA_URL=server.base_url,
    )


def test_alpaca_from_settings_reaches_its_urls(
    sim_server: BackgroundServer, sim_venue: Venue
) -> None:
    broker = AlpacaBroker.from_settings(alpaca_settings(sim_server, sim_venue))
    assert (
        broker.get_account().cash
        == sim_venue.control().account(sim_venue.headers["APCA-API-KEY-ID"]).cash
    )
    assert set(broker.get_latest_prices(["SPY"])) == {"SPY"}


def test_alpaca_without_keys_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ALPACA_KEY_ID"):
        AlpacaBroker.from_settings(
            Settings(TRIMTAB_BROKER="alpaca", ALPACA_KEY_ID=None, ALPACA_SECRET_KEY=None)
        )


def test_asset_facts_are_read_once_per_trading_day_across_broker_instances(
    sim_server: BackgroundServer, sim_venue: Venue
) -> None:
    assert sim_venue.simulator is not None
    day = [date(2026, 11, 25)]
    cache = AssetCache(today=lambda: day[0])
    key_id, secret_key = sim_venue.headers.values()

    def asset_reads() -> int:
        assert sim_venue.simulator is not None
        return sim_venue.simulator.request_counts()["GET /v2/assets/{symbol}"]

    # Services build a broker per request; the facts outlive each one.
    for _ in range(3):
        broker = AlpacaBroker(key_id, secret_key, base_url=sim_server.base_url, asset_cache=cache)
        assert broker.get_asset("SPY").fractionable
        assert broker.get_asset("QQQ").tradable
    assert asset_reads() == 2
    day[0] += timedelta(days=1)
    broker.get_asset("SPY")
    assert asset_reads() == 3


def test_brokers_share_one_asset_cache_by_default() -> None:
    first, second = AlpacaBroker("k", "s"), AlpacaBroker("k2", "s2")
    assert first.asset_cache is second.asset_cache is SHARED_ASSET_CACHE


def test_a_dry_run_read_is_three_requests(sim_venue: Venue) -> None:
    assert sim_venue.simulator is not None
    symbols = ["SPY", "QQQ", "TLT"]
    for symbol in symbols:
        sim_venue.broker.get_asset(symbol)
    sim_venue.simulator.reset_counts()
    sim_venue.broker.get_account()
    sim_venue.broker.get_positions()
    sim_venue.broker.get_latest_prices(symbols)
    for symbol in symbols:
        sim_venue.broker.get_asset(symbol)
    assert sim_venue.simulator.request_counts() == {
        "GET /v2/account": 1,
        "GET /v2/positions": 1,
        "GET /v2/stocks/trades/latest": 1,
    }
