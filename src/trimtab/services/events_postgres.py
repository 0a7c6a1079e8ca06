"""Events across processes through PostgreSQL LISTEN/NOTIFY.

Each process publishes with ``pg_notify`` and runs one listener thread that hands
every notification (its own included) to the local ``InProcessEvents`` hub, so a
change made through any API replica, the CLI or a worker reaches every page.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from trimtab.services.events import InProcessEvents, Subscription

CHANNEL = "trimtab_events"
#: NOTIFY payloads must stay under 8000 bytes; larger events go out without their data.
MAX_PAYLOAD = 7900

log = logging.getLogger(__name__)


def libpq_dsn(database_url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://``) as a plain libpq connection string."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresEvents:
    """An ``EventPublisher`` whose subscribers hear events published by any process."""

    def __init__(self, database_url: str, hub: InProcessEvents | None = None) -> None:
        self.dsn = libpq_dsn(database_url)
        self.hub = hub or InProcessEvents()
        self._publisher: psycopg.Connection[Any] | None = None
        self._publish_lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="trimtab-events", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)

    def subscribe(self, user_id: int) -> Subscription:
        return self.hub.subscribe(user_id)

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        payload = json.dumps({"user_id": user_id, "kind": kind, "data": data}, default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            payload = json.dumps({"user_id": user_id, "kind": kind, "data": {}})
        with self._publish_lock:
            try:
                if self._publisher is None or self._publisher.closed:
                    self._publisher = psycopg.connect(self.dsn, autocommit=True)
                self._publisher.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except psycopg.Error:
                # A lost notification only delays a page refresh; never fail the change itself.
                log.warning("could not publish %s event", kind, exc_info=True)
                self._publisher = None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._publisher is not None:
            self._publisher.close()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
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
