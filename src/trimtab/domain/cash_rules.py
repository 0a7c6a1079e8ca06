"""Cash rules of a plan: what is kept back, what targets apply to, and the curing deposit.

Rules (docs/policies.md, "Cash"): the classic buffer (``cash_buffer_percent`` of the
portfolio value) is always kept back from buys; a cash floor raises what is kept; a
cash target also takes its share off the value the symbol targets apply to.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from trimtab.domain.money import HUNDRED, ZERO
from trimtab.domain.policy import Amount, CashReserveKind, Policy

# Read on every plan, looked up once: on Python 3.11 an enum member goes through the
# slow hook of ``EnumType.__getattr__``.
_USD = Amount.USD
_TARGET = CashReserveKind.TARGET


def cash_buffer(portfolio_value: Decimal, policy: Policy) -> Decimal:
    """Cash held back from buys (USD): the classic buffer, ``cash_buffer_percent`` of the value."""
    return portfolio_value * policy.cash_buffer_percent / HUNDRED


def cash_reserve(portfolio_value: Decimal, policy: Policy) -> Decimal:
    """The cash floor or target in USD (0 when none is set)."""
    if policy.cash_reserve_unit is _USD:
        return policy.cash_reserve
    return portfolio_value * policy.cash_reserve / HUNDRED


def cash_kept(portfolio_value: Decimal, policy: Policy, buffer: Decimal | None = None) -> Decimal:
    """Cash a plan never spends (USD): the larger of the buffer and the floor or target.

    ``buffer`` is ``cash_buffer(portfolio_value, policy)`` when the caller has it already.
    """
    if buffer is None:
        buffer = cash_buffer(portfolio_value, policy)
    return max(buffer, cash_reserve(portfolio_value, policy))


def invested_base(portfolio_value: Decimal, policy: Policy) -> Decimal:
    """The value symbol targets are percentages of (USD): less a cash target when one is set."""
    if policy.cash_reserve_kind is _TARGET:
        return max(portfolio_value - cash_reserve(portfolio_value, policy), ZERO)
    return portfolio_value


def curing_deposit(
    market_values: Iterable[tuple[Decimal, Decimal]], portfolio_value: Decimal
) -> Decimal | None:
    """The smallest deposit (USD) after which buys alone reach every target, selling nothing.

    ``market_values`` holds (market value USD, target %) per targeted symbol. Each
    symbol needs value + deposit ≥ market value / target × 100; ``None`` when a held
    symbol has a 0 % target (only a sell cures that).
    """
    needed = portfolio_value
    for market_value, target_percent in market_values:
        if market_value <= ZERO:
            continue
        if target_percent <= ZERO:
            return None
        wanted = market_value * HUNDRED / target_percent
        if wanted > needed:
            needed = wanted
    return needed - portfolio_value
