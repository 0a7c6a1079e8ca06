"""Target allocations and the rules a usable set of them must meet."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from trimtab.domain.money import HUNDRED, PERCENT_RANGE, ZERO
from trimtab.errors import InvalidTargets

#: Upper-case tickers as Alpaca writes them: letters, digits, dot or slash (BRK.B, BTC/USD).
SYMBOL_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,9}([./][A-Z0-9]{1,5})?$")
DEFAULT_SUM_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Target:
    """One symbol's target weight in percent (0 sells it whole), and its own band.

    ``band_percent`` (pp) and ``band_relative_percent`` (% of ``target_percent``)
    override the policy's default band; see ``trimtab.domain.bands``.
    """

    symbol: str
    target_percent: Decimal
    enabled: bool = True
    band_percent: Decimal | None = None
    band_relative_percent: Decimal | None = None


def check_symbol(symbol: str) -> str:
    """Return ``symbol`` if it is a well-formed ticker, else raise ``InvalidTargets``."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise InvalidTargets("symbol must not be blank", field="symbol")
    if symbol != symbol.strip():
        raise InvalidTargets(f"symbol {symbol!r} has surrounding spaces", field="symbol")
    if not SYMBOL_PATTERN.match(symbol):
        hint = " (use upper case)" if SYMBOL_PATTERN.match(symbol.upper()) else ""
        raise InvalidTargets(f"symbol {symbol!r} is not a valid ticker{hint}", field="symbol")
    return symbol


def check_target(target: Target) -> Target:
    """Check one target's symbol, percent and band; raise ``InvalidTargets`` at the first fault."""
    check_symbol(target.symbol)
    # 0 % is an exit: the holding is sold whole (docs/rebalancing.md, "Exits").
    if not ZERO <= target.target_percent <= HUNDRED:
        raise InvalidTargets(
            f"{target.symbol}: target_percent must be from 0 to 100, got {target.target_percent}",
            field="target_percent",
        )
    if target.band_percent is not None and not ZERO < target.band_percent <= HUNDRED:
        raise InvalidTargets(
            f"{target.symbol}: band_percent must be above 0 and at most 100, "
            f"got {target.band_percent}",
            field="band_percent",
        )
    relative = target.band_relative_percent
    if relative is not None and not ZERO < relative <= HUNDRED:
        raise InvalidTargets(
            f"{target.symbol}: band_relative_percent must be above 0 and at most 100, "
            f"got {relative}",
            field="band_relative_percent",
        )
    for field, value in (
        ("target_percent", target.target_percent),
        ("band_percent", target.band_percent),
        ("band_relative_percent", relative),
    ):
        if value is not None and not PERCENT_RANGE.fits_places(value):
            raise InvalidTargets(
                f"{target.symbol}: {field} has more than {PERCENT_RANGE.places} decimal places "
                f"(what is stored), got {value}",
                field=field,
            )
    return target


def check_unique(targets: Iterable[Target]) -> None:
    """Raise ``InvalidTargets`` when a symbol appears twice."""
    seen: set[str] = set()
    for target in targets:
        if target.symbol in seen:
            raise InvalidTargets(f"symbol {target.symbol} appears more than once", field="symbol")
        seen.add(target.symbol)


def enabled_targets(targets: Iterable[Target]) -> list[Target]:
    """The targets a run acts on."""
    return [t for t in targets if t.enabled]


def enabled_total(targets: Iterable[Target]) -> Decimal:
    """Sum of the enabled targets' percents."""
    return sum((t.target_percent for t in targets if t.enabled), ZERO)


def check_sum(targets: Iterable[Target], tolerance: Decimal = DEFAULT_SUM_TOLERANCE) -> None:
    """Raise ``InvalidTargets`` unless the enabled targets sum to 100 % within ``tolerance`` pp."""
    total = enabled_total(targets)
    if abs(total - HUNDRED) > tolerance:
        gap = HUNDRED - total
        what = f"{gap:.2f} pp missing" if gap > 0 else f"{-gap:.2f} pp over"
        raise InvalidTargets(
            f"targets sum to {total:.2f} %, expected 100 % ({what})", field="target_percent"
        )


def validate_targets(
    targets: Sequence[Target], tolerance: Decimal = DEFAULT_SUM_TOLERANCE
) -> list[Target]:
    """Check a whole set: every target well-formed, symbols unique, enabled ones summing to 100 %.

    Returns the enabled targets.
    """
    for target in targets:
        check_target(target)
    check_unique(targets)
    check_sum(targets, tolerance)
    return enabled_targets(targets)
