"""Whole shares with the least residual drift under a cash limit.

Given, per symbol that is not fractionable, the dollars a plan wants to buy (``want``)
and its price, choose integer share counts ``q`` that minimise the residual
Σ |want − q × price| (USD) with Σ q × price ≤ ``budget``. This is an integer
program (a knapsack, NP-hard in general), solved exactly in stages, cheapest first
(docs/policies.md, "Optimal whole shares"):

1. **Nearest rounding.** Each line rounded to its nearest whole share. When that fits
   the budget it is optimal: every term of the sum is at its own minimum.
2. **Greedy and a bound.** From the rounded-down counts (of the wants scaled together
   to the budget, as rounding down plans, when even they overdraw), one share at a time
   goes to the line that cuts the residual most per dollar while cash is left (the
   leftover-cash pass), so this plan is never worse than rounding down. The linear relaxation
   (fill every floor, then the round-ups by gain per dollar, the last one
   fractionally) bounds the optimum from below; equal means proven optimal.
3. **Reduced-cost fixing.** With the relaxation's price of a dollar λ, counts whose
   Lagrangian excess passes the gap between the greedy plan and the bound cannot beat
   it (``_fixings``); a line left with one count is fixed.
4. **Branch and bound** over the lines still free, in gain-per-dollar order with that
   bound, up to ``node_limit`` nodes; finishing proves optimality.
5. **MILP.** ``scipy.optimize.milp`` (HiGHS) solves the rest to half a cent.

The budget is first cut to the prices' finest decimal place (the last whole cent),
which no plan can spend past. The search runs in binary floating point (share counts
are integers); the chosen counts are then checked against the budget in ``Decimal`` and
a share a rounding error would overdraw is dropped (the one whose loss raises the
residual least), so the cash limit holds to the cent.

``optimal_trades`` solves the joint problem a plan has: sells and buys of whole shares
chosen together, so a sell can be rounded up to fund a buy. A sell of ``s`` of the
``H`` shares that may be sold is the line "keep ``r = H − s``", which costs ``r ×
price`` out of a budget raised by every sellable share; that turns the joint problem
into the one above, exactly.
"""

from __future__ import annotations

import heapq
import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from trimtab.domain.money import ZERO

#: Floating-point slack when comparing residuals found by the search (USD).
_EPS = 1e-7
#: The search recurses once per line: longer lists go straight to the MILP.
_SEARCH_LINES = 40
#: Prices with more decimal places than this leave the budget uncut (``_reachable``).
_PLACES = 9
#: The MILP stops once its solution is proven within half a cent (USD) of the optimum.
_MILP_GAP = 0.005


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


@dataclass(frozen=True, slots=True)
class ShareTrade:
    """A line of a joint plan: ``want`` USD (positive: buy, negative: sell) of ``symbol``.

    ``price`` (> 0) is USD per share; a sell sells at most ``sellable`` (≥ 0) whole shares.
    A buy line is never sold and a sell line never bought.
    """

    symbol: str
    want: Decimal
    price: Decimal
    sellable: int = 0


@dataclass(frozen=True, slots=True)
class Trades:
    """Signed share counts per symbol (negative: sold), the stage, and the residual (USD).

    ``spent`` is the buys' cost less the sells' proceeds (USD; negative: cash raised).
    """

    qty: dict[str, int]
    method: Method
    residual: Decimal
    spent: Decimal


def optimal_trades(lines: Sequence[ShareTrade], budget: Decimal) -> Trades:
    """Whole-share counts minimising Σ |want − qty × price| with Σ qty × price ≤ ``budget``.

    Buys spend at most ``budget`` USD plus what the chosen sells raise; with no buy a
    negative ``budget`` forces no sell. Raises ``ValueError`` for a price ≤ 0 or a
    negative ``sellable``.
    """
    for line in lines:
        if line.price <= ZERO or line.sellable < 0:
            raise ValueError(f"{line.symbol}: price must be above 0 and sellable at least 0")
    kept: list[ShareWant] = []
    raised = ZERO
    for line in lines:
        if line.want >= ZERO:
            kept.append(ShareWant(line.symbol, line.want, line.price))
        else:
            everything = line.sellable * line.price
            raised += everything
            kept.append(ShareWant(line.symbol, max(everything + line.want, ZERO), line.price))
    solved = optimal_whole_shares(kept, budget + raised) if budget + raised > ZERO else None
    best = None if solved is None else _signed(lines, solved.qty, solved.method)
    if budget < ZERO or best is None:
        # Buying nothing is always allowed: each sell then rounds to its own nearest share.
        alone = _signed(
            lines,
            {
                t.symbol: t.sellable
                - min(_nearest(ShareWant(t.symbol, -t.want, t.price)), t.sellable)
                if t.want < ZERO
                else 0
                for t in lines
            },
            Method.NEAREST,
        )
        if best is None or alone.residual <= best.residual:
            best = alone
    return best


