"""Screening due accounts: numpy's one pass against a plain loop over ``analyse_drift``.

20-symbol accounts at real closes; account-checks per second on one core, and their ratio.
The issue's goal for the screen: at least 1,000,000 account-checks/s.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

import numpy as np

from bench._data import last_closes
from trimtab.domain.drift import analyse_drift
from trimtab.domain.policy import Policy
from trimtab.domain.portfolio import Holding, Portfolio, PricePoint
from trimtab.domain.screen import screen_drift
from trimtab.domain.targets import Target

GOAL_PER_SECOND = 1_000_000
LOOP_ACCOUNTS = 5_000
SCREEN_ACCOUNTS = 200_000


def _accounts(count: int, symbols: list[str], rng: random.Random) -> np.ndarray:
    """Dollar values of $500 to $15,000 per symbol, as share counts (count x 20)."""
    return np.array([[rng.randint(500, 15000) for _ in symbols] for _ in range(count)], float)


def _exact(row: np.ndarray) -> list[Decimal]:
    """The float share counts as the 9-decimal quantities a broker reports."""
    return [Decimal(str(float(q))).quantize(Decimal("0.000000001")) for q in row]


def main() -> None:
    closes = last_closes()
    symbols = sorted(closes)
    rng = random.Random(20180411)
    prices = np.array([float(closes[s]) for s in symbols])
    dollars = _accounts(SCREEN_ACCOUNTS, symbols, rng)
    qty = dollars / prices
    cash = np.full(SCREEN_ACCOUNTS, 10_000.0)
    target = np.full(qty.shape, 100.0 / len(symbols))
    band = np.full(qty.shape, 1.0)

    targets = [Target(s, Decimal(5)) for s in symbols]
    policy = Policy(threshold_percent=Decimal(1))
    portfolios = [
        Portfolio.of(
            Decimal("10000"),
            [
                Holding(s, shares, shares * closes[s], PricePoint(closes[s], None, "position"))
                for s, shares in zip(symbols, _exact(row), strict=True)
            ],
        )
        for row in qty[:LOOP_ACCOUNTS]
    ]
    started = time.perf_counter()
    looped = [any(r.needs_rebalance for r in analyse_drift(targets, p, policy)) for p in portfolios]
    loop_rate = LOOP_ACCOUNTS / (time.perf_counter() - started)

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        screened = screen_drift(qty, cash, prices, target, band, margin_pp=0.0)
        best = min(best, time.perf_counter() - started)
    screen_rate = SCREEN_ACCOUNTS / best
    agree = sum(bool(a) == b for a, b in zip(screened[:LOOP_ACCOUNTS], looped, strict=True))
    print(f"   plain loop over analyse_drift: {loop_rate:,.0f} account-checks/s")
    print(f"   numpy screen ({SCREEN_ACCOUNTS:,} accounts): {screen_rate:,.0f} account-checks/s")
    print(
        f"   ratio screen/loop: {screen_rate / loop_rate:,.0f}x; "
        f"goal {GOAL_PER_SECOND:,}/s {'met' if screen_rate >= GOAL_PER_SECOND else 'NOT met'}"
    )
    print(f"   same decision as analyse_drift (margin 0): {agree} of {LOOP_ACCOUNTS}")
