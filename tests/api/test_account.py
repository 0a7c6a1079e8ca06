"""Portfolio, assets, settings, risk, health and metrics over HTTP."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import Client


def test_a_new_users_portfolio_is_the_paper_accounts_100000_cash(alice: Client) -> None:
    body = alice.http.get("/api/portfolio").json()
    assert body["portfolio_value"] == 100000.0
    assert body["cash"] == 100000.0
    assert body["positions"] == []


def test_asset_lookup_knows_demo_symbols_and_404s_unknown_ones(alice: Client) -> None:
    assert alice.http.get("/api/assets/SPY").json() == {
        "symbol": "SPY",
        "tradable": True,
        "fractionable": True,
    }
    unknown = alice.http.get("/api/assets/ZZZZ")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    assert alice.http.get("/api/assets/not-a-symbol").status_code == 422


def test_settings_round_trip_and_validation(alice: Client) -> None:
    assert alice.http.get("/api/settings").json() == {
        "threshold_percent": 5.0,
        "min_trade": 10.0,
        "cash_buffer_percent": 0.25,
        "untargeted": "leave",
        "max_price_age_hours": 96.0,
        "relative_band_percent": None,
        "scope": "past_band",
        "trade_to": "target",
        "cash_mode": "rebalance",
        "withdrawal_amount": 0.0,
        "invest_cash": False,
        "cash_reserve": 0.0,
        "cash_reserve_unit": "percent",
        "cash_reserve_kind": "floor",
        "whole_shares": "round_down",
        "tax_aware": False,
        "avoid_short_term_gains": True,
        "holding_period_days": 365,
        "wash_sale_days": 30,
    }
    put = alice.http.put("/api/settings", json={"threshold_percent": 3, "min_trade": 25})
    assert put.status_code == 200
    assert alice.http.get("/api/settings").json()["threshold_percent"] == 3.0
    bad = alice.http.put("/api/settings", json={"threshold_percent": 0, "min_trade": 25})
    assert bad.status_code == 422
    assert "threshold_percent" in bad.json()["error"]["message"]


def test_settings_choose_what_happens_to_untargeted_holdings_and_stale_prices(
    alice: Client,
) -> None:
    put = alice.http.put(
        "/api/settings",
        json={
            "threshold_percent": 5,
            "min_trade": 10,
            "untargeted": "sell",
            "max_price_age_hours": "24.5",
        },
    )
    assert put.status_code == 200, put.text
    assert put.json()["untargeted"] == "sell"
    assert put.json()["max_price_age_hours"] == 24.5
    # Omitted, they keep their saved values.
    again = alice.http.put("/api/settings", json={"threshold_percent": 4, "min_trade": 10})
    assert (again.json()["untargeted"], again.json()["max_price_age_hours"]) == ("sell", 24.5)
    for field, value in (("untargeted", "hold"), ("max_price_age_hours", 0)):
        bad = alice.http.put(
            "/api/settings", json={"threshold_percent": 5, "min_trade": 10, field: value}
        )
        assert bad.status_code == 422
        assert field in bad.json()["error"]["message"]


def test_settings_hold_the_policy_options_and_keep_them_when_omitted(alice: Client) -> None:
    put = alice.http.put(
        "/api/settings",
        json={
            "threshold_percent": 5,
            "min_trade": 10,
            "relative_band_percent": 25,
            "scope": "whole_book",
            "invest_cash": True,
            "cash_reserve": "500.00",
            "cash_reserve_unit": "usd",
            "whole_shares": "optimal",
        },
    )
    assert put.status_code == 200, put.text
    again = alice.http.put("/api/settings", json={"threshold_percent": 4, "min_trade": 10})
    saved = again.json()
    assert (saved["relative_band_percent"], saved["scope"], saved["invest_cash"]) == (
        25.0,
        "whole_book",
        True,
    )
    assert (saved["cash_reserve"], saved["cash_reserve_unit"], saved["whole_shares"]) == (
        500.0,
        "usd",
        "optimal",
    )
    off = alice.http.put(
        "/api/settings", json={"threshold_percent": 4, "min_trade": 10, "relative_band_percent": 0}
    )
    assert off.json()["relative_band_percent"] is None
    # A percent cash reserve is a share of the value: at most 100 (the unit saved is usd).
    over = alice.http.put(
        "/api/settings",
        json={"threshold_percent": 4, "min_trade": 10, "cash_reserve_unit": "percent"},
    )
    assert over.status_code == 422, over.text
    assert "cash_reserve in percent must be at most 100, got 500" in over.text
    assert alice.http.get("/api/settings").json()["cash_reserve_unit"] == "usd"
    for field, value in (("scope", "everything"), ("trade_to", 3), ("invest_cash", "maybe")):
        bad = alice.http.put(
            "/api/settings", json={"threshold_percent": 5, "min_trade": 10, field: value}
        )
        assert bad.status_code == 422
        assert field in bad.json()["error"]["message"]


def test_users_read_risk_but_only_admins_change_it(alice: Client, admin: Client) -> None:
    risk = alice.http.get("/api/risk").json()
    assert risk["blocked_reason"] is None
    assert risk["system"]["kill_switch"] is False
    refused = alice.http.put("/api/risk", json={"kill_switch": True})
    assert refused.status_code == 403
    changed = admin.http.put("/api/risk", json={"kill_switch": True, "reason": "maintenance"})
    assert changed.status_code == 200
    assert alice.http.get("/api/risk").json()["blocked_reason"] == "Kill switch is on: maintenance"


def test_admin_can_block_one_user(alice: Client, bob: Client, admin: Client) -> None:
    response = admin.http.put(
        "/api/risk", json={"scope": "user", "user_id": alice.user.id, "trading_enabled": False}
    )
    assert response.status_code == 200
    assert alice.http.get("/api/risk").json()["blocked_reason"] == "Trading is disabled"
    assert bob.http.get("/api/risk").json()["blocked_reason"] is None


def test_healthz_and_metrics_need_no_sign_in(
    app: FastAPI, anonymous: TestClient, alice: Client
) -> None:
    health = anonymous.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    alice.http.get("/api/allocations")
    # Without TRIMTAB_METRICS_TOKEN, /metrics answers a client on this machine only.
    assert anonymous.get("/metrics").status_code == 403
    metrics = TestClient(app, client=("127.0.0.1", 50000)).get("/metrics").text
    assert (
        'trimtab_http_requests_total{method="GET",route="/api/allocations",status="200"}' in metrics
    )


def test_openapi_document_lists_the_routes(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path in ("/api/auth/login", "/api/allocations", "/api/allocations/{symbol}", "/api/risk"):
        assert path in paths


def test_unknown_api_path_is_a_json_404(alice: Client) -> None:
    response = alice.http.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unexpected_error_is_a_json_500_without_details(
    app: FastAPI, alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("trimtab.services.policy.get_policy", broken)
    client = TestClient(app, raise_server_exceptions=False, cookies=alice.http.cookies)
    response = client.get("/api/settings")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text
