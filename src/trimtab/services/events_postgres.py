"""Events across processes through PostgreSQL LISTEN/NOTIFY.

Each process publishes with ``pg_notify``; once it has subscribers it runs one
listener thread that hands every notification (its own included) to the local
``InProcessEvents`` hub, so a change made through any API replica, the CLI or a
worker reaches every page.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from trimtab.services.events import InProcessEvents, Subscription

CHANNEL = "trimtab_events"
#: NOTIFY payloads must stay under 8000 bytes; larger events go out without their data.
MAX_PAYLOAD = 7900

log = logging.getLogger(__name__)


def libpq_dsn(url: URL) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://``) as a plain libpq connection string."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresEvents:
    """An ``EventPublisher`` whose subscribers hear events published by any process.

    Publishing borrows a connection from the engine's pool; the one connection that
    listens is opened with the first subscription, so a CLI command that only
    publishes holds none.
    """

    def __init__(self, engine: Engine, hub: InProcessEvents | None = None) -> None:
        self.engine = engine
        self.dsn = libpq_dsn(engine.url)
        self.hub = hub or InProcessEvents()
        self._listener: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()

    def subscribe(self, user_id: int) -> Subscription:
        self._ensure_listening()
        return self.hub.subscribe(user_id)

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        payload = json.dumps({"user_id": user_id, "kind": kind, "data": data}, default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            payload = json.dumps({"user_id": user_id, "kind": kind, "data": {}})
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": payload},
                )
        except SQLAlchemyError:
            # A lost notification only delays a page refresh; never fail the change itself.
            log.warning("could not publish %s event", kind, exc_info=True)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _ensure_listening(self) -> None:
        with self._start_lock:
            if self._listener is None:
                ready = threading.Event()
                self._listener = threading.Thread(
                    target=self._listen, args=(ready,), name="trimtab-events", daemon=True
                )
                self._listener.start()
                # Events published after subscribe() returns must not be missed.
                ready.wait(timeout=10)

    def _listen(self, ready: threading.Event) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    ready.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.5):
                            self._deliver(notify.payload)
            except psycopg.Error:
                log.warning("event listener lost its connection; reconnecting", exc_info=True)
                self._stop.wait(1)

    def _deliver(self, payload: str) -> None:
        try:
            event = json.loads(payload)
            self.hub.publish(int(event["user_id"]), str(event["kind"]), dict(event["data"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring malformed event payload %r", payload[:200])
