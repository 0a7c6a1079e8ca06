"""Events on SQLite (``TableEvents``): the listener polls without taking the write lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from trimtab.services.events import InProcessEvents
from trimtab.store.db import READ_ONLY, make_engine, upgrade
from trimtab.store.events_table import POLL_SECONDS, TableEvents


def test_the_listener_delivers_and_its_polls_only_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    upgrade(url)
    engine = make_engine(url)
    begins: list[tuple[str, bool]] = []

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = bool(connection.get_execution_options().get(READ_ONLY, False))
        begins.append((threading.current_thread().name, read_only))

    events = TableEvents(engine, InProcessEvents())
    try:
        subscription = events.subscribe(7)
        events.publish(7, "run_finished", {"run_id": 1})
        delivered = subscription.get(timeout=30)
        assert delivered is not None and delivered.data == {"run_id": 1}
        time.sleep(POLL_SECONDS * 4)
    finally:
        events.close()
        engine.dispose()
    polls = [read_only for name, read_only in begins if name == "trimtab-events"]
    # Several polls, none of them BEGIN IMMEDIATE (each would queue behind every writer).
    assert len(polls) >= 2 and all(polls), polls
