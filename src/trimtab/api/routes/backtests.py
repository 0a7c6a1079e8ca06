"""Backtests: replay rebalancing policies on posted prices (``docs/backtest.md``)."""

from __future__ import annotations

from fastapi import APIRouter

from trimtab.api.deps import Ctx, CurrentUser
from trimtab.api.schemas import BacktestBody
from trimtab.services.backtest import BacktestResult, backtest_request, settings_from

router = APIRouter(tags=["backtests"])


@router.post("/api/backtests", response_model=BacktestResult)
def run_backtest(body: BacktestBody, user: CurrentUser, ctx: Ctx) -> BacktestResult:
    """Replay each policy on ``prices_csv`` for ``targets`` (default: the caller's allocations).

    Stores nothing and places no orders. Bad input answers 422 naming the field; a
    run past the time limit answers 422 ``backtest_too_long``.
    """
    return backtest_request(
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
    )
