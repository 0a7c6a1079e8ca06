"""Requests/s and p50/p95 latency of allocation reads and dry-run checks over loopback.

Starts ``trimtab serve`` as its own process on a fresh SQLite database with the demo
user, then drives it with a concurrent asyncio load generator (bounded in requests
and time) using a Bearer token.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from trimtab.config import Settings
from trimtab.services import users
from trimtab.services.context import build_context
from trimtab.services.demo import seed_demo_user
from trimtab.store.db import upgrade

CONCURRENCY = 8
REQUESTS = 400
TIME_LIMIT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str) -> str:
    """Migrate, seed the demo user and return an API token for it."""
    upgrade(url)
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
    seed = seed_demo_user(ctx)
    token, _ = users.create_token(ctx, seed.user.id, "bench")
    ctx.engine.dispose()
    return token


async def drive(base: str, token: str, method: str, path: str, body: object) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    remaining = REQUESTS
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                started = time.perf_counter()
                response = await client.request(method, path, json=body)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        latencies.append(-(time.perf_counter() - started))  # total wall time, marked negative
    return latencies


def report(name: str, samples: list[float]) -> None:
    wall = -samples.pop()
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"   {name}: {len(ms)} requests, {len(ms) / wall:.0f} req/s, "
        f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms (concurrency {CONCURRENCY})"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        token = prepare(url)
        port = free_port()
        env = {**os.environ, "TRIMTAB_DATABASE_URL": url, "TRIMTAB_SECRET_KEY": "bench"}
        server = subprocess.Popen(
            [sys.executable, "-m", "trimtab.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("trimtab serve did not start")
                time.sleep(0.1)
            report(
                "GET /api/allocations",
                asyncio.run(drive(base, token, "GET", "/api/allocations", None)),
            )
            report(
                "POST /api/rebalance/check (dry run)",
                asyncio.run(drive(base, token, "POST", "/api/rebalance/check", {"dry_run": True})),
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
