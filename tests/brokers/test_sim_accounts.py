"""Accounts shaped like real ones, scripted only through the simulator's ``/_sim`` routes
and read with AlpacaBroker (the real alpaca-py SDK) over loopback HTTP; and the raw
JSON and refusals the simulator answers with, as Alpaca's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.brokers.conftest import OPTION, Venue, alpaca_on_sim
from tests.brokers.test_contract import buy, sell
from trimtab.brokers.models import AssetClass, PricePoint, TimeInForce
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.errors import (
    AccountMayNotTrade,
    AccountTradingBlocked,
    BelowMinimumOrderSize,
    BrokerAuthFailed,
)

CRYPTO_TRADES = "GET /v1beta3/crypto/us/latest/trades"
STOCK_TRADES = "GET /v2/stocks/trades/latest"


@pytest.fixture
def http(sim_server: BackgroundServer, sim_venue: Venue) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_server.base_url, headers=sim_venue.headers) as client:
        yield client


@pytest.fixture
def admin(sim_server: BackgroundServer, sim_venue: Venue) -> Iterator[httpx.Client]:
    """The ``/_sim`` routes of the venue's account."""
    key = sim_venue.headers["APCA-API-KEY-ID"]
    with httpx.Client(base_url=f"{sim_server.base_url}/_sim") as client:
        client.headers["X-Key"] = key
        yield client


def put(admin: httpx.Client, path: str, body: object, **params: str) -> None:
    answer = admin.put(path.format(key=admin.headers["X-Key"]), json=body, params=params)
    assert answer.status_code == 204, answer.text


def seed(admin: httpx.Client, cash: str, positions: list[dict[str, Any]]) -> None:
    put(admin, "/accounts/{key}/cash", {"cash": cash})
    put(admin, "/accounts/{key}/positions", positions)


def post_order(http: httpx.Client, **fields: object) -> httpx.Response:
    body = {"side": "sell", "type": "market", "client_order_id": uuid.uuid4().hex}
    return http.post("/v2/orders", json=body | fields)


def test_short_position_in_alpacas_shape(
    admin: httpx.Client, http: httpx.Client, sim_venue: Venue
) -> None:
    put(admin, "/prices", {"XYZ": "250", "SPY": "500"})
    seed(admin, "30000", [{"symbol": "XYZ", "qty": "-40"}, {"symbol": "SPY", "qty": "8"}])
    raw = {p["symbol"]: p for p in http.get("/v2/positions").json()}["XYZ"]
    assert (raw["qty"], raw["side"], raw["market_value"], raw["asset_class"]) == (
        "-40",
        "short",
        "-10000",
        "us_equity",
    )
    account = http.get("/v2/account").json()
    assert (account["cash"], account["long_market_value"], account["short_market_value"]) == (
        "30000",
        "4000",
        "-10000",
    )
    assert account["equity"] == "24000"
    # The same numbers through the SDK.
    broker = sim_venue.broker
    assert broker.get_account().equity == Decimal(24000)
    xyz = {p.symbol: p for p in broker.get_positions()}["XYZ"]
    assert (xyz.qty, xyz.market_value, xyz.side) == (Decimal(-40), Decimal(-10000), "short")


def test_crypto_position_is_listed_as_btcusd_and_read_as_btc_slash_usd(
    admin: httpx.Client, http: httpx.Client, sim_venue: Venue
) -> None:
    seed(admin, "6000", [{"symbol": "BTC/USD", "qty": "0.15"}])
    raw = http.get("/v2/positions").json()
    assert [(p["symbol"], p["asset_class"], p["exchange"]) for p in raw] == [
        ("BTCUSD", "crypto", "CRYPTO")
    ]
    assert raw[0]["market_value"] == "9000.0000"
    assert http.get("/v2/positions/BTCUSD").json()["qty"] == "0.15"
    (btc,) = sim_venue.broker.get_positions()
    assert (btc.symbol, btc.asset_class, btc.market_value) == (
        "BTC/USD",
        AssetClass.CRYPTO,
        Decimal(9000),
    )
    assert sim_venue.broker.get_account().equity == Decimal(15000)


def test_crypto_prices_come_from_the_crypto_feed(sim_venue: Venue, admin: httpx.Client) -> None:
    assert sim_venue.simulator is not None
    sim_venue.simulator.reset_counts()
    prices = sim_venue.broker.get_latest_prices(["BTC/USD", "SPY"])
    assert {s: p.price for s, p in prices.items()} == {
        "BTC/USD": Decimal(60000),
        "SPY": Decimal(500),
    }
    assert sim_venue.simulator.request_counts() == {CRYPTO_TRADES: 1, STOCK_TRADES: 1}
    # A crypto pair is not a stock, nor the other way round.
    sim_venue.simulator.reset_counts()
    assert set(sim_venue.broker.get_latest_prices(["SPY"])) == {"SPY"}
    assert sim_venue.simulator.request_counts() == {STOCK_TRADES: 1}


