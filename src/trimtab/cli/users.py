"""``trimtab users create`` and ``trimtab tokens create``."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import open_context
from trimtab.services import users, web_sessions
from trimtab.wording import counted

users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage personal API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


@users_app.command("create")
def create_user(
    email: str = typer.Argument(..., help="The new user's email (sign-in name)."),
    password: str | None = typer.Option(
        None, "--password", help="Prompted for (hidden) when not given."
    ),
    admin: bool = typer.Option(False, "--admin", help="May change the system risk status."),
) -> None:
    """Create a user with a paper account holding $100,000."""
    with exit_on_error():
        users.normalize_email(email)  # a bad address exits 2 before the password prompt
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with exit_on_error():
        user = users.create_user(open_context(), email, password, is_admin=admin)
    console.print(f"Created user {user.email} (id {user.id}{', admin' if user.is_admin else ''})")


@tokens_app.command("create")
def create_token(
    email: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", "--name", help="What the token is for."),
) -> None:
    """Create an API token and print it once (only its hash is kept)."""
    with exit_on_error():
        ctx = open_context()
        user = users.get_user_by_email(ctx, email)
        plain, info = users.create_token(ctx, user.id, name)
    console.print(f"Token {info.id} ({info.name}) for {user.email}; it is shown only now:")
    typer.echo(plain)


@users_app.command("sign-out")
def sign_out(email: str = typer.Argument(..., help="Whose page sessions to end.")) -> None:
    """Sign a user out everywhere: every signed-in page of theirs must sign in again.
    (API tokens stay; `trimtab tokens` lists them.)"""
    with exit_on_error():
        ctx = open_context()
        user = users.get_user_by_email(ctx, email)
        revoked = web_sessions.revoke_all_sessions(ctx, user.id).revoked
    console.print(f"Signed {user.email} out of {counted(revoked, 'session')}")
