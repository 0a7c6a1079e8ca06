"""The simulator's wire format: Alpaca's JSON shapes, status codes and error bodies, and
the ``/_sim`` scripting routes, checked over raw HTTP and through alpaca-py's parsers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockLatestBarRequest, StockLatestQuoteRequest

from tests.brokers.conftest import PRICES, Venue
from trimtab.brokers.sim.server import BackgroundServer


@pytest.fixture
def http(sim_server: BackgroundServer, sim_venue: Venue) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_server.base_url, headers=sim_venue.headers) as client:
        yield client


def post_order(http: httpx.Client, **fields: object) -> httpx.Response:
    body = {"symbol": "TLT", "side": "buy", "type": "market", "time_in_force": "day"}
    return http.post("/v2/orders", json=body | {"client_order_id": uuid.uuid4().hex} | fields)


def test_unknown_key_gets_alpacas_401_body(sim_server: BackgroundServer) -> None:
    answer = httpx.get(f"{sim_server.base_url}/v2/account", headers={"APCA-API-KEY-ID": "x"})
    assert answer.status_code == 401
    assert answer.json() == {"code": 40110000, "message": "request is not authorized"}


def test_account_money_is_decimal_strings(http: httpx.Client) -> None:
    account = http.get("/v2/account").json()
    assert account["status"] == "ACTIVE" and uuid.UUID(account["id"])
    assert account["cash"] == "10000.00" and isinstance(account["buying_power"], str)


def test_order_accepts_qty_as_number_or_string_and_answers_strings(http: httpx.Client) -> None:
    as_number = post_order(http, qty=1.123456789)
    as_string = post_order(http, qty="2")
    assert (as_number.status_code, as_string.status_code) == (200, 200)
    order = as_number.json()
    assert order["qty"] == "1.123456789" and order["filled_qty"] == "1.123456789"
    assert order["filled_avg_price"] == "90.00" and order["notional"] is None
    assert (order["order_class"], order["status"], order["extended_hours"]) == (
        "simple",
        "filled",
        False,
    )
    assert uuid.UUID(order["asset_id"]) and order["filled_at"] is not None


def test_bad_order_field_is_a_422_with_alpacas_body(http: httpx.Client) -> None:
    answer = post_order(http, side="hold", qty=1)
    assert answer.status_code == 422
    assert answer.json() == {"code": 40010001, "message": "invalid side: 'hold'"}
    assert http.post("/v2/orders", content=b"{not json").status_code == 422


def test_buying_power_refusal_is_403_40310000(http: httpx.Client) -> None:
    answer = post_order(http, qty=1000)
    assert answer.status_code == 403
    assert answer.json() == {"code": 40310000, "message": "insufficient buying power"}


def test_cancel_answers_204_then_422_once_finished(sim_venue: Venue, http: httpx.Client) -> None:
    sim_venue.control().fill_immediately = False
    order_id = post_order(http, qty=1).json()["id"]
    assert http.delete(f"/v2/orders/{order_id}").status_code == 204
    again = http.delete(f"/v2/orders/{order_id}")
    assert again.status_code == 422 and again.json()["code"] == 42210000
    assert http.get(f"/v2/orders/{order_id}").json()["status"] == "canceled"


def test_unknown_things_are_404_with_a_code(http: httpx.Client) -> None:
    for path in (f"/v2/orders/{uuid.uuid4()}", "/v2/assets/ZZZZQ", "/v2/positions/TLT"):
        answer = http.get(path)
        assert answer.status_code == 404 and answer.json()["code"] == 40410000
    lookup = http.get("/v2/orders:by_client_order_id", params={"client_order_id": "nope"})
    assert lookup.status_code == 404


def test_order_listing_by_status_and_direction(sim_venue: Venue, http: httpx.Client) -> None:
    sim_venue.control().fill_immediately = False
    first = post_order(http, qty=1).json()["id"]
    second = post_order(http, qty=1).json()["id"]
    http.delete(f"/v2/orders/{first}")
    assert [o["id"] for o in http.get("/v2/orders").json()] == [second]
    assert [o["id"] for o in http.get("/v2/orders", params={"status": "closed"}).json()] == [first]
    listed = http.get("/v2/orders", params={"status": "all", "direction": "asc"}).json()
    assert [o["id"] for o in listed] == [first, second]


def test_one_position_by_symbol(http: httpx.Client) -> None:
    spy = http.get("/v2/positions/SPY").json()
    assert (spy["qty"], spy["side"], spy["market_value"]) == ("10", "long", "5000.00")


def test_quotes_and_bars_parse_in_alpaca_py(sim_server: BackgroundServer, sim_venue: Venue) -> None:
    key_id, secret = sim_venue.headers.values()
    data = StockHistoricalDataClient(key_id, secret, url_override=sim_server.base_url)
    quotes = data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols=["SPY", "TLT"]))
    bars = data.get_stock_latest_bar(StockLatestBarRequest(symbol_or_symbols="QQQ"))
    assert isinstance(quotes, dict) and isinstance(bars, dict)
    assert Decimal(str(quotes["TLT"].ask_price)) == PRICES["TLT"]
    assert Decimal(str(bars["QQQ"].close)) == PRICES["QQQ"]


def test_scripting_routes_seed_move_fill_and_fault(
    sim_server: BackgroundServer, sim_venue: Venue
) -> None:
    with httpx.Client(base_url=sim_server.base_url) as admin:
        seeded = admin.post(
            "/_sim/accounts",
            json={"key_id": "PKSCRIPT", "secret_key": "s", "cash": "500", "holdings": {"SPY": 1}},
        )
        assert seeded.status_code == 201
        own = {"APCA-API-KEY-ID": "PKSCRIPT", "APCA-API-SECRET-KEY": "s"}
        assert admin.get("/v2/account", headers=own).json()["cash"] == "500"
        assert admin.put("/_sim/prices", json={"SPY": "510.25"}).status_code == 204
        position = admin.get("/v2/positions/SPY", headers=own).json()
        assert position["current_price"] == "510.25"
        admin.put("/_sim/assets/SPY", json={"tradable": True, "fractionable": False})
        assert admin.get("/v2/assets/SPY", headers=own).json()["fractionable"] is False
        admin.put("/_sim/market", json={"is_open": False})
        assert admin.get("/v2/clock", headers=own).json()["is_open"] is False
        admin.put("/_sim/market", json={"is_open": True})
        admin.post("/_sim/faults", json={"route": "GET /v2/clock", "status": 503})
        assert admin.get("/v2/clock", headers=own).status_code == 503
        assert admin.get("/v2/clock", headers=own).status_code == 200
        assert admin.get("/_sim/requests").json()["GET /v2/clock"] == 3
        assert admin.post("/_sim/fill", json={}).json() == {"filled": 0}
        order = admin.post(
            "/v2/orders",
            headers=own,
            json={"symbol": "SPY", "side": "sell", "qty": "1", "time_in_force": "day"},
        ).json()
        changed = admin.put(f"/_sim/orders/{order['id']}/status", json={"status": "expired"})
        assert changed.json()["status"] == "expired"
        assert admin.get(f"/v2/orders/{order['id']}", headers=own).json()["status"] == "expired"
        assert admin.post("/_sim/clock/advance", json={"seconds": 60}).status_code == 204
        assert admin.delete("/_sim/faults").status_code == 204
