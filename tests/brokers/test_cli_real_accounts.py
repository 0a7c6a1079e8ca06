"""The issue's accounts end to end: ``trimtab check`` with TRIMTAB_BROKER=alpaca, through
the services and AlpacaBroker (alpaca-py), over HTTP to the simulator holding a short,
a coin or option contracts. Numbers are hand-computed; the buffer is 0.25 % of equity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trimtab.brokers.demo import DEMO_ACCOUNT_ID
from trimtab.brokers.models import Asset, AssetClass, Side, TimeInForce
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY, Simulator, demo_simulator
from trimtab.cli import app

OPTION = "SPY250620C00500000"
Check = Callable[..., dict[str, Any]]


@pytest.fixture
def simulator() -> Simulator:
    sim = demo_simulator()
    sim.exchange.set_prices({"SPY": Decimal(500), "XYZ": Decimal(250), OPTION: Decimal(50)})
    sim.exchange.set_asset(Asset(OPTION, fractionable=False, asset_class=AssetClass.US_OPTION))
    return sim


@pytest.fixture
def check(
    simulator: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_password_hashing: None,
) -> Iterator[Check]:
    """``check(*targets, dry_run=...)``: set the targets and run ``trimtab check --json``."""
    runner = CliRunner()
    with BackgroundServer(simulator) as server:
        for name, value in {
            "TRIMTAB_DATABASE_URL": f"sqlite:///{tmp_path / 'trimtab.db'}",
            "TRIMTAB_SECRET_KEY": "test-only-server-secret",
            "TRIMTAB_BROKER": "alpaca",
            "ALPACA_BASE_URL": server.base_url,
            "ALPACA_DATA_URL": server.base_url,
            "ALPACA_KEY_ID": DEMO_KEY_ID,
            "ALPACA_SECRET_KEY": DEMO_SECRET_KEY,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("TRIMTAB_USER", raising=False)
        for command in (
            ["db", "upgrade"],
            ["users", "create", "demo@example.com", "--password", "correct horse battery"],
        ):
            assert runner.invoke(app, command).exit_code == 0

        def run(*targets: str, dry_run: bool = True) -> dict[str, Any]:
            assert runner.invoke(app, ["allocations", "set", *targets]).exit_code == 0
            command = ["check", "--json", *(["--dry-run"] if dry_run else [])]
            result = runner.invoke(app, command)
            assert result.exit_code == 0, result.output
            answer: dict[str, Any] = json.loads(result.output)
            return answer

        yield run


def hold(simulator: Simulator, cash: str, holdings: dict[str, str]) -> None:
    simulator.exchange.set_cash(DEMO_ACCOUNT_ID, Decimal(cash))
    simulator.exchange.set_holdings(DEMO_ACCOUNT_ID, {s: Decimal(q) for s, q in holdings.items()})


def planned_buys(result: dict[str, Any]) -> Decimal:
    return sum(
        (Decimal(str(t["notional"])) for t in result["trades_planned"] if t["side"] == "buy"),
        Decimal(0),
    )


def test_short_account_is_worth_its_equity_and_its_proceeds_are_not_spent(
    simulator: Simulator, check: Check
) -> None:
    # Cash $30,000 (of which $10,000 from shorting 40 XYZ at $250), 8 SPY at $500.
    hold(simulator, "30000", {"XYZ": "-40", "SPY": "8"})
    result = check("SPY=40", "QQQ=30", "TLT=20", "GLD=10")
    assert result["portfolio_value"] == 24000
    # $30,000 cash less $10,000 short proceeds less the $60 buffer.
    assert planned_buys(result) == Decimal(19940)
    assert [(s["symbol"], s["reason"]) for s in result["skipped"]] == [("XYZ", "short_position")]
    assert simulator.exchange.orders(DEMO_ACCOUNT_ID, open_only=False) == []


def test_crypto_holding_is_sold_gtc_under_its_order_symbol(
    simulator: Simulator, check: Check
) -> None:
    # 0.15 BTC at $60,000 = $9,000 of $15,000; targets SPY 60 / BTC/USD 40.
    hold(simulator, "6000", {"BTC/USD": "0.15"})
    result = check("SPY=60", "BTC/USD=40", dry_run=False)
    assert result["portfolio_value"] == 15000 and result["status"] == "completed"
    orders = {o.symbol: o for o in simulator.exchange.orders(DEMO_ACCOUNT_ID, open_only=False)}
    btc, spy = orders["BTC/USD"], orders["SPY"]
    # Sell $3,000 of BTC (0.05); buy SPY with $9,000 less the $37.50 buffer.
    assert (btc.side, btc.qty, btc.time_in_force) == (Side.SELL, Decimal("0.05"), TimeInForce.GTC)
    assert (spy.side, spy.qty) == (Side.BUY, Decimal("17.925"))
    held = {p.symbol: p.qty for p in simulator.exchange.positions(DEMO_ACCOUNT_ID)}
    assert held == {"BTC/USD": Decimal("0.1"), "SPY": Decimal("17.925")}
    assert simulator.exchange.account(DEMO_ACCOUNT_ID).cash == Decimal("37.5")


def test_option_contracts_count_at_their_market_value_and_are_never_ordered(
    simulator: Simulator, check: Check
) -> None:
    # 2 contracts at $50 a share, 100 shares each: $10,000 of $30,000.
    hold(simulator, "20000", {OPTION: "2"})
    result = check("SPY=40", "QQQ=30", "TLT=20", "GLD=10")
    assert result["portfolio_value"] == 30000
    # $20,000 cash less the $75 buffer.
    assert planned_buys(result) == Decimal(19925)
    assert OPTION not in {t["symbol"] for t in result["trades_planned"]}
    assert [(s["symbol"], s["reason"]) for s in result["skipped"]] == [(OPTION, "asset_class")]
