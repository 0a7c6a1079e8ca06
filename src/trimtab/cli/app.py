"""The root ``trimtab`` Typer app; each verb's module registers its command on it."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="trimtab",
    help="Keep a brokerage portfolio on its target allocation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)
