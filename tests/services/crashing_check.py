"""A live check in its own process that dies (``os._exit``) right after the broker takes
its first order: ``python -m tests.services.crashing_check URL USER_ID``."""

from __future__ import annotations

import os
import sys

from trimtab.bootstrap import build_context
from trimtab.brokers.models import Order, OrderRequest
from trimtab.config import Settings
from trimtab.services.rebalance import check_rebalance_drift


def main() -> None:
    url, user_id = sys.argv[1], int(sys.argv[2])
    ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="test-secret"))
    real_broker_for = ctx.broker_for

    class DiesAfterFirstOrder:
        def __init__(self, user: int) -> None:
            self.inner = real_broker_for(user)

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def submit_order(self, request: OrderRequest) -> Order:
            self.inner.submit_order(request)
            os._exit(9)

    ctx.broker_for = DiesAfterFirstOrder  # type: ignore[assignment]
    check_rebalance_drift(ctx, user_id)


if __name__ == "__main__":
    main()
