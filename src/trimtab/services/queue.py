"""The job queue of ``trimtab worker``: procrastinate on PostgreSQL.

Tasks (queue ``trimtab``):

- ``sweep`` — periodic, every ``TRIMTAB_SWEEP_SECONDS``: deferred once per tick
  however many workers run (procrastinate's periodic deferral is unique per tick),
  and never twice in the queue (queueing lock). It resumes unfinished runs, screens
  the due accounts and defers ``scheduled_check`` for each that could be past a band.
- ``scheduled_check(user_id, due_at)`` — one due check (``automation.check_due``).
- ``advance_run(user_id)`` — send and follow a live run recorded by the API.
- ``retry_stalled`` — periodic, every minute, and once when a worker starts: a job
  left ``doing`` by a worker that stopped sending heartbeats (killed, or its machine
  lost) goes back to ``todo``, so another worker runs it again (procrastinate's
  stalled-jobs API). Running a check or a run again is safe: see below.

Per account, jobs carry a queueing lock (one waiting job per account and kind). They
carry no procrastinate ``lock``: a worker killed mid-job would leave it held for good.
The account's run lock (``services.broker_accounts.account_lock``) serialises them with each
other and with manual runs, and ``check_due`` makes each due time happen once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate import jobs
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.job_context import JobContext

from trimtab.errors import Conflict
from trimtab.services.automation import Due, SweepReport, check_due, sweep
from trimtab.services.context import AppContext
from trimtab.services.rebalance import advance_run
from trimtab.store.db import libpq_url
from trimtab.wording import counted

log = logging.getLogger(__name__)
QUEUE = "trimtab"
SWEEP = "trimtab.sweep"
SCHEDULED_CHECK = "trimtab.scheduled_check"
ADVANCE_RUN = "trimtab.advance_run"
RETRY_STALLED = "trimtab.retry_stalled"
#: The run lock's name for a sweep (account keys look like ``paper:1``, never like this).
SWEEP_LOCK = "trimtab:sweep"
#: A worker silent this long (procrastinate's default heartbeat is every 10 s) is taken
#: for dead, and its running jobs are retried.
STALLED_AFTER_SECONDS = 30.0
#: Jobs deferred per statement by a sweep.
DEFER_BATCH = 500


class _Worker:
    """The context the tasks run with, set by ``trimtab worker`` (or a test) before work."""

    ctx: AppContext | None = None


def use_context(ctx: AppContext) -> None:
    _Worker.ctx = ctx


def _ctx() -> AppContext:
    if _Worker.ctx is None:
        raise RuntimeError("the queue's tasks need use_context(ctx) first")
    return _Worker.ctx


def sweep_cron(seconds: float) -> str:
    """A cron (procrastinate's, with an optional seconds field) firing every ``seconds``."""
    whole = max(1, round(seconds))
    if whole < 60:
        return f"* * * * * */{whole}"
    return f"*/{max(1, whole // 60)} * * * *"


def queue_app(database_url: str, sweep_seconds: float) -> procrastinate.App:
    """The procrastinate app on ``database_url`` with trimtab's tasks (not opened)."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )
    app.task(name=SCHEDULED_CHECK, queue=QUEUE)(scheduled_check)
    app.task(name=ADVANCE_RUN, queue=QUEUE)(advance_live_run)
    sweep_task = app.task(name=SWEEP, queue=QUEUE, queueing_lock=SWEEP)(sweep_accounts)
    app.periodic(cron=sweep_cron(sweep_seconds))(sweep_task)
    retry_task = app.task(
        name=RETRY_STALLED, queue=QUEUE, queueing_lock=RETRY_STALLED, pass_context=True
    )(retry_stalled)
    app.periodic(cron="* * * * *")(retry_task)
    return app


async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """The periodic task: put back the jobs of workers that stopped (``retry_stalled_jobs``)."""
    assert context.app is not None
    return await retry_stalled_jobs(context.app)


async def retry_stalled_jobs(app: procrastinate.App) -> int:
    """Put every ``doing`` job of a worker whose last heartbeat is older than
    ``STALLED_AFTER_SECONDS`` back to ``todo``; returns how many.

    A stalled job whose account already has the same job waiting (same queueing lock)
    is marked failed instead: the waiting one does its work.
    """
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER_SECONDS
    )
    retried = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except UniqueViolation:
            await app.job_manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
            continue
        log.warning("job %s (%s) of a stalled worker retried", job.id, job.call_string)
        retried += 1
    return retried


def _retry_stalled_now(database_url: str, sweep_seconds: float) -> int:
    async def retry() -> int:
        app = queue_app(database_url, sweep_seconds)
        async with app.open_async():
            return await retry_stalled_jobs(app)

    return asyncio.run(retry())


def scheduled_check(user_id: int, due_at: str) -> str:
    return str(check_due(_ctx(), Due(user_id, datetime.fromisoformat(due_at))))


def advance_live_run(user_id: int) -> None:
    # Conflict: another worker or process holds the account and moves the run on.
    with contextlib.suppress(Conflict):
        advance_run(_ctx(), user_id)


def sweep_accounts(timestamp: int) -> dict[str, Any]:
    ctx = _ctx()
    report = sweep_alone(ctx, _Queue.app)
    log.info("sweep at %s: %s", timestamp, report)
    return asdict(report)


class _Queue:
    """The app the sweep defers through (the worker's own, opened)."""

    app: procrastinate.App


def use_app(app: procrastinate.App) -> None:
    _Queue.app = app


def sweep_alone(ctx: AppContext, app: procrastinate.App) -> SweepReport:
    """``sweep``, deferring the checks to the queue, unless another worker is sweeping
    right now (it covers the same schedules): workers starting together sweep once."""
    try:
        with ctx.store.run_lock(SWEEP_LOCK, lease=ctx.run_options.lock_lease, clock=ctx.clock):
            return sweep(ctx, lambda due: defer_checks(app, due))
    except Conflict:
        log.info("another worker is sweeping; this one leaves it to it")
        return SweepReport(0, 0, 0, 0)


def _job(task_name: str, user_id: int, kind: str, **kwargs: Any) -> jobs.Job:
    return jobs.Job(
        id=None,
        queue=QUEUE,
        lock=None,
        queueing_lock=f"{kind}:{user_id}",
        task_name=task_name,
        task_kwargs={"user_id": user_id, **kwargs},
    )


def defer_checks(app: procrastinate.App, due: Sequence[Due]) -> int:
    """Defer one ``scheduled_check`` per due account (in batches); an account that already
    has one waiting or running is skipped. Returns how many were deferred."""
    queued = {
        job.task_kwargs.get("user_id")
        for status in ("todo", "doing")
        for job in app.job_manager.list_jobs(queue=QUEUE, task=SCHEDULED_CHECK, status=status)
    }
    due = [d for d in due if d.user_id not in queued]
    deferred = 0
    for start in range(0, len(due), DEFER_BATCH):
        batch = [
            _job(SCHEDULED_CHECK, d.user_id, "check", due_at=d.due_at.isoformat())
            for d in due[start : start + DEFER_BATCH]
        ]
        try:
            deferred += len(app.job_manager.batch_defer_jobs(batch))
        except AlreadyEnqueued:
            for job in batch:
                deferred += _defer_one(app, job)
    return deferred


def defer_advance(app: procrastinate.App, user_id: int) -> int:
    """Defer ``advance_run`` for the account, unless one is already waiting."""
    return _defer_one(app, _job(ADVANCE_RUN, user_id, "advance"))


def _defer_one(app: procrastinate.App, job: jobs.Job) -> int:
    try:
        app.job_manager.defer_job(job)
    except AlreadyEnqueued:
        return 0
    return 1


def run_worker(ctx: AppContext, *, concurrency: int, name: str, wait: bool = True) -> int:
    """Work the queue with ``ctx``: first resume unfinished runs and sweep once, then take
    jobs until stopped (``wait``) or until the queue is empty. Returns the runs resumed."""
    use_context(ctx)
    retried = _retry_stalled_now(ctx.settings.database_url, ctx.settings.sweep_seconds)
    app = queue_app(ctx.settings.database_url, ctx.settings.sweep_seconds)
    use_app(app)
    with app.open():
        # A killed worker's runs are finished first, and its due accounts handed out again.
        report = sweep_alone(ctx, app)
    log.info("worker %s started: %s; %s retried", name, report, counted(retried, "stalled job"))
    app.run_worker(queues=[QUEUE], concurrency=concurrency, name=name, wait=wait)
    return report.resumed


class QueuedRuns:
    """Live runs handed to ``trimtab worker`` through the queue (``TRIMTAB_WORKERS``)."""

    def __init__(self, ctx: AppContext) -> None:
        self.app = queue_app(ctx.settings.database_url, ctx.settings.sweep_seconds)
        self.app.open()

    def launch(self, user_id: int, run_id: int) -> None:
        defer_advance(self.app, user_id)

    def close(self) -> None:
        self.app.close()
