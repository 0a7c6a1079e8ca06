"""Whole shares with the least residual drift under a cash limit.

Given, per symbol that is not fractionable, the dollars a plan wants to buy (``want``)
and its price, choose integer share counts ``q`` that minimise the residual
Σ |want − q × price| (USD) with Σ q × price ≤ ``budget``. This is an integer
program (a knapsack, NP-hard in general), solved exactly in stages, cheapest first
(docs/policies.md, "Optimal whole shares"):

1. **Nearest rounding.** Each line rounded to its nearest whole share. When that fits
   the budget it is optimal: every term of the sum is at its own minimum.
2. **Greedy and a bound.** From the rounded-down counts (dropped further when even
   they overdraw), one share at a time goes to the line that cuts the residual most
   per dollar while cash is left (the leftover-cash pass). The linear relaxation
   (fill every floor, then the round-ups by gain per dollar, the last one
   fractionally) bounds the optimum from below; equal means proven optimal.
3. **Branch and bound** over the lines in gain-per-dollar order with that bound,
   up to ``node_limit`` nodes; finishing proves optimality.
4. **MILP.** ``scipy.optimize.milp`` (HiGHS) solves the rest exactly.

The search runs in binary floating point (share counts are integers); the chosen
counts are then checked against the budget in ``Decimal`` and any share a rounding
error would overdraw is dropped, so the cash limit holds to the cent.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import ZERO

#: Floating-point slack when comparing residuals found by the search (USD).
_EPS = 1e-7
#: The search recurses once per line: longer lists go straight to the MILP.
_SEARCH_LINES = 200


class Method(StrEnum):
    """Which stage settled the share counts; every one but ``GREEDY`` is proven optimal."""

    NEAREST = "nearest"
    BOUND = "bound"
    BRANCH_AND_BOUND = "branch_and_bound"
    MILP = "milp"
    #: The MILP solver did not prove an optimum in time; the best counts found are used.
    GREEDY = "greedy"


@dataclass(frozen=True, slots=True)
class ShareWant:
    """``want`` dollars (≥ 0) of ``symbol`` at ``price`` (> 0) USD per share."""

    symbol: str
    want: Decimal
    price: Decimal


@dataclass(frozen=True, slots=True)
class WholeShares:
    """Share counts per symbol (0 included), the stage that chose them, and the residual (USD)."""

    qty: dict[str, int]
    method: Method
    residual: Decimal
    spent: Decimal


def residual(wants: Sequence[ShareWant], qty: Sequence[int]) -> Decimal:
    """Σ |want − qty × price| in USD."""
    return sum((abs(w.want - q * w.price) for w, q in zip(wants, qty, strict=True)), ZERO)


def optimal_whole_shares(
    wants: Sequence[ShareWant],
    budget: Decimal,
    *,
    node_limit: int = 2000,
    milp_time_limit: float = 2.0,
) -> WholeShares:
    """The share counts that minimise the residual with Σ qty × price ≤ ``budget`` (USD).

    A budget ≤ 0 buys nothing. Raises ``ValueError`` for a price ≤ 0 or a negative want.
    """
    for w in wants:
        if w.price <= ZERO or w.want < ZERO:
            raise ValueError(f"{w.symbol}: price must be above 0 and want at least 0")
    if budget <= ZERO or not wants:
        return _result(wants, [0] * len(wants), Method.NEAREST, budget)
    nearest = [_nearest(w) for w in wants]
    if _cost(wants, nearest) <= budget:
        return _result(wants, nearest, Method.NEAREST, budget)
    want_f = [float(w.want) for w in wants]
    price_f = [float(w.price) for w in wants]
    budget_f = float(budget)
    incumbent = _fit(wants, _greedy(want_f, price_f, budget_f), budget)
    best = _residual_f(want_f, price_f, incumbent)
    if best <= _lower_bound(want_f, price_f, budget_f, range(len(wants))) + _EPS:
        return _result(wants, incumbent, Method.BOUND, budget)
    searched = None
    if len(wants) <= _SEARCH_LINES:
        searched = _branch_and_bound(want_f, price_f, budget_f, incumbent, best, node_limit)
    if searched is not None:
        return _better(
            wants, budget, incumbent, _fit(wants, searched, budget), Method.BRANCH_AND_BOUND
        )
    solved = _milp(want_f, price_f, budget_f, milp_time_limit)
    if solved is None:
        return _result(wants, incumbent, Method.GREEDY, budget)
    return _better(wants, budget, incumbent, _fit(wants, solved, budget), Method.MILP)


def _nearest(w: ShareWant) -> int:
    floor = int(w.want // w.price)
    return floor + 1 if w.want - floor * w.price > w.price / 2 else floor


def _cost(wants: Sequence[ShareWant], qty: Sequence[int]) -> Decimal:
    return sum((w.price * q for w, q in zip(wants, qty, strict=True)), ZERO)


def _result(
    wants: Sequence[ShareWant], qty: Sequence[int], method: Method, budget: Decimal
) -> WholeShares:
    del budget
    return WholeShares(
        {w.symbol: q for w, q in zip(wants, qty, strict=True)},
        method,
        residual(wants, qty),
        _cost(wants, qty),
    )


def _better(
    wants: Sequence[ShareWant],
    budget: Decimal,
    incumbent: list[int],
    found: list[int],
    method: Method,
) -> WholeShares:
    """The solver's counts unless the incumbent is strictly better in exact arithmetic."""
    if residual(wants, incumbent) < residual(wants, found):
        return _result(wants, incumbent, method, budget)
    return _result(wants, found, method, budget)


