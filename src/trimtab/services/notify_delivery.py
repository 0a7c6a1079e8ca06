"""Delivering notifications off the run's path: one attempt at a time, retried with a
bounded exponential backoff, every attempt recorded in ``notification_deliveries``.

A run only records its deliveries (after its own commit) and hands their ids to the
context's ``Notifier``, whose thread sends them; a failure is logged and counted,
never raised into the run. Rows are claimed with one conditional UPDATE, so a
delivery left behind by a dead process is sent by exactly one sweeper.
"""

from __future__ import annotations

import heapq
import itertools
import json
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import httpx
import structlog

from trimtab.errors import ConfigError
from trimtab.keys import credentials_cipher, server_secret
from trimtab.monitoring.metrics import NOTIFICATION_FAILURES, NOTIFICATIONS
from trimtab.services.notify_email import SmtpServer, build_message, send_email
from trimtab.services.notify_webhook import post_webhook
from trimtab.store.models import NotificationDeliveryRow

if TYPE_CHECKING:
    from trimtab.services.context import AppContext

log = structlog.get_logger("trimtab.notifications")


#: How often a server or worker looks for deliveries that are due, in seconds.
SWEEP_SECONDS = 30.0


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard a delivery is tried: ``max_attempts`` in all, the n-th retry after
    ``first_retry`` × 2^(n-1) seconds (at most ``max_retry``)."""

    max_attempts: int = 6
    first_retry: float = 30.0
    max_retry: float = 3600.0
    timeout: float = 10.0
    #: How long a claimed delivery is its sender's before a sweeper may take it over.
    lease: float = 120.0

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed ones."""
        return float(min(self.first_retry * 2 ** (attempts - 1), self.max_retry))


class PermanentFailure(Exception):
    """A delivery that no retry can help (the channel is not configured)."""


class AttemptFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _claim(ctx: AppContext, delivery_id: int, lease: float) -> NotificationDeliveryRow | None:
    """Take the delivery for one attempt, or ``None`` when it is done or someone has it."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        return uow.deliveries.claim(
            delivery_id,
            claimable=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            sending=DeliveryStatus.SENDING,
            now=now,
            until=now + timedelta(seconds=lease),
        )


def _webhook_secret(ctx: AppContext, user_id: int) -> str:
    with ctx.store.read() as uow:
        prefs = uow.notification_settings.get(user_id)
        encrypted = prefs.webhook_secret_encrypted if prefs is not None else None
    if encrypted is None:
        raise PermanentFailure("no webhook secret is set")
    return credentials_cipher(server_secret(ctx.settings)).decrypt(encrypted.encode()).decode()


def _attempt(ctx: AppContext, row: NotificationDeliveryRow, policy: DeliveryPolicy) -> int | None:
    """Send once; the HTTP status for a webhook. Raises ``AttemptFailed`` or
    ``PermanentFailure``."""
    event, data = row.payload["event"], row.payload["data"]
    if row.channel == Channel.EMAIL:
        if not ctx.settings.smtp_url:
            raise PermanentFailure("TRIMTAB_SMTP_URL is not set: no email can be sent")
        try:
            server = SmtpServer.from_url(ctx.settings.smtp_url)
        except ConfigError as err:
            raise PermanentFailure(err.message) from None
        try:
            send_email(
                server, build_message(server, row.target, event, data), timeout=policy.timeout
            )
        except (smtplib.SMTPException, OSError) as err:
            raise AttemptFailed(f"{type(err).__name__}: {err}") from None
        return None
    body = json.dumps({"id": row.id, **row.payload}, separators=(",", ":")).encode()
    try:
        answer = post_webhook(
            row.target,
            body,
            secret=_webhook_secret(ctx, row.user_id),
            event=event,
            delivery_id=row.id,
            timestamp=int(ctx.clock().timestamp()),
            timeout=policy.timeout,
        )
    except httpx.HTTPError as err:
        raise AttemptFailed(f"{type(err).__name__}: {err}") from None
    if not answer.ok:
        raise AttemptFailed(f"HTTP {answer.status_code}", answer.status_code)
    return answer.status_code


def deliver_one(ctx: AppContext, delivery_id: int, policy: DeliveryPolicy) -> float | None:
    """One attempt at one delivery, recorded. Returns the seconds until its retry, or
    ``None`` when it is delivered, given up on, or not ours to send."""
    row = _claim(ctx, delivery_id, policy.lease)
    if row is None:
        return None
    status_code: int | None = None
    error: str | None = None
    permanent = False
    try:
        status_code = _attempt(ctx, row, policy)
    except AttemptFailed as err:
        error, status_code = str(err), err.status_code
    except PermanentFailure as err:
        error, permanent = str(err), True
    except Exception as err:  # a bug in one channel must not stop the others
        error = f"{type(err).__name__}: {err}"
    attempts = row.attempts + 1
    now = ctx.clock()
    retry_in: float | None = None
    if error is None:
        status = DeliveryStatus.DELIVERED
    elif permanent or attempts >= policy.max_attempts:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.RETRYING
        retry_in = policy.backoff(attempts)
    with ctx.store.write() as uow:
        stored = uow.deliveries.get(delivery_id)
        assert stored is not None
        stored.status = status
        stored.attempts = attempts
        stored.status_code = status_code
        stored.error = error
        stored.updated_at = now
        stored.next_retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        if status is DeliveryStatus.DELIVERED:
            stored.delivered_at = now
    NOTIFICATIONS.labels(channel=row.channel, event=row.event, outcome=status).inc()
    if error is not None:
        NOTIFICATION_FAILURES.labels(channel=row.channel, event=row.event).inc()
        log.warning(
            "notification_failed",
            delivery_id=delivery_id,
            user_id=row.user_id,
            channel=row.channel,
            notify_event=row.event,
            attempts=attempts,
            status=status,
            error=error,
        )
    return retry_in


def due_deliveries(ctx: AppContext, limit: int = 100) -> list[int]:
    """Deliveries whose next attempt is due, including ones a dead process had claimed."""
    now = ctx.clock()
    with ctx.store.read() as uow:
        return uow.deliveries.due_ids(
            now,
            pending=DeliveryStatus.PENDING,
            waiting=[DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
            limit=limit,
        )


class Notifier:
    """One background thread per process that sends deliveries and their retries.

    ``submit`` never blocks; ``drain`` waits (bounded) for what is due now, e.g.
    before a CLI command exits. ``sweep_every`` makes the thread also pick up due
    deliveries from the table (a server or worker turns it on).
    """

    def __init__(self, policy: DeliveryPolicy | None = None) -> None:
        self.policy = policy or DeliveryPolicy()
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, int, AppContext]] = []
        self._order = itertools.count()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._sweep: tuple[AppContext, float] | None = None
        self._next_sweep = 0.0

    def submit(self, ctx: AppContext, delivery_ids: list[int], delay: float = 0.0) -> None:
        due = time.monotonic() + delay
        with self._cond:
            for delivery_id in delivery_ids:
                heapq.heappush(self._heap, (due, next(self._order), delivery_id, ctx))
            self._start()
            self._cond.notify_all()

    def sweep_every(self, ctx: AppContext, seconds: float) -> None:
        with self._cond:
            self._sweep = (ctx, seconds)
            self._start()
            self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="trimtab-notifier", daemon=True)
            self._thread.start()

    def _next(self) -> tuple[int, AppContext] | None:
        """Wait for the next due delivery (or a sweep's turn); ``None`` means sweep now."""
        with self._cond:
            while True:
                now = time.monotonic()
                if self._sweep is not None and now >= self._next_sweep:
                    self._next_sweep = now + self._sweep[1]
                    return None
                if self._heap and self._heap[0][0] <= now:
                    _, _, delivery_id, ctx = heapq.heappop(self._heap)
                    self._busy += 1
                    return delivery_id, ctx
                waits = [60.0]
                if self._heap:
                    waits.append(self._heap[0][0] - now)
                if self._sweep is not None:
                    waits.append(self._next_sweep - now)
                self._cond.wait(max(min(waits), 0.0))

    def _run(self) -> None:
        while True:
            taken = self._next()
            if taken is None:
                self._sweep_now()
                continue
            delivery_id, ctx = taken
            retry_in = None
            try:
                retry_in = deliver_one(ctx, delivery_id, self.policy)
            except Exception:  # e.g. the database went away: a sweep retries
                log.exception("notification_delivery_crashed", delivery_id=delivery_id)
            with self._cond:
                self._busy -= 1
                if retry_in is not None:
                    heapq.heappush(
                        self._heap,
                        (time.monotonic() + retry_in, next(self._order), delivery_id, ctx),
                    )
                self._cond.notify_all()

    def _sweep_now(self) -> None:
        assert self._sweep is not None
        ctx = self._sweep[0]
        try:
            due = due_deliveries(ctx)
        except Exception:  # the next sweep tries again
            log.exception("notification_sweep_failed")
            return
        with self._cond:
            queued = {entry[2] for entry in self._heap}
            now = time.monotonic()
            for delivery_id in due:
                if delivery_id not in queued:
                    heapq.heappush(self._heap, (now, next(self._order), delivery_id, ctx))

    def drain(self, timeout: float, *, retries: bool = False) -> bool:
        """Wait until nothing is due now and nothing is being sent (with ``retries``: until
        the queue is empty). True when that happened within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                due = [e for e in self._heap if retries or e[0] <= now]
                if not due and self._busy == 0:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(deadline - now, 0.05))
