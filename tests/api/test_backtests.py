"""``POST /api/backtests``: figures for posted prices, the caller's allocations by
default, 422 naming the field for bad input, and no access without signing in."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from trimtab.brokers.models import DailyBar
from trimtab.domain.targets import Target
from trimtab.errors import InvalidInput
from trimtab.price_files import parse_price_csv
from trimtab.services import backtest as backtest_service
from trimtab.services import users
from trimtab.services.context import AppContext

from ..live_server import serving
from .conftest import Client

PRICES = "date,A,B\n2024-01-02,10,10\n2024-01-03,20,10\n2024-01-04,20,10\n2024-02-01,24,12\n"
BODY = {
    "prices_csv": PRICES,
    "targets": {"A": 50, "B": 50},
    "policies": ["band:5", "monthly"],
    "cash": 1000,
    "cost_per_order": 1,
    "min_trade": 0,
}


def test_a_backtest_answers_every_policy(alice: Client) -> None:
    response = alice.http.post("/api/backtests", json=BODY)
    assert response.status_code == 200, response.text
    result = response.json()
    assert [p["policy"] for p in result["policies"]] == ["band:5", "monthly"]
    band = result["policies"][0]
    assert (band["final_value"], band["orders"], band["costs"]) == (1794.0, 4, 4.0)
    assert band["values"][1] == ["2024-01-03", 1495.0]
    assert result["symbols"] == ["A", "B"]


def test_a_csv_with_a_byte_order_mark_is_read(alice: Client) -> None:
    response = alice.http.post("/api/backtests", json={**BODY, "prices_csv": "\ufeff" + PRICES})
    assert response.status_code == 200, response.text
    assert response.json()["policies"][0]["final_value"] == 1794.0


def test_the_callers_allocations_are_the_default_targets(alice: Client) -> None:
    saved = alice.http.put(
        "/api/allocations",
        json={
            "allocations": [
                {"symbol": "A", "target_percent": 50},
                {"symbol": "B", "target_percent": 50},
            ]
        },
    )
    assert saved.status_code == 200, saved.text
    body = {k: v for k, v in BODY.items() if k != "targets"}
    response = alice.http.post("/api/backtests", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["policies"][0]["final_value"] == 1794.0


def test_bad_input_is_422_naming_the_field(alice: Client) -> None:
    cases = [
        (
            {"prices_csv": "date,A,B\n2024-01-02,x,1\n"},
            "invalid_prices",
            "prices_csv: line 2: A: 'x' is not a number",
        ),
        (
            {"prices_csv": "date,A,B\n2024-01-02,1e-20,1\n2024-01-03,1,1\n"},
            "invalid_prices",
            "prices_csv: line 2: A: a close must be 0 or from 0.0001 to 10,000,000, got 1e-20",
        ),
        (
            {"start": "2030-01-01"},
            "invalid_input",
            "start 2030-01-01 is after the prices' last day",
        ),
        ({"policies": ["weekly"]}, "invalid_input", "policy 'weekly'"),
        (
            {"policies": ["band:5", "monthly", "band:5"]},
            "invalid_input",
            "policy 'band:5' is given more than once",
        ),
        ({"targets": {"A": 50, "B": 40}}, "invalid_targets", "targets sum to 90.00 %"),
        ({"targets": {"A": 50, "C": 50}}, "invalid_input", "C has no column in the prices"),
        ({"cash": 0}, "invalid_input", "cash:"),
        ({"policies": []}, "invalid_input", "policies:"),
        ({"cost_bps": -1}, "invalid_input", "cost_bps:"),
        ({"cost_bps": 20000}, "invalid_input", "cost_bps:"),
        ({"cost_bps": "1e999"}, "invalid_input", "cost_bps:"),
        ({"cost_per_order": "1e999"}, "invalid_input", "cost_per_order:"),
        ({"cost_per_order": 1_000_001}, "invalid_input", "cost_per_order:"),
        ({"cash": "1e999"}, "invalid_input", "cash:"),
        ({"min_trade": "1e999"}, "invalid_input", "min_trade:"),
        ({"colour": "red"}, "invalid_input", "colour:"),
    ]
    for change, code, message in cases:
        response = alice.http.post("/api/backtests", json={**BODY, **change})
        assert response.status_code == 422, (change, response.text)
        error = response.json()["error"]
        assert error["code"] == code, (change, error)
        assert message in error["message"], (change, error)


def test_a_body_that_is_not_json_names_its_line_and_column(alice: Client) -> None:
    body = '{"targets": {"A": 50,\n  "B" 50}}'
    response = alice.http.post(
        "/api/backtests", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "request body: line 2, column 7: not valid JSON (Expecting ':' delimiter)",
    }


def test_no_saved_targets_and_none_given_is_422(bob: Client) -> None:
    body = {k: v for k, v in BODY.items() if k != "targets"}
    response = bob.http.post("/api/backtests", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("no targets given and none saved")


def test_too_many_cells_is_refused(alice: Client, monkeypatch) -> None:
    monkeypatch.setattr(backtest_service, "MAX_PRICE_CELLS", 7)
    response = alice.http.post("/api/backtests", json=BODY)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "prices_csv has 8 cells; the limit is 7"


def test_a_run_past_the_time_limit_is_stopped() -> None:
    ticks = iter([0.0, 1.0, 30.0])
    check = backtest_service.deadline(20.0, lambda: next(ticks))
    check(0, 1, 10)
    with pytest.raises(InvalidInput, match=r"^the backtest ran longer than 20 s") as err:
        check(0, 2, 10)
    assert err.value.code == "backtest_too_long"


def test_signing_in_is_required(anonymous: TestClient) -> None:
    response = anonymous.post("/api/backtests", json=BODY)
    assert response.status_code == 401


def test_without_a_csv_the_prices_are_the_brokers_daily_bars(alice: Client) -> None:
    # A new user trades on the paper broker, whose bars are the packaged closes.
    body = {**BODY, "targets": {"AAPL": 50, "SPY": 50}, "policies": ["none"], "cost_per_order": 0}
    del body["prices_csv"]
    response = alice.http.post(
        "/api/backtests", json={**body, "start": "2018-04-09", "end": "2018-04-11"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["start"], result["end"], result["days"]) == ("2018-04-09", "2018-04-11", 3)
    # $500 each at the first closes (170.050003 and 253.622391): the value moves with them.
    aapl, spy = 500 / 170.050003, 500 / 253.62239100000002
    assert result["policies"][0]["values"][2] == [
        "2018-04-11",
        round(aapl * 172.440002 + spy * 256.304413, 2),
    ]
    missing = alice.http.post(
        "/api/backtests", json={**body, "start": "2030-01-01", "end": "2030-02-01"}
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == (
        "AAPL, SPY have no daily bars at the broker between 2030-01-01 and 2030-02-01; "
        "upload a CSV of daily closes with a column for each target instead"
    )


def test_without_dates_the_broker_range_is_all_the_history_every_target_has(
    alice: Client,
) -> None:
    body = {**BODY, "targets": {"AAPL": 50, "SPY": 50}, "policies": ["none"]}
    del body["prices_csv"]
    response = alice.http.post("/api/backtests", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    # The packaged closes run from 2016-01-04 to 2018-04-11: 572 trading days.
    assert (result["start"], result["end"], result["days"]) == ("2016-01-04", "2018-04-11", 572)
    # The demo's GLD has no packaged closes: the message names it and suggests a CSV.
    gld = alice.http.post("/api/backtests", json={**body, "targets": {"SPY": 50, "GLD": 50}})
    assert gld.status_code == 422
    assert gld.json()["error"]["message"] == (
        "GLD has no daily bars at the broker; "
        "upload a CSV of daily closes with a column for each target instead"
    )


class Bars:
    """A broker whose daily bars are given: closes of 1 on each listed day."""

    def __init__(self, **days: list[date]) -> None:
        self.days = days

    def get_daily_bars(self, symbols, start, end):
        return {
            s: [DailyBar(d, Decimal(1)) for d in self.days[s] if start <= d <= end]
            for s in symbols
            if s in self.days
        }


def test_the_default_broker_range_starts_when_the_last_target_starts() -> None:
    d = [date(2024, 1, i) for i in range(2, 9)]
    history = backtest_service.broker_history(
        Bars(A=d, B=d[3:]), ["A", "B"], None, date(2024, 2, 1)
    )
    assert history.dates == tuple(d[3:])
    given = backtest_service.broker_history(Bars(A=d, B=d[3:]), ["A", "B"], d[1], d[-1])
    assert given.dates == tuple(d[1:])
    with pytest.raises(InvalidInput, match="bars of A end on 2024-01-03, before those of B"):
        backtest_service.broker_history(Bars(A=d[:2], B=d[3:]), ["A", "B"], None, d[-1])


class Closes:
    """A broker with one symbol's daily bars, at the closes given, from 2024-01-02."""

    def __init__(self, *closes: str) -> None:
        self.bars = [DailyBar(date(2024, 1, 2 + i), Decimal(c)) for i, c in enumerate(closes)]

    def get_daily_bars(self, symbols, start, end):
        return {"A": self.bars}


