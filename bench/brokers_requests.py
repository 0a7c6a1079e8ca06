"""Count the HTTP requests and time one dry-run read (account, positions, latest prices,
asset facts) made by AlpacaBroker against the simulator on loopback."""

from __future__ import annotations

import statistics
import time

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.demo import DEMO_TARGETS
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY, demo_simulator

#: Goal from the brokers issue: account, positions, latest prices; assets once a day.
GOAL_REQUESTS = 3
RUNS = 50


def dry_run_read(base_url: str, symbols: list[str]) -> None:
    """What a dry-run check asks of its broker before planning, on a broker built for the
    request as the services build it."""
    broker = AlpacaBroker(DEMO_KEY_ID, DEMO_SECRET_KEY, base_url=base_url, data_url=base_url)
    broker.get_account()
    broker.get_positions()
    broker.get_latest_prices(symbols)
    for symbol in symbols:
        broker.get_asset(symbol)


def main() -> None:
    symbols = [t.symbol for t in DEMO_TARGETS]
    simulator = demo_simulator()
    with BackgroundServer(simulator) as server:
        started = time.perf_counter()
        dry_run_read(server.base_url, symbols)
        first_ms = (time.perf_counter() - started) * 1000
        first = sum(simulator.request_counts().values())
        simulator.reset_counts()
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            dry_run_read(server.base_url, symbols)
            timings.append((time.perf_counter() - started) * 1000)
        counts = simulator.request_counts()
    per_run = sum(counts.values()) / RUNS
    print(
        f"   first dry-run read of the day: {first} requests ({len(symbols)} assets), "
        f"{first_ms:.1f} ms"
    )
    print(
        f"   later dry-run reads: {per_run:g} requests (goal {GOAL_REQUESTS}): "
        + ", ".join(f"{route} x{n // RUNS}" for route, n in sorted(counts.items()))
    )
    print(
        f"   wall time on loopback over {RUNS} runs: median {statistics.median(timings):.1f} ms, "
        f"p95 {statistics.quantiles(timings, n=20)[-1]:.1f} ms"
    )
    if per_run > GOAL_REQUESTS:
        raise RuntimeError(f"a dry-run read made {per_run:g} requests, over the goal of 3")


if __name__ == "__main__":
    main()
