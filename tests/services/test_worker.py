"""``trimtab worker`` on PostgreSQL with real procrastinate and real worker processes:
workers racing for one due run, and a worker SIGKILLed mid-run, then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from procrastinate import jobs
from sqlalchemy import Engine, select, text, update

from trimtab.config import Settings
from trimtab.domain.schedule import next_run
from trimtab.services import schedules
from trimtab.services.automation import SweepReport
from trimtab.services.broker_accounts import make_broker_for
from trimtab.services.context import AppContext, utc_now
from trimtab.services.demo import seed_demo_user
from trimtab.services.events import InProcessEvents
from trimtab.services.queue import QUEUE, SCHEDULED_CHECK, SWEEP_LOCK, queue_app, sweep_alone
from trimtab.store.db import make_engine
from trimtab.store.locks import run_lock
from trimtab.store.models import PaperOrderRow, RebalanceRunRow, ScheduleRow
from trimtab.store.unit_of_work import Store

from ..conftest import empty_database

ROOT = Path(__file__).resolve().parents[2]
TRIMTAB = Path(sys.executable).parent / "trimtab"
#: Every wait on a worker process is bounded by this, in seconds.
PROCESS_TIMEOUT = 180

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_ctx(postgres_database: str) -> Iterator[AppContext]:
    """A context on the migrated PostgreSQL database, emptied, with its job queue empty."""
    engine: Engine = make_engine(postgres_database)
    empty_database(engine)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE procrastinate_jobs RESTART IDENTITY CASCADE"))
    settings = Settings(TRIMTAB_DATABASE_URL=postgres_database, TRIMTAB_SECRET_KEY="test-secret")
    store = Store(engine)
    yield AppContext(
        store=store,
        broker_for=make_broker_for(settings, store),
        events=InProcessEvents(),
        settings=settings,
    )
    engine.dispose()


def _worker_env(ctx: AppContext) -> dict[str, str]:
    return {
        **os.environ,
        "TRIMTAB_DATABASE_URL": ctx.settings.database_url,
        "TRIMTAB_SECRET_KEY": "test-secret",
        "TRIMTAB_SWEEP_SECONDS": "3600",
    }


def _due_demo_account(ctx: AppContext) -> tuple[int, datetime]:
    """The demo user on a daily rebalance whose latest 10:00 (a past session) is due."""
    user_id = seed_demo_user(ctx).user.id
    view = schedules.set_schedule(ctx, user_id, mode="rebalance", cooldown_minutes=0)
    now = utc_now()
    due, probe = None, now - timedelta(days=10)
    calendar = schedules.market_calendar(ctx)
    while (following := next_run(view.schedule, after=probe, calendar=calendar)) is not None:
        if following > now:
            break
        due = probe = following
    assert due is not None
    with ctx.store.session_factory.begin() as session:
        session.execute(
            update(ScheduleRow).where(ScheduleRow.user_id == user_id).values(next_run_at=due)
        )
    return user_id, due


def _placed(ctx: AppContext) -> Counter[str]:
    with ctx.store.session_factory() as session:
        return Counter(session.scalars(select(PaperOrderRow.client_order_id)).all())


def _scheduled_runs(ctx: AppContext, user_id: int) -> list[RebalanceRunRow]:
    with ctx.store.session_factory() as session:
        return list(
            session.scalars(
                select(RebalanceRunRow).where(
                    RebalanceRunRow.user_id == user_id, RebalanceRunRow.trigger == "scheduled"
                )
            ).all()
        )


def _schedule(ctx: AppContext, user_id: int) -> ScheduleRow:
    with ctx.store.session_factory() as session:
        row = session.get(ScheduleRow, user_id)
        assert row is not None
        return row


def test_two_workers_racing_for_one_due_run_place_its_orders_once(pg_ctx: AppContext) -> None:
    user_id, due = _due_demo_account(pg_ctx)
    app = queue_app(pg_ctx.settings.database_url, 3600)
    with app.open():
        # The same due check handed out twice, with nothing in the queue to stop it.
        for _ in range(2):
            app.job_manager.defer_job(
                jobs.Job(
                    id=None,
                    queue=QUEUE,
                    lock=None,
                    queueing_lock=None,
                    task_name=SCHEDULED_CHECK,
                    task_kwargs={"user_id": user_id, "due_at": due.isoformat()},
                )
            )
    workers = [
        subprocess.Popen(
            [str(TRIMTAB), "worker", "--until-idle", "--concurrency", "2", "--name", f"w{i}"],
            env=_worker_env(pg_ctx),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    for process in workers:
        output, _ = process.communicate(timeout=PROCESS_TIMEOUT)
        assert process.returncode == 0, output
    runs = _scheduled_runs(pg_ctx, user_id)
    assert [(r.status, r.dry_run) for r in runs] == [("completed", False)]
    placed = _placed(pg_ctx)
    assert len(placed) == 2  # sell SPY, buy TLT
    assert set(placed.values()) == {1}
    row = _schedule(pg_ctx, user_id)
    assert (row.last_due_at, row.last_run_id, row.last_outcome) == (due, runs[0].id, "checked")
    assert row.next_run_at is not None and row.next_run_at > utc_now()
    with pg_ctx.store.engine.connect() as connection:
        statuses = connection.execute(text("SELECT status FROM procrastinate_jobs")).scalars()
        assert set(statuses) == {"succeeded"}


def test_a_worker_killed_mid_run_is_resumed_by_the_next_with_each_order_placed_once(
    pg_ctx: AppContext, tmp_path: Path
) -> None:
    user_id, due = _due_demo_account(pg_ctx)
    marker = tmp_path / "first-order-taken"
    stalling = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.services.stalling_worker",
            pg_ctx.settings.database_url,
            str(marker),
        ],
        env=_worker_env(pg_ctx),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while not marker.exists():
        assert stalling.poll() is None, stalling.communicate()[0]
        assert time.monotonic() < deadline, "the worker never took the first order"
        time.sleep(0.1)
    os.kill(stalling.pid, signal.SIGKILL)
    stalling.wait(timeout=PROCESS_TIMEOUT)
    # Killed after the broker took the sell, before trimtab recorded its answer.
    assert _placed(pg_ctx) == Counter({marker.read_text(): 1})
    [interrupted] = _scheduled_runs(pg_ctx, user_id)
    assert interrupted.status == "running"
    with pg_ctx.store.engine.begin() as connection:
        [(job_id, status)] = connection.execute(
            text("SELECT id, status FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": SCHEDULED_CHECK},
        ).all()
        assert status == "doing"  # the killed worker's job, left behind
        # Time passes: the killed worker's last heartbeat is now a minute old.
        connection.execute(
            text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'")
        )

    resumed = subprocess.run(
        [str(TRIMTAB), "worker", "--until-idle", "--name", "next"],
        env=_worker_env(pg_ctx),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    [run] = _scheduled_runs(pg_ctx, user_id)
    assert run.status == "completed", run.message
    placed = _placed(pg_ctx)
    assert len(placed) == 2
    assert set(placed.values()) == {1}
    row = _schedule(pg_ctx, user_id)
    assert row.last_due_at == due
    assert row.next_run_at is not None and row.next_run_at > utc_now()
    # The stalled job was retried and ran again, finding its due time already handled.
    assert "1 stalled job retried" in resumed.stdout + resumed.stderr
    with pg_ctx.store.engine.connect() as connection:
        events = Counter(
            connection.execute(
                text("SELECT type FROM procrastinate_events WHERE job_id = :id"), {"id": job_id}
            ).scalars()
        )
        status = connection.execute(
            text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()
    assert (events["started"], events["deferred_for_retry"], status) == (2, 1, "succeeded")


def test_a_sweep_is_left_to_the_worker_already_sweeping(pg_ctx: AppContext) -> None:
    user_id, due = _due_demo_account(pg_ctx)
    app = queue_app(pg_ctx.settings.database_url, 3600)
    lock = run_lock(
        pg_ctx.store.engine,
        pg_ctx.store.session_factory,
        SWEEP_LOCK,
        lease=timedelta(minutes=1),
        clock=utc_now,
    )
    with app.open():
        with lock:  # another worker sweeps right now
            assert sweep_alone(pg_ctx, app) == SweepReport(0, 0, 0, 0)
            assert list(app.job_manager.list_jobs(task=SCHEDULED_CHECK)) == []
        assert sweep_alone(pg_ctx, app) == SweepReport(0, 1, 0, 1)
        [job] = app.job_manager.list_jobs(task=SCHEDULED_CHECK)
    assert job.task_kwargs == {"user_id": user_id, "due_at": due.isoformat()}
