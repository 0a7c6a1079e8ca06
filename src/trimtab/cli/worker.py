"""``trimtab worker``: take scheduled checks and live runs from the PostgreSQL queue."""

from __future__ import annotations

import logging
import os
import socket

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.config import get_settings
from trimtab.errors import TrimtabError
from trimtab.services.context import build_context
from trimtab.services.rebalance import resume_unfinished_runs


@app.command()
def worker(
    concurrency: int = typer.Option(
        4, min=1, max=64, help="Jobs run at once by this process (each in a thread)."
    ),
    name: str | None = typer.Option(None, help="Name in logs (default: host:pid)."),
) -> None:
    """Run scheduled checks and background live runs (PostgreSQL; start as many as you like).

    Every worker sweeps the schedules every TRIMTAB_SWEEP_SECONDS (one sweep per tick
    across all of them); each due account is checked once, under its run lock.
    """
    # procrastinate is imported only by the command that needs it.
    from trimtab.services.queue import QUEUE, queue_app, use_app, use_context

    settings = get_settings()
    with exit_on_error():
        ctx = build_context(settings)
        if ctx.engine.dialect.name != "postgresql":
            raise TrimtabError(
                "trimtab worker needs PostgreSQL (TRIMTAB_DATABASE_URL); on SQLite, "
                "`trimtab serve` runs the schedule itself",
                code="workers_need_postgresql",
            )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    use_context(ctx)
    # Runs a killed worker left behind are finished before new work is taken.
    resumed = resume_unfinished_runs(ctx)
    worker_name = name or f"{socket.gethostname()}:{os.getpid()}"
    console.print(
        f"trimtab worker {worker_name}: {len(resumed)} unfinished run(s) resumed; "
        f"sweeping every {settings.sweep_seconds:g} s"
    )
    queue = queue_app(settings.database_url, settings.sweep_seconds)
    use_app(queue)
    queue.run_worker(queues=[QUEUE], concurrency=concurrency, name=worker_name)
