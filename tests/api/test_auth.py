"""Sign-in, sessions, CSRF, API tokens and login throttling, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from trimtab.api.deps import CallerRoute, CurrentUser, assert_callers_checked
from trimtab.services.context import AppContext

from .conftest import PASSWORD, SEED_ALLOCATIONS, Client, sign_in


def test_login_sets_an_httponly_samesite_cookie_and_returns_the_csrf_token(
    app: FastAPI, ctx: AppContext
) -> None:
    client = sign_in(app, ctx, "carol@example.com")
    me = client.http.get("/api/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "carol@example.com"
    assert me.json()["csrf_token"] == client.csrf
    assert me.json()["broker"] == {
        "name": "paper",
        "paper": True,
        "source": "paper",
        "account_id": None,
        "connected": True,
        "message": None,
    }
    login = TestClient(app).post(
        "/api/auth/login", json={"email": "CAROL@example.com", "password": PASSWORD}
    )
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_wrong_password_is_401_without_saying_which_part_was_wrong(
    anonymous: TestClient, alice: Client
) -> None:
    for email in ("alice@example.com", "nobody@example.com"):
        response = anonymous.post("/api/auth/login", json={"email": email, "password": "nope"})
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "invalid_credentials", "message": "wrong email or password"}
        }


def test_every_private_route_needs_authentication(anonymous: TestClient) -> None:
    for method, path in [
        ("GET", "/api/me"),
        ("GET", "/api/allocations"),
        ("PUT", "/api/allocations"),
        ("GET", "/api/portfolio"),
        ("POST", "/api/rebalance/check"),
        ("POST", "/api/trades"),
        ("GET", "/api/runs"),
        ("GET", "/api/risk"),
        ("GET", "/api/tokens"),
        ("GET", "/api/events"),
    ]:
        response = anonymous.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthenticated"


def test_state_changes_with_a_cookie_need_the_csrf_token(alice: Client) -> None:
    del alice.http.headers["X-CSRF-Token"]
    response = alice.http.put("/api/allocations/SPY", json={"target_percent": 50})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    alice.http.headers["X-CSRF-Token"] = "forged"
    assert alice.http.put("/api/allocations/SPY", json={"target_percent": 50}).status_code == 403
    # Reads need no token.
    assert alice.http.get("/api/allocations").status_code == 200
    alice.http.headers["X-CSRF-Token"] = alice.csrf
    assert alice.http.put("/api/allocations/SPY", json={"target_percent": 50}).status_code == 200


def test_a_tampered_cookie_is_no_session(app: FastAPI, alice: Client) -> None:
    cookie = alice.http.cookies["trimtab_session"]
    forged = TestClient(app)
    forged.cookies.set("trimtab_session", cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert forged.get("/api/me").status_code == 401


def test_logout_ends_the_page_session(alice: Client) -> None:
    assert alice.http.post("/api/auth/logout").status_code == 204
    assert alice.http.get("/api/me").status_code == 401


def test_token_lifecycle_create_use_list_revoke(app: FastAPI, alice: Client) -> None:
    created = alice.http.post("/api/tokens", json={"name": "my script"})
    assert created.status_code == 201
    token = created.json()["token"]
    script = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    # A Bearer request needs no CSRF token, even to change state.
    assert script.put("/api/allocations/SPY", json={"target_percent": 100}).status_code == 200
    listed = alice.http.get("/api/tokens").json()["tokens"]
    assert [t["name"] for t in listed] == ["my script"]
    assert "token" not in listed[0]  # shown once, at creation only
    revoked = alice.http.delete(f"/api/tokens/{created.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = script.get("/api/allocations")
    assert after.status_code == 401
    assert after.json()["error"]["message"] == "the API token is unknown or revoked"


def test_malformed_authorization_header_is_401(app: FastAPI) -> None:
    client = TestClient(app, headers={"Authorization": "Basic abc"})
    assert client.get("/api/me").status_code == 401


def test_repeated_failed_logins_are_throttled(anonymous: TestClient, alice: Client) -> None:
    body = {"email": "alice@example.com", "password": "guess"}
    for _ in range(5):
        assert anonymous.post("/api/auth/login", json=body).status_code == 401
    throttled = anonymous.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "too_many_attempts"


def test_login_body_is_validated(anonymous: TestClient) -> None:
    response = anonymous.post("/api/auth/login", json={"email": "a@b.c"})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "password: Field required",
    }


def test_only_admins_list_and_create_users(alice: Client, admin: Client) -> None:
    assert alice.http.get("/api/users").status_code == 403
    body = {"email": "dave@example.com", "password": PASSWORD}
    assert alice.http.post("/api/users", json=body).status_code == 403
    created = admin.http.post("/api/users", json=body)
    assert created.status_code == 201
    assert created.json()["email"] == "dave@example.com"
    emails = [u["email"] for u in admin.http.get("/api/users").json()["users"]]
    assert emails == ["alice@example.com", "root@example.com", "dave@example.com"]
    again = admin.http.post("/api/users", json=body)
    assert again.status_code == 409
    short = admin.http.post("/api/users", json={**body, "password": "short"})
    assert short.status_code == 422 and "password" in short.json()["error"]["message"]


def test_a_caller_refused_by_the_database_check_gets_401_or_403_before_a_422(
    app: FastAPI, alice: Client, admin: Client
) -> None:
    bad_body = {"allocations": "not a list"}
    created = alice.http.post("/api/tokens", json={"name": "script"}).json()
    alice.http.delete(f"/api/tokens/{created['id']}")
    revoked = TestClient(app, headers={"Authorization": f"Bearer {created['token']}"})
    answer = revoked.put("/api/allocations", json=bad_body)
    assert (answer.status_code, answer.json()["error"]) == (
        401,
        {"code": "unauthenticated", "message": "the API token is unknown or revoked"},
    )
    del alice.http.headers["X-CSRF-Token"]
    answer = alice.http.put("/api/allocations", json=bad_body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "csrf_failed")
    alice.http.headers["X-CSRF-Token"] = alice.csrf
    answer = alice.http.post("/api/users", json={"email": 5})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "forbidden")
    answer = alice.http.put("/api/allocations", json=bad_body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_input")
    answer = admin.http.post("/api/users", json={"email": 5})
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_input")


def test_the_caller_is_checked_in_the_routes_own_worker_thread(
    app: FastAPI, alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = alice.http.post("/api/tokens", json={"name": "script"}).json()["token"]
    script = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Callable[[], object], *args: Any, **kwargs: Any) -> object:
        hops.append(getattr(func, "func", func).__name__)
        return await run_sync(func, *args, **kwargs)

    alice.http.put("/api/allocations", json={"allocations": SEED_ALLOCATIONS})
    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    for client, symbol in ((script, "SPY"), (alice.http, "QQQ")):
        hops.clear()
        assert client.get("/api/allocations").status_code == 200
        assert hops == ["_run_sync_endpoint"]
        hops.clear()
        # A state change with the page's cookie: the CSRF check is in that one hop too.
        assert client.delete(f"/api/allocations/{symbol}").status_code == 204
        assert hops == ["_run_sync_endpoint"]


def test_a_route_that_takes_the_caller_must_check_it_in_a_caller_route() -> None:
    def list_things(user: CurrentUser) -> dict[str, int]:
        return {"user": user.id}

    plain = FastAPI()
    plain.include_router(APIRouter())
    router = APIRouter()
    router.get("/things")(list_things)
    plain.include_router(router)
    with pytest.raises(RuntimeError, match=r"\['GET'\] /things takes the caller"):
        assert_callers_checked(plain)
    checked = FastAPI()
    router = APIRouter(route_class=CallerRoute)
    router.get("/things")(list_things)
    checked.include_router(router)
    assert_callers_checked(checked)
