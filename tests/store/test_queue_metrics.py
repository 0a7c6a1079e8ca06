"""Queue depth and lag, read from procrastinate's jobs table at scrape time."""

from __future__ import annotations

from sqlalchemy import Engine, text

from trimtab.monitoring.metrics import QueueCollector


def families(engine: Engine) -> dict[str, dict[tuple[str, ...], float]]:
    return {
        family.name: {tuple(s.labels.values()): s.value for s in family.samples}
        for family in QueueCollector(engine).collect()
    }


def test_queue_depth_and_lag(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        # SQLite has no job queue: the gauges are present and empty.
        assert families(engine) == {"trimtab_queue_jobs": {}, "trimtab_queue_lag_seconds": {}}
        return
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM procrastinate_jobs"))
        for scheduled, status in (
            ("now() - interval '300 seconds'", "todo"),
            ("now() - interval '60 seconds'", "todo"),
            ("now() + interval '1 hour'", "todo"),
            ("NULL", "doing"),
        ):
            connection.execute(
                text(
                    "INSERT INTO procrastinate_jobs (queue_name, task_name, status, scheduled_at)"
                    f" VALUES ('checks', 'check', '{status}', {scheduled})"
                )
            )
    found = families(engine)
    assert found["trimtab_queue_jobs"] == {("checks", "todo"): 3, ("checks", "doing"): 1}
    # The oldest due job was scheduled 300 s before the query ran (the one due in an
    # hour does not count): the lag is 300 s plus the few moments the test took.
    (lag,) = found["trimtab_queue_lag_seconds"].values()
    assert 300 <= lag < 360
