"""GET|PUT|DELETE /api/broker and POST /api/broker/test, against the simulator through the
real SDK; and two users sharing one account, over real HTTP, never running at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.schemas import stable_id
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.services import users
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext
from trimtab.store.models import BrokerAccountRow, OrderRow, RebalanceRunRow

from ..live_server import serving
from .conftest import PASSWORD, SEED_ALLOCATIONS, Client, sign_in

KEY_ID = "PKAPITEST0000001"
SECRET = "api-test-secret-value"
ACCOUNT_ID = stable_id("account", KEY_ID)


@pytest.fixture
def simulator(alpaca_sim: BackgroundServer, ctx: AppContext) -> Iterator[Simulator]:
    """The API's context speaks to the simulator; one account there, all in SPY."""
    ctx.settings = ctx.settings.model_copy(
        update={"alpaca_base_url": alpaca_sim.base_url, "alpaca_data_url": alpaca_sim.base_url}
    )
    ctx.broker_for = make_broker_for(ctx.settings, ctx.store, ctx.clock)
    alpaca_sim.simulator.open_account(
        KEY_ID, SECRET, cash=Decimal(0), holdings={"SPY": Decimal(100)}
    )
    yield alpaca_sim.simulator
    alpaca_sim.simulator.faults.clear()


def connect(client: Client, **body: object) -> httpx.Response:
    return client.http.put("/api/broker", json={"key_id": KEY_ID, "secret": SECRET, **body})


PAPER = {
    "source": "paper",
    "kind": "paper",
    "paper": True,
    "key_id": None,
    "secret_set": False,
    "account_id": None,
    "connected_at": None,
}
FLAGS_OFF = {
    "trading_blocked": False,
    "account_blocked": False,
    "pattern_day_trader": False,
    "shorting_enabled": False,
}


def test_a_new_user_trades_their_own_paper_account(alice: Client) -> None:
    assert alice.http.get("/api/broker").json() == PAPER
    tested = alice.http.post("/api/broker/test")
    assert tested.status_code == 200
    assert tested.json() == {
        "kind": "paper",
        "paper": True,
        "account_id": "paper",
        "status": "ACTIVE",
        **FLAGS_OFF,
    }


def test_connect_tests_the_keys_and_never_returns_the_secret(
    alice: Client, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = connect(alice)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account"] == {
        "kind": "alpaca",
        "paper": True,
        "account_id": ACCOUNT_ID,
        "status": "ACTIVE",
        **FLAGS_OFF,
    }
    connection = body["connection"]
    assert connection["connected_at"] is not None
    assert {k: v for k, v in connection.items() if k != "connected_at"} == {
        "source": "own",
        "kind": "alpaca",
        "paper": True,
        "key_id": "PK…0001",
        "secret_set": True,
        "account_id": ACCOUNT_ID,
    }
    assert alice.http.get("/api/broker").json() == connection
    broker = alice.http.get("/api/me").json()["broker"]
    assert (broker["source"], broker["account_id"], broker["connected"]) == (
        "own",
        ACCOUNT_ID,
        True,
    )
    assert alice.http.post("/api/broker/test").json() == body["account"]
    # The portfolio is now the simulator account's: 100 SPY, no cash.
    portfolio = alice.http.get("/api/portfolio").json()
    assert [(p["symbol"], p["qty"]) for p in portfolio["positions"]] == [("SPY", 100.0)]
    for text in (response.text, alice.http.get("/api/broker").text, caplog.text):
        assert SECRET not in text


def test_refused_keys_are_a_422_and_nothing_is_saved(
    alice: Client, simulator: Simulator, ctx: AppContext
) -> None:
    response = connect(alice, secret="wrong-secret-value")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "broker_keys_refused"
    assert error["message"].startswith("Alpaca refused these keys (paper)")
    assert "wrong-secret-value" not in response.text
    assert alice.http.get("/api/broker").json() == PAPER
    with ctx.store.session_factory() as session:
        assert session.scalars(select(BrokerAccountRow)).all() == []


