"""``trimtab allocations set|show|enable|disable|remove``: the user's targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import View, user_option
from trimtab.cli.render import titled_table
from trimtab.domain.targets import Target
from trimtab.errors import InvalidTargets
from trimtab.services import allocations
from trimtab.services.allocations import AllocationList, make_target

if TYPE_CHECKING:
    from trimtab.services.context import AppContext

allocations_app = typer.Typer(help="Target allocations.", no_args_is_help=True)
app.add_typer(allocations_app, name="allocations")


def parse_pairs(pairs: list[str]) -> list[Target]:
    """``SPY=40`` into targets; ``SPY=40:3`` adds a 3 pp band, ``SPY=40:3:25`` also a band of
    25 % of the target (whichever is passed first acts), ``SPY=40::25`` the relative one only."""
    targets = []
    for pair in pairs:
        symbol, sep, value = pair.partition("=")
        if not sep:
            raise InvalidTargets(f"{pair!r}: expected SYMBOL=PERCENT", field="target_percent")
        percent, _, bands = value.partition(":")
        band, _, relative = bands.partition(":")
        targets.append(make_target(symbol.strip(), percent, True, band or None, relative or None))
    return targets


def show_set(result: AllocationList) -> None:
    numbers = ("Target %", "Band (pp)", "Band (% of target)")
    table = titled_table("Target allocations", ("Symbol", *numbers, "Enabled"), numbers)
    for item in result.allocations:
        table.add_row(
            item.symbol,
            f"{item.target_percent:.2f}",
            f"{item.band_percent:.2f}" if item.band_percent is not None else "default",
            f"{item.band_relative_percent:.2f}"
            if item.band_relative_percent is not None
            else ("—" if item.band_percent is not None else "default"),
            "yes" if item.enabled else "no",
            style=None if item.enabled else "dim",
        )
    console.print(table)
    style = "green" if result.total_percent == 100 else "yellow"
    console.print(f"Enabled total: [{style}]{result.total_percent:.2f} %[/{style}]")


ALLOCATIONS = View(show_set)


@allocations_app.command("set")
def set_allocations(
    pairs: list[str] = typer.Argument(
        ...,
        help="SYMBOL=PERCENT[:BAND_PP[:BAND_PCT_OF_TARGET]] ... (replaces the set).",
    ),
    user: str | None = user_option(),
) -> None:
    """Replace the whole target set at once, e.g. SPY=40 QQQ=30 TLT=20 GLD=10."""
    with exit_on_error():
        targets = parse_pairs(pairs)
    ALLOCATIONS.show(allocations.replace_allocations, user, False, targets)


ALLOCATIONS.show_command(
    allocations_app, allocations.list_allocations, help="Show the targets and their enabled total."
)


def _enable(ctx: AppContext, user_id: int, symbol: str, enabled: bool) -> AllocationList:
    allocations.set_allocation_enabled(ctx, user_id, symbol, enabled)
    return allocations.list_allocations(ctx, user_id)


def _remove(ctx: AppContext, user_id: int, symbol: str) -> AllocationList:
    allocations.delete_allocation(ctx, user_id, symbol)
    return allocations.list_allocations(ctx, user_id)


@allocations_app.command("enable")
def enable(symbol: str, user: str | None = user_option()) -> None:
    """Include a symbol's target in runs again."""
    ALLOCATIONS.show(_enable, user, False, symbol, True)


@allocations_app.command("disable")
def disable(symbol: str, user: str | None = user_option()) -> None:
    """Keep a symbol's target but leave it out of runs."""
    ALLOCATIONS.show(_enable, user, False, symbol, False)


@allocations_app.command("remove")
def remove(symbol: str, user: str | None = user_option()) -> None:
    """Delete a symbol's target."""
    ALLOCATIONS.show(_remove, user, False, symbol)
