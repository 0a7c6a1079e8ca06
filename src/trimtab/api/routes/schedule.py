"""``GET|PUT /api/schedule``: when trimtab checks the caller's portfolio by itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from trimtab.api.deps import Ctx, CurrentUser
from trimtab.api.schemas import ScheduleBody, ScheduleOut
from trimtab.services import schedules
from trimtab.services.schedules import schedule_json

router = APIRouter(tags=["schedule"])


@router.get("/api/schedule", response_model=ScheduleOut)
def get_schedule(user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """The caller's schedule (``off`` until set) and its next run, after any cooldown."""
    return schedule_json(schedules.get_schedule(ctx, user.id))


@router.put("/api/schedule", response_model=ScheduleOut)
def put_schedule(body: ScheduleBody, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Change the schedule; fields left out keep their value. Times are New York time."""
    return schedule_json(schedules.set_schedule(ctx, user.id, **body.model_dump()))
