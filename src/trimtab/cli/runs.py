"""``trimtab runs``: the rebalance history."""

from __future__ import annotations

import typer

from trimtab.cli.app import app, console
from trimtab.cli.common import View, json_option, user_option
from trimtab.cli.render import render_result, titled_table
from trimtab.services import runs as run_history
from trimtab.services.contract import RunDetail, RunList
from trimtab.store.types import MAX_ID

#: ``YYYY-MM-DD``: the time wraps under the date, the date is never cut.
DATE_WIDTH = 10


@app.command()
def runs(
    as_json: bool = json_option(),
    limit: int = typer.Option(20, "--limit", min=1, max=200, help="How many runs, newest first."),
    run_id: int | None = typer.Option(
        None, "--id", min=1, max=MAX_ID, help="Show one run with its orders."
    ),
    user: str | None = user_option(),
) -> None:
    """List past checks and rebalances, or show one with --id."""
    if run_id is not None:
        RUN.show(run_history.get_run, user, as_json, run_id)
    else:
        RUNS.show(run_history.list_runs, user, as_json, limit=limit)


def _show_runs(page: RunList) -> None:
    table = titled_table(f"Runs ({page.total} in all)")
    for column in ("Id", "When (UTC)", "Trigger", "Kind", "Status", "Value"):
        # The id, status and value are never cut (a date wraps at its space); the message
        # wraps in the width that is left.
        table.add_column(
            column,
            justify="right" if column in ("Id", "Value") else "left",
            no_wrap=column in ("Id", "Status", "Value"),
            min_width=DATE_WIDTH if column == "When (UTC)" else None,
        )
    table.add_column("Message", overflow="fold", ratio=1)
    for run in page.runs:
        table.add_row(
            str(run.id),
            run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.trigger,
            "dry run" if run.dry_run else "live",
            run.status,
            f"${run.portfolio_value:,.2f}",
            run.message,
        )
    console.print(table)


def _show_run(detail: RunDetail) -> None:
    console.print(f"Run {detail.id} — {detail.status} ({detail.created_at.isoformat()})")
    render_result(detail, console)


RUN = View(_show_run)
RUNS = View(_show_runs)