@pytest.mark.parametrize(
    ("close", "problem"),
    [
        ("-1.5", "a close must be a number ≥ 0, got -1.5"),
        ("NaN", "a close must be a number ≥ 0, got NaN"),
        ("0.00001", "a close must be 0 or from 0.0001 to 10,000,000, got 0.00001"),
        ("1E+12", "a close must be 0 or from 0.0001 to 10,000,000, got 1E+12"),
    ],
)
def test_a_broker_close_out_of_range_is_refused_by_symbol_and_day(close: str, problem: str) -> None:
    # A CSV's close out of this range is refused with its line; the broker's is refused
    # the same way, naming the bar, before the replay's amounts overflow on it.
    with pytest.raises(InvalidInput) as err:
        backtest_service.broker_history(Closes("10", close, "12"), ["A"], None, date(2024, 2, 1))
    assert (err.value.field, err.value.message) == (
        "prices",
        f"the broker's daily bar of A on 2024-01-03: {problem}; "
        "upload a CSV of daily closes with a column for each target instead",
    )


def test_broker_closes_of_0_and_at_the_range_ends_are_taken() -> None:
    history = backtest_service.broker_history(
        Closes("0", "0.0001", "10000000"), ["A"], None, date(2024, 2, 1)
    )
    assert history.closes[:, 0].tolist() == [0.0, 0.0001, 10_000_000.0]


