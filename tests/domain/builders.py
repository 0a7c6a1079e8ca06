"""Small builders that keep the planner tests readable."""

from __future__ import annotations

from decimal import Decimal

from trimtab.domain.portfolio import Asset, Holding, Portfolio
from trimtab.domain.targets import Target


def targets(**percents: float | str) -> list[Target]:
    return [Target(symbol, Decimal(str(pct))) for symbol, pct in percents.items()]


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
    return Portfolio(
        cash=Decimal(str(cash)),
        holdings=tuple(
            Holding(s, Decimal(str(q)), Decimal(str(p))) for s, (q, p) in (holdings or {}).items()
        ),
        prices={s: Decimal(str(p)) for s, p in (prices or {}).items()},
        assets=assets,
    )


SEED_TARGETS = targets(SPY=40, QQQ=30, TLT=20, GLD=10)
