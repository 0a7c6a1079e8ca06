"""Change notifications for live pages: a publisher port and the in-process fan-out.

Kinds published by the services: ``allocation_changed``, ``run_started``,
``run_finished``, ``order_updated``, ``risk_changed`` (a user's or the system's risk
row; the system's goes to every user) and ``settings_changed`` (the rebalancing rules).
Several processes share a channel through the database behind the same
``EventPublisher`` protocol (``store.shared_events``: LISTEN/NOTIFY on PostgreSQL, an
events table on SQLite), each handing what it hears to its ``InProcessEvents``.

An event that reports a change is published with the change (``publish_with_change``):
heard once the change commits, never when it rolls back, and a failed publish never
fails the change.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from trimtab.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Event:
    user_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class EventPublisher(Protocol):
    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None: ...


@runtime_checkable
class PublishesInTransaction(Protocol):
    """A channel that can carry an event in the transaction of the change it reports
    (``store.events_table.TableEvents``, SQLite's events table)."""

    def publish_in(self, uow: UnitOfWork, user_id: int, kind: str, data: dict[str, Any]) -> None:
        """Publish as part of ``uow``: heard once it commits, never if it rolls back;
        a failure to publish is logged and leaves ``uow`` to commit."""


def publish_with_change(
    events: EventPublisher, uow: UnitOfWork, user_id: int, kind: str, data: dict[str, Any]
) -> None:
    """Publish the event of the change ``uow`` writes: in its transaction where the
    channel can (SQLite's events table: one commit carries both), else right after it
    commits. Never when ``uow`` rolls back; a failed publish never fails the change."""
    if isinstance(events, PublishesInTransaction):
        events.publish_in(uow, user_id, kind, data)
    else:
        uow.after_commit(lambda: events.publish(user_id, kind, data))


class Subscription:
    """One listener's queue of a user's events; close it when the listener goes away."""

    def __init__(self, hub: InProcessEvents, user_id: int, maxsize: int) -> None:
        self.hub = hub
        self.user_id = user_id
        self.queue: queue.Queue[Event] = queue.Queue(maxsize)

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or ``None`` when none came within ``timeout`` seconds."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class InProcessEvents:
    """Fans each event out to this process's subscribers of the user. Thread-safe.

    A subscriber that stops reading loses events past ``maxsize`` rather than
    holding up the service that publishes.
    """

    def __init__(self, maxsize: int = 1000) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._subscribers: dict[int, list[Subscription]] = {}

    def subscribe(self, user_id: int) -> Subscription:
        subscription = Subscription(self, user_id, self.maxsize)
        with self._lock:
            self._subscribers.setdefault(user_id, []).append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            listeners = self._subscribers.get(subscription.user_id, [])
            if subscription in listeners:
                listeners.remove(subscription)

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        event = Event(user_id, kind, data)
        with self._lock:
            listeners = list(self._subscribers.get(user_id, []))
        for subscription in listeners:
            with contextlib.suppress(queue.Full):
                subscription.queue.put_nowait(event)
