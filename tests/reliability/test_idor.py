"""An IDOR matrix over every route of the OpenAPI document (a new route is covered by
itself): Bob and an admin call each one aimed at Alice's ids; none sees Alice's data
in an answer, and Alice's data is the same afterwards."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.api.conftest import PASSWORD
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user

from . import figures
from .conftest import Client, sign_in

#: Routes that are not about one user's data, or that never end (the event stream has
#: its own per-user test in tests/api/test_events.py).
SKIP = {("GET", "/api/events"), ("POST", "/api/auth/login"), ("POST", "/api/auth/logout")}
#: Write bodies that pass validation, so the route really acts; others get {}.
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/allocations/{symbol}"): {"target_percent": 5},
    ("PUT", "/api/allocations"): {"allocations": [{"symbol": "SPY", "target_percent": 100}]},
    ("PUT", "/api/settings"): {"threshold_percent": 3, "min_trade": 20},
    ("POST", "/api/rebalance/check"): {"dry_run": True},
    ("POST", "/api/tokens"): {"name": "x"},
    ("POST", "/callable/check_rebalance_drift"): {"data": {"dry_run": True}},
}
#: In no answer to another caller (Alice's ZZA target is checked through her state: Bob
#: may well have a ZZA target of his own).
MARKERS = ("alice@example.com", "alice-token", "alice-agent")


def alice_state(alice: Client) -> dict[str, Any]:
    """Everything of Alice's that another caller must not change."""
    paths = ["/api/allocations", "/api/tokens", "/api/sessions", "/api/runs", "/api/settings"]
    paths += ["/api/schedule", "/api/broker", "/api/risk"]
    state = {}
    for path in paths:
        response = alice.http.get(path)
        body = response.json()
        if path == "/api/risk":
            # The system-wide row is an admin's to change; Alice's own row is not.
            body = body.get("user")
        state[path] = (response.status_code, _without_times(body))
    return state


def _without_times(body: Any) -> Any:
    # last_used_at of a token and as_of stamps move with Alice's own reads.
    if isinstance(body, dict):
        return {k: _without_times(v) for k, v in body.items() if k not in {"last_used_at", "as_of"}}
    if isinstance(body, list):
        return [_without_times(v) for v in body]
    return body


def test_no_user_reaches_another_users_data(app: FastAPI, ctx: AppContext) -> None:
    seed_demo_user(ctx)
    alice = sign_in(app, ctx, "alice@example.com")
    alice.http.headers["User-Agent"] = "alice-agent"
    login = alice.http.post(
        "/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD}
    )
    alice.http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    assert alice.http.put("/api/allocations/ZZA", json={"target_percent": 10}).status_code == 200
    token = alice.http.post("/api/tokens", json={"name": "alice-token"}).json()
    run = alice.http.post("/api/rebalance/check", json={"dry_run": True}).json()
    session_id = alice.http.get("/api/sessions").json()["sessions"][0]["id"]
    ids = {"run_id": run.get("run_id", 1), "token_id": token["id"], "session_id": session_id}
    ids["symbol"] = "ZZA"
    before = alice_state(alice)

    callers = {
        "bob": sign_in(app, ctx, "bob@example.com"),
        "admin": sign_in(app, ctx, "root@example.com", admin=True),
    }
    for caller in callers.values():
        # Tokens, so a caller's own "sign out everywhere" does not end its matrix.
        plain = caller.http.post("/api/tokens", json={"name": "matrix"}).json()["token"]
        caller.http.headers["Authorization"] = f"Bearer {plain}"
    leaks: list[str] = []
    calls = 0
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            key = (method.upper(), path)
            if key in SKIP:
                continue
            url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
            for name, caller in callers.items():
                body = BODIES.get(key, {}) if method != "get" else None
                response = caller.http.request(key[0], url, json=body)
                calls += 1
                text = response.text
                # An admin may list accounts: the email alone is not a leak there.
                allowed = (
                    ("alice@example.com",) if (name, key[1]) == ("admin", "/api/users") else ()
                )
                found = [m for m in MARKERS if m in text and m not in allowed]
                if found:
                    leaks.append(f"{name} {key[0]} {path}: {response.status_code} shows {found}")
                if name == "bob" and key == ("GET", "/api/runs/{run_id}"):
                    assert response.status_code == 404
    after = alice_state(alice)
    changed = [path for path in before if before[path] != after[path]]
    leaks += [f"Alice's {path} changed" for path in changed]
    figures.record("idor_requests", calls)
    figures.record("idor_leaks", len(leaks))
    assert calls >= 60
    assert leaks == [], "\n".join(leaks)
