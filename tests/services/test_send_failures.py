"""Sends that fail, through the real alpaca-py SDK against the simulator over HTTP: a rate
limit on every send gives up within the run's budget and names what was not sent; a
lost answer is looked up by client order id before the run says "not yet sent"; a
client order id that names another order is a refusal, for runs and trades alike."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.brokers.demo import demo_prices
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.models import Order, OrderRequest, Side
from trimtab.brokers.sim.faults import Fault
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.errors import DuplicateClientOrderId
from trimtab.services import runs
from trimtab.services.context import AppContext, RunOptions
from trimtab.services.contract import to_json
from trimtab.services.rebalance import check_rebalance_drift, resume_unfinished_runs
from trimtab.services.trades import execute_trade
from trimtab.store.models import OrderRow

POST_ORDERS = "POST /v2/orders"
BY_CLIENT_ID = "GET /v2/orders:by_client_order_id"
_keys = itertools.count()


class Account:
    """One account on the module's simulator, all in SPY: a run sells SPY and buys QQQ,
    TLT and GLD."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.sim = server.simulator
        self.key_id = f"PKSEND{next(_keys):06d}"
        self.sim.open_account(self.key_id, "secret", cash=Decimal(0))
        self.sim.exchange.set_holdings(self.key_id, {"SPY": Decimal(300)}, {})

    def broker(self, retry_wait: float = 0.0) -> AlpacaBroker:
        return AlpacaBroker(
            self.key_id,
            "secret",
            base_url=self.server.base_url,
            data_url=self.server.base_url,
            timeout=2,
            retry_wait=retry_wait,
            asset_cache=AssetCache(),
        )

    def script(self, **fault: object) -> None:
        """Inject a fault as another process would: through ``POST /_sim/faults``."""
        response = httpx.post(f"{self.server.base_url}/_sim/faults", json=fault, timeout=5)
        assert response.status_code == 201, response.text

    def placed(self) -> Counter[str]:
        orders = self.sim.exchange.account_state(self.key_id).orders.values()
        return Counter(o.client_order_id for o in orders)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator()) as running:
        yield running


@pytest.fixture
def account(server: BackgroundServer) -> Iterator[Account]:
    prices, assets = demo_prices()
    server.simulator.exchange = Exchange(prices=prices, assets=assets)
    server.simulator.reset_counts()
    yield Account(server)
    server.simulator.faults.clear()


def on(ctx: AppContext, broker: AlpacaBroker) -> None:
    ctx.broker_for = lambda _user: broker  # type: ignore[assignment,return-value]


def statuses(ctx: AppContext, user_id: int, run_id: int) -> dict[str, str]:
    orders = to_json(runs.get_run(ctx, user_id, run_id))["orders"]
    return {f"{o['side']} {o['symbol']}": o["status"] for o in orders}


def test_a_rate_limit_on_every_send_gives_up_within_the_budget_naming_what_was_not_sent(
    ctx: AppContext, seeded: int, account: Account
) -> None:
    # alpaca-py waits retry_wait three times on a 429 before giving up: 1.5 s per order
    # here, past the run's 1 s budget after the first order.
    ctx.run_options = RunOptions(fill_timeout=1.0, poll_interval=0.0, give_up_after=1.0)
    on(ctx, account.broker(retry_wait=0.5))
    account.sim.inject(Fault(POST_ORDERS, status=429, times=None))
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "failed"
    # One order tried: its post and the SDK's three retries; nothing more.
    assert account.sim.request_counts()[POST_ORDERS] == 4
    assert statuses(ctx, seeded, result["run_id"]) == {
        "sell SPY": "rejected",
        "buy QQQ": "skipped",
        "buy TLT": "skipped",
        "buy GLD": "skipped",
    }
    orders = to_json(runs.get_run(ctx, seeded, result["run_id"]))["orders"]
    assert orders[0]["error"] == "rate limit exceeded"
    for order in orders[1:]:
        assert order["error"].startswith("not sent: trimtab gave up placing after ")
        assert "(last: rate limit exceeded); the next check plans again" in order["error"]
    assert ": not sent: trimtab gave up placing after" in result["message"]
    [executed] = result["trades_executed"]
    assert {k: executed[k] for k in ("symbol", "side", "qty", "order_id", "status")} == {
        "symbol": "SPY",
        "side": "sell",
        "qty": 180.0,
        "order_id": None,
        "status": "rejected",
    }
    assert account.placed() == Counter()


