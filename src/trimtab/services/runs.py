"""Rebalance history: a user's runs, newest first, and one run with its orders."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from trimtab.domain.lifecycle import RunStatus, Trigger
from trimtab.domain.money import CENT
from trimtab.errors import InvalidInput, NotFound
from trimtab.services.context import AppContext
from trimtab.services.contract import RunDetail, RunList, RunSummary, rounded
from trimtab.services.run_records import NOT_SENT, order_record, run_result, was_sent
from trimtab.store.models import RebalanceRunRow
from trimtab.store.repositories import RunListing

MAX_PAGE = 500


def run_summary(run: RebalanceRunRow | RunListing, orders_sent: int) -> RunSummary:
    drift = run.max_drift_percent
    return RunSummary(
        id=run.id,
        created_at=run.created_at,
        started_at=run.created_at,
        finished_at=run.finished_at,
        trigger=Trigger(run.trigger),
        dry_run=run.dry_run,
        status=RunStatus(run.status),
        needs_rebalance=run.needs_rebalance,
        max_drift_percent=drift,
        orders_count=orders_sent,
        portfolio_value=rounded(run.portfolio_value, CENT),
        message=run.message,
    )


def list_runs(
    ctx: AppContext,
    user_id: int,
    limit: int = 50,
    offset: int = 0,
    *,
    dry_run: bool | None = None,
    trigger: Trigger | None = None,
    status: RunStatus | None = None,
) -> RunList:
    """A page of the user's runs, newest first, and how many there are; ``dry_run``,
    ``trigger`` and ``status`` keep only the runs that match (``total`` counts those)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    with ctx.store.read() as uow:
        repo = uow.runs
        filters: dict[str, Any] = {
            "dry_run": dry_run,
            "trigger": str(trigger) if trigger is not None else None,
            "status": str(status) if status is not None else None,
        }
        page = repo.for_user(user_id, limit, offset, **filters)
        # A dry run records no orders (only a live run's are, with it): only the page's
        # live runs need counting, and a page of dry runs none.
        live = [r.id for r in page if not r.dry_run]
        sent = uow.orders.counts_by_run(live, list(NOT_SENT))
        return RunList(
            runs=tuple(run_summary(r, sent.get(r.id, 0)) for r in page),
            total=repo.count_for_user(user_id, **filters),
        )


def get_run(ctx: AppContext, user_id: int, run_id: int) -> RunDetail:
    """One run: its summary and contract result side by side, its inputs and its orders.

    Another user's run is ``NotFound``, as if it did not exist.
    """
    with ctx.store.read() as uow:
        run = uow.runs.get_for_user(user_id, run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        orders = uow.orders.for_run(run.id)
        sent = sum(1 for o in orders if was_sent(o))
        result = run_result(run, orders)
        summary = run_summary(run, sent)
        return RunDetail(
            **{**_fields(result), **_fields(summary)},
            inputs=run.inputs,
            orders=tuple(order_record(o) for o in orders),
        )


def _fields(result: object) -> dict[str, Any]:
    """A result's fields, one level deep (``dataclasses.asdict`` would convert the rows too)."""
    return {f.name: getattr(result, f.name) for f in fields(result)}  # type: ignore[arg-type]
