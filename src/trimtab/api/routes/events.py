"""``GET /api/events``: Server-Sent Events of the caller's own changes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Protocol

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from trimtab.api.deps import CallerRoute, CurrentUser
from trimtab.services.events import Subscription


class EventHub(Protocol):
    """An event publisher that this process can also listen to."""

    def subscribe(self, user_id: int) -> Subscription: ...


router = APIRouter(tags=["events"], route_class=CallerRoute)
#: How often the stream checks for events and for a client that went away.
POLL_SECONDS = 0.2


@router.get("/api/events", response_class=EventSourceResponse)
async def events(request: Request, user: CurrentUser) -> EventSourceResponse:
    """allocation_changed, run_started, run_finished and order_updated, as they happen."""
    hub: EventHub = request.app.state.ctx.events
    subscription = hub.subscribe(user.id)

    async def stream() -> AsyncIterator[dict[str, str]]:
        try:
            yield {"event": "ready", "data": json.dumps({"user_id": user.id})}
            while not await request.is_disconnected():
                event = subscription.get(timeout=0)
                if event is None:
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                yield {"event": event.kind, "data": json.dumps(event.data, default=str)}
        finally:
            subscription.close()

    return EventSourceResponse(stream(), ping=15)
