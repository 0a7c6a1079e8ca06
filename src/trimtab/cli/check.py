"""``trimtab check``: measure drift and rebalance (or only plan, with ``--dry-run``)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.status import Status

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import acting_user, json_option, open_context, print_json, user_option
from trimtab.cli.render import RESULT, render_result
from trimtab.services.events import EventPublisher
from trimtab.services.rebalance import check_rebalance_drift
from trimtab.services.run_records import RunStatus

if TYPE_CHECKING:
    from trimtab.services.context import AppContext

#: Run statuses after which ``trimtab check`` exits 1: it ran but could not act.
COULD_NOT_ACT = frozenset({RunStatus.REFUSED, RunStatus.BLOCKED_BY_RISK, RunStatus.FAILED})


class OrderProgress:
    """Publishes as before and also shows each order's status as the run moves it on."""

    def __init__(self, inner: EventPublisher, status: Status, out: Console) -> None:
        self.inner = inner
        self.status = status
        self.out = out

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        self.inner.publish(user_id, kind, data)
        if kind == "order_updated":
            line = f"{data['side']} {data['symbol']} {data['qty']}: {data['status']}"
            self.out.print(f"  {line}", highlight=False)
            self.status.update(f"Following the orders… ({line})")


@app.command()
def check(
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan only; place no orders."),
    as_json: bool = json_option("Print the classic JSON contract."),
    symbols: str | None = typer.Option(
        None, "--symbols", help="Trade only these (comma-separated); drift is reported for all."
    ),
    queue: bool = typer.Option(
        False, "--queue", help="When the market is closed, queue the orders for the open."
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Start the live run in the background, print its id, return."
    ),
    user: str | None = user_option(),
) -> None:
    """Check drift against the targets and place the orders that correct it.

    A live check waits for its orders (bounded), showing each one's status as it changes;
    with --no-wait it goes on in the background (a worker, or a process of its own).

    Exit codes: 0 the check ran (orders placed, planned, or none needed); 1 it ran but
    could not act (refused, blocked by the risk switch, or failed: the message says
    why); 2 bad input (the message names the option).
    """
    with exit_on_error():
        ctx = open_context()
        selected = [s.strip() for s in symbols.split(",")] if symbols is not None else None
        user_id = acting_user(ctx, user).id
        if no_wait:
            _start_in_background(ctx, user_id, selected, queue, dry_run, as_json)
            return
        show_progress = not (dry_run or as_json)
        status = console.status("Checking drift…") if show_progress else nullcontext()
        with status as shown:
            if isinstance(shown, Status):
                ctx.events = OrderProgress(ctx.events, shown, console)
            result = check_rebalance_drift(
                ctx, user_id, dry_run=dry_run, symbols=selected, queue_if_closed=queue
            )
    RESULT.print(result, as_json)
    if result.status in COULD_NOT_ACT:
        raise typer.Exit(1)


def _start_in_background(
    ctx: AppContext,
    user_id: int,
    symbols: list[str] | None,
    queue_if_closed: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    from trimtab.errors import InvalidInput
    from trimtab.services.background import detached_launcher, start_in_background
    from trimtab.services.run_records import UNFINISHED

    if dry_run:
        raise InvalidInput("--no-wait starts a live run; drop --dry-run", field="--no-wait")
    launcher = detached_launcher(ctx)
    try:
        started = start_in_background(ctx, launcher, user_id, symbols, queue_if_closed)
    finally:
        launcher.close()
    if as_json:
        print_json(started)
        return
    run_id = started.run_id
    if started.status in UNFINISHED:
        console.print(
            f"Run {run_id} goes on in the background ({started.status}): "
            f"follow it with `trimtab runs --id {run_id}`",
            highlight=False,
        )
        return
    render_result(started, console)
