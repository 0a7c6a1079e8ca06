"""``trimtab allocations set|show|enable|disable|remove``: the user's targets."""

from __future__ import annotations

import typer
from rich.table import Table

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import acting_user, open_context, print_json, user_option
from trimtab.domain.targets import Target
from trimtab.errors import InvalidTargets
from trimtab.services import allocations
from trimtab.services.allocations import AllocationList, make_target

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
    table = Table(title="Target allocations", title_justify="left", header_style="bold")
    for column in ("Symbol", "Target %", "Band (pp)", "Band (% of target)", "Enabled"):
        table.add_column(column, justify="right" if "%" in column or "pp" in column else "left")
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
        ctx = open_context()
        result = allocations.replace_allocations(ctx, acting_user(ctx, user).id, targets)
    show_set(result)


@allocations_app.command("show")
def show_allocations(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    user: str | None = user_option(),
) -> None:
    """Show the targets and their enabled total."""
    with exit_on_error():
        ctx = open_context()
        result = allocations.list_allocations(ctx, acting_user(ctx, user).id)
    if as_json:
        print_json(result)
    else:
        show_set(result)


def _toggle(symbol: str, enabled: bool, user: str | None) -> None:
    with exit_on_error():
        ctx = open_context()
        allocations.set_allocation_enabled(ctx, acting_user(ctx, user).id, symbol, enabled)
        result = allocations.list_allocations(ctx, acting_user(ctx, user).id)
    show_set(result)


@allocations_app.command("enable")
def enable(symbol: str, user: str | None = user_option()) -> None:
    """Include a symbol's target in runs again."""
    _toggle(symbol, True, user)


@allocations_app.command("disable")
def disable(symbol: str, user: str | None = user_option()) -> None:
    """Keep a symbol's target but leave it out of runs."""
    _toggle(symbol, False, user)


@allocations_app.command("remove")
def remove(symbol: str, user: str | None = user_option()) -> None:
    """Delete a symbol's target."""
    with exit_on_error():
        ctx = open_context()
        user_id = acting_user(ctx, user).id
        allocations.delete_allocation(ctx, user_id, symbol)
        result = allocations.list_allocations(ctx, user_id)
    show_set(result)
