"""Change notifications for live pages: a publisher port and the in-process fan-out.

Kinds published by the services: ``allocation_changed``, ``run_started``,
``run_finished``, ``order_updated``, ``risk_changed`` (a user's or the system's risk
row; the system's goes to every user) and ``settings_changed`` (the rebalancing rules).
Several processes share a channel through the database behind the same
``EventPublisher`` protocol (``store.shared_events``: LISTEN/NOTIFY on PostgreSQL, an
events table on SQLite), each handing what it hears to its ``InProcessEvents``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Event:
    user_id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class EventPublisher(Protocol):
    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None: ...


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
