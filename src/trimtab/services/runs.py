"""Rebalance history: a user's runs, newest first, and one run with its orders."""

from __future__ import annotations

from typing import Any

from trimtab.domain.money import CENT
from trimtab.errors import InvalidInput, NotFound
from trimtab.services.context import AppContext
from trimtab.services.contract import number
from trimtab.services.run_records import order_json, run_result
from trimtab.store.models import RebalanceRunRow
from trimtab.store.repositories import Orders, Runs

MAX_PAGE = 500


def run_summary(run: RebalanceRunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "trigger": run.trigger,
        "dry_run": run.dry_run,
        "status": run.status,
        "needs_rebalance": run.needs_rebalance,
        "portfolio_value": number(run.portfolio_value, CENT),
        "message": run.message,
    }


def list_runs(ctx: AppContext, user_id: int, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """``{"runs": [...], "total": n}``, newest first."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be 1 to {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    with ctx.session_factory() as session:
        repo = Runs(session)
        return {
            "runs": [run_summary(r) for r in repo.for_user(user_id, limit, offset)],
            "total": repo.count_for_user(user_id),
        }


def get_run(ctx: AppContext, user_id: int, run_id: int) -> dict[str, Any]:
    """One run: its summary, the contract result, its inputs and its orders.

    Another user's run is ``NotFound``, as if it did not exist.
    """
    with ctx.session_factory() as session:
        run = Runs(session).get_for_user(user_id, run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        orders = Orders(session).for_run(run.id)
        return {
            **run_summary(run),
            "result": run_result(run, orders),
            "inputs": run.inputs,
            "orders": [order_json(o) for o in orders],
        }
