"""The root ``trimtab`` Typer app; each verb's module registers its command on it.

A command's module is imported only when that command runs (``COMMANDS`` names the
module of each verb), so ``trimtab plan`` never loads SQLAlchemy, FastAPI or numpy and
``trimtab --help`` loads no command at all. bench/cli_startup.py measures it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from difflib import get_close_matches
from typing import Any, NamedTuple, cast

import typer
import typer.core
import typer.main
from rich.console import Console
from typer._click.exceptions import UsageError

from trimtab import __version__
from trimtab.cli.coercion import quick_coercion
from trimtab.domain.money import NumberRange, to_decimal
from trimtab.errors import TrimtabError


class Verb(NamedTuple):
    """A top-level command: the module that registers it, and its one-line help for the
    command list (tests/cli/test_startup.py checks it against the module's own)."""

    module: str
    help: str


#: In the order ``trimtab --help`` lists them: single commands, then command groups.
COMMANDS: dict[str, Verb] = {
    "backtest": Verb(
        "backtest", "Replay rebalancing policies on price history: trades, costs, drift and return."
    ),
    "check": Verb("check", "Check drift against the targets and place the orders that correct it."),
    "plan": Verb(
        "plan", "Plan the trades that bring a snapshot back to its targets. Places no orders."
    ),
    "runs": Verb("runs", "List past checks and rebalances, or show one with --id."),
    "serve": Verb(
        "serve", "Serve the API and the page (the database must be migrated: `trimtab db upgrade`)."
    ),
    "sim": Verb(
        "sim",
        "Serve Alpaca's trading and data API (v2) from an in-memory exchange, for tests and demos.",
    ),
    "trade": Verb("trade", "Place a market order."),
    "worker": Verb(
        "worker",
        "Run scheduled checks and background live runs (PostgreSQL; start as many as you like).",
    ),
    "allocations": Verb("allocations", "Target allocations."),
    "broker": Verb("broker", "Your broker: connect your own Alpaca account, show it, disconnect."),
    "db": Verb("db", "Create or migrate the database."),
    "notify": Verb("notify", "Notifications by email and signed webhook (docs/notifications.md)."),
    "settings": Verb("settings", "Rebalancing policy: bands, scope, cash, whole shares, tax lots."),
    "risk": Verb("risk", "Risk switches (system-wide and per user)."),
    "schedule": Verb("schedule", "Scheduled checks (exchange time, trading days only)."),
    "users": Verb("users", "Manage accounts."),
    "tokens": Verb("users", "Manage personal API tokens."),
}


def _clean_flags(command: Any) -> None:
    """Show an on/off flag as just its name: no ``<bool>`` value column in help."""
    for param in command.params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _clean_flags(sub)


class LazyCommands(typer.core.TyperGroup):
    """The root group: imports a verb's module the first time the verb is looked up.

    While the help lists the verbs, each is a placeholder holding its ``COMMANDS`` help,
    so listing them imports nothing."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        verb = COMMANDS.get(cmd_name)
        if verb is not None and cmd_name not in self.commands:
            if self.listing:
                return typer.core.TyperCommand(name=cmd_name, help=verb.help)
            importlib.import_module(f"trimtab.cli.{verb.module}")
            # The module registered its command on ``app``: build the click commands anew.
            built = cast(typer.core.TyperGroup, typer.main.get_command(app))
            for name, loaded in built.commands.items():
                self.commands.setdefault(name, loaded)
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _clean_flags(command)
            quick_coercion(command, ctx)
        return command

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        quick_coercion(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as err:
            # Typer suggests from the commands loaded so far: none, here.
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in err.message:
                suggestions = ", ".join(repr(m) for m in matches)
                err.message = f"{err.message.rstrip('.')}. Did you mean {suggestions}?"
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="trimtab",
    help="Keep a brokerage portfolio on its target allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyCommands,
)
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"trimtab {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        metavar="",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Keep a brokerage portfolio on its target allocation: dry run first, then rebalance."""
    # The command's module is imported by now (click resolves the command before this
    # callback runs). Commands that never load structlog (plan) have nothing to configure.
    if "structlog" in sys.modules:
        from trimtab.config import Settings
        from trimtab.monitoring.logs import configure_logging

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
