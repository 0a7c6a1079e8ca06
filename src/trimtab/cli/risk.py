"""``trimtab risk show|set``: the switches that stop every order."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console
from trimtab.cli.common import View, user_option
from trimtab.services import risk
from trimtab.services.risk import RiskView

risk_app = typer.Typer(help="Risk switches (system-wide and per user).", no_args_is_help=True)
app.add_typer(risk_app, name="risk")


def _render(view: RiskView) -> None:
    for name, row in (("system", view.system), ("user", view.user)):
        status = row.status
        console.print(
            f"{name:>6}: trading {'on' if status.trading_enabled else '[red]off[/red]'}, "
            f"drawdown recovery {'[red]on[/red]' if status.drawdown_recovery else 'off'}, "
            f"kill switch {'[red]on[/red]' if status.kill_switch else 'off'}"
            + (f" — {status.reason}" if status.reason else "")
        )
    if view.blocked_reason:
        console.print(f"[bold red]Orders are blocked:[/bold red] {view.blocked_reason}")
    else:
        console.print("[green]Orders may be placed.[/green]")


RISK = View(_render)
RISK.show_command(
    risk_app,
    risk.get_risk,
    help="Show the system row, the user's row and whether orders are blocked.",
)


@risk_app.command("set")
def set_risk(
    trading: bool | None = typer.Option(
        None, "--trading/--no-trading", help="Allow or stop trading."
    ),
    drawdown: bool | None = typer.Option(
        None, "--drawdown-recovery/--no-drawdown-recovery", help="Drawdown recovery mode."
    ),
    kill_switch: bool | None = typer.Option(
        None, "--kill-switch/--no-kill-switch", help="Emergency stop."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (shown with the block)."),
    system: bool = typer.Option(False, "--system", help="Change the system row (admins)."),
    user: str | None = user_option(),
) -> None:
    """Flip switches on the user's row, or with --system on the system-wide row."""
    RISK.show(
        risk.set_system_risk if system else risk.set_user_risk,
        user,
        False,
        trading_enabled=trading,
        drawdown_recovery=drawdown,
        kill_switch=kill_switch,
        reason=reason,
    )
