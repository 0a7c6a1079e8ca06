"""``trimtab sim``: serve the Alpaca-compatible simulator for AlpacaBroker to talk to."""

from __future__ import annotations

from datetime import timedelta

import typer

from trimtab.brokers.sim.server import serve
from trimtab.brokers.sim.simulator import DEMO_KEY_ID, DEMO_SECRET_KEY, demo_simulator
from trimtab.cli.app import app, console


@app.command()
def sim(
    port: int = typer.Option(8001, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    fill_delay: float = typer.Option(
        0.0, "--fill-delay", min=0.0, help="Seconds before a market order fills.", metavar="S"
    ),
    seed_demo: bool = typer.Option(
        True, "--seed-demo/--no-seed-demo", help="Open the demo account on the demo key pair."
    ),
) -> None:
    """Serve Alpaca's trading and data API (v2) from an in-memory exchange, for tests and demos."""
    simulator = demo_simulator(
        fill_delay=timedelta(seconds=fill_delay), with_demo_account=seed_demo
    )
    base_url = f"http://{host}:{port}"
    console.print(f"Alpaca simulator on {base_url} (trading and data; scripting under /_sim)")
    if seed_demo:
        console.print(
            f"TRIMTAB_BROKER=alpaca ALPACA_BASE_URL={base_url} ALPACA_DATA_URL={base_url} "
            f"ALPACA_KEY_ID={DEMO_KEY_ID} ALPACA_SECRET_KEY={DEMO_SECRET_KEY}",
            highlight=False,
            soft_wrap=True,
        )
    serve(simulator, host=host, port=port)