def _signed(lines: Sequence[ShareTrade], kept: dict[str, int], method: Method) -> Trades:
    qty = {
        t.symbol: kept[t.symbol] if t.want >= ZERO else kept[t.symbol] - t.sellable for t in lines
    }
    return Trades(
        qty,
        method,
        sum((abs(t.want - qty[t.symbol] * t.price) for t in lines), ZERO),
        sum((qty[t.symbol] * t.price for t in lines), ZERO),
    )


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
    budget = _reachable(wants, budget)
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
    lo, hi = _fixings(want_f, price_f, budget_f, best)
    free = [i for i in range(len(wants)) if lo[i] < hi[i]]
    fixed_cost = sum(lo[i] * price_f[i] for i in range(len(wants)) if lo[i] == hi[i])
    sub_want = [want_f[i] for i in free]
    sub_price = [price_f[i] for i in free]
    sub_budget = budget_f - fixed_cost
    sub_bounds = ([lo[i] for i in free], [hi[i] for i in free])

    def whole(sub: list[int]) -> list[int]:
        qty = list(lo)
        for i, q in zip(free, sub, strict=True):
            qty[i] = q
        return _fit(wants, qty, budget)

    searched = None
    if len(free) <= _SEARCH_LINES:
        searched = _branch_and_bound(
            sub_want,
            sub_price,
            sub_budget,
            [incumbent[i] for i in free],
            _residual_f(sub_want, sub_price, [incumbent[i] for i in free]),
            node_limit,
            sub_bounds,
        )
    if searched is not None:
        return _better(wants, budget, incumbent, whole(searched), Method.BRANCH_AND_BOUND)
    solved, proven = _milp(sub_want, sub_price, sub_budget, sub_bounds, milp_time_limit)
    if solved is None:
        return _result(wants, incumbent, Method.GREEDY, budget)
    return _better(
        wants, budget, incumbent, whole(solved), Method.MILP if proven else Method.GREEDY
    )


def _reachable(wants: Sequence[ShareWant], budget: Decimal) -> Decimal:
    """``budget`` cut down to the prices' finest decimal place (a cent for prices in cents).

    Every cost Σ qty × price is a multiple of that place, so nothing past it can be spent
    and the cut loses no plan. With 196,217.509903 USD and prices in cents the most a
    plan can spend is 196,217.50; left uncut, the relaxation counted on the 0.0099 past
    it, a bound no plan meets, which HiGHS refuted only at its time limit or met by
    overdrawing within its tolerance (tests/domain/test_policy_properties.py).
    """
    place = 0
    for w in wants:
        exponent = w.price.as_tuple().exponent
        if not isinstance(exponent, int) or exponent < -_PLACES:
            return budget
        place = min(place, exponent)
    return budget.quantize(Decimal(1).scaleb(place), rounding=ROUND_FLOOR)


