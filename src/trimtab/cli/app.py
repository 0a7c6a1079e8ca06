"""The root ``trimtab`` Typer app; each verb's module registers its command on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import typer
from rich.console import Console

from trimtab import __version__
from trimtab.config import Settings
from trimtab.domain.money import NumberRange, to_decimal
from trimtab.errors import TrimtabError
from trimtab.monitoring.logs import configure_logging

app = typer.Typer(
    name="trimtab",
    help="Keep a brokerage portfolio on its target allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Keep a brokerage portfolio on its target allocation: dry run first, then rebalance."""
    if version:
        console.print(f"trimtab {__version__}")
        raise typer.Exit()
    configure_logging(Settings().log_level or "warning")


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn a ``TrimtabError`` into a one-line message on stderr and exit code 2."""
    try:
        yield
    except TrimtabError as err:
        err_console.print(
            f"[bold red]error:[/bold red] {err.message}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2) from None


def decimal_option(
    value: str | None,
    *,
    name: str,
    minimum: Decimal = Decimal(0),
    bounds: NumberRange | None = None,
) -> Decimal | None:
    """Parse a numeric option exactly (never through float), rejecting values below
    ``minimum`` or outside ``bounds`` (domain.money's ranges) with exit code 2."""
    if value is None:
        return None
    try:
        number = to_decimal(value, field=name)
        if bounds is not None:
            number = bounds.check(number, field=name)
    except ValueError as err:
        raise typer.BadParameter(str(err).removeprefix(f"{name}: "), param_hint=name) from None
    if number < minimum:
        raise typer.BadParameter(f"must be at least {minimum}, got {value}", param_hint=name)
    return number