def test_crypto_asset_list_carries_the_coins_sizes(http: httpx.Client) -> None:
    coins = http.get("/v2/assets", params={"asset_class": "crypto"}).json()
    assert [(a["symbol"], a["class"], a["exchange"]) for a in coins] == [
        ("BTC/USD", "crypto", "CRYPTO")
    ]
    assert (coins[0]["min_order_size"], coins[0]["min_trade_increment"]) == ("0.0001", "0.0001")
    assert coins[0]["price_increment"] == "0.01"
    assert http.get("/v2/assets/BTCUSD").json()["symbol"] == "BTC/USD"


def test_option_position_is_valued_with_its_multiplier(
    admin: httpx.Client, http: httpx.Client, sim_venue: Venue
) -> None:
    put(admin, "/prices", {"SPY250620P00400000": "50"})
    seed(
        admin,
        "20000",
        [{"symbol": "SPY250620P00400000", "qty": "2", "asset_class": "us_option"}],
    )
    (raw,) = http.get("/v2/positions").json()
    assert (raw["asset_class"], raw["qty"], raw["current_price"], raw["market_value"]) == (
        "us_option",
        "2",
        "50",
        "10000",
    )
    (option,) = sim_venue.broker.get_positions()
    assert (option.asset_class, option.market_value) == (AssetClass.US_OPTION, Decimal(10000))
    assert sim_venue.broker.get_account().equity == Decimal(30000)


def test_crypto_day_order_gets_alpacas_422(http: httpx.Client) -> None:
    answer = post_order(http, symbol="BTC/USD", qty="0.01", time_in_force="day", side="buy")
    assert answer.status_code == 422
    assert answer.json() == {"code": 42210000, "message": "invalid crypto time_in_force"}


def test_crypto_qty_off_the_increment_is_refused(http: httpx.Client) -> None:
    answer = post_order(http, symbol="BTC/USD", qty="0.00015", time_in_force="gtc", side="buy")
    assert answer.status_code == 422
    assert answer.json()["message"] == "qty must be a multiple of 0.0001"


def test_under_one_dollar_gets_alpacas_403(http: httpx.Client) -> None:
    answer = post_order(http, symbol="SPY", notional="0.99", time_in_force="day", side="buy")
    assert answer.status_code == 403
    assert answer.json() == {"code": 40310000, "message": "cost basis must be >= 1"}


def test_pdt_refusal_has_alpacas_code(admin: httpx.Client, http: httpx.Client) -> None:
    put(admin, "/accounts/{key}/flags", {"pattern_day_trader": True})
    assert post_order(http, symbol="TLT", qty="1", side="buy", time_in_force="day").is_success
    answer = post_order(http, symbol="TLT", qty="1", time_in_force="day")
    assert (answer.status_code, answer.json()) == (
        403,
        {"code": 40310100, "message": "trade denied due to pattern day trading protection"},
    )


def test_account_flags_are_scripted_and_read(
    admin: httpx.Client, http: httpx.Client, sim_venue: Venue
) -> None:
    put(
        admin,
        "/accounts/{key}/flags",
        {"shorting_enabled": True, "multiplier": "4", "buying_power": "12345.67"},
    )
    raw = http.get("/v2/account").json()
    assert (raw["shorting_enabled"], raw["multiplier"], raw["buying_power"]) == (
        True,
        "4",
        "12345.67",
    )
    account = sim_venue.broker.get_account()
    assert (account.shorting_enabled, account.multiplier, account.buying_power) == (
        True,
        Decimal(4),
        Decimal("12345.67"),
    )


def test_trading_blocked_is_told_from_the_accounts_flags(
    admin: httpx.Client, sim_venue: Venue
) -> None:
    put(admin, "/accounts/{key}/flags", {"trading_blocked": True})
    with pytest.raises(AccountTradingBlocked, match=r"trading_blocked.*Alpaca support"):
        sim_venue.broker.submit_order(buy("TLT", qty="1"))


