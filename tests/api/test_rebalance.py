"""Rebalance checks, trades, run history and the callable shim, over HTTP on the paper broker."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user

from ..contract import assert_seed_contract
from .conftest import Client, finished_run, live_check


@pytest.fixture
def demo(app: FastAPI, ctx: AppContext) -> Client:
    """The drifted demo account (SPY well over 40 %, TLT under 20 %), signed in."""
    seed = seed_demo_user(ctx)
    http = TestClient(app)
    login = http.post("/api/auth/login", json={"email": seed.user.email, "password": seed.password})
    http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return Client(http, seed.user, login.json()["csrf_token"])


def test_dry_run_reports_drift_and_plans_without_placing(demo: Client) -> None:
    response = demo.http.post("/api/rebalance/check", json={"dry_run": True})
    assert response.status_code == 200, response.text
    result = response.json()
    assert_seed_contract(result)
    assert result["dry_run"] is True
    assert result["trades_executed"] == []
    assert [(t["symbol"], t["side"]) for t in result["trades_planned"]] == [
        ("SPY", "sell"),
        ("TLT", "buy"),
    ]
    assert isinstance(result["run_id"], int)
    assert result["message"] == "Dry run: Rebalancing planned: 1 sell, 1 buy"
    drift = {row["symbol"]: row for row in result["drift_analysis"]}
    assert (drift["SPY"]["action"], drift["SPY"]["needs_rebalance"]) == ("sell", True)
    assert (drift["TLT"]["action"], drift["GLD"]["action"]) == ("buy", "none")
    assert demo.http.get("/api/portfolio").json()["cash"] == 2500.0


def test_a_preview_of_targets_off_100_is_refused_and_the_history_says_so(demo: Client) -> None:
    assert demo.http.put("/api/allocations/GLD", json={"target_percent": 15}).status_code == 200
    result = demo.http.post("/api/rebalance/check", json={"dry_run": True}).json()
    assert result["status"] == "refused"
    assert result["message"] == (
        "Cannot rebalance: targets sum to 105.00 %, expected 100 % (5.00 pp over)"
    )
    assert (result["needs_rebalance"], result["trades_planned"]) == (False, [])
    [listed] = demo.http.get("/api/runs").json()["runs"]
    assert (listed["id"], listed["status"], listed["dry_run"]) == (
        result["run_id"],
        "refused",
        True,
    )


def test_a_plan_lists_the_orders_and_records_no_run(demo: Client) -> None:
    response = demo.http.post("/api/rebalance/plan", json={})
    assert response.status_code == 200, response.text
    plan = response.json()
    assert "run_id" not in plan and "status" not in plan
    assert (plan["dry_run"], plan["outcome"]) == (True, "planned")
    assert [(t["symbol"], t["side"]) for t in plan["trades_planned"]] == [
        ("SPY", "sell"),
        ("TLT", "buy"),
    ]
    assert demo.http.get("/api/runs").json() == {"runs": [], "total": 0}
    assert demo.http.post("/api/rebalance/plan", json={"symbols": "SPY"}).status_code == 422
    for path, body in (
        ("/api/rebalance/plan", {"symbols": ["NOPE"]}),
        ("/api/rebalance/check", {"symbols": ["NOPE"], "dry_run": True}),
    ):
        nope = demo.http.post(path, json=body)
        assert nope.status_code == 422, nope.text
        assert nope.json()["error"]["message"].startswith("symbols: NOPE is not a target")


def test_a_plan_of_targets_off_100_says_it_is_refused(demo: Client) -> None:
    demo.http.put("/api/allocations/GLD", json={"target_percent": 15})
    plan = demo.http.post("/api/rebalance/plan", json={}).json()
    assert plan["outcome"] == "invalid_targets"
    assert plan["message"].startswith("Cannot rebalance: targets sum to 105.00 %")


def test_the_history_filters_by_live_or_dry_trigger_and_status(demo: Client) -> None:
    preview = demo.http.post("/api/rebalance/check", json={"dry_run": True}).json()
    live = live_check(demo)
    again = demo.http.post("/api/rebalance/check", json={"dry_run": True}).json()

    def ids(query: str) -> tuple[list[int], int]:
        response = demo.http.get(f"/api/runs{query}")
        assert response.status_code == 200, response.text
        body = response.json()
        return [r["id"] for r in body["runs"]], body["total"]

    assert ids("") == ([again["run_id"], live["run_id"], preview["run_id"]], 3)
    assert ids("?dry_run=false") == ([live["run_id"]], 1)
    assert ids("?dry_run=true") == ([again["run_id"], preview["run_id"]], 2)
    assert ids("?status=planned") == ([preview["run_id"]], 1)
    assert ids("?status=nothing_to_do&dry_run=true") == ([again["run_id"]], 1)
    assert ids("?trigger=manual&limit=1") == ([again["run_id"]], 3)
    assert ids("?trigger=scheduled") == ([], 0)
    bad = demo.http.get("/api/runs?status=done")
    assert bad.status_code == 422 and "status" in bad.json()["error"]["message"]


def test_live_check_answers_202_at_once_and_the_run_goes_on(demo: Client) -> None:
    accepted = demo.http.post("/api/rebalance/check", json={"dry_run": False})
    assert accepted.status_code == 202, accepted.text
    assert set(accepted.json()) == {"run_id", "status"}
    assert accepted.json()["status"] == "running"
    result = finished_run(demo, accepted.json()["run_id"])
    assert result["status"] == "completed"


def test_live_check_places_orders_and_moves_the_portfolio_to_target(demo: Client) -> None:
    result = live_check(demo)
    assert_seed_contract(result)
    assert result["message"].startswith("Rebalancing executed")
    assert [(t["symbol"], t["side"], t["status"]) for t in result["trades_executed"]] == [
        ("SPY", "sell", "filled"),
        ("TLT", "buy", "filled"),
    ]
    assert all(t["order_id"] for t in result["trades_executed"])
    positions = {p["symbol"]: p for p in demo.http.get("/api/portfolio").json()["positions"]}
    assert positions["SPY"]["actual_percent"] == pytest.approx(40.0, abs=0.01)
    again = live_check(demo)
    assert again["status"] == "nothing_to_do"
    assert again["trades_executed"] == []
    assert again["needs_rebalance"] is False


def test_kill_switch_blocks_orders_but_still_reports_drift(demo: Client, admin: Client) -> None:
    admin.http.put("/api/risk", json={"kill_switch": True, "reason": "market halt"})
    result = live_check(demo)
    assert_seed_contract(result)
    assert result["status"] == "blocked_by_risk"
    assert result["trades_executed"] == []
    assert result["needs_rebalance"] is True
    assert "Kill switch is on: market halt" in result["message"]
    assert demo.http.get("/api/portfolio").json()["cash"] == 2500.0


def test_runs_are_listed_newest_first_and_open_with_their_orders(demo: Client) -> None:
    dry = demo.http.post("/api/rebalance/check", json={"dry_run": True}).json()
    live = live_check(demo)
    listed = demo.http.get("/api/runs", params={"limit": 10}).json()
    assert [r["id"] for r in listed["runs"]] == [live["run_id"], dry["run_id"]]
    one = demo.http.get(f"/api/runs/{live['run_id']}").json()
    assert [(o["symbol"], o["side"]) for o in one["orders"]] == [("SPY", "sell"), ("TLT", "buy")]
    assert demo.http.get("/api/runs", params={"limit": 0}).status_code == 422


def test_two_clicks_make_one_run_with_orders(demo: Client) -> None:
    results: list[tuple[int, dict]] = []

    def click() -> None:
        response = demo.http.post("/api/rebalance/check", json={"dry_run": False})
        results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The second click finds the first run (and answers with it) or its lock (409); on a
    # slow machine it may come after the first run has ended, and then its own run finds
    # the portfolio back on target. Either way exactly one run places orders.
    run_ids = {body["run_id"] for code, body in results if code == 202}
    assert 1 <= len(run_ids) <= 2
    for code, body in results:
        if code != 202:
            assert code == 409
            assert body["error"]["message"].startswith("a rebalance is already running")
    finished = [finished_run(demo, run_id) for run_id in sorted(run_ids)]
    (placed,) = [run for run in finished if run["trades_executed"]]
    assert [(t["symbol"], t["side"]) for t in placed["trades_executed"]] == [
        ("SPY", "sell"),
        ("TLT", "buy"),
    ]
    runs = demo.http.get("/api/runs").json()["runs"]
    assert sum(1 for r in runs if r["status"] == "completed") == 1


def test_execute_trade_places_one_order(demo: Client) -> None:
    response = demo.http.post("/api/trades", json={"symbol": "GLD", "side": "buy", "qty": 2})
    assert response.status_code == 201, response.text
    body = response.json()
    assert {
        "order_id",
        "client_order_id",
        "symbol",
        "side",
        "qty",
        "status",
        "submitted_at",
    } <= set(body)
    assert (body["symbol"], body["side"], body["qty"]) == ("GLD", "buy", 2)


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"symbol": "GLD", "side": "buy", "qty": 0}, 422, "qty"),
        ({"symbol": "GLD", "side": "hold", "qty": 1}, 422, "side"),
        ({"symbol": "gld", "side": "buy", "qty": 1}, 422, "symbol"),
        ({"symbol": "GLD", "side": "buy", "qty": 1, "order_type": "limit"}, 422, "order_type"),
        ({"symbol": "GLD", "side": "buy", "qty": 1000}, 422, "buying power"),
        ({"symbol": "GLD", "side": "sell", "qty": 51}, 422, "qty"),
        ({"symbol": "ZZZZ", "side": "buy", "qty": 1}, 422, "unknown symbol ZZZZ"),
    ],
)
def test_bad_trades_are_4xx_with_a_named_reason(
    demo: Client, body: dict[str, object], status: int, fragment: str
) -> None:
    response = demo.http.post("/api/trades", json=body)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]["message"]


def test_trade_refused_while_trading_is_disabled(demo: Client, admin: Client) -> None:
    admin.http.put("/api/risk", json={"trading_enabled": False})
    response = demo.http.post("/api/trades", json={"symbol": "GLD", "side": "buy", "qty": 1})
    assert response.status_code == 423
    assert response.json()["error"]["code"] == "trading_blocked"


def test_callable_shim_answers_like_firebase(demo: Client) -> None:
    ok = demo.http.post("/callable/check_rebalance_drift", json={"data": {"dry_run": True}})
    assert ok.status_code == 200
    assert_seed_contract(ok.json()["result"])
    bad = demo.http.post("/callable/execute_trade", json={"data": {"symbol": "GLD", "side": "x"}})
    assert bad.status_code == 400
    assert bad.json()["error"]["status"] == "INVALID_ARGUMENT"
    trade = demo.http.post(
        "/callable/execute_trade", json={"data": {"symbol": "GLD", "side": "buy", "qty": 1}}
    )
    assert trade.json()["result"]["symbol"] == "GLD"


def test_another_users_resources_answer_404(demo: Client, bob: Client) -> None:
    """Walk every route with an id as user B against user A's ids: never A's data."""
    run_id = demo.http.post("/api/rebalance/check", json={"dry_run": True}).json()["run_id"]
    token_id = demo.http.post("/api/tokens", json={"name": "a"}).json()["id"]
    assert bob.http.get(f"/api/runs/{run_id}").status_code == 404
    assert bob.http.delete(f"/api/tokens/{token_id}").status_code == 404
    assert bob.http.delete("/api/allocations/SPY").status_code == 404
    assert bob.http.get("/api/runs").json()["runs"] == []
    assert bob.http.get("/api/tokens").json()["tokens"] == []
    assert bob.http.get("/api/allocations").json()["allocations"] == []
    assert bob.http.get("/api/portfolio").json()["positions"] == []
    # B's own upsert creates B's row and leaves A's untouched.
    bob.http.put("/api/allocations/SPY", json={"target_percent": 100})
    spy = [
        a for a in demo.http.get("/api/allocations").json()["allocations"] if a["symbol"] == "SPY"
    ]
    assert spy[0]["target_percent"] == 40.0
    # A's token still works: B's delete did nothing.
    assert demo.http.get("/api/tokens").json()["tokens"][0]["revoked_at"] is None


def test_a_retried_trade_request_with_its_key_places_one_order(demo: Client) -> None:
    body = {"symbol": "GLD", "side": "buy", "qty": 1, "idempotency_key": "gld-once"}
    first = demo.http.post("/api/trades", json=body)
    again = demo.http.post("/api/trades", json=body)
    assert first.status_code == again.status_code == 201
    assert again.json()["order_id"] == first.json()["order_id"]
    gld = [p for p in demo.http.get("/api/portfolio").json()["positions"] if p["symbol"] == "GLD"]
    assert gld[0]["qty"] == 51
    bad = demo.http.post("/api/trades", json={**body, "idempotency_key": "a b"})
    assert bad.status_code == 422 and "idempotency_key" in bad.json()["error"]["message"]


def test_callable_live_check_waits_for_the_run_and_keeps_the_seeds_answer(demo: Client) -> None:
    response = demo.http.post("/callable/check_rebalance_drift", json={"data": {}})
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert_seed_contract(result)
    assert result["status"] == "completed"
    assert result["message"] == "Rebalancing executed: 2 orders filled"
    assert [(t["symbol"], t["side"], t["status"]) for t in result["trades_executed"]] == [
        ("SPY", "sell", "filled"),
        ("TLT", "buy", "filled"),
    ]
