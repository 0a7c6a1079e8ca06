"""``trimtab trade SYMBOL buy|sell QTY``: one market order, behind the risk gate."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console
from trimtab.cli.common import View, json_option, user_option
from trimtab.services.contract import TradeResult
from trimtab.services.trades import execute_trade


def _print_order(order: TradeResult) -> None:
    qty = f"{order.qty.normalize():f}"
    console.print(f"{order.side} {qty} {order.symbol}: {order.status} (order {order.order_id})")


ORDER = View(_print_order)


@app.command()
def trade(
    symbol: str = typer.Argument(..., help="Ticker, e.g. SPY."),
    side: str = typer.Argument(..., help="buy or sell."),
    qty: str = typer.Argument(..., help="Shares; fractional where the asset allows."),
    time_in_force: str = typer.Option("day", "--tif", help="Time in force (day, gtc, ...)."),
    as_json: bool = json_option("Print the order as JSON."),
    idempotency_key: str | None = typer.Option(
        None, "--key", help="Run the command again with the same key: no second order."
    ),
    user: str | None = user_option(),
) -> None:
    """Place a market order."""
    ORDER.show(
        execute_trade,
        user,
        as_json,
        symbol,
        side,
        qty,
        time_in_force=time_in_force,
        idempotency_key=idempotency_key,
    )
