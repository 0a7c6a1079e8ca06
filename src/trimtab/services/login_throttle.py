"""Failed sign-ins, counted per account and client address in the database.

Keyed by account *and* address, so someone guessing from one address cannot lock the
right user out from another, and many accounts from one address are each counted on
their own. In the database, so every API process shares the counts and a restart keeps
them (docs/security.md, "Sign-in throttling").
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from trimtab.services.context import AppContext

#: Failures allowed before the first wait.
FREE_FAILURES = 5
#: The first wait; each further failure doubles it, up to ``MAX_WAIT``.
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
#: Counts older than this are forgotten.
FORGET_AFTER = timedelta(hours=24)


def throttle_key(email: str, address: str) -> str:
    normalized = email.strip().lower() if isinstance(email, str) else ""
    return hashlib.sha256(f"{normalized}\n{address}".encode()).hexdigest()


def wait_after(failures: int) -> timedelta:
    """How long to wait after ``failures`` failures in a row (0 while under the limit)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings: int = min(failures - FREE_FAILURES, 20)
    wait: timedelta = FIRST_WAIT * (2**doublings)
    return min(wait, MAX_WAIT)


def retry_after(ctx: AppContext, key: str) -> int:
    """Whole seconds before ``key`` may try again; 0 when it may now."""
    with ctx.store.read() as uow:
        row = uow.login_throttles.get(key)
        if row is None or row.locked_until is None:
            return 0
        left = (row.locked_until - ctx.clock()).total_seconds()
    return max(0, math.ceil(left))


def record_failure(ctx: AppContext, key: str) -> None:
    """Count one failure (atomically, whichever process records it)."""
    now = ctx.clock()
    with ctx.store.write() as uow:
        # Stale counts (this key's too) start over rather than add to yesterday's.
        uow.login_throttles.forget_before(now - FORGET_AFTER)
        row = uow.login_throttles.count_failure(key, now)
        wait = wait_after(row.failures)
        row.locked_until = now + wait if wait else None


def record_success(ctx: AppContext, key: str) -> None:
    with ctx.store.write() as uow:
        uow.login_throttles.delete(key)
