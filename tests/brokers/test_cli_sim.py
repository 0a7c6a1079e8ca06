"""``trimtab sim`` as a user starts it: a separate process serving the demo account on the
key pair it prints; and ``trimtab check --dry-run`` reading a simulator with
TRIMTAB_BROKER=alpaca."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.demo import DEMO_HOLDINGS
from trimtab.brokers.sim.server import BackgroundServer, free_port
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY, demo_simulator
from trimtab.cli import app
from trimtab.errors import BrokerUnavailable


@pytest.fixture
def sim_process() -> Iterator[tuple[str, str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from trimtab.cli import app; app()", "sim", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", process.stdout.readline() if process.stdout else ""
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for_account(broker: AlpacaBroker) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            broker.get_clock()
            return
        except BrokerUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_sim_serves_the_demo_account_on_the_printed_keys(sim_process: tuple[str, str]) -> None:
    base_url, banner = sim_process
    assert base_url in banner
    broker = AlpacaBroker(
        DEMO_KEY_ID,
        DEMO_SECRET_KEY,
        base_url=base_url,
        data_url=base_url,
        timeout=2,
        retry_wait=0.1,
    )
    wait_for_account(broker)
    assert {p.symbol: p.qty for p in broker.get_positions()} == DEMO_HOLDINGS
    assert set(broker.get_latest_prices(list(DEMO_HOLDINGS))) == set(DEMO_HOLDINGS)
    assert not broker.get_asset("BRK.A").fractionable
    assert not broker.get_asset("LEHMQ").tradable


def test_check_dry_run_reads_the_simulator_through_alpaca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_password_hashing: None
) -> None:
    simulator = demo_simulator()
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
        runner = CliRunner()
        for command in (
            ["db", "upgrade"],
            ["users", "create", "demo@example.com", "--password", "correct horse battery"],
            ["allocations", "set", "SPY=40", "QQQ=30", "TLT=20", "GLD=10"],
        ):
            assert runner.invoke(app, command).exit_code == 0
        checked = runner.invoke(app, ["check", "--dry-run", "--json"])
        # Once asset facts are cached for the day, a dry run costs four reads: the
        # latest trades date every price, held or not (a stale one is not traded on).
        simulator.reset_counts()
        assert runner.invoke(app, ["check", "--dry-run"]).exit_code == 0
        assert simulator.request_counts() == {
            "GET /v2/account": 1,
            "GET /v2/positions": 1,
            "GET /v2/orders": 1,
            "GET /v2/stocks/trades/latest": 1,
        }
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.output)
    assert result["needs_rebalance"] is True and result["trades_executed"] == []
    actions = {row["symbol"]: row["action"] for row in result["drift_analysis"]}
    assert actions == {"SPY": "sell", "QQQ": "none", "TLT": "buy", "GLD": "none"}
    assert "POST /v2/orders" not in simulator.request_counts()
