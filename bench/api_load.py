"""A mixed API load over loopback against one ``trimtab serve``, on SQLite and PostgreSQL.

Each client loops over the page's everyday requests (allocations, portfolio, a dry-run
check, the history of runs) with a Bearer token, for a bounded time; the run prints
requests/s, p50, p95, p99, errors, the server's CPU time per request (its user+sys time
from ``/proc``: less sensitive to other load on the machine than requests/s and latency,
though it grows with the server's own concurrency) and p50/p95 by kind of request. The
clients (aiohttp on uvloop, one process) spend about a tenth of the server's CPU per
request, so that the two cores measure the server. ``make bench`` and ``make soak``
run the full 60 s form with 16 clients; ``tests/reliability/test_load.py`` runs a few
seconds of it in ``make test`` and asserts 0 errors. Goal (one process): ≥ 200
requests/s, p95 ≤ 100 ms.

Run with ``.venv/bin/python -m bench.api_load [seconds] [clients] [--per-route]``;
``--per-route`` also loads each request of the mix alone on SQLite and prints its CPU.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.services import users
from trimtab.services.demo import seed_demo_user
from trimtab.store.db import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "TRIMTAB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECONDS = 60.0
CLIENTS = 16
GOAL_RPS = 200
GOAL_P95_MS = 100
#: One request of the mix: (method, path, JSON body).
Request = tuple[str, str, object]
#: The mix each client cycles through.
MIX: tuple[Request, ...] = (
    ("GET", "/api/allocations", None),
    ("GET", "/api/portfolio", None),
    ("POST", "/api/rebalance/check", {"dry_run": True}),
    ("GET", "/api/runs?limit=20", None),
    ("GET", "/api/allocations", None),
    ("GET", "/api/portfolio", None),
)


@dataclass
class LoadResult:
    """What one load run measured; latencies in milliseconds."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    #: Answers of 500 and above (counted in ``errors`` too).
    server_errors: int = 0
    #: The first few failures, for the report.
    failures: list[str] = field(default_factory=list)
    #: The server process's user+sys CPU seconds over the run (None when not measured).
    server_cpu_seconds: float | None = None
    #: Latencies (ms) of the answered requests by "METHOD path".
    by_request: dict[str, list[float]] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float | None:
        """The server's CPU milliseconds per request served."""
        if self.server_cpu_seconds is None or not self.requests:
            return None
        return self.server_cpu_seconds * 1000 / self.requests

    def percentile(self, p: int) -> float:
        return _percentile(self.latencies, p)

    def request_lines(self) -> list[str]:
        """p50 and p95 of each kind of request of the mix."""
        return [
            f"{self.name}: {name}: {len(ms)} answered, p50 {_percentile(ms, 50):.0f} ms, "
            f"p95 {_percentile(ms, 95):.0f} ms"
            for name, ms in self.by_request.items()
        ]

    def line(self) -> str:
        cpu = self.cpu_ms_per_request
        return (
            f"{self.name}: {self.requests} requests in {self.seconds:.1f} s, "
            f"{self.rps:.0f} req/s, p50 {self.percentile(50):.0f} ms, "
            f"p95 {self.percentile(95):.0f} ms, p99 {self.percentile(99):.0f} ms, "
            f"{self.errors} errors ({self.clients} clients)"
            + ("" if cpu is None else f", server CPU {cpu:.2f} ms/request")
        )


