"""Server-Sent Events: a change made by another request reaches that user's stream only."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from trimtab.api.app import create_app
from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services import users
from trimtab.services.context import AppContext
from trimtab.store.db import upgrade

from ..live_server import serving
from .conftest import PASSWORD, Client

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def listen(base: str, cookies: httpx.Cookies, events: queue.Queue[tuple[str, dict]]) -> None:
    """Read the SSE stream into ``events`` until the server closes it."""
    kind = ""
    try:
        with (
            httpx.Client(base_url=base, cookies=cookies, timeout=30) as client,
            client.stream("GET", "/api/events") as response,
        ):
            for line in response.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    events.put((kind, json.loads(line.split(":", 1)[1])))
    except httpx.HTTPError:
        pass  # the test server shut down under the open stream


def next_event(events: queue.Queue[tuple[str, dict]], kind: str, timeout: float = 10) -> dict:
    while True:
        got, data = events.get(timeout=timeout)
        if got == kind:
            return data


def signed_in_cookies(base: str, email: str) -> tuple[httpx.Cookies, str]:
    response = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.cookies, response.json()["csrf_token"]


def test_a_change_from_another_request_arrives_on_the_stream(
    app: FastAPI, alice: Client, bob: Client
) -> None:
    with serving(app) as base:
        cookies, csrf = signed_in_cookies(base, "alice@example.com")
        bob_cookies, _ = signed_in_cookies(base, "bob@example.com")
        alice_events: queue.Queue[tuple[str, dict]] = queue.Queue()
        bob_events: queue.Queue[tuple[str, dict]] = queue.Queue()
        for c, q in ((cookies, alice_events), (bob_cookies, bob_events)):
            threading.Thread(target=listen, args=(base, c, q), daemon=True).start()
        next_event(alice_events, "ready")
        next_event(bob_events, "ready")
        response = httpx.put(
            f"{base}/api/allocations/SPY",
            json={"target_percent": 60},
            cookies=cookies,
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200
        next_event(alice_events, "allocation_changed")
        with pytest.raises(queue.Empty):
            next_event(bob_events, "allocation_changed", timeout=1)


def test_risk_and_settings_changes_arrive_on_the_stream(
    app: FastAPI, alice: Client, bob: Client, admin: Client
) -> None:
    with serving(app) as base:
        streams: dict[str, queue.Queue[tuple[str, dict]]] = {}
        for email in ("alice@example.com", "bob@example.com"):
            cookies, _ = signed_in_cookies(base, email)
            streams[email] = queue.Queue()
            reader = threading.Thread(target=listen, args=(base, cookies, streams[email]))
            reader.daemon = True
            reader.start()
            next_event(streams[email], "ready")
        admin_cookies, admin_csrf = signed_in_cookies(base, "root@example.com")
        as_admin = {"cookies": admin_cookies, "headers": {"X-CSRF-Token": admin_csrf}}
        # The system's kill switch stops every user: both pages hear of it.
        flipped = httpx.put(f"{base}/api/risk", json={"kill_switch": True}, **as_admin)
        assert flipped.status_code == 200, flipped.text
        for stream in streams.values():
            assert next_event(stream, "risk_changed") == {"scope": "system"}
        # One user's row reaches that user only.
        row = {"scope": "user", "user_id": bob.user.id, "drawdown_recovery": True}
        assert httpx.put(f"{base}/api/risk", json=row, **as_admin).status_code == 200
        assert next_event(streams["bob@example.com"], "risk_changed") == {
            "scope": f"user:{bob.user.id}"
        }
        with pytest.raises(queue.Empty):
            next_event(streams["alice@example.com"], "risk_changed", timeout=1)
        # Alice's rules, changed from another tab or a script, reach her page.
        rules = {"threshold_percent": 3, "min_trade": 10}
        assert alice.http.put("/api/settings", json=rules).status_code == 200
        next_event(streams["alice@example.com"], "settings_changed")
        with pytest.raises(queue.Empty):
            next_event(streams["bob@example.com"], "settings_changed", timeout=1)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    name = f"trimtab_events_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def replica(url: str, tmp_path: Path) -> tuple[AppContext, FastAPI]:
    settings = Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="replica-secret")
    ctx = build_context(settings)
    return ctx, create_app(ctx, web_dist=tmp_path / "no-page")


def test_two_api_processes_on_postgres_deliver_each_others_changes(
    postgres_url: str, tmp_path: Path
) -> None:
    upgrade(postgres_url)
    ctx_a, app_a = replica(postgres_url, tmp_path)
    ctx_b, app_b = replica(postgres_url, tmp_path)
    users.create_user(ctx_a, "alice@example.com", PASSWORD)
    try:
        with serving(app_a) as base_a, serving(app_b) as base_b:
            cookies_a, _ = signed_in_cookies(base_a, "alice@example.com")
            cookies_b, csrf_b = signed_in_cookies(base_b, "alice@example.com")
            on_a: queue.Queue[tuple[str, dict]] = queue.Queue()
            threading.Thread(target=listen, args=(base_a, cookies_a, on_a), daemon=True).start()
            next_event(on_a, "ready")
            # The change goes through replica B; the page is connected to replica A.
            response = httpx.put(
                f"{base_b}/api/allocations/TLT",
                json={"target_percent": 20},
                cookies=cookies_b,
                headers={"X-CSRF-Token": csrf_b},
            )
            assert response.status_code == 200
            next_event(on_a, "allocation_changed")
    finally:
        for ctx in (ctx_a, ctx_b):
            ctx.events.close()  # type: ignore[attr-defined]
            ctx.store.engine.dispose()


def test_a_cli_change_reaches_the_page_stream_on_sqlite(
    app: FastAPI, ctx: AppContext, alice: Client, tmp_path: Path
) -> None:
    """The CLI is another process: its change travels through the events table."""
    with serving(app) as base:
        cookies, _ = signed_in_cookies(base, "alice@example.com")
        events: queue.Queue[tuple[str, dict]] = queue.Queue()
        threading.Thread(target=listen, args=(base, cookies, events), daemon=True).start()
        next_event(events, "ready")
        env = {
            **os.environ,
            "TRIMTAB_DATABASE_URL": str(ctx.store.engine.url),
            "TRIMTAB_SECRET_KEY": "api-test-secret",
        }
        done = subprocess.run(
            [sys.executable, "-m", "trimtab.cli", "allocations", "set", "SPY=100"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        next_event(events, "allocation_changed")