def test_a_lost_answer_is_found_by_client_order_id_and_the_run_goes_on(
    ctx: AppContext, seeded: int, account: Account
) -> None:
    on(ctx, account.broker())
    # The sell lands but its answer is lost, and the first four look-ups (two by the
    # broker client, two by the send) fail too; the next one, before following, works.
    account.script(route=POST_ORDERS, status=503, after_commit=True)
    account.script(route=BY_CLIENT_ID, status=503, times=4)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "completed", result["message"]
    assert set(statuses(ctx, seeded, result["run_id"]).values()) == {"filled"}
    placed = account.placed()
    assert len(placed) == 4 and set(placed.values()) == {1}
    assert account.sim.request_counts()[POST_ORDERS] == 4


def test_a_run_whose_answer_stays_lost_says_so_and_the_next_check_finds_the_order(
    ctx: AppContext, seeded: int, account: Account
) -> None:
    on(ctx, account.broker())
    account.script(route=POST_ORDERS, status=503, after_commit=True)
    account.script(route=BY_CLIENT_ID, status=503, times=None)
    result = to_json(check_rebalance_drift(ctx, seeded))
    assert result["status"] == "awaiting_fills"
    assert "0 orders open, 1 sent without an answer yet, 3 not yet sent" in result["message"]
    [sell] = [
        o
        for o in to_json(runs.get_run(ctx, seeded, result["run_id"]))["orders"]
        if o["side"] == "sell"
    ]
    assert sell["status"] == "unknown"
    assert "looking it up by client order id failed too" in sell["error"]
    assert list(account.placed().values()) == [1]
    account.sim.faults.clear()
    [finished] = [to_json(r) for r in to_json(resume_unfinished_runs(ctx))]
    assert finished["status"] == "completed", finished["message"]
    placed = account.placed()
    assert len(placed) == 4 and set(placed.values()) == {1}


class TakenFirst:
    """Someone else's order (a different quantity) reaches the broker under each sell's
    client order id just before the run sends it."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.inner = account.broker()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def submit_order(self, request: OrderRequest) -> Order:
        if request.side is Side.SELL:
            clash = replace(request, qty=Decimal(1))
            self.account.sim.exchange.submit(self.account.key_id, clash)
        return self.inner.submit_order(request)


def test_a_run_order_whose_client_id_names_another_order_is_refused_not_adopted(
    ctx: AppContext, seeded: int, account: Account
) -> None:
    ctx.broker_for = lambda _user: TakenFirst(account)  # type: ignore[assignment,return-value]
    result = to_json(check_rebalance_drift(ctx, seeded))
    orders = {
        o["symbol"]: o for o in to_json(runs.get_run(ctx, seeded, result["run_id"]))["orders"]
    }
    assert orders["SPY"]["status"] == "rejected"
    assert orders["SPY"]["broker_order_id"] is None
    assert "names another order at the broker" in orders["SPY"]["error"]
    # The buys are sized to the cash really there (the other order's sale included).
    assert result["status"] == "partial", result["message"]


def test_a_trade_whose_client_id_names_another_order_is_refused_alike(
    ctx: AppContext, user_id: int, account: Account
) -> None:
    on(ctx, account.broker())
    account.sim.exchange.submit(
        account.key_id, OrderRequest("SPY", Side.SELL, f"tt-u{user_id}-k1", qty=Decimal(1))
    )
    with pytest.raises(DuplicateClientOrderId):
        to_json(execute_trade(ctx, user_id, "TLT", "buy", 2, idempotency_key="k1"))
    with ctx.store.session_factory() as session:
        row = session.query(OrderRow).one()
    assert row.status == "rejected" and row.broker_order_id is None
    assert row.error is not None and "names another order at the broker" in row.error
