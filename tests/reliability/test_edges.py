"""The HTTP edge: body limits, strict JSON, security headers, metrics labels and access."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.live_server import serving
from trimtab.api.app import create_app
from trimtab.api.edges import PAGE_CSP
from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.runs import list_runs
from trimtab.store.db import upgrade

from .conftest import Client

MIB = 1024 * 1024


def context_with(tmp_path: Path, **env: str) -> AppContext:
    url = f"sqlite:///{tmp_path / 'edge.db'}"
    upgrade(url)
    return build_context(
        Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="edge-secret", **env)  # type: ignore[arg-type]
    )


@pytest.fixture
def live(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


def raw_post(base: str, path: str, headers: dict[str, str], body: bytes | None = None) -> int:
    """POST over a real socket, sending only the headers (and whatever body) given."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest("POST", path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        if body is not None:
            connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


def test_an_oversized_body_is_refused_before_it_is_read(live: str) -> None:
    # 45 MB declared, nothing sent: the answer comes at once, without authentication.
    status = raw_post(
        live,
        "/api/auth/login",
        {"Content-Type": "application/json", "Content-Length": str(45 * MIB)},
    )
    assert status == 413


def test_a_chunked_body_is_cut_off_at_the_limit(live: str) -> None:
    chunk = b"x" * (256 * 1024)
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    status = raw_post(
        live,
        "/api/rebalance/check",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        framed,
    )
    assert status == 413


def test_the_limit_is_configurable(tmp_path: Path) -> None:
    ctx = context_with(tmp_path, TRIMTAB_MAX_BODY_BYTES="2048")
    client = TestClient(create_app(ctx, web_dist=tmp_path / "none"))
    body = {"email": "a@example.com", "password": "p" * 1000}
    assert client.post("/api/auth/login", json=body).status_code == 401
    body["password"] = "p" * 3000
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    ctx.store.engine.dispose()


@pytest.mark.parametrize(("setting", "threads"), [({}, 8), ({"TRIMTAB_THREADS": "3"}, 3)])
def test_routes_run_on_at_most_the_configured_threads(
    tmp_path: Path, setting: dict[str, str], threads: int
) -> None:
    ctx = context_with(tmp_path, **setting)
    with TestClient(create_app(ctx, web_dist=tmp_path / "none")) as client:
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == threads
    ctx.store.engine.dispose()


def test_duplicate_keys_are_refused_and_place_nothing(alice: Client, ctx: AppContext) -> None:
    response = alice.http.post(
        "/api/rebalance/check",
        content=b'{"dry_run": true, "dry_run": false}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "body: duplicate key 'dry_run'",
    }
    assert to_json(list_runs(ctx, alice.user.id))["total"] == 0
    nested = b'{"allocations": [{"symbol": "SPY", "symbol": "QQQ", "target_percent": 1}]}'
    response = alice.http.put(
        "/api/allocations", content=nested, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "duplicate key 'symbol'" in response.json()["error"]["message"]


@pytest.mark.parametrize("value", ['"yes"', '"false"', "1", "0"])
def test_a_flag_is_a_json_boolean_or_a_422(alice: Client, ctx: AppContext, value: str) -> None:
    # "false" or 0 read as a boolean could place live orders: only true or false is taken.
    response = alice.http.post(
        "/api/rebalance/check",
        content=b'{"dry_run": ' + value.encode() + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("dry_run: ")
    assert to_json(list_runs(ctx, alice.user.id))["total"] == 0


def test_a_number_too_long_to_read_is_a_422_not_a_parse_error(alice: Client) -> None:
    response = alice.http.post(
        "/api/rebalance/check",
        content=b'{"dry_run": true, "min_trade": ' + b"9" * 5000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "body: a number of 5,000 digits is longer than any field takes",
    }


def test_deep_json_is_a_422_not_a_crash(alice: Client) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = alice.http.post(
        "/api/rebalance/check", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "body: JSON nested too deep"


def test_security_headers_on_the_api_and_errors(alice: Client, anonymous: TestClient) -> None:
    for response in (alice.http.get("/api/allocations"), anonymous.get("/api/me")):
        assert response.headers["content-security-policy"] == PAGE_CSP
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        # Plain http: no HSTS (a browser would pin it to a host that has no TLS).
        assert "strict-transport-security" not in response.headers


def test_hsts_behind_a_trusted_tls_proxy_only(tmp_path: Path) -> None:
    ctx = context_with(tmp_path, TRIMTAB_TRUSTED_PROXIES="10.0.0.1")
    app = create_app(ctx, web_dist=tmp_path / "none")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    via_proxy = TestClient(app, client=("10.0.0.1", 4000)).get("/healthz", headers=forwarded)
    assert via_proxy.headers["strict-transport-security"].startswith("max-age=31536000")
    spoofed = TestClient(app, client=("10.0.0.2", 4000)).get("/healthz", headers=forwarded)
    assert "strict-transport-security" not in spoofed.headers
    ctx.store.engine.dispose()


def metrics_text(app: FastAPI) -> str:
    response = TestClient(app, client=("127.0.0.1", 5000)).get("/metrics")
    assert response.status_code == 200
    return response.text


def test_made_up_methods_and_paths_do_not_grow_the_metrics(
    app: FastAPI, anonymous: TestClient
) -> None:
    anonymous.get("/healthz")
    before = len(metrics_text(app))
    for i in range(200):
        anonymous.request(f"FOO{i}", f"/nowhere/{i}")
        anonymous.get(f"/api/runs/{i + 1}")
    text = metrics_text(app)
    assert 'method="other"' in text
    assert "FOO1" not in text and "/nowhere" not in text
    # A handful of new label sets at most, not 400.
    assert len(text) < before + 20_000


def test_metrics_token(tmp_path: Path) -> None:
    ctx = context_with(tmp_path, TRIMTAB_METRICS_TOKEN="s3cret-metrics")
    app = create_app(ctx, web_dist=tmp_path / "none")
    local = TestClient(app, client=("127.0.0.1", 5000))
    assert local.get("/metrics").status_code == 401
    assert local.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    remote = TestClient(app, client=("198.51.100.7", 5000))
    response = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert response.status_code == 200 and "trimtab_http_requests_total" in response.text
    ctx.store.engine.dispose()


def test_body_of_a_json_error_is_the_api_shape(live: str) -> None:
    parts = urlsplit(live)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request(
        "POST",
        "/api/auth/login",
        body=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(2 * MIB)},
    )
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "payload_too_large"
    connection.close()
