"""Rich rendering of a rebalance result (``services.contract.PlanResult``) for the terminal."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from trimtab.cli.app import console as stdout
from trimtab.cli.common import View
from trimtab.domain.money import cents

if TYPE_CHECKING:
    from decimal import Decimal

    from trimtab.services.contract import PlanResult

ACTION_STYLE = {"sell": "bold red", "buy": "bold green", "none": "dim"}
ACTION_LABEL = {"sell": "▼ sell", "buy": "▲ buy", "none": "✓ within band"}
HELD_LABEL = "■ held"


def money(value: Decimal) -> str:
    """``$1,234.50`` (``$-6.00`` when negative), rounded half-up to the cent."""
    return f"${cents(value):,.2f}"


def quantity(value: Decimal) -> str:
    """A share quantity to the broker's 9 decimals, without trailing zeros."""
    return f"{value:,.9f}".rstrip("0").rstrip(".")


def titled_table(title: str, columns: Sequence[str] = (), right: Collection[str] = ()) -> Table:
    """A table with ``title`` on the left, bold headers, and ``columns`` (those in ``right``
    right-aligned)."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    return table


def drift_table(result: PlanResult) -> Table:
    """Symbol, target %, actual %, signed drift and action, coloured by action."""
    percents = ("Target %", "Actual %", "Drift (pp)")
    table = titled_table("Drift analysis", ("Symbol", *percents, "Action", "Why"), percents)
    details = {d.symbol: d for d in result.drift_details}
    for row in result.drift_analysis:
        style = ACTION_STYLE[row.action]
        detail = details.get(row.symbol)
        # A short or an option is held and never rebalanced, whatever its drift.
        held = detail is not None and detail.hold_reason is not None
        why = (detail.reason_message or detail.note or "") if detail is not None else ""
        table.add_row(
            row.symbol,
            f"{row.target_percent:.2f}",
            f"{row.actual_percent:.2f}",
            f"{row.drift_percent:+.2f}",
            HELD_LABEL if held else ACTION_LABEL[row.action],
            why,
            style=style if row.needs_rebalance else None,
        )
    return table


def planned_table(result: PlanResult) -> Table:
    numbers = ("Qty", "Price", "Amount")
    table = titled_table("Planned trades", ("Symbol", "Side", *numbers), numbers)
    for trade in result.trades_planned:
        table.add_row(
            trade.symbol,
            trade.side,
            quantity(trade.qty),
            money(trade.price),
            money(trade.notional),
            style=ACTION_STYLE[trade.side],
        )
    return table


def executed_table(result: PlanResult) -> Table:
    columns = ("Symbol", "Side", "Qty", "Order id", "Status")
    table = titled_table("Trades executed", columns, right={"Qty"})
    for trade in result.trades_executed:
        table.add_row(
            trade.symbol,
            trade.side,
            quantity(trade.qty),
            trade.order_id or "—",
            trade.status,
            style=ACTION_STYLE.get(trade.side),
        )
    return table


def render_result(result: PlanResult, console: Console) -> None:
    """Print the portfolio value, drift table, trades and skips, then the message."""
    console.print(f"Portfolio value: [bold]{money(result.portfolio_value)}[/bold]")
    if result.drift_analysis:
        console.print(drift_table(result))
    if result.trades_planned:
        console.print(planned_table(result))
    if result.trades_executed:
        console.print(executed_table(result))
    for skip in result.skipped:
        console.print(f"[yellow]skipped[/yellow] {skip.symbol}: {skip.message}")
    deposit = result.curing_deposit
    if deposit:
        console.print(f"A deposit of {money(deposit)} would reach every target without selling.")
    gains = result.realised_gains
    if any(gains.values()):
        console.print(
            "Estimated realised gains: "
            + ", ".join(f"{term.replace('_', ' ')} {money(v)}" for term, v in gains.items())
        )
    style = "bold green" if result.trades_executed else "bold"
    console.print(f"[{style}]{result.message}[/{style}]")


#: A rebalance result as ``plan`` and ``check`` print it; with ``--json``, the contract.
RESULT: View[PlanResult] = View(lambda result: render_result(result, stdout))
