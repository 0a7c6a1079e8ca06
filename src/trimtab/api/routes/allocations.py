"""Target allocations: list, replace the whole set, upsert or delete one symbol."""

from __future__ import annotations

from fastapi import APIRouter, Response

from trimtab.api.deps import Ctx, CurrentUser
from trimtab.api.schemas import (
    AllocationIn,
    AllocationOut,
    AllocationsIn,
    AllocationsOut,
    AllocationUpdate,
)
from trimtab.domain.targets import Target
from trimtab.services import allocations
from trimtab.services.allocations import AllocationItem, AllocationSet

router = APIRouter(tags=["allocations"])


def allocation_out(item: AllocationItem) -> AllocationOut:
    return AllocationOut(
        symbol=item.symbol,
        target_percent=float(item.target_percent),
        enabled=item.enabled,
        band_percent=float(item.band_percent) if item.band_percent is not None else None,
        band_relative_percent=(
            float(item.band_relative_percent) if item.band_relative_percent is not None else None
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def allocations_out(result: AllocationSet) -> AllocationsOut:
    return AllocationsOut(
        allocations=[allocation_out(item) for item in result.items],
        total_percent=float(result.total_percent),
    )


def _target(item: AllocationIn) -> Target:
    return Target(
        item.symbol,
        item.target_percent,
        item.enabled,
        item.band_percent,
        item.band_relative_percent,
    )


@router.get("/api/allocations", response_model=AllocationsOut)
def list_allocations(user: CurrentUser, ctx: Ctx) -> AllocationsOut:
    """The caller's targets and the sum of the enabled ones."""
    return allocations_out(allocations.list_allocations(ctx, user.id))


@router.put("/api/allocations", response_model=AllocationsOut)
def replace_allocations(body: AllocationsIn, user: CurrentUser, ctx: Ctx) -> AllocationsOut:
    """Replace the whole set atomically: symbols not in the body are removed."""
    result = allocations.replace_allocations(ctx, user.id, [_target(i) for i in body.allocations])
    return allocations_out(result)


@router.put("/api/allocations/{symbol}", response_model=AllocationOut)
def upsert_allocation(
    symbol: str, body: AllocationUpdate, user: CurrentUser, ctx: Ctx
) -> AllocationOut:
    """Create or change one symbol's target (a set not summing to 100 % may be saved)."""
    item = allocations.upsert_allocation(
        ctx,
        user.id,
        symbol,
        body.target_percent,
        body.enabled,
        body.band_percent,
        body.band_relative_percent,
    )
    return allocation_out(item)


@router.delete("/api/allocations/{symbol}", status_code=204)
def delete_allocation(symbol: str, user: CurrentUser, ctx: Ctx) -> Response:
    allocations.delete_allocation(ctx, user.id, symbol)
    return Response(status_code=204)
