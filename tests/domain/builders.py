"""Small builders that keep the planner tests readable."""

from __future__ import annotations

from decimal import Decimal

from trimtab.domain.portfolio import Asset, Holding, Portfolio, PricePoint
from trimtab.domain.targets import Target


def targets(**percents: float | str) -> list[Target]:
    return [Target(symbol, Decimal(str(pct))) for symbol, pct in percents.items()]


def held(symbol: str, qty: str | int, price: str | int) -> Holding:
    """A long equity position valued at qty × price, as a broker reports one."""
    q, p = Decimal(str(qty)), Decimal(str(price))
    return Holding(symbol, q, q * p, PricePoint(p, None, "position"))


def portfolio(
    cash: str | int = 0,
    holdings: dict[str, tuple[str | int, str | int]] | None = None,
    prices: dict[str, str | int] | None = None,
    not_fractionable: tuple[str, ...] = (),
    not_tradable: tuple[str, ...] = (),
) -> Portfolio:
    """``holdings`` maps symbol to (qty, price)."""
    assets = {
        s: Asset(s, tradable=s not in not_tradable, fractionable=s not in not_fractionable)
        for s in {*not_fractionable, *not_tradable}
    }
    return Portfolio.of(
        Decimal(str(cash)),
        (held(s, q, p) for s, (q, p) in (holdings or {}).items()),
        prices={s: PricePoint(Decimal(str(p)), None, "trade") for s, p in (prices or {}).items()},
        assets=assets,
    )


SEED_TARGETS = targets(SPY=40, QQQ=30, TLT=20, GLD=10)
