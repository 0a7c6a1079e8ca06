"""``trimtab worker``: take scheduled checks and live runs from the PostgreSQL queue."""

from __future__ import annotations

import logging
import os
import socket

import typer

from trimtab.bootstrap import build_context
from trimtab.cli.app import app, console, exit_on_error
from trimtab.config import get_settings
from trimtab.errors import TrimtabError
from trimtab.monitoring.logs import configure_logging
from trimtab.services.notify_delivery import SWEEP_SECONDS


@app.command()
def worker(
    concurrency: int = typer.Option(
        4, min=1, max=64, help="Jobs run at once by this process (each in a thread)."
    ),
    name: str | None = typer.Option(None, help="Name in logs (default: host:pid)."),
    until_idle: bool = typer.Option(
        False, "--until-idle", help="Exit once the queue is empty (for cron jobs and tests)."
    ),
) -> None:
    """Run scheduled checks and background live runs (PostgreSQL; start as many as you like).

    At start it finishes runs a killed worker left behind and sweeps once.

    Then every worker sweeps every TRIMTAB_SWEEP_SECONDS (one sweep per tick across all).

    Each due account is checked once, under the same run lock as manual runs.
    """
    # procrastinate is imported only by the command that needs it.
    from trimtab.services.queue import run_worker

    settings = get_settings()
    with exit_on_error():
        # Each job holds a connection for its account's lock and uses another.
        ctx = build_context(settings, pool_size=2 * concurrency + 4)
        if ctx.store.dialect != "postgresql":
            raise TrimtabError(
                "trimtab worker needs PostgreSQL (TRIMTAB_DATABASE_URL); on SQLite, "
                "`trimtab serve` runs the schedule itself",
                code="workers_need_postgresql",
            )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    configure_logging(settings.log_level or "info")
    # Notification retries, and deliveries a finished or killed process left behind.
    ctx.notifier.sweep_every(ctx, SWEEP_SECONDS)
    worker_name = name or f"{socket.gethostname()}:{os.getpid()}"
    console.print(f"trimtab worker {worker_name}: sweeping every {settings.sweep_seconds:g} s")
    run_worker(ctx, concurrency=concurrency, name=worker_name, wait=not until_idle)
