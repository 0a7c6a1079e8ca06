"""SQLite writers of one process queue on the engine's writer lock, and every way a
transaction can end hands the lock on (store.db._serialise_sqlite_writers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from trimtab.store.db import make_engine, make_session_factory, reading

WAIT = 10  # seconds: far past any hand-over, far below the 30 s busy timeout


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (name TEXT)"))
    yield engine
    engine.dispose()


def names(engine: Engine) -> list[str]:
    with reading(make_session_factory(engine)) as session:
        return list(session.scalars(text("SELECT name FROM t ORDER BY rowid")))


def write_in_thread(engine: Engine, name: str) -> threading.Thread:
    def write() -> None:
        with make_session_factory(engine).begin() as session:
            session.execute(text("INSERT INTO t VALUES (:name)"), {"name": name})

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_and_then_writes(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES ('first')"))
        second = write_in_thread(engine, "second")
        second.join(timeout=0.3)
        assert second.is_alive()  # queued behind the open transaction
    second.join(timeout=WAIT)
    assert not second.is_alive()
    assert names(engine) == ["first", "second"]


def test_a_rolled_back_write_hands_the_lock_on(engine: Engine) -> None:
    with pytest.raises(ZeroDivisionError), engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES ('lost')"))
        _ = 1 / 0
    writer = write_in_thread(engine, "next")
    writer.join(timeout=WAIT)
    assert not writer.is_alive()
    assert names(engine) == ["next"]


def test_a_connection_dropped_mid_transaction_hands_the_lock_on(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES ('lost')"))
        connection.invalidate()
    writer = write_in_thread(engine, "next")
    writer.join(timeout=WAIT)
    assert not writer.is_alive()
    assert names(engine) == ["next"]


def test_a_reader_does_not_queue_behind_a_writer(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES ('pending')"))
        seen: list[list[str]] = []
        reader = threading.Thread(target=lambda: seen.append(names(engine)))
        reader.start()
        reader.join(timeout=WAIT)
        assert not reader.is_alive() and seen == [[]]
