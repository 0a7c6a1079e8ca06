"""``trimtab plan``: plan from snapshot files, not a broker (what-ifs, other brokers)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import typer

from trimtab.cli.app import app, console, decimal_option, exit_on_error
from trimtab.cli.render import render_result
from trimtab.domain.policy import Policy
from trimtab.services.planning import plan_snapshot
from trimtab.snapshots import check_prices_for, load_portfolio, load_targets


@app.command()
def plan(
    portfolio: Path = typer.Option(
        ..., "--portfolio", "-p", help="Portfolio snapshot: JSON (cash, positions, prices) or CSV."
    ),
    targets: Path = typer.Option(
        ..., "--targets", "-t", help='Targets JSON: {"SPY": 40, ...} or a list of targets.'
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the seed's JSON contract."),
    threshold: str | None = typer.Option(
        None, "--threshold", help="Drift band in percentage points (default 5).", metavar="PP"
    ),
    min_trade: str | None = typer.Option(
        None, "--min-trade", help="Skip trades under this many dollars (default 10).", metavar="USD"
    ),
    cash_buffer: str | None = typer.Option(
        None,
        "--cash-buffer",
        help="Percent of portfolio value kept as cash when sizing buys (default 0.25).",
        metavar="PCT",
    ),
) -> None:
    """Plan the trades that bring a snapshot back to its targets. Places no orders."""
    policy = Policy()
    overrides = {
        "threshold_percent": decimal_option(threshold, name="--threshold", minimum=Decimal(0)),
        "min_trade": decimal_option(min_trade, name="--min-trade"),
        "cash_buffer_percent": decimal_option(cash_buffer, name="--cash-buffer"),
    }
    policy = replace(policy, **{k: v for k, v in overrides.items() if v is not None})
    with exit_on_error():
        target_set = load_targets(targets, tolerance=policy.sum_tolerance)
        snapshot = load_portfolio(portfolio)
        check_prices_for(target_set, snapshot, portfolio)
        result = plan_snapshot(target_set, snapshot, policy)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        render_result(result, console)