def test_live_needs_confirm_live(alice: Client, simulator: Simulator) -> None:
    refused = connect(alice, paper=False)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "live_not_confirmed"
    assert "confirm_live" in refused.json()["error"]["message"]
    assert alice.http.get("/api/broker").json() == PAPER
    accepted = connect(alice, paper=False, confirm_live=True)
    assert accepted.status_code == 200
    assert accepted.json()["connection"]["paper"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key_id": "PK12", "secret": SECRET}, "key_id"),
        ({"key_id": "PK 123 456", "secret": SECRET}, "key_id"),
        ({"key_id": "K" * 201, "secret": SECRET}, "key_id"),
        ({"key_id": KEY_ID, "secret": "with space inside"}, "secret"),
        ({"key_id": KEY_ID, "secret": "tiny"}, "secret"),
        ({"key_id": KEY_ID}, "secret"),
        ({"secret": SECRET}, "key_id"),
        ({"key_id": KEY_ID, "secret": SECRET, "paper": "maybe"}, "paper"),
        ({"key_id": KEY_ID, "secret": SECRET, "kind": "ib"}, "kind"),
    ],
)
def test_malformed_bodies_are_422_naming_the_field(
    alice: Client, body: dict[str, object], field: str
) -> None:
    response = alice.http.put("/api/broker", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"].startswith(field), error["message"]
    secret = body.get("secret")
    assert not (isinstance(secret, str) and secret in response.text)


def test_sign_in_and_csrf_are_required(
    anonymous: TestClient, alice: Client, ctx: AppContext
) -> None:
    assert anonymous.get("/api/broker").status_code == 401
    assert anonymous.put("/api/broker", json={}).status_code == 401
    assert anonymous.delete("/api/broker").status_code == 401
    no_csrf = TestClient(alice.http.app, cookies=alice.http.cookies)
    forged = no_csrf.put("/api/broker", json={"key_id": KEY_ID, "secret": SECRET})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    assert no_csrf.delete("/api/broker").status_code == 403
    token, _ = users.create_token(ctx, alice.user.id, "script")
    scripted = TestClient(alice.http.app).get(
        "/api/broker", headers={"Authorization": f"Bearer {token}"}
    )
    assert scripted.status_code == 200 and scripted.json() == PAPER


def test_one_users_connection_is_never_anothers(
    alice: Client, bob: Client, simulator: Simulator
) -> None:
    assert connect(bob).status_code == 200
    assert alice.http.get("/api/broker").json() == PAPER
    assert alice.http.get("/api/me").json()["broker"]["source"] == "paper"
    assert alice.http.get("/api/portfolio").json()["cash"] == 100000.0
    assert alice.http.delete("/api/broker").json() == PAPER
    assert bob.http.get("/api/broker").json()["source"] == "own"
    assert bob.http.delete("/api/broker").json() == PAPER
    assert bob.http.get("/api/me").json()["broker"]["source"] == "paper"


def test_the_servers_account_is_its_owners_only(
    app: FastAPI, ctx: AppContext, alpaca_sim: BackgroundServer, simulator: Simulator
) -> None:
    ctx.settings = ctx.settings.model_copy(
        update={
            "broker": "alpaca",
            "alpaca_key_id": KEY_ID,
            "alpaca_secret_key": SecretStr(SECRET),
            "user": "owner@example.com",
        }
    )
    ctx.broker_for = make_broker_for(ctx.settings, ctx.store, ctx.clock)
    owner = sign_in(app, ctx, "owner@example.com")
    other = sign_in(app, ctx, "other@example.com")
    assert owner.http.get("/api/me").json()["broker"] == {
        "name": "alpaca",
        "paper": True,
        "source": "server",
        "account_id": ACCOUNT_ID,
        "connected": True,
        "message": None,
    }
    assert owner.http.get("/api/broker").json()["key_id"] == "PK…0001"
    assert other.http.get("/api/me").json()["broker"]["source"] == "paper"
    assert other.http.get("/api/broker").json() == PAPER
    assert other.http.get("/api/portfolio").json()["positions"] == []


def wait_until_no_run_is_unfinished(ctx: AppContext, timeout: float = 60) -> None:
    """Live runs go on in the background after their 202."""
    deadline = time.monotonic() + timeout
    while True:
        with ctx.store.session_factory() as session:
            statuses = set(session.scalars(select(RebalanceRunRow.status)))
        if not statuses & {"running", "awaiting_fills"}:
            return
        assert time.monotonic() < deadline, statuses
        time.sleep(0.1)


def test_two_users_on_one_account_over_http_get_one_run_with_orders(
    app: FastAPI, ctx: AppContext, alice: Client, bob: Client, simulator: Simulator
) -> None:
    simulator.add_key("PKAPITEST0000002", "second-key-secret", KEY_ID)
    assert connect(alice).status_code == 200
    assert connect(bob, key_id="PKAPITEST0000002", secret="second-key-secret").status_code == 200
    for client in (alice, bob):
        assert client.http.put(
            "/api/allocations", json={"allocations": SEED_ALLOCATIONS}
        ).is_success
    simulator.faults.add(Fault(route="POST /v2/orders", delay=0.2, times=None))
    with serving(app) as base:
        clients = []
        for email in ("alice@example.com", "bob@example.com"):
            http = httpx.Client(base_url=base, timeout=60)
            login = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            clients.append(http)
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(
                pool.map(
                    lambda http: http.post("/api/rebalance/check", json={"dry_run": False}),
                    clients * 10,
                )
            )
        for http in clients:
            http.close()
        assert {a.status_code for a in answers} <= {200, 202, 409}, [a.text for a in answers]
        wait_until_no_run_is_unfinished(ctx)
    orders = simulator.exchange.account_state(KEY_ID).orders.values()
    assert [(o.symbol, o.qty) for o in orders if o.side == "sell"] == [("SPY", Decimal(60))]
    assert sorted(o.symbol for o in orders) == ["GLD", "QQQ", "SPY", "TLT"]
    with ctx.store.session_factory() as session:
        assert len(set(session.scalars(select(OrderRow.run_id)))) == 1