def test_a_broker_range_that_ends_before_it_starts_names_the_start() -> None:
    d = [date(2024, 1, i) for i in range(2, 9)]
    # Without --end the CLI asks up to today: a start after it is not "no bars".
    with pytest.raises(InvalidInput) as err:
        backtest_service.broker_history(Bars(A=d), ["A"], date(2030, 1, 1), d[-1])
    assert (err.value.field, err.value.message) == (
        "start",
        "start 2030-01-01 is after end 2024-01-08",
    )


def slow_prices(days: int = 4000, symbols: int = 6) -> str:
    """Closes that wiggle every day, so a 0.01 pp band rebalances on nearly every one."""
    names = [f"S{i}" for i in range(symbols)]
    rows = ["date," + ",".join(names)]
    first = date(2000, 1, 3)
    for day in range(days):
        closes = (100 + 10 * math.sin(day * (i + 1) / 7) for i in range(symbols))
        rows.append(f"{first + timedelta(days=day)}," + ",".join(f"{c:.4f}" for c in closes))
    return "\n".join(rows) + "\n"


def test_a_client_that_goes_away_stops_the_run_on_the_server(
    app: FastAPI, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's Cancel aborts the request: the server's replay must stop, not run on
    to the 20 s limit. The replay is watched where the service calls it."""
    started, ended = threading.Event(), threading.Event()
    outcome: list[BaseException] = []
    real = backtest_service.run_backtest

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        try:
            return real(*args, **kwargs)
        except BaseException as err:
            outcome.append(err)
            raise
        finally:
            ended.set()

    monkeypatch.setattr(backtest_service, "run_backtest", watched)
    user = users.create_user(ctx, "carol@example.com", "correct horse battery")
    token, _ = users.create_token(ctx, user.id, "cancel test")
    body = json.dumps(
        {
            "prices_csv": slow_prices(),
            "targets": {"S0": 20, "S1": 20, "S2": 15, "S3": 15, "S4": 15, "S5": 15},
            "policies": [f"band:0.0{n}" for n in range(1, 9)],
            "min_trade": 0,
        }
    ).encode()
    with serving(app) as url:
        where = urlparse(url)
        client = socket.create_connection((where.hostname, where.port))
        client.sendall(
            b"POST /api/backtests HTTP/1.1\r\nHost: test\r\n"
            + f"Authorization: Bearer {token}\r\n".encode()
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        if not started.wait(60):
            client.settimeout(5)
            pytest.fail(f"the replay never started: {client.recv(2000)!r}")
        time.sleep(0.3)
        assert not ended.is_set(), "the replay finished before the client went away"
        client.close()
        gone = time.monotonic()
        assert ended.wait(10), "the replay ran on after its client went away"
        stopped_after = time.monotonic() - gone
    assert isinstance(outcome[0], backtest_service.BacktestCancelled), outcome
    assert outcome[0].code == "backtest_cancelled"
    assert stopped_after < 10


def test_a_cancelled_check_stops_the_run() -> None:
    cancelled = threading.Event()
    check = backtest_service.deadline(20.0, lambda: 0.0, cancelled.is_set)
    check(0, 1, 10)
    cancelled.set()
    with pytest.raises(backtest_service.BacktestCancelled) as err:
        check(0, 2, 10)
    assert err.value.code == "backtest_cancelled"


def test_the_result_is_frozen_like_every_service_result() -> None:
    history = parse_price_csv(PRICES)
    settings = backtest_service.settings_from(
        cash=Decimal(1000), cost_bps=Decimal(0), cost_per_order=Decimal(0), min_trade=Decimal(0)
    )
    result = backtest_service.backtest(
        history, [Target("A", Decimal(50)), Target("B", Decimal(50))], ["monthly"], settings
    )
    # 50 A and 50 B at $10; at the last close 50 × $24 + 50 × $12 (no costs).
    assert result.policies[0].final_value == 1800.0
    with pytest.raises(ValidationError, match="frozen"):
        result.policies[0].final_value = 0.0  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        result.days = 0  # type: ignore[misc]
