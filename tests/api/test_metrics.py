"""``/metrics`` after a demo run through the API on the paper broker: every named metric,
with its labels."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from trimtab.services import broker_accounts
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user
from trimtab.services.instrumented_broker import instrumented

from ..services.notify_receivers import free_port
from .conftest import Client, live_check

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(http: TestClient) -> Samples:
    # Without TRIMTAB_METRICS_TOKEN only this machine may read /metrics.
    local = TestClient(http.app, client=("127.0.0.1", 50000))
    response = local.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def sign_in_demo(app: FastAPI, ctx: AppContext) -> Client:
    seed = seed_demo_user(ctx)
    http = TestClient(app)
    login = http.post("/api/auth/login", json={"email": seed.user.email, "password": seed.password})
    http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return Client(http, seed.user, login.json()["csrf_token"])


def test_a_demo_run_shows_every_named_metric_with_its_labels(app: FastAPI, ctx: AppContext) -> None:
    demo = sign_in_demo(app, ctx)
    user = str(demo.user.id)
    before = samples(demo.http)

    result = live_check(demo)  # 202, then the run in a background thread
    assert result["status"] == "completed"
    # The demo account sells SPY and buys TLT (tests/api/test_rebalance.py).
    assert [(t["side"], t["symbol"], t["status"]) for t in result["trades_executed"]] == [
        ("sell", "SPY", "filled"),
        ("buy", "TLT", "filled"),
    ]
    runs = {"user_id": user, "trigger": "manual", "dry_run": "false", "outcome": "completed"}
    # The run is counted just after its status is committed, in the run's own thread.
    deadline = time.monotonic() + 10
    while True:
        after = samples(demo.http)
        grown = value(after, "trimtab_rebalance_runs_total", **runs) > value(
            before, "trimtab_rebalance_runs_total", **runs
        )
        if grown or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    def grew(name: str, by: float, **labels: str) -> None:
        assert value(after, name, **labels) - value(before, name, **labels) == by, (name, labels)

    grew(
        "trimtab_rebalance_runs_total",
        1,
        user_id=user,
        trigger="manual",
        dry_run="false",
        outcome="completed",
    )
    grew("trimtab_rebalance_run_seconds_count", 1, trigger="manual", dry_run="false")
    grew("trimtab_orders_total", 1, side="sell", status="filled", source="run")
    grew("trimtab_orders_total", 1, side="buy", status="filled", source="run")
    # Four enabled targets: four |drift_percent| observations.
    grew("trimtab_drift_percent_count", 4)
    drift = {row["symbol"]: abs(row["drift_percent"]) for row in result["drift_analysis"]}
    added = value(after, "trimtab_drift_percent_sum") - value(before, "trimtab_drift_percent_sum")
    assert round(added, 6) == round(sum(drift.values()), 6)
    at_most_5 = value(after, "trimtab_drift_percent_bucket", le="5.0") - value(
        before, "trimtab_drift_percent_bucket", le="5.0"
    )
    assert at_most_5 == sum(1 for d in drift.values() if d <= 5)


def test_a_failing_broker_is_counted_by_endpoint_and_code(
    app: FastAPI, ctx: AppContext, alice: Client
) -> None:
    """Alice's Alpaca account points at a port where nothing listens: the real SDK fails
    to connect, and the check answers 503."""
    dead = f"http://127.0.0.1:{free_port()}"
    settings = ctx.settings.model_copy(update={"alpaca_base_url": dead, "alpaca_data_url": dead})
    ctx.broker_for = instrumented(make_broker_for(settings, ctx.store))
    broker_accounts.set_broker_account(
        ctx,
        alice.user.id,
        "alpaca",
        key_id="PKTEST0000000000000001",
        secret="alpaca-secret-never-shown",
    )
    alice.http.put(
        "/api/allocations", json={"allocations": [{"symbol": "SPY", "target_percent": 100}]}
    )
    before = samples(alice.http)
    response = alice.http.post("/api/rebalance/check", json={"dry_run": True})
    assert response.status_code == 503
    after = samples(alice.http)

    errors = value(
        after, "trimtab_broker_errors_total", endpoint="get_books", code="broker_unavailable"
    ) - value(
        before, "trimtab_broker_errors_total", endpoint="get_books", code="broker_unavailable"
    )
    assert errors == 1
    runs = {
        "user_id": str(alice.user.id),
        "trigger": "manual",
        "dry_run": "true",
        "outcome": "broker_unavailable",
    }
    assert (
        value(after, "trimtab_rebalance_runs_total", **runs)
        - value(before, "trimtab_rebalance_runs_total", **runs)
        == 1
    )
    local = TestClient(app, client=("127.0.0.1", 50000))
    assert "alpaca-secret-never-shown" not in local.get("/metrics").text
