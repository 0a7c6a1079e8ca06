"""Count the HTTP requests and time one dry-run read made by AlpacaBroker against the
simulator on loopback: the issue's three reads (account, positions, latest prices, with
asset facts cached per day), then what the check service's ``read_broker`` asks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.demo import DEMO_TARGETS
from trimtab.brokers.sim.server import BackgroundServer
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY, Simulator, demo_simulator
from trimtab.services.broker_view import read_broker

#: Goal from the brokers issue: account, positions, latest prices; assets once a day.
GOAL_REQUESTS = 3
RUNS = 50
SYMBOLS = [t.symbol for t in DEMO_TARGETS]
Read = Callable[[AlpacaBroker], object]


def three_reads(broker: AlpacaBroker) -> None:
    broker.get_account()
    broker.get_positions()
    broker.get_latest_prices(SYMBOLS)
    for symbol in SYMBOLS:
        broker.get_asset(symbol)


def service_read(broker: AlpacaBroker) -> None:
    read_broker(broker, SYMBOLS, now=datetime.now(UTC), with_clock=False)


def measure(simulator: Simulator, base_url: str, read: Read) -> tuple[dict[str, int], list[float]]:
    """Requests per run and wall times, each run on a broker built for it as services do."""
    simulator.reset_counts()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        read(AlpacaBroker(DEMO_KEY_ID, DEMO_SECRET_KEY, base_url=base_url, data_url=base_url))
        timings.append((time.perf_counter() - started) * 1000)
    per_run = {route: n // RUNS for route, n in sorted(simulator.request_counts().items())}
    return per_run, timings


def report(label: str, per_run: dict[str, int], timings: list[float]) -> None:
    routes = ", ".join(f"{route} x{n}" for route, n in per_run.items())
    print(f"   {label}: {sum(per_run.values())} requests ({routes})")
    print(
        f"     wall time over {RUNS} runs: median {statistics.median(timings):.1f} ms, "
        f"p95 {statistics.quantiles(timings, n=20)[-1]:.1f} ms"
    )


def main() -> None:
    simulator = demo_simulator()
    with BackgroundServer(simulator) as server:
        started = time.perf_counter()
        three_reads(
            AlpacaBroker(
                DEMO_KEY_ID, DEMO_SECRET_KEY, base_url=server.base_url, data_url=server.base_url
            )
        )
        first = sum(simulator.request_counts().values())
        print(
            f"   first read of the day: {first} requests ({len(SYMBOLS)} asset lookups), "
            f"{(time.perf_counter() - started) * 1000:.1f} ms"
        )
        reads, read_times = measure(simulator, server.base_url, three_reads)
        service, service_times = measure(simulator, server.base_url, service_read)
    report(f"dry-run read, assets cached (goal {GOAL_REQUESTS})", reads, read_times)
    report(
        "dry-run check's read_broker (open orders; latest trades of every traded symbol)",
        service,
        service_times,
    )
    if sum(reads.values()) > GOAL_REQUESTS:
        raise RuntimeError(f"a dry-run read made {sum(reads.values())} requests, over the goal")


if __name__ == "__main__":
    main()