def _fixings(
    want: Sequence[float], price: Sequence[float], budget: float, best: float
) -> tuple[list[int], list[int]]:
    """Per line, the share counts a solution better than ``best`` may use (lo, hi).

    Lagrangian reduced-cost fixing: with λ the linear relaxation's price of a dollar,
    f_i(q) = |want_i − q price_i| + λ q price_i and L = Σ min f_i − λ budget, any
    solution within budget has residual ≥ L + Σ (f_i(q_i) − min f_i). A count whose
    own excess passes ``best`` − L cannot beat ``best``, so it is ruled out (a
    convex f_i leaves an interval). Lines whose interval is one count are fixed.
    """
    n = len(want)
    floors = [math.floor(want[i] / price[i]) for i in range(n)]
    rests = [want[i] - floors[i] * price[i] for i in range(n)]
    left = budget - sum(floors[i] * price[i] for i in range(n))
    lam = 1.0
    if left >= 0:
        lam = 0.0
        ups = sorted(
            ((2 * rests[i] - price[i]) / price[i], price[i])
            for i in range(n)
            if 2 * rests[i] > price[i]
        )
        while ups:
            ratio, cost = ups.pop()
            if cost > left:
                lam = ratio
                break
            left -= cost
    minima = []
    for i in range(n):
        down = rests[i] + lam * floors[i] * price[i]
        up = price[i] - rests[i] + lam * (floors[i] + 1) * price[i]
        minima.append(min(down, up) if lam < 1 else want[i])
    gap = best - (sum(minima) - lam * budget)

    slack = gap + _EPS + 1e-9 * max(1.0, best)
    lo: list[int] = []
    hi: list[int] = []
    for i in range(n):
        w, p, m = want[i], price[i], minima[i]
        # Above the floor f_i grows by (1 + λ) price per share.
        hi.append(min(max(math.floor((m + slack + w) / (p * (1 + lam))), 0), floors[i] + 1))
        # Below it f_i grows by (1 − λ) price per share (flat when λ = 1).
        low = 0 if lam >= 1 else math.ceil((w - m - slack) / (p * (1 - lam)))
        lo.append(min(max(low, 0), hi[i]))
    return lo, hi


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
    """Drop shares until the Decimal cost fits ``budget`` (the float search's slack).

    Each share dropped is the one that raises the residual least: of the lines one share
    of which covers the overdraw, else per dollar. The overdraw is a rounding error
    (HiGHS meets its row within a tolerance), so one share of the cheapest-harm line
    settles it; dropping the dearest share instead threw a $1,613.74 share away to make
    up $0.0001, and the proven optimum lost to the greedy plan (5,359.59 USD of residual
    where 3,783.47 fits; tests/domain/test_policy_properties.py).
    """
    qty = list(qty)
    spent = _cost(wants, qty)
    while spent > budget:
        excess = spent - budget
        held = [i for i, q in enumerate(qty) if q > 0]
        covering = [i for i in held if wants[i].price >= excess]
        if covering:
            index = min(covering, key=lambda i: (_drop_harm(wants[i], qty[i]), wants[i].price))
        else:
            index = min(held, key=lambda i: _drop_harm(wants[i], qty[i]) / wants[i].price)
        qty[index] -= 1
        spent -= wants[index].price
    return qty


def _drop_harm(w: ShareWant, q: int) -> Decimal:
    """How much one share fewer than ``q`` raises the line's residual (USD; < 0: lowers it)."""
    return abs(w.want - (q - 1) * w.price) - abs(w.want - q * w.price)


def _residual_f(want: Sequence[float], price: Sequence[float], qty: Sequence[int]) -> float:
    return sum(abs(w - q * p) for w, p, q in zip(want, price, qty, strict=True))


