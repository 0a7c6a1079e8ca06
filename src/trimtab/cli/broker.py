"""``trimtab broker connect|show|disconnect``: the user's own Alpaca account."""

from __future__ import annotations

from typing import Any

import typer

from trimtab.cli.app import app, console, err_console, exit_on_error
from trimtab.cli.common import (
    View,
    acting_user,
    json_option,
    open_context,
    print_json,
    user_option,
)
from trimtab.errors import InvalidInput, TrimtabError
from trimtab.services import broker_accounts
from trimtab.services.broker_accounts import AccountCheck, BrokerConnected, BrokerConnection
from trimtab.services.contract import to_json

broker_app = typer.Typer(
    help="Your broker: connect your own Alpaca account, show it, disconnect.",
    no_args_is_help=True,
)
app.add_typer(broker_app, name="broker")

SOURCE_TEXT = {
    "own": "your own Alpaca account",
    "server": "the server's Alpaca account (ALPACA_*), which is yours",
    "paper": "trimtab's paper broker (simulated fills, no real orders)",
}
LIVE_WARNING = "A live account trades real money: trimtab will place real orders on it."


def _live_confirmed(yes_live_money: bool) -> bool:
    """``--yes-live-money``, or a yes typed at the prompt; anything else exits 2."""
    if yes_live_money:
        return True
    err_console.print(f"[bold yellow]{LIVE_WARNING}[/bold yellow]")
    try:
        if typer.confirm("Connect this live account?", default=False):
            return True
    except typer.Abort:
        pass
    raise InvalidInput(
        "--yes-live-money: a live account needs explicit confirmation; nothing was saved",
        field="--yes-live-money",
    )


def _print_connection(connection: BrokerConnection) -> None:
    mode = "paper" if connection.paper else "[bold red]LIVE[/bold red]"
    console.print(f"Broker: {SOURCE_TEXT[str(connection.source)]} ({mode})")
    if connection.key_id:
        secret = "secret stored" if connection.secret_set else "no secret"
        console.print(f"  key id {connection.key_id}, {secret}")


def _print_account(check: AccountCheck) -> None:
    console.print(f"  account {check.account_id}: {check.status}")
    flags = {
        "trading_blocked": check.trading_blocked,
        "account_blocked": check.account_blocked,
        "pattern_day_trader": check.pattern_day_trader,
        "shorting_enabled": check.shorting_enabled,
    }
    console.print(
        "  " + ", ".join(f"{name} {'yes' if on else 'no'}" for name, on in flags.items()),
        soft_wrap=True,
    )


def _print_connected(answer: BrokerConnected) -> None:
    console.print("[green]Connected.[/green]")
    _print_connection(answer.connection)
    _print_account(answer.account)


CONNECTED = View(_print_connected)


@broker_app.command("connect")
def connect(
    key_id: str = typer.Option(..., "--key-id", help="The Alpaca API key id (PK… or AK…)."),
    secret: str | None = typer.Option(
        None,
        "--secret",
        envvar="TRIMTAB_BROKER_SECRET",
        help="The API secret; prompted for (hidden) when not given.",
    ),
    live: bool = typer.Option(
        False, "--live/--paper", help="A live (real money) account; paper is the default."
    ),
    yes_live_money: bool = typer.Option(
        False, "--yes-live-money", help="With --live: confirm without the prompt (scripts)."
    ),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """Test the keys against Alpaca and, if the account answers and is active, trade it.

    ALPACA_BASE_URL / ALPACA_DATA_URL still apply (e.g. to connect a `trimtab sim`
    account). Refused keys or an inactive account exit 2 and store nothing."""
    with exit_on_error():
        if secret is None:
            secret = typer.prompt("Alpaca secret", hide_input=True)
        confirm_live = live and _live_confirmed(yes_live_money)
    CONNECTED.show(
        broker_accounts.connect_alpaca,
        user,
        as_json,
        key_id,
        secret,
        paper=not live,
        confirm_live=confirm_live,
    )


@broker_app.command("show")
def show(
    test: bool = typer.Option(
        True, "--test/--no-test", help="Also read the account now (id, status, flags)."
    ),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """Whose account you trade, paper or live, and (with --test) how the account stands."""
    with exit_on_error():
        ctx = open_context()
        user_id = acting_user(ctx, user).id
        connection = broker_accounts.broker_connection(ctx, user_id)
    check: AccountCheck | None = None
    failure: TrimtabError | None = None
    if test:
        try:
            check = broker_accounts.probe_connection(ctx, user_id)
        except TrimtabError as err:
            failure = err
    if as_json:
        answer: dict[str, Any] = {"connection": to_json(connection)}
        if test:
            answer["account"] = to_json(check) if check else None
            answer["error"] = failure and {"code": failure.code, "message": failure.message}
        print_json(answer)
    else:
        _print_connection(connection)
        if check is not None:
            _print_account(check)
        if failure is not None:
            err_console.print(f"[bold red]not answering:[/bold red] {failure.message}")
    if failure is not None:
        raise typer.Exit(1)


def _print_disconnected(connection: BrokerConnection) -> None:
    console.print("Disconnected.")
    _print_connection(connection)


DISCONNECTED = View(
    _print_disconnected, to_json=lambda connection: {"connection": to_json(connection)}
)


@broker_app.command("disconnect")
def disconnect(as_json: bool = json_option(), user: str | None = user_option()) -> None:
    """Forget your own connection and its keys; you then trade what applies without one."""
    DISCONNECTED.show(broker_accounts.disconnect, user, as_json)
