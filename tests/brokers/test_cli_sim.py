"""``trimtab sim`` as a user starts it: a separate process serving the demo account on the
key pair it prints."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.demo import DEMO_HOLDINGS
from trimtab.brokers.sim.server import free_port
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY
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
