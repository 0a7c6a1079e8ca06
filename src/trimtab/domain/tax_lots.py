"""Tax lots: which shares a sell gives up, the gain it realises, and the wash-sale guard.

Rules (docs/policies.md, "Tax-aware selling"):

- Lots come from trimtab's own fills, matched first in, first out (the broker's
  default for sells it is not told otherwise), or, with no history, one lot at the
  broker's average cost basis whose date is unknown.
- A sell takes loss lots first (the largest loss per share first), then long-term
  gain lots (the smallest gain per share first), then short-term gains last. With
  ``avoid_short_term_gains`` a sell stops before the short-term gain lots.
- Long term means held more than ``holding_period_days`` (365 by default: the US
  rule of "more than one year").
- Wash sale (30 days both ways by default): no buy of a symbol sold at a loss in the
  last ``wash_sale_days``, and no sale at a loss of a symbol bought in that window.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import ZERO
from trimtab.domain.portfolio import Side


class Term(StrEnum):
    SHORT = "short_term"
    LONG = "long_term"
    #: A lot from the broker's cost basis: its purchase date is not known.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Fill:
    """One filled order: ``qty`` shares at ``price`` USD on ``filled_on``."""

    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    filled_on: date


@dataclass(frozen=True, slots=True)
class TaxLot:
    """``qty`` shares bought at ``cost_per_share`` USD on ``acquired_on`` (None: unknown)."""

    symbol: str
    qty: Decimal
    cost_per_share: Decimal
    acquired_on: date | None

    def term(self, today: date, holding_period_days: int) -> Term:
        if self.acquired_on is None:
            return Term.UNKNOWN
        held = (today - self.acquired_on).days
        return Term.LONG if held > holding_period_days else Term.SHORT


@dataclass(frozen=True, slots=True)
class LotSale:
    """Part of a sell taken from one lot, and the gain it realises (USD, negative: loss)."""

    lot: TaxLot
    qty: Decimal
    price: Decimal
    term: Term

    @property
    def gain(self) -> Decimal:
        return (self.price - self.lot.cost_per_share) * self.qty


@dataclass(frozen=True, slots=True)
class RealisedSale:
    """A past sell matched against its lots: the gain it realised (USD, negative: loss)."""

    symbol: str
    sold_on: date
    gain: Decimal


@dataclass(frozen=True, slots=True)
class LotHistory:
    """The open lots per symbol and what past sells realised, from a list of fills."""

    lots: dict[str, list[TaxLot]]
    sales: list[RealisedSale]
    last_buy: dict[str, date]
    last_loss_sale: dict[str, date]


def lots_from_fills(fills: Iterable[Fill]) -> LotHistory:
    """Match fills in date order, first in first out; a sell beyond the lots held is ignored."""
    open_lots: dict[str, deque[TaxLot]] = defaultdict(deque)
    sales: list[RealisedSale] = []
    last_buy: dict[str, date] = {}
    last_loss_sale: dict[str, date] = {}
    for fill in sorted(fills, key=lambda f: (f.filled_on, f.side is Side.SELL)):
        if fill.side is Side.BUY:
            open_lots[fill.symbol].append(TaxLot(fill.symbol, fill.qty, fill.price, fill.filled_on))
            last_buy[fill.symbol] = fill.filled_on
            continue
        left = fill.qty
        gain = ZERO
        queue = open_lots[fill.symbol]
        while left > ZERO and queue:
            lot = queue[0]
            taken = min(lot.qty, left)
            gain += (fill.price - lot.cost_per_share) * taken
            left -= taken
            if taken == lot.qty:
                queue.popleft()
            else:
                queue[0] = replace(lot, qty=lot.qty - taken)
        sales.append(RealisedSale(fill.symbol, fill.filled_on, gain))
        if gain < ZERO:
            last_loss_sale[fill.symbol] = fill.filled_on
    return LotHistory(
        {s: list(q) for s, q in open_lots.items() if q}, sales, last_buy, last_loss_sale
    )


def lots_for(
    symbol: str,
    held_qty: Decimal,
    history: LotHistory | None,
    cost_basis: Decimal | None,
) -> list[TaxLot]:
    """The lots behind ``held_qty`` shares: recorded lots, topped up from the cost basis.

    Shares trimtab has no fill for (bought elsewhere, or before it) form one lot at the
    broker's ``cost_basis`` (USD per share, the average entry price) with an unknown date.
    Recorded lots beyond ``held_qty`` (sold elsewhere) are dropped oldest first.
    """
    recorded = list(history.lots.get(symbol, [])) if history else []
    total = sum((lot.qty for lot in recorded), ZERO)
    while recorded and total > held_qty:
        excess = total - held_qty
        first = recorded[0]
        if first.qty <= excess:
            recorded.pop(0)
            total -= first.qty
        else:
            recorded[0] = replace(first, qty=first.qty - excess)
            total = held_qty
    if total < held_qty and cost_basis is not None:
        recorded.insert(0, TaxLot(symbol, held_qty - total, cost_basis, None))
    return recorded


_TERM_ORDER = {Term.LONG: 0, Term.UNKNOWN: 1, Term.SHORT: 2}


def sell_order(
    lots: Sequence[TaxLot], price: Decimal, today: date, holding_period_days: int
) -> list[TaxLot]:
    """Lots in the order a tax-aware sell takes them: losses (largest first), then gains
    long-term, unknown and short-term, each the smallest gain per share first."""

    def key(lot: TaxLot) -> tuple[int, int, Decimal]:
        per_share = price - lot.cost_per_share
        if per_share < ZERO:
            return (0, 0, per_share)
        return (1, _TERM_ORDER[lot.term(today, holding_period_days)], per_share)

    return sorted(lots, key=key)


@dataclass(frozen=True, slots=True)
class LotSelection:
    """The lots a sell of up to ``wanted`` shares takes, and why it may take fewer."""

    sales: tuple[LotSale, ...]
    wanted: Decimal
    #: ``"short_term_gain"`` or ``"wash_sale"`` when lots were left unsold for that reason.
    held_back: str | None

    @property
    def qty(self) -> Decimal:
        return sum((s.qty for s in self.sales), ZERO)

    def gain(self, term: Term) -> Decimal:
        return sum((s.gain for s in self.sales if s.term is term), ZERO)

    @property
    def total_gain(self) -> Decimal:
        return sum((s.gain for s in self.sales), ZERO)


def select_lots(
    lots: Sequence[TaxLot],
    wanted: Decimal,
    price: Decimal,
    today: date,
    *,
    holding_period_days: int = 365,
    avoid_short_term_gains: bool = True,
    bought_recently: bool = False,
) -> LotSelection:
    """Take up to ``wanted`` shares at ``price`` USD from ``lots`` in tax-aware order.

    ``bought_recently`` (a buy of the symbol inside the wash-sale window) keeps every
    loss lot unsold. Short-term gain lots are left when ``avoid_short_term_gains``.
    """
    sales: list[LotSale] = []
    left = wanted
    held_back: str | None = None
    for lot in sell_order(lots, price, today, holding_period_days):
        if left <= ZERO:
            break
        term = lot.term(today, holding_period_days)
        is_loss = price < lot.cost_per_share
        if is_loss and bought_recently:
            held_back = "wash_sale"
            continue
        if (
            avoid_short_term_gains
            and term is Term.SHORT
            and not is_loss
            and price > lot.cost_per_share
        ):
            held_back = held_back or "short_term_gain"
            continue
        taken = min(lot.qty, left)
        sales.append(LotSale(lot, taken, price, term))
        left -= taken
    return LotSelection(tuple(sales), wanted, held_back if left > ZERO else None)


def wash_sale_buy_blocked(history: LotHistory | None, symbol: str, today: date, days: int) -> bool:
    """True when ``symbol`` was sold at a loss within ``days`` days before ``today``."""
    if history is None:
        return False
    return _within(history.last_loss_sale.get(symbol), today, days)


def bought_within(history: LotHistory | None, symbol: str, today: date, days: int) -> bool:
    """True when ``symbol`` was bought within ``days`` days before ``today``."""
    if history is None:
        return False
    return _within(history.last_buy.get(symbol), today, days)


def _within(day: date | None, today: date, days: int) -> bool:
    return day is not None and today - timedelta(days=days) <= day <= today
