"""What the commands that act on the database share: the context, the acting user, and
how a value is shown (``View``)."""

from __future__ import annotations

import atexit
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import typer

from trimtab.cli.app import exit_on_error

# The database side is imported when a command opens it, not when a module names these.
if TYPE_CHECKING:
    from trimtab.services.context import AppContext
    from trimtab.services.users import User

T = TypeVar("T")

NOTIFY_EXIT_WAIT = 15.0
USER_OPTION_HELP = "Act for this user (default: the only user, if there is exactly one)."


def user_option() -> Any:
    return typer.Option(None, "--user", envvar="TRIMTAB_USER", help=USER_OPTION_HELP)


def open_context() -> AppContext:
    """A context on the configured database (read fresh, so tests can point it elsewhere).

    Notifications the command raises get their first attempt before the process exits
    (at most ``NOTIFY_EXIT_WAIT`` seconds); retries are left to a server or worker."""
    from trimtab.bootstrap import build_context
    from trimtab.config import Settings

    ctx = build_context(Settings())
    atexit.register(ctx.notifier.drain, NOTIFY_EXIT_WAIT)
    return ctx


def acting_user(ctx: AppContext, email: str | None) -> User:
    from trimtab.services.users import resolve_user

    return resolve_user(ctx, email)


def print_json(value: Any) -> None:
    """A service's result (``services.contract``) as the API answers it, or plain JSON data."""
    from trimtab.services.contract import to_json

    typer.echo(json.dumps(to_json(value), indent=2, default=str))


@dataclass(frozen=True)
class View(Generic[T]):
    """How a command prints one kind of value: JSON with ``--json``, else lines for a person."""

    to_json: Callable[[T], Any]
    render: Callable[[T], None]

    def print(self, value: T, as_json: bool) -> None:
        if as_json:
            print_json(self.to_json(value))
        else:
            self.render(value)

    def show(self, read: Callable[[AppContext, int], T], user: str | None, as_json: bool) -> None:
        """A ``show`` command: ``read(ctx, user_id)`` for the acting user, then print it.

        A ``TrimtabError`` (no such user, say) exits 2 with its message."""
        with exit_on_error():
            ctx = open_context()
            value = read(ctx, acting_user(ctx, user).id)
        self.print(value, as_json)
