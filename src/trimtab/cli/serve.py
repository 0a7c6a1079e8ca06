"""``trimtab serve``: the HTTP API and the page."""

from __future__ import annotations

import typer
import uvicorn

from trimtab.api.app import create_app
from trimtab.bootstrap import build_context
from trimtab.cli.app import app, console, exit_on_error
from trimtab.config import get_settings
from trimtab.monitoring.logs import configure_logging
from trimtab.services.background import InProcessRuns, make_launcher
from trimtab.services.demo import seed_demo_user
from trimtab.services.notify_delivery import SWEEP_SECONDS


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    demo: bool = typer.Option(
        False, "--demo", help="Create the demo user (once) and print how to sign in."
    ),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="Log a line per HTTP request (uvicorn's access log; /metrics counts them anyway).",
    ),
) -> None:
    """Serve the API and the page (the database must be migrated: `trimtab db upgrade`)."""
    settings = get_settings()
    configure_logging(settings.log_level or "info")
    with exit_on_error():
        ctx = build_context(settings)
        # Retries of notifications, and ones a finished CLI command or a dead process left.
        ctx.notifier.sweep_every(ctx, SWEEP_SECONDS)
        if demo:
            seed = seed_demo_user(ctx)
            console.print(
                f"Demo sign-in: [bold]{seed.user.email}[/bold] / [bold]{seed.password}[/bold]"
                + ("" if seed.created else " (existing demo user, password unchanged)")
            )
        launcher = make_launcher(ctx)
    console.print(
        f"trimtab serving on [bold]http://{host}:{port}[/bold] ({settings.broker} broker)"
    )
    if isinstance(launcher, InProcessRuns):
        # No `trimtab worker` runs: this process sweeps the schedules itself.
        launcher.start_schedule(settings.sweep_seconds)
        console.print(f"Schedules checked in this process every {settings.sweep_seconds:g} s")
    try:
        # Proxy headers are the app's to trust (TRIMTAB_TRUSTED_PROXIES), never uvicorn's
        # default of believing any loopback client. "auto" takes uvloop and httptools
        # (installed with trimtab; a fraction of the CPU per request of asyncio's own
        # loop and h11) and falls back to those where they are not.
        uvicorn.run(
            create_app(ctx, launcher=launcher),
            host=host,
            port=port,
            loop="auto",
            http="auto",
            log_level="info",
            access_log=access_log,
            proxy_headers=False,
        )
    finally:
        launcher.close()
