"""What the commands that act on the database share: the context and the acting user."""

from __future__ import annotations

import atexit
import json
from typing import Any

import typer

from trimtab.config import Settings
from trimtab.services.context import AppContext, build_context
from trimtab.services.users import User, resolve_user

NOTIFY_EXIT_WAIT = 15.0
USER_OPTION_HELP = "Act for this user (default: the only user, if there is exactly one)."


def user_option() -> Any:
    return typer.Option(None, "--user", envvar="TRIMTAB_USER", help=USER_OPTION_HELP)


def open_context() -> AppContext:
    """A context on the configured database (read fresh, so tests can point it elsewhere).

    Notifications the command raises get their first attempt before the process exits
    (at most ``NOTIFY_EXIT_WAIT`` seconds); retries are left to a server or worker."""
    ctx = build_context(Settings())
    atexit.register(ctx.notifier.drain, NOTIFY_EXIT_WAIT)
    return ctx


def acting_user(ctx: AppContext, email: str | None) -> User:
    return resolve_user(ctx, email)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))
