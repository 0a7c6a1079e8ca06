"""A ``trimtab worker`` whose broker stalls right after it takes the first order, so a test
can SIGKILL it mid-run: ``python -m tests.services.stalling_worker URL MARKER_FILE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from trimtab.bootstrap import build_context
from trimtab.brokers.models import Order, OrderRequest
from trimtab.config import Settings
from trimtab.services.queue import run_worker


def main() -> None:
    url, marker = sys.argv[1], Path(sys.argv[2])
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="test-secret"))
    real_broker_for = ctx.broker_for

    class StallsAfterFirstOrder:
        def __init__(self, user: int) -> None:
            self.inner = real_broker_for(user)

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def submit_order(self, request: OrderRequest) -> Order:
            order = self.inner.submit_order(request)
            marker.write_text(request.client_order_id)
            time.sleep(120)  # the test kills the process long before
            return order

    ctx.broker_for = StallsAfterFirstOrder  # type: ignore[assignment]
    run_worker(ctx, concurrency=1, name="stalling", wait=True)


if __name__ == "__main__":
    main()
