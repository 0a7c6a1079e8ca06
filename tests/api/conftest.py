"""An app over a fresh migrated SQLite database, and signed-in clients for two users."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trimtab.api.app import create_app
from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services import users
from trimtab.services.context import AppContext
from trimtab.store.db import upgrade

PASSWORD = "correct horse battery"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    upgrade(url)
    context = build_context(
        Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="api-test-secret")
    )
    yield context
    context.store.engine.dispose()


@pytest.fixture
def app(ctx: AppContext, tmp_path: Path) -> FastAPI:
    return create_app(ctx, web_dist=tmp_path / "no-page")


@dataclass
class Client:
    """A signed-in user's HTTP client that sends the CSRF token on every request."""

    http: TestClient
    user: users.User
    csrf: str


def sign_in(app: FastAPI, ctx: AppContext, email: str, *, admin: bool = False) -> Client:
    user = users.create_user(ctx, email, PASSWORD, is_admin=admin)
    http = TestClient(app)
    response = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    http.headers["X-CSRF-Token"] = csrf
    return Client(http, user, csrf)


def finished_run(client: Client, run_id: int, timeout: float = 30) -> dict[str, Any]:
    """``GET /api/runs/{id}`` once the background run stops running (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = client.http.get(f"/api/runs/{run_id}").json()
        if run["status"] != "running":
            return run
        assert time.monotonic() < deadline, f"run {run_id} still running after {timeout} s"
        time.sleep(0.05)


def live_check(client: Client) -> dict[str, Any]:
    """A live check: 202 at once, then the run as it finished in the background."""
    response = client.http.post("/api/rebalance/check", json={"dry_run": False})
    assert response.status_code == 202, response.text
    return finished_run(client, response.json()["run_id"])


@pytest.fixture
def alice(app: FastAPI, ctx: AppContext) -> Client:
    return sign_in(app, ctx, "alice@example.com")


@pytest.fixture
def bob(app: FastAPI, ctx: AppContext) -> Client:
    return sign_in(app, ctx, "bob@example.com")


@pytest.fixture
def admin(app: FastAPI, ctx: AppContext) -> Client:
    return sign_in(app, ctx, "root@example.com", admin=True)


@pytest.fixture
def anonymous(app: FastAPI) -> TestClient:
    return TestClient(app)


SEED_ALLOCATIONS = [
    {"symbol": "SPY", "target_percent": 40, "enabled": True},
    {"symbol": "QQQ", "target_percent": 30, "enabled": True},
    {"symbol": "TLT", "target_percent": 20, "enabled": True},
    {"symbol": "GLD", "target_percent": 10, "enabled": True},
]
