"""Server-side sessions: sign-out ends them (a copied cookie too), one or all can be
revoked from the API and the CLI, CSRF still holds; and the sign-in throttle cannot
lock the right user out, is shared through the database and trusts no spoofed address."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.conftest import PASSWORD
from trimtab.api.app import create_app
from trimtab.api.sessions import COOKIE_NAME
from trimtab.bootstrap import build_context
from trimtab.cli import app as cli_app
from trimtab.config import Settings
from trimtab.services import login_throttle, users
from trimtab.services.context import AppContext

from .conftest import Client, sign_in


def copy_of(app: FastAPI, client: Client) -> TestClient:
    """Another browser holding a copy of ``client``'s cookie."""
    thief = TestClient(app)
    thief.cookies.set(COOKIE_NAME, client.http.cookies[COOKIE_NAME])
    thief.headers["X-CSRF-Token"] = client.csrf
    return thief


def test_a_copied_cookie_stops_working_after_logout(app: FastAPI, alice: Client) -> None:
    thief = copy_of(app, alice)
    assert thief.get("/api/me").status_code == 200
    assert alice.http.post("/api/auth/logout").status_code == 204
    assert thief.get("/api/me").status_code == 401
    assert thief.put("/api/allocations/SPY", json={"target_percent": 10}).status_code == 401


def test_csrf_still_holds(app: FastAPI, alice: Client) -> None:
    no_csrf = copy_of(app, alice)
    del no_csrf.headers["X-CSRF-Token"]
    response = no_csrf.put("/api/allocations/SPY", json={"target_percent": 10})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    assert alice.http.put("/api/allocations/SPY", json={"target_percent": 10}).status_code == 200


def test_sessions_are_listed_and_revoked_one_at_a_time(
    app: FastAPI, ctx: AppContext, alice: Client, bob: Client
) -> None:
    second = TestClient(app)
    login = second.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200
    listed = alice.http.get("/api/sessions").json()["sessions"]
    assert [s["current"] for s in listed] == [False, True]
    other = listed[0]["id"]
    # Bob cannot end Alice's session, nor see it.
    assert bob.http.delete(f"/api/sessions/{other}").status_code == 404
    assert len(bob.http.get("/api/sessions").json()["sessions"]) == 1
    assert alice.http.delete(f"/api/sessions/{other}").status_code == 204
    assert second.get("/api/me").status_code == 401
    assert alice.http.get("/api/me").status_code == 200


def test_sign_out_everywhere_from_the_api(app: FastAPI, alice: Client, bob: Client) -> None:
    thief = copy_of(app, alice)
    response = alice.http.delete("/api/sessions")
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert thief.get("/api/me").status_code == 401
    assert alice.http.get("/api/me").status_code == 401
    assert bob.http.get("/api/me").status_code == 200


def test_sign_out_everywhere_from_the_cli(
    app: FastAPI, ctx: AppContext, alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIMTAB_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("TRIMTAB_SECRET_KEY", "api-test-secret")
    result = CliRunner().invoke(cli_app, ["users", "sign-out", "alice@example.com"])
    assert result.exit_code == 0, result.output
    assert "Signed alice@example.com out of 1 session" in result.output
    assert alice.http.get("/api/me").status_code == 401


def test_an_expired_session_is_not_a_session(app: FastAPI, ctx: AppContext) -> None:
    client = sign_in(app, ctx, "carol@example.com")
    real_clock = ctx.clock
    ctx.clock = lambda: real_clock() + timedelta(days=5, seconds=1)
    try:
        assert client.http.get("/api/me").status_code == 401
    finally:
        ctx.clock = real_clock


def login(client: TestClient, password: str, email: str = "alice@example.com") -> int:
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code


def test_a_guesser_cannot_lock_the_right_user_out(app: FastAPI, alice: Client) -> None:
    guesser = TestClient(app, client=("203.0.113.5", 1000))
    assert [login(guesser, "wrong") for _ in range(6)] == [401] * 5 + [429]
    # The same address is still refused, even with the right password, for a while ...
    assert login(guesser, PASSWORD) == 429
    # ... but the right user at home signs in, and the guesser's other accounts are not locked.
    assert login(TestClient(app, client=("198.51.100.9", 1000)), PASSWORD) == 200
    assert login(guesser, "wrong", "bob@example.com") == 401


def test_the_wait_doubles_and_is_capped() -> None:
    waits = [login_throttle.wait_after(n).total_seconds() for n in range(4, 12)]
    assert waits == [0, 30, 60, 120, 240, 480, 900, 900]


def test_counts_are_shared_by_processes_and_survive_a_restart(
    ctx: AppContext, tmp_path: Path, alice: Client
) -> None:
    # Two apps over one database stand for two processes (or one before and after a restart).
    other = build_context(
        Settings(TRIMTAB_DATABASE_URL=ctx.settings.database_url, TRIMTAB_SECRET_KEY="x")
    )
    first = TestClient(create_app(ctx, web_dist=tmp_path), client=("203.0.113.5", 1))
    second = TestClient(create_app(other, web_dist=tmp_path), client=("203.0.113.5", 2))
    statuses = [login(first if i % 2 else second, "wrong") for i in range(6)]
    assert statuses == [401] * 5 + [429]
    other.store.engine.dispose()


def test_a_spoofed_forwarded_for_changes_nothing(app: FastAPI, alice: Client) -> None:
    client = TestClient(app, client=("127.0.0.1", 1))
    statuses = [
        client.post(
            "/api/auth/login",
            json={"email": "alice@example.com", "password": "wrong"},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def test_a_trusted_proxy_gives_the_client_address(tmp_path: Path, ctx: AppContext) -> None:
    users.create_user(ctx, "dave@example.com", PASSWORD)
    proxied = build_context(
        Settings(
            TRIMTAB_DATABASE_URL=ctx.settings.database_url,
            TRIMTAB_SECRET_KEY="x",
            TRIMTAB_TRUSTED_PROXIES="10.0.0.0/8",
        )
    )
    proxy = TestClient(create_app(proxied, web_dist=tmp_path), client=("10.1.2.3", 1))

    def via(address: str, password: str) -> int:
        return proxy.post(
            "/api/auth/login",
            json={"email": "dave@example.com", "password": password},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [via("203.0.113.5", "wrong") for _ in range(6)] == [401] * 5 + [429]
    # Another client behind the same proxy is another address.
    assert via("198.51.100.9", PASSWORD) == 200
    proxied.store.engine.dispose()


def test_concurrent_failures_all_count_on_both_databases(engine: object, database_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from trimtab.store.models import LoginThrottleRow

    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=database_url, TRIMTAB_SECRET_KEY="x"))
    key = login_throttle.throttle_key("Alice@Example.com ", "203.0.113.5")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: login_throttle.record_failure(ctx, key), range(12)))
    with ctx.store.session_factory() as session:
        row = session.get(LoginThrottleRow, key)
        assert row is not None and row.failures == 12
    assert 0 < login_throttle.retry_after(ctx, key) <= 900
    login_throttle.record_success(ctx, key)
    assert login_throttle.retry_after(ctx, key) == 0
    ctx.store.engine.dispose()
