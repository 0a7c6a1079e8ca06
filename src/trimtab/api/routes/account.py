"""The caller's portfolio, asset lookups, rebalancing policy and risk status."""

from __future__ import annotations

from fastapi import APIRouter, Response

from trimtab.api.answers import ResultResponse
from trimtab.api.deps import AdminUser, CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import (
    PolicyBody,
    RiskUpdate,
)
from trimtab.domain.targets import check_symbol
from trimtab.services import policy, portfolio, risk
from trimtab.services.portfolio import AssetInfo, PortfolioView
from trimtab.services.risk import RiskView

router = APIRouter(tags=["account"], route_class=CallerRoute)


@router.get("/api/portfolio", response_model=PortfolioView)
def get_portfolio(user: CurrentUser, ctx: Ctx) -> Response:
    """Value, cash, buying power and positions with their actual weights, from the broker."""
    return ResultResponse(portfolio.portfolio_view(ctx, user.id))


@router.get("/api/assets/{symbol}", response_model=AssetInfo)
def get_asset(symbol: str, user: CurrentUser, ctx: Ctx) -> AssetInfo:
    """Whether the broker knows ``symbol``, and whether it is tradable and fractionable."""
    return portfolio.asset_info(ctx, user.id, check_symbol(symbol))


@router.get("/api/settings", response_model=policy.PolicyView)
def get_settings(user: CurrentUser, ctx: Ctx) -> policy.PolicyView:
    """The caller's drift threshold, minimum trade, cash buffer, untargeted-holdings policy
    and price age limit."""
    return policy.policy_view(policy.get_policy(ctx, user.id))


@router.put("/api/settings", response_model=policy.PolicyView)
def put_settings(body: PolicyBody, user: CurrentUser, ctx: Ctx) -> policy.PolicyView:
    updated = policy.update_policy(
        ctx,
        user.id,
        threshold_percent=body.threshold_percent,
        min_trade=body.min_trade,
        cash_buffer_percent=body.cash_buffer_percent,
        untargeted=body.untargeted,
        max_price_age_hours=body.max_price_age_hours,
        options=body.model_dump(include=set(policy.OPTIONS), exclude_none=True),
    )
    return policy.policy_view(updated)


@router.get("/api/risk", response_model=RiskView)
def get_risk(user: CurrentUser, ctx: Ctx) -> RiskView:
    """The system-wide and the caller's risk rows, and why trading is blocked (if it is)."""
    return risk.get_risk(ctx, user.id)


@router.put("/api/risk", response_model=RiskView)
def put_risk(body: RiskUpdate, admin: AdminUser, ctx: Ctx) -> RiskView:
    """Admins only: change the system row, or one user's row (``scope: user`` + ``user_id``)."""
    switches = body.model_dump(
        include={"trading_enabled", "drawdown_recovery", "kill_switch", "reason"}
    )
    if body.scope == "system":
        return risk.set_system_risk(ctx, admin.id, **switches)
    target = body.user_id if body.user_id is not None else admin.id
    return risk.set_user_risk(ctx, target, actor_id=admin.id, **switches)
