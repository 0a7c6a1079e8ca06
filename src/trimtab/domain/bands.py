"""Drift bands: when a symbol's drift calls for a trade, and how far the trade goes.

A band is absolute (pp of the portfolio), relative (% of the symbol's own target) or
both, in which case the narrower one acts: the "5/25 rule" trades SPY at a 40 %
target past 5 pp, and GLD at a 10 % target past 2.5 pp (25 % of 10). A symbol's own
band replaces the policy's default as a whole. Rules: docs/policies.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trimtab.domain.money import HUNDRED, ZERO
from trimtab.domain.policy import Policy, TradeTo
from trimtab.domain.targets import Target


@dataclass(frozen=True, slots=True)
class Band:
    """``absolute_pp`` in percentage points, ``relative_percent`` in % of the target.

    At least one is set; ``None`` means that kind of band is not used.
    """

    absolute_pp: Decimal | None
    relative_percent: Decimal | None = None

    def width(self, target_percent: Decimal) -> Decimal:
        """Half-width of the band around ``target_percent``, in pp (the narrower kind acts)."""
        widths = []
        if self.absolute_pp is not None:
            widths.append(self.absolute_pp)
        if self.relative_percent is not None:
            widths.append(target_percent * self.relative_percent / HUNDRED)
        return min(widths) if widths else ZERO

    def is_passed(self, target_percent: Decimal, drift_percent: Decimal) -> bool:
        """True when |drift| is strictly past the band (the classic "past the threshold")."""
        return abs(drift_percent) > self.width(target_percent)


def band_for(target: Target, policy: Policy) -> Band:
    """The symbol's own band when it has one, else the policy's default band."""
    if target.band_percent is not None or target.band_relative_percent is not None:
        return Band(target.band_percent, target.band_relative_percent)
    return Band(policy.threshold_percent, policy.relative_band_percent)


def trade_gap(gap: Decimal, band_width_value: Decimal, trade_to: TradeTo) -> Decimal:
    """Dollars to trade for a symbol ``gap`` dollars short of its target (negative: over).

    ``band_width_value`` is the band's half-width in dollars. To the band edge moves the
    symbol just to the edge (never past the target); halfway moves half the gap.
    """
    if trade_to is TradeTo.HALFWAY:
        return gap / 2
    if trade_to is TradeTo.BAND_EDGE:
        if abs(gap) <= band_width_value:
            return ZERO
        return gap - band_width_value if gap > ZERO else gap + band_width_value
    return gap
