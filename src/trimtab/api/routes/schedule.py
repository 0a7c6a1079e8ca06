"""``GET|PUT /api/schedule``: when trimtab checks the caller's portfolio by itself."""

from __future__ import annotations

from fastapi import APIRouter

from trimtab.api.deps import CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import ScheduleBody
from trimtab.services import schedules
from trimtab.services.schedules import ScheduleSettings, schedule_settings

router = APIRouter(tags=["schedule"], route_class=CallerRoute)


@router.get("/api/schedule", response_model=ScheduleSettings)
def get_schedule(user: CurrentUser, ctx: Ctx) -> ScheduleSettings:
    """The caller's schedule (``off`` until set) and its next run, after any cooldown."""
    return schedule_settings(schedules.get_schedule(ctx, user.id))


@router.put("/api/schedule", response_model=ScheduleSettings)
def put_schedule(body: ScheduleBody, user: CurrentUser, ctx: Ctx) -> ScheduleSettings:
    """Change the schedule; fields left out keep their value. Times are New York time."""
    return schedule_settings(schedules.set_schedule(ctx, user.id, **body.model_dump()))
