"""``trimtab schedule show|set``: when trimtab checks the portfolio by itself."""

from __future__ import annotations

from datetime import datetime

import typer

from trimtab.cli.app import app, console
from trimtab.cli.common import View, json_option, user_option
from trimtab.domain.schedule import EXCHANGE_TZ
from trimtab.services import schedules
from trimtab.services.schedules import ScheduleView, schedule_settings

schedule_app = typer.Typer(
    help="Scheduled checks (exchange time, trading days only).", no_args_is_help=True
)
app.add_typer(schedule_app, name="schedule")


def _render(view: ScheduleView) -> None:
    shown = schedule_settings(view)
    when = {
        "off": "off",
        "daily": f"every trading day at {shown.time_of_day}",
        "weekly": f"every {shown.weekday} at {shown.time_of_day}",
        "monthly": f"on day {shown.day_of_month} of each month at {shown.time_of_day}",
        "cron": f"cron {shown.cron!r}",
    }[shown.frequency]
    console.print(f"Schedule: [bold]{when}[/bold] ({shown.timezone} time)")
    if shown.frequency != "off":
        mode = "rebalance" if shown.mode == "rebalance" else "dry run and notify"
        console.print(f"Mode: {mode}; cooldown after a live run: {shown.cooldown_minutes} min")
        console.print(f"Next run: {_local(view.next_run_at)}")
    if view.last_due_at is not None:
        run = f" (run {view.last_run_id})" if view.last_run_id else ""
        console.print(f"Last: {_local(view.last_due_at)} — {view.last_outcome}{run}")


def _local(value: datetime | None) -> str:
    if value is None:
        return "none within the next 400 days"
    return value.astimezone(EXCHANGE_TZ).strftime("%a %Y-%m-%d %H:%M %Z")


SCHEDULE = View(_render, to_json=schedule_settings)
SCHEDULE.show_command(
    schedule_app, schedules.get_schedule, help="Show the schedule and its next run."
)


@schedule_app.command("set")
def set_schedule(
    frequency: str | None = typer.Argument(
        None, help="off, daily, weekly, monthly or cron (omit to keep the current one)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="Time of day, HH:MM New York time, before the 16:00 close."
    ),
    weekday: str | None = typer.Option(None, "--weekday", help="For weekly: monday..friday."),
    day: int | None = typer.Option(None, "--day", help="For monthly: day of the month, 1-31."),
    cron: str | None = typer.Option(
        None, "--cron", help="For cron: five fields, New York time, e.g. '30 10 * * 1-5'."
    ),
    cooldown: int | None = typer.Option(
        None, "--cooldown", help="Minutes after a live run before a scheduled one (0-10080)."
    ),
    mode: str | None = typer.Option(
        None, "--mode", help="rebalance (place orders) or dry_run (plan and notify)."
    ),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """Change the schedule; options not given keep their value."""
    changes = {
        "frequency": frequency,
        "time_of_day": at,
        "weekday": weekday,
        "day_of_month": day,
        "cron": cron,
        "cooldown_minutes": cooldown,
        "mode": mode,
    }
    SCHEDULE.show(
        lambda ctx, user_id: schedules.set_schedule(ctx, user_id, **changes), user, as_json
    )
