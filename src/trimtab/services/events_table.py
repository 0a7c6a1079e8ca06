"""Events across processes on SQLite: an ``events`` table that every listener tails.

A publisher (the API, the CLI, a worker) inserts a row; a process with live pages
polls for rows past the last one it saw and hands them to its ``InProcessEvents``
hub. SQLite has no LISTEN/NOTIFY, and a short poll of an indexed table is cheap.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from trimtab.services.events import InProcessEvents, Subscription
from trimtab.store.models import EventRow

POLL_SECONDS = 0.3
#: Rows older than this are of no use to anyone: every listener has long read them.
KEEP = timedelta(minutes=10)

log = logging.getLogger(__name__)


class TableEvents:
    """An ``EventPublisher`` whose subscribers, in any process, hear every publish."""

    def __init__(self, engine: Engine, hub: InProcessEvents | None = None) -> None:
        self.engine = engine
        self.hub = hub or InProcessEvents()
        self._listener: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()

    def publish(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(EventRow).values(
                        user_id=user_id, kind=kind, data=data, created_at=datetime.now(UTC)
                    )
                )
        except SQLAlchemyError:
            # A lost notification only delays a page refresh; never fail the change itself.
            log.warning("could not publish %s event", kind, exc_info=True)

    def subscribe(self, user_id: int) -> Subscription:
        self._ensure_listening()
        return self.hub.subscribe(user_id)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _ensure_listening(self) -> None:
        # Only processes with subscribers poll: a CLI command publishes and leaves.
        with self._start_lock:
            if self._listener is None:
                with self.engine.connect() as connection:
                    last = connection.scalar(select(func.max(EventRow.id))) or 0
                self._listener = threading.Thread(
                    target=self._listen, args=(last,), name="trimtab-events", daemon=True
                )
                self._listener.start()

    def _listen(self, last: int) -> None:
        pruned = datetime.now(UTC)
        while not self._stop.wait(POLL_SECONDS):
            try:
                with self.engine.begin() as connection:
                    rows = connection.execute(
                        select(EventRow.id, EventRow.user_id, EventRow.kind, EventRow.data)
                        .where(EventRow.id > last)
                        .order_by(EventRow.id)
                        .limit(500)
                    ).all()
                    now = datetime.now(UTC)
                    if now - pruned > KEEP:
                        connection.execute(delete(EventRow).where(EventRow.created_at < now - KEEP))
                        pruned = now
            except SQLAlchemyError:
                log.warning("event poll failed; retrying", exc_info=True)
                continue
            for row in rows:
                last = row.id
                self.hub.publish(row.user_id, row.kind, row.data)