def _fit(wants: Sequence[ShareWant], qty: list[int], budget: Decimal) -> list[int]:
    """Drop shares, dearest first, until the Decimal cost fits ``budget`` (float slack)."""
    qty = list(qty)
    spent = _cost(wants, qty)
    while spent > budget:
        index = max((i for i, q in enumerate(qty) if q > 0), key=lambda i: wants[i].price)
        qty[index] -= 1
        spent -= wants[index].price
    return qty


def _residual_f(want: Sequence[float], price: Sequence[float], qty: Sequence[int]) -> float:
    return sum(abs(w - q * p) for w, p, q in zip(want, price, qty, strict=True))


def _greedy(want: Sequence[float], price: Sequence[float], budget: float) -> list[int]:
    """Rounded-down counts cut to fit, then shares by residual cut per dollar while cash lasts."""
    n = len(want)
    qty = [math.floor(want[i] / price[i]) for i in range(n)]
    spent = sum(qty[i] * price[i] for i in range(n))
    while spent > budget:
        excess = spent - budget
        held = [i for i in range(n) if qty[i] > 0]
        covering = [i for i in held if price[i] >= excess]
        index = (
            min(covering, key=lambda i: price[i]) if covering else max(held, key=lambda i: price[i])
        )
        qty[index] -= 1
        spent -= price[index]

    def gain(i: int) -> float:
        return abs(want[i] - qty[i] * price[i]) - abs(want[i] - (qty[i] + 1) * price[i])

    # A lazy heap by gain per dollar: a line's gain only changes when it gets a share.
    heap = [(-gain(i) / price[i], i) for i in range(n)]
    heapq.heapify(heap)
    while heap:
        ratio, i = heapq.heappop(heap)
        if -ratio <= _EPS / max(price[i], 1.0):
            break
        if price[i] > budget - spent:
            continue  # spending only grows, so this share never fits later either
        qty[i] += 1
        spent += price[i]
        heapq.heappush(heap, (-gain(i) / price[i], i))
    return qty


