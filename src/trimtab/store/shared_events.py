"""Events between processes through the database: the base of the PostgreSQL
(``store.events_postgres``) and SQLite (``store.events_table``) channels.

Each hands what it hears to the process's local hub
(``services.events.InProcessEvents``), whose subscriptions the pages read.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

S_co = TypeVar("S_co", covariant=True)
S = TypeVar("S")


class LocalHub(Protocol[S_co]):
    """The process's own fan-out of events to its subscribers."""

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None: ...

    def subscribe(self, user_id: int) -> S_co: ...


class SharedEvents(ABC, Generic[S]):
    """Base of publishers that reach other processes through the database.

    ``publish`` sends an event through ``_send``; a listener thread, started with the
    first subscription (a CLI command that only publishes starts none), hands every
    event, this process's own included, to the local hub. A lost notification only
    delays a page refresh, so publishing never fails the change that caused it.
    """

    def __init__(self, engine: Engine, hub: LocalHub[S]) -> None:
        self.engine = engine
        self.hub = hub
        self._listener: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        try:
            self._send(user_id, kind, data)
        except SQLAlchemyError:
            log.warning("could not publish %s event", kind, exc_info=True)

    def subscribe(self, user_id: int) -> S:
        with self._start_lock:
            if self._listener is None:
                self._listener = self._start_listener()
        return self.hub.subscribe(user_id)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    @abstractmethod
    def _send(self, user_id: int, kind: str, data: dict[str, Any]) -> None: ...

    @abstractmethod
    def _start_listener(self) -> threading.Thread:
        """Start the thread that delivers every process's events; return it once it hears."""
