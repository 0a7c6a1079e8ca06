"""Events across processes through PostgreSQL LISTEN/NOTIFY.

Each process publishes with ``pg_notify``; once it has subscribers it runs one
listener thread that hands every notification (its own included) to its local hub,
so a change made through any API replica, the CLI or a worker reaches every page.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine

from trimtab.store.db import libpq_url
from trimtab.store.shared_events import LocalHub, S, SharedEvents

CHANNEL = "trimtab_events"
#: NOTIFY payloads must stay under 8000 bytes; larger events go out without their data.
MAX_PAYLOAD = 7900

log = logging.getLogger(__name__)


class PostgresEvents(SharedEvents[S]):
    """Events through ``pg_notify``, sent on a pooled connection; one dedicated
    connection listens once this process has subscribers."""

    def __init__(self, engine: Engine, hub: LocalHub[S]) -> None:
        super().__init__(engine, hub)
        self.dsn = libpq_url(engine.url)
        #: One autocommit connection sends every event of this process: a notification
        #: is then one round trip, not a pooled transaction of its own.
        self._sender: psycopg.Connection[Any] | None = None
        self._send_lock = threading.Lock()

    def _send(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        payload = json.dumps({"user_id": user_id, "kind": kind, "data": data}, default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            payload = json.dumps({"user_id": user_id, "kind": kind, "data": {}})
        with self._send_lock:
            # A sender the server dropped is replaced once; after that the event is lost
            # (a page refresh shows the change), never the change that caused it.
            for last_try in (False, True):
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = psycopg.connect(self.dsn, autocommit=True)
                    self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    return
                except psycopg.Error:
                    self._close_sender()
                    if last_try:
                        log.warning("could not publish %s event", kind, exc_info=True)

    def _close_sender(self) -> None:
        if self._sender is not None:
            with contextlib.suppress(psycopg.Error):
                self._sender.close()
            self._sender = None

    def close(self) -> None:
        super().close()
        with self._send_lock:
            self._close_sender()

    def _start_listener(self) -> threading.Thread:
        ready = threading.Event()
        thread = threading.Thread(
            target=self._listen, args=(ready,), name="trimtab-events", daemon=True
        )
        thread.start()
        # Events published after subscribe() returns must not be missed.
        ready.wait(timeout=10)
        return thread

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
