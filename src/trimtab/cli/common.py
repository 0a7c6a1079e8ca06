"""What the commands that act on the database share: the context, the acting user, and
how a value is shown (``View``)."""

from __future__ import annotations

import atexit
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

import typer

from trimtab.cli.app import exit_on_error

# The database side is imported when a command opens it, not when a module names these.
if TYPE_CHECKING:
    from trimtab.services.context import AppContext
    from trimtab.services.users import User

T = TypeVar("T")
P = ParamSpec("P")

NOTIFY_EXIT_WAIT = 15.0
USER_OPTION_HELP = "Act for this user (default: the only user, if there is exactly one)."


def user_option() -> Any:
    return typer.Option(None, "--user", envvar="TRIMTAB_USER", help=USER_OPTION_HELP)


def json_option(help: str = "Print JSON.") -> Any:
    return typer.Option(False, "--json", help=help)


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


def for_user(
    service: Callable[Concatenate[AppContext, int, P], T],
    user: str | None,
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``service(ctx, user_id, *args, **kwargs)`` on a fresh context, for the acting user.

    A ``TrimtabError`` (no such user, a refused value) exits 2 with its message."""
    with exit_on_error():
        ctx = open_context()
        return service(ctx, acting_user(ctx, user).id, *args, **kwargs)


def _as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class View(Generic[T]):
    """How a command prints one kind of value: lines for a person, or JSON with ``--json``
    (``to_json`` of the value; by default the value itself, a ``services.contract`` result)."""

    render: Callable[[T], None]
    to_json: Callable[[T], Any] = _as_is

    def print(self, value: T, as_json: bool) -> None:
        if as_json:
            print_json(self.to_json(value))
        else:
            self.render(value)

    def show(
        self,
        service: Callable[Concatenate[AppContext, int, P], T],
        user: str | None,
        as_json: bool,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """A command's answer: ``service(ctx, user_id, *args, **kwargs)`` for the acting
        user (``for_user``), then printed."""
        self.print(for_user(service, user, *args, **kwargs), as_json)

    def show_command(
        self, group: typer.Typer, read: Callable[[AppContext, int], T], help: str
    ) -> None:
        """Add ``group``'s ``show`` command: ``read`` for the acting user, then printed."""

        @group.command("show", help=help)
        def show(as_json: bool = json_option(), user: str | None = user_option()) -> None:
            self.show(read, user, as_json)
