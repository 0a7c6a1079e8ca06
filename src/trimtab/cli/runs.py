"""``trimtab runs``: the rebalance history."""

from __future__ import annotations

import typer
from rich.table import Table

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import acting_user, open_context, print_json, user_option
from trimtab.cli.render import render_result
from trimtab.services import runs as run_history
from trimtab.services.contract import RunDetail
from trimtab.store.types import MAX_ID

#: ``YYYY-MM-DD``: the time wraps under the date, the date is never cut.
DATE_WIDTH = 10


@app.command()
def runs(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(20, "--limit", min=1, max=200, help="How many runs, newest first."),
    run_id: int | None = typer.Option(
        None, "--id", min=1, max=MAX_ID, help="Show one run with its orders."
    ),
    user: str | None = user_option(),
) -> None:
    """List past checks and rebalances, or show one with --id."""
    with exit_on_error():
        ctx = open_context()
        user_id = acting_user(ctx, user).id
        if run_id is not None:
            detail = run_history.get_run(ctx, user_id, run_id)
        else:
            page = run_history.list_runs(ctx, user_id, limit=limit)
    if run_id is not None:
        if as_json:
            print_json(detail)
        else:
            _show_run(detail)
        return
    if as_json:
        print_json(page)
        return
    table = Table(title=f"Runs ({page.total} in all)", title_justify="left", header_style="bold")
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