def _greedy(want: Sequence[float], price: Sequence[float], budget: float) -> list[int]:
    """The classic plan's counts, then shares by residual cut per dollar while cash lasts.

    The classic plan rounds each want down, scaled together to the budget when even the
    rounded-down counts overdraw it; the leftover pass only lowers the residual from
    there, so this plan is never worse than rounding down. (Cutting the dearest lines'
    shares to fit instead left up to a dear share idle: SPY at 1,613.74 USD cut to fit
    left 1,575.97 USD unspent while every other line sat at its floor.)
    """
    n = len(want)
    qty = [math.floor(want[i] / price[i]) for i in range(n)]
    spent = sum(qty[i] * price[i] for i in range(n))
    if spent > budget:
        scale = budget / sum(want)
        qty = [math.floor(want[i] * scale / price[i]) for i in range(n)]
        spent = sum(qty[i] * price[i] for i in range(n))
    while spent > budget:  # only a float rounding error of the scaling is left to cut
        excess = spent - budget
        held = [i for i in range(n) if qty[i] > 0]
        covering = [i for i in held if price[i] >= excess]
        if covering:
            index, count = min(covering, key=lambda i: price[i]), 1
        else:
            # No one share covers the excess: drop the dearest line's shares in one go.
            index = max(held, key=lambda i: price[i])
            count = min(qty[index], max(1, math.floor(excess / price[index])))
        qty[index] -= count
        spent -= count * price[index]

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
    bounds: tuple[Sequence[int], Sequence[int]],
) -> list[int] | None:
    """Depth-first search in gain-per-dollar order over counts within ``bounds`` (lo, hi).

    ``None`` when ``node_limit`` runs out.
    """
    lo, hi = bounds
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
        # Below the floor, from the most shares the cash left affords down to lo.
        affordable = min(floor[i] - 1, math.floor((left + _EPS) / price[i]))
        for q in itertools.chain(candidates, range(affordable, lo[i] - 1, -1)):
            if not lo[i] <= q <= hi[i]:
                continue
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
    want: Sequence[float],
    price: Sequence[float],
    budget: float,
    bounds: tuple[Sequence[int], Sequence[int]],
    time_limit: float,
) -> tuple[list[int] | None, bool]:
    """min Σ |want_i − q_i price_i| with Σ q_i price_i ≤ budget, lo_i ≤ q_i ≤ hi_i integer.

    A line's residual is convex and linear between its integers: with floor_i the
    rounded-down count, q_i = lo_i + a_i + b_i where each of the a_i shares up to
    floor_i cuts the residual by price_i and the round-up b_i ∈ {0, 1} by 2 rest_i −
    price_i (less, so a minimum fills a_i first). That leaves a knapsack with one row.
    Identical lines share one pair of variables (their totals), which spares HiGHS
    proving the same thing once per permutation. Returns the counts and whether
    HiGHS proved them optimal; at its time limit, the best counts it found (``None``
    when it found none, or on a solver error).
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    groups: dict[tuple[float, float, int, int], list[int]] = {}
    for i in range(len(want)):
        groups.setdefault((price[i], want[i], bounds[0][i], bounds[1][i]), []).append(i)
    keys = list(groups)
    size = np.array([len(groups[k]) for k in keys], dtype=float)
    p = np.array([k[0] for k in keys])
    w = np.array([k[1] for k in keys])
    lo = np.array([k[2] for k in keys], dtype=float)
    hi = np.array([k[3] for k in keys], dtype=float)
    floor = np.floor(w / p)
    rest = w - floor * p
    a_max = np.clip(np.minimum(floor, hi) - lo, 0, None)
    b_max = ((hi > floor) & (lo <= floor)).astype(float)
    # Minimise −(shares' cut): a share of a cuts price, a round-up b cuts 2 rest − price.
    cost = np.concatenate([-p, -(2 * rest - p)])
    for presolve in (False, True):
        with warnings.catch_warnings():
            # scipy does not list mip_abs_gap among its options; HiGHS takes it as given.
            warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
            result = milp(
                c=cost,
                constraints=LinearConstraint(
                    np.concatenate([p, p]).reshape(1, -1), -np.inf, budget - float(size * lo @ p)
                ),
                integrality=np.ones(2 * len(keys)),
                bounds=Bounds(0, np.concatenate([a_max * size, b_max * size])),
                options={
                    "time_limit": time_limit,
                    "presolve": presolve,
                    "mip_rel_gap": 0,
                    "mip_abs_gap": _MILP_GAP,
                },
            )
        # Presolve off first: HiGHS 1.16's presolve fails ("Solve error", status 4) on rare
        # instances that solve without it (found by make bench), and prints a debug line
        # to stdout on others, which would corrupt `trimtab plan --json`.
        if result.status != 4:
            break
    if result.status not in (0, 1) or result.x is None:
        return None, False
    qty = [0] * len(want)
    for g, key in enumerate(keys):
        a_left = round(result.x[g])
        b_left = round(result.x[len(keys) + g])
        for i in groups[key]:
            a = min(a_left, int(a_max[g]))
            b = min(b_left, 1) if a == a_max[g] else 0
            a_left -= a
            b_left -= b
            qty[i] = key[2] + a + b
    return qty, result.status == 0
