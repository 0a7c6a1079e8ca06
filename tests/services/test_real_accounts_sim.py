"""One hand-computed case per kind of docs/rebalancing.md, through the real alpaca-py SDK
against the simulator over HTTP, scripted through its ``/_sim`` routes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.brokers.exchange import Exchange
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import Simulator
from trimtab.domain.targets import Target
from trimtab.services import allocations, policy
from trimtab.services.context import AppContext
from trimtab.services.contract import to_json
from trimtab.services.portfolio import portfolio_view
from trimtab.services.rebalance import check_rebalance_drift

from .helpers import FakeClock

D = Decimal
PRICES = {"SPY": 500, "QQQ": 400, "TLT": 90, "GLD": 200, "XYZ": 250, "TSLA": 200}
OPTION = "AAPL250117C00150000"
_keys = itertools.count()


class Sim:
    """One account on the shared simulator, scripted over HTTP."""

    def __init__(self, server: BackgroundServer, key_id: str) -> None:
        self.server = server
        self.key_id = key_id
        self.http = httpx.Client(base_url=server.base_url, timeout=5)

    def put(self, path: str, body: Any, **params: str) -> None:
        response = self.http.put(f"/_sim{path}", json=body, params=params)
        assert response.status_code == 204, response.text

    def positions(self, *rows: dict[str, Any]) -> None:
        self.put(f"/accounts/{self.key_id}/positions", list(rows))

    def cash(self, amount: str) -> None:
        self.put(f"/accounts/{self.key_id}/cash", {"cash": amount})

    @property
    def exchange(self) -> Exchange:
        return self.server.simulator.exchange


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator()) as running:
        yield running


@pytest.fixture
def sim(server: BackgroundServer, ctx: AppContext, user_id: int) -> Iterator[Sim]:
    simulator = server.simulator
    simulator.exchange = Exchange(prices={s: D(p) for s, p in PRICES.items()})
    key_id = f"PKREAL{next(_keys):06d}"
    simulator.open_account(key_id, "secret", cash=D(0))
    broker = AlpacaBroker(
        key_id,
        "secret",
        base_url=server.base_url,
        data_url=server.base_url,
        timeout=2,
        retry_wait=0,
        asset_cache=AssetCache(),
    )
    ctx.broker_for = lambda _user: broker  # type: ignore[assignment,return-value]
    scripted = Sim(server, key_id)
    yield scripted
    scripted.http.close()
    simulator.faults.clear()


def targets(ctx: AppContext, user_id: int, **percents: object) -> None:
    allocations.replace_allocations(
        ctx, user_id, [Target(s.replace("_", "/"), D(str(p))) for s, p in percents.items()]
    )


def trades(result: dict[str, Any], key: str = "trades_planned") -> list[tuple[str, str, float]]:
    return [(t["symbol"], t["side"], t["qty"]) for t in result[key]]


def test_a_short_account_is_worth_24000_and_its_proceeds_are_not_spent(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.positions({"symbol": "SPY", "qty": "8"}, {"symbol": "XYZ", "qty": "-40"})
    sim.cash("30000")
    targets(ctx, user_id, SPY=40, QQQ=30, TLT=20, GLD=10)
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert preview["portfolio_value"] == 24000.0
    assert preview["buy_budget"]["short_proceeds"] == 10000.0
    assert sorted(trades(preview)) == [
        ("GLD", "buy", 11.964),
        ("QQQ", "buy", 17.946),
        ("SPY", "buy", 11.1664),
        ("TLT", "buy", 53.173333333),
    ]
    assert portfolio_view(ctx, user_id).portfolio_value == 24000.0
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert live["status"] == "completed", live["message"]
    assert sorted(trades(live, "trades_executed")) == sorted(trades(preview))
    books = sim.exchange.account_state(sim.key_id)
    assert books.cash >= D(10060)  # the 10,000 short proceeds and the 60 buffer kept
    assert books.holdings["XYZ"].qty == D(-40)


def test_btc_held_as_btcusd_is_btc_usd_at_60_percent_and_sold_gtc(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.put(
        "/assets/BTC/USD",
        {"asset_class": "crypto", "min_order_size": "0.0001", "min_trade_increment": "0.0001"},
    )
    sim.put("/prices", {"BTC/USD": "60000"})
    sim.positions({"symbol": "BTC/USD", "qty": "0.15"})
    sim.cash("6000")
    targets(ctx, user_id, SPY=60, BTC_USD=40)
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert preview["portfolio_value"] == 15000.0
    btc = next(r for r in preview["drift_analysis"] if r["symbol"] == "BTC/USD")
    assert (btc["actual_percent"], btc["action"]) == (60.0, "sell")
    assert [s["reason"] for s in preview["skipped"]] == []
    assert trades(preview) == [("BTC/USD", "sell", 0.05), ("SPY", "buy", 17.925)]
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert live["status"] == "completed", live["message"]
    sent = {o.symbol: o for o in sim.exchange.account_state(sim.key_id).orders.values()}
    assert str(sent["BTC/USD"].time_in_force) == "gtc"


def test_an_option_counts_at_its_market_value_of_10000_and_is_never_ordered(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.put("/prices", {OPTION: "50"})
    sim.positions(
        {"symbol": "SPY", "qty": "20"},
        {"symbol": OPTION, "qty": "2", "asset_class": "us_option"},
    )
    sim.cash("10000")
    targets(ctx, user_id, SPY=50, QQQ=50)
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert preview["portfolio_value"] == 30000.0  # not 20,100
    assert sorted(trades(preview)) == [("QQQ", "buy", 18.609375), ("SPY", "buy", 4.9625)]
    page = to_json(portfolio_view(ctx, user_id))
    option = next(p for p in page["positions"] if p["symbol"] == OPTION)
    assert (option["market_value"], option["asset_class"]) == (10000.0, "us_option")
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert OPTION not in {t["symbol"] for t in live["trades_executed"]}
    assert sorted(trades(live, "trades_executed")) == sorted(trades(preview))


def test_a_margin_account_in_debt_is_repaid_not_levered(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.positions({"symbol": "SPY", "qty": "30"})
    sim.cash("-5000")
    sim.put(f"/accounts/{sim.key_id}/flags", {"multiplier": "2", "buying_power": "20000"})
    targets(ctx, user_id, SPY=60, QQQ=40)
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert trades(preview) == [("SPY", "sell", 18.0), ("QQQ", "buy", 9.9375)]
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert live["status"] == "completed", live["message"]
    assert sorted(trades(live, "trades_executed")) == sorted(trades(preview))
    assert sim.exchange.account_state(sim.key_id).cash == D(25)


def test_a_stale_trade_print_is_priced_by_a_fresh_quote_or_skipped(
    ctx: AppContext, user_id: int, sim: Sim, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday, market open
    friday = "2026-11-27T21:00:00+00:00"
    sim.put("/prices", {"SPY": "500", "GLD": "200"}, as_of=friday)
    sim.put("/quotes", {"SPY": "501"}, as_of="2026-11-30T14:59:00+00:00")
    sim.put("/quotes", {"GLD": "199"}, as_of=friday)
    sim.cash("10000")
    targets(ctx, user_id, SPY=50, GLD=50)
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    (spy,) = preview["trades_planned"]
    assert (spy["symbol"], spy["price"], spy["price_source"]) == ("SPY", 501.0, "quote")
    assert spy["price_as_of"] == "2026-11-30T14:59:00Z"
    (gld,) = preview["skipped"]
    assert (gld["symbol"], gld["reason"]) == ("GLD", "stale_price")


def test_a_zero_target_and_the_sell_policy_exit_whole_positions_dust_included(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.positions({"symbol": "SPY", "qty": "10.123456789"}, {"symbol": "TSLA", "qty": "3"})
    targets(ctx, user_id, SPY=0, QQQ=100)
    policy.update_policy(ctx, user_id, untargeted="sell")
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert live["status"] == "completed", live["message"]
    assert trades(live, "trades_executed")[:2] == [
        ("SPY", "sell", 10.123456789),
        ("TSLA", "sell", 3.0),
    ]
    holdings = sim.exchange.account_state(sim.key_id).holdings
    assert holdings.get("SPY") is None or holdings["SPY"].qty == 0
    assert holdings.get("TSLA") is None or holdings["TSLA"].qty == 0


def test_a_trade_under_alpacas_one_dollar_is_never_sent(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.positions({"symbol": "SPY", "qty": "0.001"})
    sim.cash("9999.5")
    targets(ctx, user_id, SPY=0, QQQ=100)
    policy.update_policy(ctx, user_id, min_trade="0.5")
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert "SPY" not in {t["symbol"] for t in live["trades_executed"]}
    assert [s["message"] for s in live["skipped"] if s["symbol"] == "SPY"] == [
        "sell of SPY for $0.50 is under the $1.00 minimum trade"
    ]


def test_an_account_whose_trading_is_blocked_is_read_shown_and_sent_nothing(
    ctx: AppContext, user_id: int, sim: Sim
) -> None:
    sim.cash("10000")
    sim.put(f"/accounts/{sim.key_id}/flags", {"trading_blocked": True, "pattern_day_trader": True})
    targets(ctx, user_id, SPY=100)
    reason = "Trading is blocked on the Alpaca account (trading_blocked); ask Alpaca support"
    preview = to_json(check_rebalance_drift(ctx, user_id, dry_run=True))
    assert preview["account"]["trading_blocked"] is True
    assert preview["account"]["pattern_day_trader"] is True
    assert preview["message"].endswith(f"(orders would be refused now: {reason})")
    live = to_json(check_rebalance_drift(ctx, user_id))
    assert (live["status"], live["trades_executed"]) == ("blocked_by_risk", [])
    assert live["message"] == f"{reason}; drift reported, no orders placed"
    assert sim.exchange.account_state(sim.key_id).orders == {}
