"""Forks live runs to be killed: ``python -m tests.reliability.crash_zygote DB_URL SIM_URL``.

Importing trimtab takes seconds on a loaded machine; this process does it once and,
single-threaded, forks one child per line read on stdin::

    KEY_ID USER_ID KILL_AT PHASE REPORT_FILE

The child runs a live check for ``USER_ID`` (which first resumes a run left
unfinished) through an ``AlpacaBroker`` on the simulator account ``KEY_ID`` and
SIGKILLs itself just ``before`` or ``after`` its ``KILL_AT``-th broker call (0:
never; the test may kill it on a timer instead). It writes how many broker calls it
made to ``REPORT_FILE`` if it lives to the end.
This process answers ``@@pid PID`` once forked and ``@@exit PID STATUS`` when the
child is gone (``STATUS`` as ``os.waitpid`` gives it).
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trimtab.bootstrap import build_context
from trimtab.brokers.alpaca import AlpacaBroker
from trimtab.brokers.asset_cache import AssetCache
from trimtab.config import Settings
from trimtab.errors import Conflict
from trimtab.services.context import RunOptions
from trimtab.services.events import InProcessEvents
from trimtab.services.rebalance import check_rebalance_drift

from .sim_runs import SECRET


class KillingBroker:
    """Counts the broker calls of the run and dies with SIGKILL at the chosen one."""

    def __init__(self, inner: AlpacaBroker, kill_at: int, phase: str) -> None:
        self.inner = inner
        self.kill_at = kill_at
        self.phase = phase
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr
        return self._counted(attr)

    def _counted(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            here = self.calls == self.kill_at
            if here and self.phase == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            result = method(*args, **kwargs)
            if here and self.phase == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return call


def child(db_url: str, sim_url: str, line: str) -> None:
    key_id, user_id, kill_at, phase, report = line.split()
    log = os.open(f"{report}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    ctx = build_context(
        Settings(TRIMTAB_DATABASE_URL=db_url, TRIMTAB_SECRET_KEY="test-secret"),
        events=InProcessEvents(),
        run_options=RunOptions(fill_timeout=5.0, poll_interval=0.05),
    )
    alpaca = AlpacaBroker(
        key_id,
        SECRET,
        base_url=sim_url,
        data_url=sim_url,
        timeout=5,
        retry_wait=0,
        asset_cache=AssetCache(),
    )
    broker = KillingBroker(alpaca, int(kill_at), phase)
    ctx.broker_for = lambda _user: broker  # type: ignore[assignment,return-value]
    deadline = time.monotonic() + 30
    while True:
        try:
            check_rebalance_drift(ctx, int(user_id))
            break
        except Conflict:
            # A killed run's lock goes with its connection, which PostgreSQL notices a
            # moment later: this check then resumes that run.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    Path(report).write_text(str(broker.calls))


def main() -> None:
    db_url, sim_url = sys.argv[1], sys.argv[2]
    for line in sys.stdin:
        if not line.strip():
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child(db_url, sim_url, line)
            except BaseException:  # reported through the exit code and the log
                traceback.print_exc()
                sys.stderr.flush()
                code = 3
            os._exit(code)
        print(f"@@pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"@@exit {pid} {status}", flush=True)


if __name__ == "__main__":
    main()
