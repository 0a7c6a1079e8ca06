"""Rebalancing policies a backtest replays, and the SPEC strings that name them.

A SPEC is ``none``, a calendar word (``monthly``, ``quarterly``, ``yearly``) or
comma-separated ``name:value`` options such as ``band:5``, ``relative:25`` or
``band:5,relative:25``, with the cash options of ``docs/policies.md`` added as
``invest_cash``, ``cash_flow``, ``cash_floor:PCT`` or ``cash_target:PCT``; the rules
are in ``docs/backtest.md``. Options are looked up in two tables (``_OPTIONS`` and
``_WORDS``), so a new option is one entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from trimtab.domain.money import HUNDRED, ZERO, to_decimal
from trimtab.domain.policy import CashMode, CashReserveKind, Policy
from trimtab.errors import InvalidInput


class Calendar(StrEnum):
    """Rebalance on the first trading day of each new month, quarter or year (as bt's RunPeriod)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class RebalancePolicy:
    """When to rebalance, and how far back.

    - ``band_percent``: absolute band in pp; a symbol strictly past it triggers.
    - ``relative_percent``: relative band in % of the target; a symbol whose
      ``|actual - target| / target`` is strictly past it triggers (bt's
      ``RunIfOutOfBounds``).
    - ``calendar``: rebalance on every first trading day of a new period.

    Any trigger starts a rebalance (they are alternatives, as in the 5/25 rule). A
    band-only policy trades the symbols past their band back to target, as a live
    check does; every other policy sends the whole book back to target. ``spec`` is
    the text the policy was read from, used as its name in results.

    Cash options, as the live planner applies them (docs/policies.md, "Cash"):
    ``invest_cash`` buys the underweights with idle cash; ``cash_flow`` never sells
    and only buys with cash; ``cash_reserve`` percent of the value is kept as a
    ``cash_reserve_kind`` floor or target. A policy with ``invest_cash`` or
    ``cash_flow`` also plans on the days cash or a new price appears (a symbol
    lists or is paid out).
    """

    spec: str
    band_percent: Decimal | None = None
    relative_percent: Decimal | None = None
    calendar: Calendar | None = None
    invest_cash: bool = False
    cash_flow: bool = False
    cash_reserve: Decimal = ZERO
    cash_reserve_kind: CashReserveKind = CashReserveKind.FLOOR

    @property
    def whole_book(self) -> bool:
        """Whether a rebalance trades every symbol back to target (not only those past a band)."""
        return self.band_percent is None or (
            self.relative_percent is not None or self.calendar is not None
        )

    @property
    def watches_drift(self) -> bool:
        return self.band_percent is not None or self.relative_percent is not None

    @property
    def plans_on_cash(self) -> bool:
        """Whether a listing or a payout (new cash, or a new thing to buy) is a plan day."""
        return self.invest_cash or self.cash_flow

    def first_day(self) -> RebalancePolicy:
        """The policy of the first day, which invests the cash at target whatever the
        policy (``docs/backtest.md``): no band, so nothing is left inside one, and the
        same cash options."""
        return replace(self, band_percent=None, relative_percent=None, calendar=None)

    def planner_policy(self, min_trade: Decimal) -> Policy:
        """The live planner's ``Policy`` for a rebalance day of this policy.

        Whole-book policies trade every symbol off target (a zero band). Fills are at
        the close the plan was made with, so no buffer is held back (costs are paid
        from the cash left)."""
        return Policy(
            threshold_percent=ZERO if self.whole_book else (self.band_percent or ZERO),
            min_trade=min_trade,
            cash_buffer_percent=ZERO,
            invest_cash=self.invest_cash,
            cash_mode=CashMode.CASH_FLOW if self.cash_flow else CashMode.REBALANCE,
            cash_reserve=self.cash_reserve,
            cash_reserve_kind=self.cash_reserve_kind,
        )


def _percent(name: str, text: str, spec: str, *, below_hundred: bool = False) -> Decimal:
    try:
        value = to_decimal(text, field=name)
    except ValueError:
        raise _fault(spec, f"{name} needs a number, got {text!r}") from None
    if below_hundred and not ZERO < value < HUNDRED:
        raise _fault(spec, f"{name} must be above 0 and under 100, got {text}")
    if not ZERO < value <= HUNDRED:
        raise _fault(spec, f"{name} must be above 0 and at most 100, got {text}")
    return value


def _cash_reserve(kind: CashReserveKind) -> _Setter:
    def set_reserve(policy: RebalancePolicy, value: str, spec: str) -> RebalancePolicy:
        percent = _percent(f"cash_{kind}", value, spec, below_hundred=True)
        return replace(policy, cash_reserve=percent, cash_reserve_kind=kind)

    return set_reserve


def _fault(spec: str, problem: str) -> InvalidInput:
    return InvalidInput(f"policy {spec!r}: {problem}", field="policy")


_Setter = Callable[[RebalancePolicy, str, str], RebalancePolicy]

#: Options that take a value (``name:value``).
_OPTIONS: dict[str, _Setter] = {
    "band": lambda p, v, s: replace(p, band_percent=_percent("band", v, s)),
    "relative": lambda p, v, s: replace(p, relative_percent=_percent("relative", v, s)),
    "cash_floor": _cash_reserve(CashReserveKind.FLOOR),
    "cash_target": _cash_reserve(CashReserveKind.TARGET),
}


def _calendar(calendar: Calendar) -> _Setter:
    return lambda policy, value, spec: replace(policy, calendar=calendar)


#: Options that are one word.
_WORDS: dict[str, _Setter] = {
    **{c.value: _calendar(c) for c in Calendar},
    "none": lambda policy, value, spec: policy,
    "invest_cash": lambda policy, value, spec: replace(policy, invest_cash=True),
    "cash_flow": lambda policy, value, spec: replace(policy, cash_flow=True),
}

KNOWN_SPECS = (
    "none, band:PP, relative:PCT, band:PP,relative:PCT, monthly, quarterly, yearly; "
    "any of them (but none) with invest_cash, cash_flow, cash_floor:PCT or cash_target:PCT"
)


def parse_policy(spec: str) -> RebalancePolicy:
    """Read one SPEC (see the module doc); raise ``InvalidInput`` (field ``policy``) on a fault."""
    text = spec.strip().lower()
    if not text:
        raise _fault(spec, f"empty; use one of {KNOWN_SPECS}")
    policy = RebalancePolicy(spec=text)
    seen: set[str] = set()
    for part in text.split(","):
        name, has_value, value = (s.strip() for s in part.partition(":"))
        if name in seen:
            raise _fault(spec, f"{name} is given twice")
        seen.add(name)
        if has_value and name in _OPTIONS:
            policy = _OPTIONS[name](policy, value, spec)
        elif not has_value and name in _WORDS:
            policy = _WORDS[name](policy, "", spec)
        elif name in _OPTIONS:
            raise _fault(spec, f"{name} needs a value, e.g. {name}:5")
        elif name in _WORDS:
            raise _fault(spec, f"{name} takes no value")
        else:
            raise _fault(spec, f"unknown option {name!r}; use one of {KNOWN_SPECS}")
    if "none" in seen and len(seen) > 1:
        raise _fault(spec, "none cannot be combined with other options")
    if len(seen & {c.value for c in Calendar}) > 1:
        raise _fault(spec, "give at most one calendar")
    if {"cash_floor", "cash_target"} <= seen:
        raise _fault(spec, "give a cash floor or a cash target, not both")
    if policy.cash_flow and policy.watches_drift:
        raise _fault(spec, "cash_flow never sells, so a band has nothing to act on")
    if policy.cash_flow and policy.invest_cash:
        raise _fault(spec, "cash_flow already invests the cash; leave out invest_cash")
    return policy
