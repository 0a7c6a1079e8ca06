"""Live runs and scheduled checks in this process's own threads (no ``trimtab worker``).

``trimtab serve`` uses it on SQLite, or on PostgreSQL when ``TRIMTAB_WORKERS`` is not
set: a live check answers at once and its orders are sent and followed here, and a
sweep thread runs the schedules. Both are bounded: a few run threads, each run by
``RunOptions.fill_timeout``, and ``close`` stops the sweep and waits for the runs.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from trimtab.errors import Conflict, NotFound, TrimtabError
from trimtab.services.automation import Due, check_due, sweep
from trimtab.services.context import AppContext
from trimtab.services.contract import CheckResult
from trimtab.services.rebalance import advance_run, start_live_check
from trimtab.services.run_records import UNFINISHED, RunStatus, run_result

log = logging.getLogger(__name__)
#: Live runs followed at once by one process; more wait their turn.
MAX_RUN_THREADS = 4
#: How often a caller that waits for a background run looks at it, in seconds.
WAIT_POLL_SECONDS = 0.2


class RunLauncher(Protocol):
    def launch(self, user_id: int, run_id: int) -> None:
        """Send and follow the orders of ``user_id``'s recorded run ``run_id`` elsewhere."""
        ...

    def close(self) -> None: ...


class InProcessRuns:
    """Runs and the schedule sweep in threads of this process."""

    def __init__(self, ctx: AppContext, max_runs: int = MAX_RUN_THREADS) -> None:
        self.ctx = ctx
        self._runs = ThreadPoolExecutor(max_runs, thread_name_prefix="trimtab-run")
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def launch(self, user_id: int, run_id: int) -> None:
        self._runs.submit(self._advance, user_id, run_id)

    def _advance(self, user_id: int, run_id: int) -> None:
        try:
            advance_run(self.ctx, user_id)
        except Conflict:
            pass  # another process holds the account and moves the run on
        except Exception:
            # The run stays recorded as running: the next check or sweep resumes it.
            log.exception("run %s of user %s stopped", run_id, user_id)

    def start_schedule(self, interval: float) -> None:
        """Sweep the schedules every ``interval`` seconds until ``close``."""
        self._sweeper = threading.Thread(
            target=self._sweep_loop, args=(interval,), name="trimtab-sweep", daemon=True
        )
        self._sweeper.start()

    def _sweep_loop(self, interval: float) -> None:
        while True:
            try:
                sweep(self.ctx, self._check_each)
            except Exception:
                log.exception("schedule sweep failed; trying again in %s s", interval)
            if self._stop.wait(interval):
                return

    def _check_each(self, due: list[Due]) -> None:
        for item in due:
            if self._stop.is_set():
                return
            check_due(self.ctx, item)

    def close(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=self.ctx.run_options.fill_timeout + 30)
        self._runs.shutdown(wait=True)


def start_in_background(
    ctx: AppContext,
    runs: RunLauncher,
    user_id: int,
    symbols: Sequence[str] | None = None,
    queue_if_closed: bool = False,
) -> CheckResult:
    """Record a live check and hand its orders to ``runs``; returns the recorded contract
    (``status: running`` while the orders go out, or the final status when none will)."""
    started = start_live_check(ctx, user_id, symbols=symbols, queue_if_closed=queue_if_closed)
    if started.status in UNFINISHED:
        runs.launch(user_id, started.run_id)
    return started


def wait_for_run(ctx: AppContext, user_id: int, run_id: int, timeout: float) -> CheckResult:
    """The run's contract once it stops running (finished, or awaiting fills), or as it
    stands after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with ctx.store.read() as uow:
            run = uow.runs.get_for_user(user_id, run_id)
            if run is None:
                raise NotFound(f"no run {run_id}")
            if run.status != RunStatus.RUNNING or time.monotonic() >= deadline:
                return run_result(run, uow.orders.for_run(run_id))
        time.sleep(WAIT_POLL_SECONDS)


class DetachedRuns:
    """Each run sent and followed by a process of its own (``services.run_process``) that
    outlives the caller: ``trimtab check --no-wait`` when no worker runs."""

    def launch(self, user_id: int, run_id: int) -> None:
        subprocess.Popen(
            [sys.executable, "-m", "trimtab.services.run_process", str(user_id)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def close(self) -> None:
        """The processes go on by themselves."""


def detached_launcher(ctx: AppContext) -> RunLauncher:
    """For a command that returns before its run ends: the queue when workers run, else a
    process of the run's own."""
    return make_launcher(ctx) if ctx.settings.workers else DetachedRuns()


def make_launcher(ctx: AppContext) -> RunLauncher:
    """The queue when ``trimtab worker`` processes run (``TRIMTAB_WORKERS``), else threads."""
    if not ctx.settings.workers:
        return InProcessRuns(ctx)
    if ctx.store.dialect != "postgresql":
        raise TrimtabError(
            "TRIMTAB_WORKERS needs PostgreSQL (the job queue lives there); unset it on SQLite",
            code="workers_need_postgresql",
        )
    from trimtab.services.queue import QueuedRuns  # procrastinate only where it is used

    return QueuedRuns(ctx)
