"""Each user's rebalancing knobs: drift threshold, minimum trade and cash buffer."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from trimtab.domain.money import MONEY_RANGE, PERCENT_RANGE, NumberRange
from trimtab.domain.policy import Policy
from trimtab.errors import InvalidInput
from trimtab.services.context import AppContext
from trimtab.store.models import PolicyRow
from trimtab.store.repositories import Policies, record_audit


def _policy(row: PolicyRow | None) -> Policy:
    if row is None:
        return Policy()
    return Policy(
        threshold_percent=row.threshold_percent,
        min_trade=row.min_trade,
        cash_buffer_percent=row.cash_buffer_percent,
    )


def read_policy(session: Session, user_id: int) -> Policy:
    """The user's policy, the seed's defaults where none was saved."""
    return _policy(Policies(session).get(user_id))


def get_policy(ctx: AppContext, user_id: int) -> Policy:
    with ctx.session_factory() as session:
        return read_policy(session, user_id)


#: What each knob may be (the API's schema states the same ranges).
THRESHOLD_RANGE = PERCENT_RANGE.narrowed(above=True)
MIN_TRADE_RANGE = MONEY_RANGE.narrowed(maximum=Decimal(10**9))
CASH_BUFFER_RANGE = PERCENT_RANGE.narrowed(maximum=Decimal(50))


def _checked(value: object, field: str, bounds: NumberRange) -> Decimal:
    try:
        return bounds.check(value, field=field)
    except ValueError as err:
        raise InvalidInput(str(err), field=field) from None


def update_policy(
    ctx: AppContext,
    user_id: int,
    *,
    threshold_percent: object = None,
    min_trade: object = None,
    cash_buffer_percent: object = None,
) -> Policy:
    """Change the given knobs (``None`` keeps one as it is) and return the whole policy."""
    changes: dict[str, Decimal] = {}
    if threshold_percent is not None:
        changes["threshold_percent"] = _checked(
            threshold_percent, "threshold_percent", THRESHOLD_RANGE
        )
    if min_trade is not None:
        changes["min_trade"] = _checked(min_trade, "min_trade", MIN_TRADE_RANGE)
    if cash_buffer_percent is not None:
        changes["cash_buffer_percent"] = _checked(
            cash_buffer_percent, "cash_buffer_percent", CASH_BUFFER_RANGE
        )
    now = ctx.clock()
    with ctx.session_factory.begin() as session:
        repo = Policies(session)
        row = repo.get(user_id)
        if row is None:
            default = Policy()
            row = PolicyRow(
                user_id=user_id,
                threshold_percent=default.threshold_percent,
                min_trade=default.min_trade,
                cash_buffer_percent=default.cash_buffer_percent,
            )
            repo.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = now
        record_audit(
            session,
            "policy_updated",
            user_id=user_id,
            actor=None,
            data={k: str(v) for k, v in changes.items()},
            now=now,
        )
        return _policy(row)
