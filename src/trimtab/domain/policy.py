"""The knobs of a rebalance, with the seed's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.targets import DEFAULT_SUM_TOLERANCE

#: Alpaca refuses an order worth less than $1 (docs/rebalancing.md, "Broker limits"):
#: the floor under any minimum trade a user sets.
BROKER_MIN_NOTIONAL = Decimal(1)
#: Long enough for a preview on a long weekend (the last close stays usable until
#: the next session starts), short enough to refuse a print from last week.
DEFAULT_MAX_PRICE_AGE = timedelta(days=4)


class UntargetedHoldings(StrEnum):
    """What a run does with a held symbol that has no target (docs/rebalancing.md, "Exits")."""

    LEAVE = "leave"
    SELL = "sell"


@dataclass(frozen=True, slots=True)
class Policy:
    """How far a weight may drift, how small a trade is worth placing, and how much cash to keep.

    ``cash_buffer_percent`` of the portfolio value is held back from buys, because a
    price that moves between plan and fill would otherwise overdraw the account.
    ``untargeted`` says whether holdings without a target are left alone or sold;
    ``max_price_age`` is the oldest a price may be to size an order on.
    """

    threshold_percent: Decimal = Decimal(5)
    min_trade: Decimal = Decimal(10)
    sum_tolerance: Decimal = DEFAULT_SUM_TOLERANCE
    cash_buffer_percent: Decimal = Decimal("0.25")
    untargeted: UntargetedHoldings = UntargetedHoldings.LEAVE
    max_price_age: timedelta = DEFAULT_MAX_PRICE_AGE

    @property
    def min_order(self) -> Decimal:
        """The smallest order (USD) a plan places: the user's minimum, never under the broker's."""
        return max(self.min_trade, BROKER_MIN_NOTIONAL)
