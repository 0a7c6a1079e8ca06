"""Target allocations: list, replace the whole set, upsert or delete one symbol."""

from __future__ import annotations

from fastapi import APIRouter, Response

from trimtab.api.answers import ResultResponse
from trimtab.api.deps import CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import AllocationIn, AllocationsIn, AllocationUpdate
from trimtab.domain.targets import Target
from trimtab.services import allocations
from trimtab.services.allocations import Allocation, AllocationList

router = APIRouter(tags=["allocations"], route_class=CallerRoute)


def _target(item: AllocationIn) -> Target:
    return Target(
        item.symbol,
        item.target_percent,
        item.enabled,
        item.band_percent,
        item.band_relative_percent,
    )


@router.get("/api/allocations", response_model=AllocationList)
def list_allocations(user: CurrentUser, ctx: Ctx) -> Response:
    """The caller's targets and the sum of the enabled ones."""
    return ResultResponse(allocations.list_allocations(ctx, user.id))


@router.put("/api/allocations", response_model=AllocationList)
def replace_allocations(body: AllocationsIn, user: CurrentUser, ctx: Ctx) -> AllocationList:
    """Replace the whole set atomically: symbols not in the body are removed."""
    return allocations.replace_allocations(ctx, user.id, [_target(i) for i in body.allocations])


@router.put("/api/allocations/{symbol}", response_model=Allocation)
def upsert_allocation(
    symbol: str, body: AllocationUpdate, user: CurrentUser, ctx: Ctx
) -> Allocation:
    """Create or change one symbol's target (a set not summing to 100 % may be saved)."""
    return allocations.upsert_allocation(
        ctx,
        user.id,
        symbol,
        body.target_percent,
        body.enabled,
        body.band_percent,
        body.band_relative_percent,
    )


@router.delete("/api/allocations/{symbol}", status_code=204)
def delete_allocation(symbol: str, user: CurrentUser, ctx: Ctx) -> Response:
    allocations.delete_allocation(ctx, user.id, symbol)
    return Response(status_code=204)