def _lower_bound(
    want: Sequence[float], price: Sequence[float], budget: float, lines: range | Sequence[int]
) -> float:
    """The linear relaxation's residual over ``lines`` given ``budget`` dollars for them."""
    floors = 0.0
    remainder = 0.0
    ups: list[tuple[float, float, float]] = []
    for i in lines:
        whole = math.floor(want[i] / price[i])
        rest = want[i] - whole * price[i]
        floors += whole * price[i]
        remainder += rest
        if 2 * rest > price[i]:
            ups.append(((2 * rest - price[i]) / price[i], 2 * rest - price[i], price[i]))
    if budget < floors:
        return remainder + floors - budget
    left = budget - floors
    value = remainder
    for _ratio, cut, cost in sorted(ups, reverse=True):
        if cost <= left:
            left -= cost
            value -= cut
        else:
            value -= cut * left / cost
            break
    return value


def _branch_and_bound(
    want: Sequence[float],
    price: Sequence[float],
    budget: float,
    incumbent: list[int],
    best: float,
    node_limit: int,
) -> list[int] | None:
    """Depth-first search in gain-per-dollar order; ``None`` when ``node_limit`` runs out."""
    n = len(want)
    floor = [math.floor(want[i] / price[i]) for i in range(n)]
    rest = [want[i] - floor[i] * price[i] for i in range(n)]
    order = sorted(range(n), key=lambda i: -(2 * rest[i] - price[i]) / price[i])
    best_qty = list(incumbent)
    chosen = [0] * n
    nodes = 0

    def search(depth: int, left: float, so_far: float) -> bool:
        nonlocal best, best_qty, nodes
        nodes += 1
        if nodes > node_limit:
            return False
        if depth == n:
            if so_far < best - _EPS:
                best = so_far
                best_qty = list(chosen)
            return True
        i = order[depth]
        tail = order[depth + 1 :]
        up_first = 2 * rest[i] > price[i]
        candidates = [floor[i] + 1, floor[i]] if up_first else [floor[i], floor[i] + 1]
        candidates.extend(range(floor[i] - 1, -1, -1))
        for q in candidates:
            cost = q * price[i]
            if cost > left + _EPS:
                continue
            term = abs(want[i] - cost)
            if so_far + term + _lower_bound(want, price, left - cost, tail) >= best - _EPS:
                if q < floor[i]:
                    break  # each share less only raises this line's residual further
                continue
            chosen[i] = q
            if not search(depth + 1, left - cost, so_far + term):
                return False
        return True

    if not search(0, budget, 0.0):
        return None
    return best_qty


def _milp(
    want: Sequence[float], price: Sequence[float], budget: float, time_limit: float
) -> list[int] | None:
    """min Σ e_i with e_i ≥ |want_i − q_i price_i|, Σ q_i price_i ≤ budget, q_i integer ≥ 0."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import bmat, diags

    n = len(want)
    w = np.asarray(want)
    p = np.asarray(price)
    identity = diags(np.ones(n))
    matrix = bmat(
        [[diags(p), -identity], [-diags(p), -identity], [p.reshape(1, n), None]], format="csr"
    )
    upper = np.concatenate([w, -w, [budget]])
    lower = np.full(2 * n + 1, -np.inf)
    ceiling = np.floor(w / p) + 1
    for presolve in (True, False):
        result = milp(
            c=np.concatenate([np.zeros(n), np.ones(n)]),
            constraints=LinearConstraint(matrix, lower, upper),
            integrality=np.concatenate([np.ones(n), np.zeros(n)]),
            bounds=Bounds(np.zeros(2 * n), np.concatenate([ceiling, np.full(n, np.inf)])),
            options={"time_limit": time_limit, "presolve": presolve},
        )
        # HiGHS 1.16's presolve fails ("Solve error", status 4) on rare instances that
        # solve without it (found by make bench).
        if result.status != 4:
            break
    if result.status != 0 or result.x is None:
        return None  # not proven optimal (time limit or solver error)
    return [round(x) for x in result.x[:n]]
