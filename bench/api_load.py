"""A mixed API load over loopback against one ``trimtab serve``, on SQLite and PostgreSQL.

Each client loops over the page's everyday requests (allocations, portfolio, a dry-run
check, the history of runs) with a Bearer token, for a bounded time; the run prints
requests/s, p50, p95, p99 and errors. ``make bench`` and ``make soak`` run the full 60 s
form with 16 clients; ``tests/reliability/test_load.py`` runs a few seconds of it in
``make test`` and asserts 0 errors. Goal (one process): ≥ 200 requests/s, p95 ≤ 100 ms.

Run with ``.venv/bin/python -m bench.api_load [seconds] [clients]``.
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

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
#: The mix each client cycles through: (method, path, JSON body).
MIX: tuple[tuple[str, str, object], ...] = (
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

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def line(self) -> str:
        return (
            f"{self.name}: {self.requests} requests in {self.seconds:.1f} s, "
            f"{self.rps:.0f} req/s, p50 {self.percentile(50):.0f} ms, "
            f"p95 {self.percentile(95):.0f} ms, p99 {self.percentile(99):.0f} ms, "
            f"{self.errors} errors ({self.clients} clients)"
        )


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


@contextmanager
def served(url: str, *, startup_seconds: float = 60) -> Iterator[tuple[str, str]]:
    """``trimtab serve`` on a free loopback port over the database ``url`` (migrated and
    seeded here): yields its base URL and a Bearer token; the server is stopped after."""
    token = prepare(url)
    env = {"TRIMTAB_DATABASE_URL": url, "TRIMTAB_SECRET_KEY": "bench", "TRIMTAB_BROKER": "paper"}
    with serve_process(env, startup_seconds=startup_seconds) as base:
        yield base, token


@contextmanager
def serve_process(
    env: dict[str, str], *, startup_seconds: float = 60, log: Path | None = None
) -> Iterator[str]:
    """``trimtab serve`` on a free loopback port, ``env`` over this process's environment
    (``TRIMTAB_WORKERS`` left out unless given); yields its base URL once ``/healthz``
    answers, and stops the server after. Its output goes to ``log`` when given."""
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
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def _load(result: LoadResult, base: str, token: str, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=result.clients, max_keepalive_connections=result.clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        deadline = time.monotonic() + seconds

        async def one_client(offset: int) -> None:
            step = offset
            while time.monotonic() < deadline:
                method, path, body = MIX[step % len(MIX)]
                step += 1
                started = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                except httpx.HTTPError as err:
                    failure = f"{method} {path}: {type(err).__name__}: {err}"
                else:
                    if response.status_code < 400:
                        result.latencies.append((time.perf_counter() - started) * 1000)
                        continue
                    failure = f"{method} {path}: {response.status_code} {response.text[:200]}"
                    result.server_errors += response.status_code >= 500
                result.errors += 1
                if len(result.failures) < 5:
                    result.failures.append(failure)

        started = time.perf_counter()
        await asyncio.gather(*(one_client(i) for i in range(result.clients)))
        result.seconds = time.perf_counter() - started


def run_load(
    name: str, base: str, token: str, *, seconds: float = SECONDS, clients: int = CLIENTS
) -> LoadResult:
    """Drive ``base`` with ``clients`` concurrent clients for ``seconds``.

    The clients' event loop runs on a thread of its own, so that a caller already inside
    a running loop (pytest after Playwright's sync API has started one) can call this.
    """
    result = LoadResult(name, clients)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _load(result, base, token, seconds)).result()
    return result


def load_on(name: str, url: str, *, seconds: float, clients: int) -> LoadResult:
    """Serve ``url`` and load it (a short warm-up first, not counted)."""
    with served(url) as (base, token):
        run_load(name, base, token, seconds=min(2.0, seconds), clients=clients)
        return run_load(name, base, token, seconds=seconds, clients=clients)


def main(seconds: float = SECONDS, clients: int = CLIENTS) -> None:
    results = []
    with sqlite_database() as url:
        results.append(load_on("SQLite", url, seconds=seconds, clients=clients))
        print(f"   {results[-1].line()}", flush=True)
    try:
        with postgres_database() as url:
            results.append(load_on("PostgreSQL", url, seconds=seconds, clients=clients))
            print(f"   {results[-1].line()}", flush=True)
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
    main(*(float(a) for a in sys.argv[1:2]), *(int(a) for a in sys.argv[2:3]))