def test_account_blocked_names_the_flag_and_a_fix(admin: httpx.Client, sim_venue: Venue) -> None:
    put(admin, "/accounts/{key}/flags", {"account_blocked": True})
    with pytest.raises(AccountMayNotTrade) as refused:
        sim_venue.broker.submit_order(buy("TLT", qty="1"))
    assert refused.value.message == (
        "This Alpaca account may not place orders (Alpaca: account is not authorized to "
        "trade (account_blocked)). Check the account on Alpaca's dashboard: it must be "
        "ACTIVE, not blocked and not suspended."
    )


def test_refused_keys_are_not_an_account_problem(sim_server: BackgroundServer) -> None:
    broker = alpaca_on_sim(sim_server, "PKNOSUCHKEY", "wrong")
    with pytest.raises(BrokerAuthFailed) as refused:
        broker.get_account()
    assert refused.value.status == 401
    assert refused.value.message.startswith("Alpaca refused the API keys")
    assert "paper keys" in refused.value.message


def test_coin_under_its_minimum_is_refused_before_anything_is_sent(
    admin: httpx.Client, sim_venue: Venue
) -> None:
    assert sim_venue.simulator is not None
    seed(admin, "6000", [{"symbol": "BTC/USD", "qty": "0.15"}])
    sim_venue.broker.get_asset("BTC/USD")
    sim_venue.simulator.reset_counts()
    with pytest.raises(BelowMinimumOrderSize, match=r"0\.00009 BTC/USD rounds to 0\.0000"):
        sim_venue.broker.submit_order(sell("BTC/USD", "0.00009"))
    assert "POST /v2/orders" not in sim_venue.simulator.request_counts()


def test_crypto_sell_is_posted_gtc(admin: httpx.Client, sim_venue: Venue) -> None:
    seed(admin, "6000", [{"symbol": "BTC/USD", "qty": "0.15"}])
    order = sim_venue.broker.submit_order(sell("BTC/USD", "0.15"))
    assert order.time_in_force is TimeInForce.GTC
    assert sim_venue.broker.get_positions() == []
    assert sim_venue.broker.get_account().cash == Decimal(15000)


def test_old_trade_prints_and_a_fresher_quote(admin: httpx.Client, sim_venue: Venue) -> None:
    put(admin, "/prices", {"TLT": "88.5", "BTC/USD": "61000"}, as_of="2026-03-02T21:00:00Z")
    put(admin, "/quotes", {"TLT": "91.25", "BTC/USD": "61500"}, as_of="2026-03-05T14:31:05Z")
    trades = sim_venue.broker.get_latest_prices(["TLT", "BTC/USD"])
    quotes = sim_venue.broker.get_latest_quotes(["TLT", "BTC/USD"])
    assert {s: (p.price, p.as_of.isoformat() if p.as_of else None) for s, p in trades.items()} == {
        "TLT": (Decimal("88.5"), "2026-03-02T21:00:00+00:00"),
        "BTC/USD": (Decimal(61000), "2026-03-02T21:00:00+00:00"),
    }
    assert {s: (p.price, p.source) for s, p in quotes.items()} == {
        "TLT": (Decimal("91.25"), "quote"),
        "BTC/USD": (Decimal(61500), "quote"),
    }
    assert isinstance(quotes["TLT"], PricePoint) and quotes["TLT"].as_of is not None
    assert quotes["TLT"].as_of.isoformat() == "2026-03-05T14:31:05+00:00"


def test_scripting_refuses_bad_input_with_a_422(admin: httpx.Client) -> None:
    key = admin.headers["X-Key"]
    bad_multiplier = admin.put(f"/accounts/{key}/flags", json={"multiplier": "10"})
    assert bad_multiplier.status_code == 422
    no_symbol = admin.put(f"/accounts/{key}/positions", json=[{"symbol": "", "qty": "1"}])
    assert no_symbol.status_code == 422
    unknown = admin.put("/accounts/PKNOPE/cash", json={"cash": "1"})
    assert unknown.status_code == 404


def test_option_contracts_are_not_asked_of_the_stock_feed(sim_venue: Venue) -> None:
    assert sim_venue.simulator is not None
    assert sim_venue.broker.get_asset(OPTION).asset_class is AssetClass.US_OPTION
    sim_venue.simulator.reset_counts()
    assert sim_venue.broker.get_latest_prices([OPTION]) == {}
    assert sim_venue.simulator.request_counts() == {}


def test_a_bare_403_forbidden_is_refused_keys(sim_venue: Venue) -> None:
    assert sim_venue.simulator is not None
    sim_venue.simulator.inject(Fault("GET /v2/account", status=403, message="forbidden."))
    with pytest.raises(BrokerAuthFailed, match=r"\(Alpaca: forbidden\.\)"):
        sim_venue.broker.get_account()
