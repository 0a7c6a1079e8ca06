"""Backtests: replay rebalancing policies on posted prices (``docs/backtest.md``)."""

from __future__ import annotations

import asyncio
import threading
from functools import partial

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from trimtab.api.deps import CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import BacktestBody
from trimtab.services.backtest import BacktestResult, backtest_request, settings_from

router = APIRouter(tags=["backtests"], route_class=CallerRoute)

#: How often a running backtest looks whether its client is still connected (seconds).
DISCONNECT_POLL_SECONDS = 0.1


@router.post("/api/backtests", response_model=BacktestResult)
async def run_backtest(
    body: BacktestBody, user: CurrentUser, ctx: Ctx, request: Request
) -> BacktestResult:
    """Replay each policy on ``prices_csv`` for ``targets`` (default: the caller's allocations).

    Stores nothing and places no orders. Bad input answers 422 naming the field; a
    run past the time limit answers 422 ``backtest_too_long``. The run works in a
    thread and stops as soon as the client disconnects (the page's Cancel aborts the
    request), so a cancelled backtest stops using the server.
    """
    stop = threading.Event()
    work = asyncio.ensure_future(
        run_in_threadpool(
            partial(
                backtest_request,
                ctx,
                user.id,
                prices_csv=body.prices_csv,
                targets=body.targets,
                policies=body.policies,
                settings=settings_from(
                    cash=body.cash,
                    cost_bps=body.cost_bps,
                    cost_per_order=body.cost_per_order,
                    min_trade=body.min_trade,
                    fractional=body.fractional,
                ),
                start=body.start,
                end=body.end,
                cancelled=stop.is_set,
            )
        )
    )
    try:
        while not work.done():
            await asyncio.wait({work}, timeout=DISCONNECT_POLL_SECONDS)
            if not work.done() and await request.is_disconnected():
                stop.set()
        return work.result()
    finally:
        # Also when this request's task is itself cancelled: the thread must not run on.
        stop.set()
