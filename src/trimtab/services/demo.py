"""The demo user ``make run`` signs in as: drifted SPY/QQQ/TLT/GLD on the paper broker."""

from __future__ import annotations

from dataclasses import dataclass

from trimtab.brokers.demo import DEMO_CASH, DEMO_HOLDINGS, DEMO_TARGETS
from trimtab.errors import Conflict
from trimtab.services.allocations import replace_allocations
from trimtab.services.broker_accounts import paper_market
from trimtab.services.context import AppContext
from trimtab.services.schedules import set_schedule
from trimtab.services.users import User, create_user, get_user_by_email

DEMO_EMAIL = "demo@trimtab.local"
#: A local demo on the paper broker; printed by ``make run`` so anyone can sign in.
DEMO_PASSWORD = "trimtab-demo"
#: When the demo user's daily check runs, New York time.
DEMO_CHECK_TIME = "10:00"


@dataclass(frozen=True, slots=True)
class DemoSeed:
    user: User
    password: str
    #: False when the demo user existed already (it is then left as it is).
    created: bool


def seed_demo_user(ctx: AppContext, password: str = DEMO_PASSWORD) -> DemoSeed:
    """Create the demo user, targets and drifted paper holdings once; later calls do nothing."""
    try:
        user = create_user(ctx, DEMO_EMAIL, password)
    except Conflict:
        return DemoSeed(get_user_by_email(ctx, DEMO_EMAIL), password, created=False)
    replace_allocations(ctx, user.id, DEMO_TARGETS)
    prices, _ = paper_market()
    with ctx.store.write() as uow:
        # Replace the new-account cash with the demo's drifted portfolio.
        uow.paper_accounts.close(user.id)
        uow.paper_accounts.open(user.id, DEMO_CASH, DEMO_HOLDINGS, prices, now=ctx.clock())
    # trimtab watches the demo portfolio by itself: a daily dry run that reports drift.
    set_schedule(ctx, user.id, frequency="daily", time_of_day=DEMO_CHECK_TIME, mode="dry_run")
    return DemoSeed(user, password, created=True)
