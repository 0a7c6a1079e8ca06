"""``trimtab check``: measure drift and rebalance (or only plan, with ``--dry-run``)."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import acting_user, open_context, print_json, user_option
from trimtab.cli.render import render_result
from trimtab.services.rebalance import check_rebalance_drift


@app.command()
def check(
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan only; place no orders."),
    as_json: bool = typer.Option(False, "--json", help="Print the seed's JSON contract."),
    symbols: str | None = typer.Option(
        None, "--symbols", help="Trade only these (comma-separated); drift is reported for all."
    ),
    queue: bool = typer.Option(
        False, "--queue", help="When the market is closed, queue the orders for the open."
    ),
    user: str | None = user_option(),
) -> None:
    """Check drift against the targets and place the orders that correct it."""
    with exit_on_error():
        ctx = open_context()
        selected = [s.strip() for s in symbols.split(",")] if symbols is not None else None
        result = check_rebalance_drift(
            ctx,
            acting_user(ctx, user).id,
            dry_run=dry_run,
            symbols=selected,
            queue_if_closed=queue,
        )
    if as_json:
        print_json(result)
    else:
        render_result(result, console)
