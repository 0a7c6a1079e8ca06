"""Telling users what trimtab did: per-user preferences, and ``notify`` for the run path.

Events (``NotifyEvent``): a run executed, a rebalance needed but blocked by risk, an
order rejected, drift past a band in notify mode, the broker connection failing.
Each goes by email (``TRIMTAB_SMTP_URL``) and/or a signed webhook, as the user chose.
``notify`` records the deliveries after the caller's commit and hands them to the
context's background ``Notifier``: it never raises and never waits on a channel.
See docs/notifications.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

import structlog

from trimtab.errors import BrokerAuthFailed, BrokerError, BrokerUnavailable, InvalidInput
from trimtab.keys import credentials_cipher, server_secret
from trimtab.monitoring.metrics import NOTIFICATION_FAILURES
from trimtab.services.context import AppContext
from trimtab.services.contract import CheckResult, result, to_json
from trimtab.services.notify_delivery import Channel, DeliveryStatus
from trimtab.services.notify_webhook import new_webhook_secret
from trimtab.services.run_records import RunStatus
from trimtab.store.models import (
    NotificationDeliveryRow,
    NotificationSettingsRow,
)

log = structlog.get_logger("trimtab.notifications")

P = ParamSpec("P")
R = TypeVar("R")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_URL = 2000


class NotifyEvent(StrEnum):
    RUN_EXECUTED = "run_executed"
    RISK_BLOCKED = "risk_blocked"
    ORDER_REJECTED = "order_rejected"
    DRIFT_PAST_BAND = "drift_past_band"
    BROKER_FAILING = "broker_failing"
    #: Sent by ``send_test`` to every configured channel, whatever the events chosen.
    TEST = "test"


#: What a user who never chose is told about (once an address or URL is set).
DEFAULT_EVENTS = tuple(e for e in NotifyEvent if e is not NotifyEvent.TEST)
#: A run's final status → the event it raises.
RUN_EVENTS = {
    RunStatus.COMPLETED: NotifyEvent.RUN_EXECUTED,
    RunStatus.PARTIAL: NotifyEvent.RUN_EXECUTED,
    RunStatus.FAILED: NotifyEvent.RUN_EXECUTED,
    RunStatus.BLOCKED_BY_RISK: NotifyEvent.RISK_BLOCKED,
}


@result
class NotificationPrefs:
    """What a user is told about and where (``GET|PUT /api/notifications``)."""

    events: tuple[str, ...]
    email: str | None
    webhook_url: str | None
    webhook_secret_set: bool
    email_available: bool
    """Whether the server can send email at all (TRIMTAB_SMTP_URL is set)."""
    webhook_secret: str | None = None
    """Only in the answer that created or rotated it: shown once, never again."""
    available_events: tuple[str, ...] = DEFAULT_EVENTS


@result
class Delivery:
    """One notification sent, or being sent, to one channel."""

    id: int
    event: str
    channel: Channel
    target: str
    status: DeliveryStatus
    attempts: int
    status_code: int | None
    error: str | None
    next_retry_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


@result
class DeliveryList:
    """Deliveries, newest first, and how many there are in all."""

    deliveries: tuple[Delivery, ...]
    total: int


def _prefs(ctx: AppContext, row: NotificationSettingsRow | None) -> NotificationPrefs:
    return NotificationPrefs(
        events=tuple(row.events) if row is not None else DEFAULT_EVENTS,
        email=row.email if row is not None else None,
        webhook_url=row.webhook_url if row is not None else None,
        webhook_secret_set=row is not None and row.webhook_secret_encrypted is not None,
        email_available=bool(ctx.settings.smtp_url),
    )


def get_preferences(ctx: AppContext, user_id: int) -> NotificationPrefs:
    with ctx.store.read() as uow:
        return _prefs(ctx, uow.notification_settings.get(user_id))


def _checked_events(events: list[str]) -> list[str]:
    if isinstance(events, str) or not all(isinstance(e, str) for e in events):
        raise InvalidInput("events must be a list of event names", field="events")
    unknown = [e for e in events if e not in DEFAULT_EVENTS]
    if unknown:
        raise InvalidInput(
            f"unknown event {unknown[0]!r}; choose from {', '.join(DEFAULT_EVENTS)}",
            field="events",
        )
    return [e for e in DEFAULT_EVENTS if e in events]


def _checked_email(email: str) -> str | None:
    email = email.strip()
    if not email:
        return None
    if len(email) > 320 or not EMAIL.match(email):
        raise InvalidInput(f"email is not an email address: {email!r}", field="email")
    return email


def _checked_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidInput("webhook_url must be an http:// or https:// URL", field="webhook_url")
    return url


def set_preferences(
    ctx: AppContext,
    user_id: int,
    *,
    events: list[str] | None = None,
    email: str | None = None,
    webhook_url: str | None = None,
    rotate_secret: bool = False,
) -> NotificationPrefs:
    """Change what is given (``""`` clears the email or webhook URL; ``None`` keeps it).

    A webhook's signing secret is made when its URL is first set, or anew with
    ``rotate_secret``, and returned in ``webhook_secret`` this once. Raises
    ``InvalidInput`` naming the field.
    """
    chosen = _checked_events(events) if events is not None else None
    address = _checked_email(email) if email is not None else None
    url = _checked_url(webhook_url) if webhook_url is not None else None
    cipher = credentials_cipher(server_secret(ctx.settings))
    now = ctx.clock()
    new_secret = None
    with ctx.store.write() as uow:
        row = uow.notification_settings.get(user_id)
        if row is None:
            row = NotificationSettingsRow(user_id=user_id, events=list(DEFAULT_EVENTS))
            uow.notification_settings.add(row)
        if chosen is not None:
            row.events = chosen
        if email is not None:
            row.email = address
        if webhook_url is not None:
            row.webhook_url = url
        if row.webhook_url is None:
            if rotate_secret:
                raise InvalidInput(
                    "rotate_secret needs a webhook_url set first", field="rotate_secret"
                )
            row.webhook_secret_encrypted = None
        elif rotate_secret or row.webhook_secret_encrypted is None:
            new_secret = new_webhook_secret()
            row.webhook_secret_encrypted = cipher.encrypt(new_secret.encode()).decode()
        row.updated_at = now
        uow.flush()
        prefs = _prefs(ctx, row)
    return replace(prefs, webhook_secret=new_secret)


def notify(ctx: AppContext, user_id: int, event: NotifyEvent, data: dict[str, Any]) -> list[int]:
    """Record a delivery per channel the user chose for ``event`` and queue them.

    Call after the run's own commit. Never raises: a failure is logged and counted
    in ``trimtab_notification_failures_total``. Returns the delivery ids.
    """
    try:
        ids = _record_deliveries(ctx, user_id, event, data)
    except Exception:  # telling the user must never fail the run
        log.exception("notification_not_queued", user_id=user_id, notify_event=str(event))
        NOTIFICATION_FAILURES.labels(channel="any", event=str(event)).inc()
        return []
    if ids:
        ctx.notifier.submit(ctx, ids)
    return ids


def _record_deliveries(
    ctx: AppContext, user_id: int, event: NotifyEvent, data: dict[str, Any]
) -> list[int]:
    now = ctx.clock()
    with ctx.store.write() as uow:
        prefs = uow.notification_settings.get(user_id)
        if prefs is None or (event is not NotifyEvent.TEST and event not in prefs.events):
            return []
        targets = [(Channel.EMAIL, prefs.email), (Channel.WEBHOOK, prefs.webhook_url)]
        if not ctx.settings.smtp_url and prefs.email:
            log.info("notification_email_skipped", user_id=user_id, reason="no TRIMTAB_SMTP_URL")
            targets = targets[1:]
        payload = {
            "event": str(event),
            "created_at": now.isoformat(),
            "user_id": user_id,
            "data": data,
        }
        rows = [
            NotificationDeliveryRow(
                user_id=user_id,
                event=str(event),
                channel=str(channel),
                target=target,
                payload=payload,
                status=DeliveryStatus.PENDING,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            for channel, target in targets
            if target
        ]
        uow.deliveries.add_all(rows)
        return [row.id for row in rows]


def run_summary(result: CheckResult) -> dict[str, Any]:
    """What a notification says about a run, from its contract result: drift table,
    orders sent, value and message (numbers as in the contract: pp, USD, shares)."""
    data = to_json(result)
    return {
        "run_id": result.run_id,
        "status": str(result.status),
        "message": result.message,
        "portfolio_value": data["portfolio_value"],
        "dry_run": result.dry_run,
        "drift_analysis": data["drift_analysis"],
        "orders": data["trades_executed"],
    }


def notify_run_finished(ctx: AppContext, user_id: int, result: CheckResult) -> None:
    """Tell the user a live run ended, if its status is one they hear about (executed,
    or blocked by risk). The services call this where a run finishes."""
    event = RUN_EVENTS.get(result.status)
    if event is not None and not result.dry_run:
        notify(ctx, user_id, event, run_summary(result))


def notify_order_rejected(ctx: AppContext, user_id: int, order: dict[str, Any]) -> None:
    """Tell the user the broker refused an order (``order`` as ``order_json`` gives it)."""
    notify(
        ctx,
        user_id,
        NotifyEvent.ORDER_REJECTED,
        {
            "run_id": order.get("run_id"),
            "status": order["status"],
            "message": (
                f"{order['side']} {order['symbol']} rejected: "
                f"{order.get('error') or 'no reason given'}"
            ),
            "orders": [
                {
                    "symbol": order["symbol"],
                    "side": order["side"],
                    "qty": order["qty"],
                    "status": order["status"],
                    "order_id": order.get("broker_order_id"),
                    "client_order_id": order["client_order_id"],
                    "error": order.get("error"),
                }
            ],
        },
    )


def notify_broker_failing(ctx: AppContext, user_id: int, err: BrokerError) -> None:
    """Tell the user the broker cannot be reached or refuses the keys (other refusals,
    like an order's, are not a failing connection), once per failure streak.

    A streak is told once: a failure after the last ``broker_failing`` notification is
    part of it unless the broker answered in between, that is, trimtab recorded a run
    (a run is recorded only after the broker was read) or an order's answer since.
    """
    if not isinstance(err, BrokerUnavailable | BrokerAuthFailed):
        return
    try:
        told = _streak_already_told(ctx, user_id)
    except Exception:  # deciding must never fail the caller: tell rather than not
        log.exception("broker_failing_streak_unknown", user_id=user_id)
        told = False
    if told:
        log.info("broker_failing_already_told", user_id=user_id, code=err.code)
        return
    notify(
        ctx,
        user_id,
        NotifyEvent.BROKER_FAILING,
        {"message": err.message, "code": err.code, "status": None},
    )


def _streak_already_told(ctx: AppContext, user_id: int) -> bool:
    with ctx.store.read() as uow:
        told_at = uow.deliveries.last_of_event(user_id, str(NotifyEvent.BROKER_FAILING))
        return told_at is not None and not uow.deliveries.broker_heard_since(user_id, told_at)


def tells_broker_failures(
    call: Callable[Concatenate[AppContext, int, P], R],
) -> Callable[Concatenate[AppContext, int, P], R]:
    """For a use case called as ``call(ctx, user_id, ...)``: a broker error it raises
    is told to the user (``notify_broker_failing``), then raised on unchanged."""

    @functools.wraps(call)
    def told(ctx: AppContext, user_id: int, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return call(ctx, user_id, *args, **kwargs)
        except BrokerError as err:
            notify_broker_failing(ctx, user_id, err)
            raise

    return told


def list_deliveries(
    ctx: AppContext, user_id: int, *, limit: int = 50, offset: int = 0
) -> DeliveryList:
    """The user's deliveries, newest first, and how many there are."""
    with ctx.store.read() as uow:
        rows = uow.deliveries.page_for_user(user_id, limit, offset)
        total = uow.deliveries.count_for_user(user_id)
        return DeliveryList(deliveries=tuple(delivery(row) for row in rows), total=total)


def delivery(row: NotificationDeliveryRow) -> Delivery:
    done = row.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
    return Delivery(
        id=row.id,
        event=row.event,
        channel=Channel(row.channel),
        target=row.target,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        status_code=row.status_code,
        error=row.error,
        next_retry_at=None if done else row.next_retry_at,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def send_test(ctx: AppContext, user_id: int, *, wait: float = 15.0) -> DeliveryList:
    """Send a test notification to every channel the user set, wait (at most ``wait`` s)
    for the first attempts, and return those deliveries. ``NotFound`` when none is set."""
    ids = notify(
        ctx,
        user_id,
        NotifyEvent.TEST,
        {"message": "This is a test notification from trimtab.", "status": "test"},
    )
    if not ids:
        raise InvalidInput(
            "set an email address (with TRIMTAB_SMTP_URL configured) or a webhook_url first",
            field="email",
        )
    ctx.notifier.drain(wait)
    with ctx.store.read() as uow:
        rows = uow.deliveries.by_ids(ids)
        return DeliveryList(deliveries=tuple(delivery(row) for row in rows), total=len(rows))
