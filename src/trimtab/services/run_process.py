"""``python -m trimtab.services.run_process USER_ID``: send and follow the user's recorded
live run in a process of its own, then exit.

``trimtab check --no-wait`` starts it (detached) when no ``trimtab worker`` runs, so the
run goes on after the command returns. The run is the one ``start_live_check``
recorded; ``advance_run`` takes the account's run lock, so a run another process
already moves is left to it.
"""

from __future__ import annotations

import logging
import sys

from trimtab.bootstrap import build_context
from trimtab.errors import Conflict
from trimtab.services.rebalance import advance_run

log = logging.getLogger(__name__)
#: Seconds the process waits at the end for the notifications' first attempt.
NOTIFY_EXIT_WAIT = 10.0


def main(argv: list[str]) -> int:
    user_id = int(argv[1])
    ctx = build_context()
    try:
        advance_run(ctx, user_id)
    except Conflict:
        pass  # another process holds the account and moves the run on
    except Exception:
        # The run stays recorded as running: the next check or sweep resumes it.
        log.exception("the background run of user %s stopped", user_id)
        return 1
    finally:
        # Notifications the run raised get their first attempt (retries: a server or worker).
        ctx.notifier.drain(NOTIFY_EXIT_WAIT)
        ctx.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
