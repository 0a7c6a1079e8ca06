"""Which price a plan may trade on (docs/rebalancing.md, "Prices you can trust").

A price is stale when it was made before the cut-off of its asset class:

- US equities and options: the later of the start of the market's last trading
  day (``Portfolio.session_start``) and ``as_of - max_age``;
- crypto, which trades every day: the later of one day and ``max_age`` before ``as_of``.

Of the prices known for a symbol (the market's last trade, the position's current
price) the freshest one that is not stale is used. A price the broker gives without
a time (a position's current price) is the broker's own current mark: it is used
when no dated price is fresh. "Now" is the portfolio's ``as_of``, an input, so
this module reads no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from trimtab.domain.money import ZERO
from trimtab.domain.portfolio import AssetClass, Portfolio, PricePoint
from trimtab.domain.records import quick_init

CRYPTO_DAY = timedelta(days=1)


@quick_init
@dataclass(frozen=True, slots=True)
class PriceChoice:
    """The price to trade ``symbol`` on, or why there is none.

    ``point`` is ``None`` when every known price is stale (``stale`` holds the
    freshest of them) or none is known at all (``stale`` is ``None`` too).
    """

    symbol: str
    point: PricePoint | None
    stale: PricePoint | None = None
    cutoff: datetime | None = None


def stale_cutoff(
    portfolio: Portfolio, asset_class: AssetClass, max_age: timedelta
) -> datetime | None:
    """The earliest time a price of ``asset_class`` may carry; ``None`` without ``as_of``."""
    now = portfolio.as_of
    if now is None:
        return None
    if asset_class is AssetClass.CRYPTO:
        return now - min(max_age, CRYPTO_DAY)
    cutoff = now - max_age
    if portfolio.session_start is not None:
        cutoff = max(cutoff, portfolio.session_start)
    return cutoff


def is_stale(portfolio: Portfolio, symbol: str, point: PricePoint, max_age: timedelta) -> bool:
    """Whether a dated ``point`` of ``symbol`` is older than its class's cut-off."""
    cutoff = stale_cutoff(portfolio, portfolio.asset_class(symbol), max_age)
    return cutoff is not None and point.as_of is not None and point.as_of < cutoff


def _newest_first(point: PricePoint) -> tuple[bool, datetime]:
    return (point.as_of is not None, point.as_of or datetime.min)


def usable_price(portfolio: Portfolio, symbol: str, max_age: timedelta) -> PricePoint | None:
    """The point ``choose_price`` picks for ``symbol``, or ``None`` when it picks none."""
    if portfolio.as_of is None:  # no "now": nothing is stale; one price is the newest
        # ``Portfolio.price_candidates`` without the list: the market's, the position's.
        market = portfolio.prices.get(symbol)
        holding = portfolio.holdings.get(symbol)
        own = None if holding is None else holding.price
        if market is None or own is None:
            only = own if market is None else market
            return only if only is not None and only.price > ZERO else None
    return choose_price(portfolio, symbol, max_age).point


def choose_price(portfolio: Portfolio, symbol: str, max_age: timedelta) -> PriceChoice:
    """The freshest trustworthy price of ``symbol`` in ``portfolio`` (see the module's rules)."""
    candidates = [c for c in portfolio.price_candidates(symbol) if c.price > ZERO]
    if not candidates:
        return PriceChoice(symbol, None)
    if portfolio.as_of is None:  # no "now": no price is stale, the newest is used
        return PriceChoice(symbol, max(candidates, key=_newest_first))
    cutoff = stale_cutoff(portfolio, portfolio.asset_class(symbol), max_age)
    ranked = sorted(candidates, key=_newest_first, reverse=True)
    for point in ranked:
        if not is_stale(portfolio, symbol, point, max_age):
            return PriceChoice(symbol, point, cutoff=cutoff)
    return PriceChoice(symbol, None, stale=ranked[0], cutoff=cutoff)