def _percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def process_cpu_seconds(pid: int) -> float:
    """User+sys CPU seconds that process ``pid`` (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # utime and stime are fields 14 and 15 of proc(5); the slice starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str) -> str:
    """Migrate, seed the demo user and return an API token for it."""
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    try:
        seed = seed_demo_user(ctx)
        token, _ = users.create_token(ctx, seed.user.id, "bench")
    finally:
        ctx.store.engine.dispose()
    return token


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'load.db'}"


@contextmanager
def postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A fresh database on the server of ``admin_url``, dropped afterwards
    (``OperationalError`` when the server is unreachable)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"trimtab_load_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass(frozen=True)
class Served:
    """A running ``trimtab serve``: its base URL, a Bearer token and its process id."""

    base: str
    token: str
    pid: int


@contextmanager
def served(url: str, *, startup_seconds: float = 60) -> Iterator[Served]:
    """``trimtab serve`` on a free loopback port over the database ``url`` (migrated and
    seeded here); the server is stopped after."""
    token = prepare(url)
    env = {"TRIMTAB_DATABASE_URL": url, "TRIMTAB_SECRET_KEY": "bench", "TRIMTAB_BROKER": "paper"}
    with _server(env, startup_seconds=startup_seconds, log=None) as (base, pid):
        yield Served(base, token, pid)


@contextmanager
def serve_process(
    env: dict[str, str], *, startup_seconds: float = 60, log: Path | None = None
) -> Iterator[str]:
    """``trimtab serve`` on a free loopback port, ``env`` over this process's environment
    (``TRIMTAB_WORKERS`` left out unless given); yields its base URL once ``/healthz``
    answers, and stops the server after. Its output goes to ``log`` when given."""
    with _server(env, startup_seconds=startup_seconds, log=log) as (base, _):
        yield base


@contextmanager
def _server(
    env: dict[str, str], *, startup_seconds: float, log: Path | None
) -> Iterator[tuple[str, int]]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "TRIMTAB_WORKERS"} | env
    with log.open("w") if log else open(os.devnull, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "trimtab.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                said = log.read_text() if log else ""
                raise RuntimeError(f"trimtab serve did not start {said}".strip())
            time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def _load(
    result: LoadResult, base: str, token: str, seconds: float, mix: tuple[Request, ...]
) -> None:
    # aiohttp rather than httpx: the clients share the machine's two cores with the
    # server, and httpx spent more CPU per request (2.4 ms) than the server itself;
    # aiohttp spends about 0.25 ms. Answers are read whole and gunzipped, as a browser does.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    connector = aiohttp.TCPConnector(limit=result.clients)
    async with aiohttp.ClientSession(
        base, headers=headers, connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as client:
        deadline = time.monotonic() + seconds

        async def one_client(offset: int) -> None:
            step = offset
            while time.monotonic() < deadline:
                method, path, body = mix[step % len(mix)]
                step += 1
                started = time.perf_counter()
                try:
                    async with client.request(method, path, json=body) as response:
                        answer = await response.read()
                except (aiohttp.ClientError, TimeoutError) as err:
                    failure = f"{method} {path}: {type(err).__name__}: {err}"
                else:
                    if response.status < 400:
                        elapsed = (time.perf_counter() - started) * 1000
                        result.latencies.append(elapsed)
                        result.by_request.setdefault(f"{method} {path}", []).append(elapsed)
                        continue
                    said = answer[:200].decode(errors="replace")
                    failure = f"{method} {path}: {response.status} {said}"
                    result.server_errors += response.status >= 500
                result.errors += 1
                if len(result.failures) < 5:
                    result.failures.append(failure)

        started = time.perf_counter()
        await asyncio.gather(*(one_client(i) for i in range(result.clients)))
        result.seconds = time.perf_counter() - started


def _run(main: Coroutine[object, object, None]) -> None:
    """Run the clients on uvloop where it is installed (less of the machine's CPU spent
    on the client, which shares the machine with the server), else asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def run_load(
    name: str,
    server: Served,
    *,
    seconds: float = SECONDS,
    clients: int = CLIENTS,
    mix: tuple[Request, ...] = MIX,
) -> LoadResult:
    """Drive ``server`` with ``clients`` concurrent clients cycling through ``mix`` for
    ``seconds``, and note the server's CPU time over the run.

    The clients' event loop runs on a thread of its own, so that a caller already inside
    a running loop (pytest after Playwright's sync API has started one) can call this.
    """
    result = LoadResult(name, clients)
    cpu_before = process_cpu_seconds(server.pid)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_run, _load(result, server.base, server.token, seconds, mix)).result()
    result.server_cpu_seconds = process_cpu_seconds(server.pid) - cpu_before
    return result


def load_on(
    name: str, url: str, *, seconds: float, clients: int, mix: tuple[Request, ...] = MIX
) -> LoadResult:
    """Serve ``url`` and load it (a short warm-up first, not counted)."""
    with served(url) as server:
        run_load(name, server, seconds=min(2.0, seconds), clients=clients, mix=mix)
        return run_load(name, server, seconds=seconds, clients=clients, mix=mix)


def per_route(url: str, *, seconds: float, clients: int) -> list[LoadResult]:
    """Each distinct request of the mix loaded alone against one server over ``url``."""
    results = []
    with served(url) as server:
        run_load("warm-up", server, seconds=min(2.0, seconds), clients=clients)
        for request in [r for i, r in enumerate(MIX) if r not in MIX[:i]]:
            name = f"{request[0]} {request[1]}"
            results.append(run_load(name, server, seconds=seconds, clients=clients, mix=(request,)))
    return results


def _print(result: LoadResult) -> None:
    print(f"   {result.line()}", flush=True)
    for line in result.request_lines():
        print(f"      {line}", flush=True)


def main(seconds: float = SECONDS, clients: int = CLIENTS, *, by_route: bool = False) -> None:
    if by_route:
        with sqlite_database() as url:
            for result in per_route(url, seconds=seconds, clients=clients):
                print(f"   SQLite, alone: {result.line()}", flush=True)
    results = []
    with sqlite_database() as url:
        results.append(load_on("SQLite", url, seconds=seconds, clients=clients))
        _print(results[-1])
    try:
        with postgres_database() as url:
            results.append(load_on("PostgreSQL", url, seconds=seconds, clients=clients))
            _print(results[-1])
    except OperationalError as err:
        print(f"   PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {err.orig}")
    for result in results:
        met = result.rps >= GOAL_RPS and result.percentile(95) <= GOAL_P95_MS
        verdict = "met" if met else "not met"
        print(f"   {result.name}: goal ≥ {GOAL_RPS} req/s, p95 ≤ {GOAL_P95_MS} ms: {verdict}")
        for failure in result.failures:
            print(f"   {result.name} error: {failure}")
    if any(r.errors for r in results):
        raise RuntimeError("the load saw errors")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        float(numbers[0]) if numbers else SECONDS,
        int(numbers[1]) if len(numbers) > 1 else CLIENTS,
        by_route="--per-route" in sys.argv[1:],
    )
