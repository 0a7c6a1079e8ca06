"""The knobs of a rebalance, with the seed's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trimtab.domain.targets import DEFAULT_SUM_TOLERANCE


@dataclass(frozen=True, slots=True)
class Policy:
    """How far a weight may drift, how small a trade is worth placing, and how much cash to keep.

    ``cash_buffer_percent`` of the portfolio value is held back from buys, because a
    price that moves between plan and fill would otherwise overdraw the account.
    """

    threshold_percent: Decimal = Decimal(5)
    min_trade: Decimal = Decimal(10)
    sum_tolerance: Decimal = DEFAULT_SUM_TOLERANCE
    cash_buffer_percent: Decimal = Decimal("0.25")
