"""Time one plan for a 20-symbol portfolio priced from real closes."""

from __future__ import annotations

import random
import timeit
from decimal import Decimal

from bench._data import last_closes
from trimtab.domain.planner import plan_rebalance
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Holding, Portfolio, PricePoint
from trimtab.domain.targets import Target

#: What a plan may cost before it shows in a check's latency (one broker round trip ~ 50 ms).
BUDGET_US = 1000.0


def main() -> None:
    prices = last_closes()
    rng = random.Random(20180411)
    # Dollar values from $500 to $15,000 against 5 % targets and a 1 pp band (20 symbols at 5 %
    # each need a narrower band than the default 5 pp): most symbols are past it.
    holdings = []
    for symbol, price in prices.items():
        qty = (Decimal(rng.randint(500, 15000)) / price).quantize(Decimal("0.001"))
        holdings.append(Holding(symbol, qty, qty * price, PricePoint(price, None, "position")))
    targets = [Target(symbol, Decimal(5)) for symbol in prices]
    portfolio = Portfolio.of(Decimal("10000.00"), holdings)
    policy = Policy(threshold_percent=Decimal(1))
    plan = plan_rebalance(targets, portfolio, policy)
    runs = 2000
    seconds = min(
        timeit.repeat(lambda: plan_rebalance(targets, portfolio, policy), number=runs, repeat=5)
    )
    per_plan = seconds / runs * 1e6
    print(f"   20 symbols, {len(plan.orders)} orders planned: {per_plan:.1f} µs per plan")
    print(f"   ratio to the {BUDGET_US:.0f} µs budget: {per_plan / BUDGET_US:.3f}")
