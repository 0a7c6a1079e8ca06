"""Events across processes on SQLite: an ``events`` table that every listener tails.

A publisher (the API, the CLI, a worker) inserts a row; a process with live pages
polls for rows past the last one it saw and hands them to its local hub. SQLite has
no LISTEN/NOTIFY, and a short poll of an indexed table is cheap.

The event of a change is inserted in the change's own transaction (``publish_in``),
inside a SAVEPOINT: one commit (one fsync) carries both, and an insert that fails
rolls back to the savepoint only, so the change still commits.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from trimtab.store.db import READ_ONLY
from trimtab.store.models import EventRow
from trimtab.store.shared_events import S, SharedEvents

POLL_SECONDS = 0.3
#: Rows older than this are of no use to anyone: every listener has long read them.
KEEP = timedelta(minutes=10)

if TYPE_CHECKING:
    from trimtab.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
_INSERT_EVENT = insert(cast(Table, EventRow.__table__))


class TableEvents(SharedEvents[S]):
    """Events as rows of the ``events`` table, tailed by each process with subscribers."""

    def _send(self, user_id: int, kind: str, data: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(_INSERT_EVENT, _event_row(user_id, kind, data))

    def publish_in(self, uow: UnitOfWork, user_id: int, kind: str, data: dict[str, Any]) -> None:
        """Insert the event in ``uow``'s transaction, inside a SAVEPOINT: it is committed
        with the change (listeners see it once the change is), and an insert that fails
        is logged and rolled back to the savepoint, leaving the change to commit."""
        session = uow.session
        # The change's own pending writes go first, outside the savepoint: their
        # failure is the change's, not the event's.
        session.flush()
        # The connection's own savepoint: the session holds no object of the events
        # table, so its nested transaction (a third of the cost) would guard nothing.
        connection = session.connection()
        try:
            with connection.begin_nested():
                connection.execute(_INSERT_EVENT, _event_row(user_id, kind, data))
        except SQLAlchemyError:
            log.warning("could not publish %s event", kind, exc_info=True)

    def _start_listener(self) -> threading.Thread:
        # Deliver what is published from now on, not the backlog.
        with self.engine.connect() as connection:
            last = connection.scalar(select(func.max(EventRow.id))) or 0
        thread = threading.Thread(
            target=self._listen, args=(last,), name="trimtab-events", daemon=True
        )
        thread.start()
        return thread

    def _listen(self, last: int) -> None:
        pruned = datetime.now(UTC)
        while not self._stop.wait(POLL_SECONDS):
            try:
                # A read-only poll: it never takes SQLite's write lock (store.db.reading).
                with self.engine.connect() as connection:
                    connection.execution_options(**{READ_ONLY: True})
                    rows = connection.execute(
                        select(EventRow.id, EventRow.user_id, EventRow.kind, EventRow.data)
                        .where(EventRow.id > last)
                        .order_by(EventRow.id)
                        .limit(500)
                    ).all()
                now = datetime.now(UTC)
                if now - pruned > KEEP:
                    with self.engine.begin() as connection:
                        connection.execute(delete(EventRow).where(EventRow.created_at < now - KEEP))
                    pruned = now
            except SQLAlchemyError:
                log.warning("event poll failed; retrying", exc_info=True)
                continue
            for row in rows:
                last = row.id
                self.hub.publish(row.user_id, row.kind, row.data)


def _event_row(user_id: int, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": user_id, "kind": kind, "data": data, "created_at": datetime.now(UTC)}
