"""Rebalance checks, single trades and the history of runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from trimtab.api.deps import Ctx, CurrentUser
from trimtab.api.metrics import ORDERS, record_rebalance
from trimtab.api.schemas import (
    MAX_ID,
    CheckBody,
    RebalanceOut,
    RunDetailOut,
    RunsOut,
    TradeBody,
    TradeResultOut,
)
from trimtab.services import rebalance, runs, trades
from trimtab.services.context import AppContext

router = APIRouter(tags=["rebalance"])


@router.post("/api/rebalance/check", response_model=RebalanceOut)
def check(body: CheckBody, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Measure drift and, unless ``dry_run``, place the orders that correct it.

    Answers the seed's contract plus ``run_id`` and ``status``. A second live check
    while one is running gets 409 ``a rebalance is already running``.
    """
    return run_check(ctx, user.id, body)


def run_check(ctx: AppContext, user_id: int, body: CheckBody) -> dict[str, Any]:
    """The check a request asks for, counted in the metrics (here and in the callable shim)."""
    result = rebalance.check_rebalance_drift(
        ctx,
        user_id,
        dry_run=body.dry_run,
        symbols=body.symbols,
        queue_if_closed=body.queue_if_closed,
    )
    record_rebalance(result)
    return result


@router.post("/api/trades", status_code=201, response_model=TradeResultOut)
def trade(body: TradeBody, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Place one order after validation and the risk gate (the seed's ``execute_trade``)."""
    return run_trade(ctx, user.id, body)


def run_trade(ctx: AppContext, user_id: int, body: TradeBody) -> dict[str, Any]:
    """The trade a request asks for, counted in the metrics (here and in the callable shim)."""
    result = trades.execute_trade(
        ctx,
        user_id,
        body.symbol,
        body.side,
        body.qty,
        order_type=body.order_type,
        time_in_force=body.time_in_force,
        idempotency_key=body.idempotency_key,
    )
    ORDERS.labels(side=body.side, status=str(result["status"])).inc()
    return result


@router.get("/api/runs", response_model=RunsOut)
def list_runs(
    user: CurrentUser,
    ctx: Ctx,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> dict[str, Any]:
    """The caller's runs, newest first."""
    return runs.list_runs(ctx, user.id, limit=limit, offset=offset)


@router.get("/api/runs/{run_id}", response_model=RunDetailOut)
def get_run(user: CurrentUser, ctx: Ctx, run_id: int = Path(ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One run with its orders; another user's run is 404."""
    return runs.get_run(ctx, user.id, run_id)
