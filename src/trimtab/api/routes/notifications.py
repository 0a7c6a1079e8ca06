"""``/api/notifications``: what the caller is told about, where, and how each delivery went."""

from __future__ import annotations

from fastapi import APIRouter, Query

from trimtab.api.deps import CallerRoute, Ctx, CurrentUser
from trimtab.api.schemas import MAX_ID, NotificationsBody
from trimtab.services import notifications
from trimtab.services.notifications import DeliveryList, NotificationPrefs

router = APIRouter(tags=["notifications"], route_class=CallerRoute)


@router.get("/api/notifications", response_model=NotificationPrefs)
def get_notifications(user: CurrentUser, ctx: Ctx) -> NotificationPrefs:
    """The caller's events, email address and webhook URL (never the webhook secret)."""
    return notifications.get_preferences(ctx, user.id)


@router.put("/api/notifications", response_model=NotificationPrefs)
def put_notifications(body: NotificationsBody, user: CurrentUser, ctx: Ctx) -> NotificationPrefs:
    """Change preferences. Setting a first webhook URL, or ``rotate_secret``, answers the
    new signing secret in ``webhook_secret``, this once."""
    return notifications.set_preferences(
        ctx,
        user.id,
        events=list(body.events) if body.events is not None else None,
        email=body.email,
        webhook_url=body.webhook_url,
        rotate_secret=body.rotate_secret,
    )


@router.get("/api/notifications/deliveries", response_model=DeliveryList)
def list_deliveries(
    user: CurrentUser,
    ctx: Ctx,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> DeliveryList:
    """The caller's deliveries, newest first: status, attempts, HTTP status, error, next retry."""
    return notifications.list_deliveries(ctx, user.id, limit=limit, offset=offset)


@router.post("/api/notifications/test", response_model=DeliveryList)
def send_test(user: CurrentUser, ctx: Ctx) -> DeliveryList:
    """Send a test notification to each channel set, and answer how the first attempts went."""
    return notifications.send_test(ctx, user.id)
