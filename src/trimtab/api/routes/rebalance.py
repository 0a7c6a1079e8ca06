"""Rebalance checks, single trades and the history of runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from trimtab.api.answers import ResultResponse
from trimtab.api.deps import CallerRoute, Ctx, CurrentUser, Launcher
from trimtab.api.schemas import MAX_ID, CheckBody, PlanBody, TradeBody
from trimtab.domain.lifecycle import RunStatus, Trigger
from trimtab.services import background, rebalance, runs, trades
from trimtab.services.background import RunLauncher
from trimtab.services.context import AppContext
from trimtab.services.contract import (
    CheckResult,
    PlanResult,
    RunAccepted,
    RunDetail,
    RunList,
    TradeResult,
    to_json,
)

router = APIRouter(tags=["rebalance"], route_class=CallerRoute)


@router.post(
    "/api/rebalance/check",
    response_model=CheckResult,
    responses={202: {"model": RunAccepted, "description": "A live run, going on"}},
)
def check(body: CheckBody, user: CurrentUser, ctx: Ctx, launcher: Launcher) -> Any:
    """Measure drift and, unless ``dry_run``, place the orders that correct it.

    A dry run answers 200 with the classic contract plus ``run_id`` and ``status``. A
    live check answers ``202 {"run_id", "status"}`` at once; its orders go on in a
    worker or a background thread, followed through ``GET /api/events`` and
    ``GET /api/runs/{id}``. A second live check while one is running gets 409
    ``a rebalance is already running``.
    """
    if body.dry_run:
        return ResultResponse(run_check(ctx, launcher, user.id, body))
    started = background.start_in_background(
        ctx, launcher, user.id, symbols=body.symbols, queue_if_closed=body.queue_if_closed
    )
    accepted = RunAccepted(run_id=started.run_id, status=started.status)
    return JSONResponse(to_json(accepted), status_code=202)


def run_check(ctx: AppContext, launcher: RunLauncher, user_id: int, body: CheckBody) -> CheckResult:
    """The check a request asks for, with its contract: a dry run,
    or (the callable shim) a live run waited for, at most ``live_wait_seconds``."""
    if body.dry_run:
        result = rebalance.check_rebalance_drift(ctx, user_id, dry_run=True, symbols=body.symbols)
    else:
        started = background.start_in_background(
            ctx, launcher, user_id, symbols=body.symbols, queue_if_closed=body.queue_if_closed
        )
        result = background.wait_for_run(ctx, user_id, started.run_id, live_wait_seconds(ctx))
    return result


def live_wait_seconds(ctx: AppContext) -> float:
    """How long a caller that must have the final answer waits for a live run: the run's
    own bound on following its sells and then its buys, and some slack."""
    return 2 * ctx.run_options.fill_timeout + 15


@router.post("/api/trades", status_code=201, response_model=TradeResult)
def trade(body: TradeBody, user: CurrentUser, ctx: Ctx) -> TradeResult:
    """Place one order after validation and the risk gate (the classic ``execute_trade``)."""
    return run_trade(ctx, user.id, body)


def run_trade(ctx: AppContext, user_id: int, body: TradeBody) -> TradeResult:
    """The trade a request asks for (here and in the callable shim)."""
    return trades.execute_trade(
        ctx,
        user_id,
        body.symbol,
        body.side,
        body.qty,
        order_type=body.order_type,
        time_in_force=body.time_in_force,
        idempotency_key=body.idempotency_key,
    )


@router.post("/api/rebalance/plan", response_model=PlanResult)
def plan(body: PlanBody, user: CurrentUser, ctx: Ctx) -> PlanResult:
    """What a rebalance would do now, without recording a run: the orders a confirm
    dialog lists, or the drift after a run. ``outcome`` says when the plan is refused.
    A dry run kept in the history is ``POST /api/rebalance/check {"dry_run": true}``."""
    return rebalance.preview_plan(ctx, user.id, symbols=body.symbols)


@router.get("/api/runs", response_model=RunList)
def list_runs(
    user: CurrentUser,
    ctx: Ctx,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
    dry_run: bool | None = Query(None, description="Only dry runs (true) or live runs (false)."),
    trigger: Trigger | None = Query(None, description="Only runs started this way."),
    status: RunStatus | None = Query(None, description="Only runs with this status."),
) -> Response:
    """The caller's runs, newest first; ``total`` counts the runs the filters keep."""
    page = runs.list_runs(
        ctx, user.id, limit=limit, offset=offset, dry_run=dry_run, trigger=trigger, status=status
    )
    return ResultResponse(page)


@router.get("/api/runs/{run_id}", response_model=RunDetail)
def get_run(user: CurrentUser, ctx: Ctx, run_id: int = Path(ge=1, le=MAX_ID)) -> Response:
    """One run with its orders; another user's run is 404."""
    return ResultResponse(runs.get_run(ctx, user.id, run_id))
