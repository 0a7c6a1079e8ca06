"""The risk switches: a system-wide row set by admins and each user's own row.

Any switch in either row (trading disabled, drawdown recovery, kill switch)
stops every order; drift is still reported. A missing row means trading is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from trimtab.domain.risk import RiskStatus, trading_block_reason
from trimtab.errors import Forbidden, NotFound
from trimtab.services.context import AppContext
from trimtab.services.contract import result
from trimtab.store.models import RiskStatusRow
from trimtab.store.repositories import SYSTEM_SCOPE, RiskValues, user_scope
from trimtab.store.unit_of_work import UnitOfWork


@result
class RiskRow:
    """One row of switches (the system's or a user's) and who changed it last."""

    trading_enabled: bool
    drawdown_recovery: bool
    kill_switch: bool
    reason: str
    updated_by: str | None
    updated_at: datetime | None

    @property
    def status(self) -> RiskStatus:
        return RiskStatus(
            self.trading_enabled, self.drawdown_recovery, self.kill_switch, self.reason
        )


@result
class RiskView:
    """Both rows and what they mean now (``GET /api/risk``, ``trimtab risk show``)."""

    system: RiskRow
    user: RiskRow
    blocked_reason: str | None
    """Why orders are refused right now; null when they may be placed."""


def _risk_row(status: RiskStatus, updated_by: str | None, updated_at: datetime | None) -> RiskRow:
    return RiskRow(
        trading_enabled=status.trading_enabled,
        drawdown_recovery=status.drawdown_recovery,
        kill_switch=status.kill_switch,
        reason=status.reason,
        updated_by=updated_by,
        updated_at=updated_at,
    )


def _row(row: RiskStatusRow | RiskValues | None) -> RiskRow:
    if row is None:
        return _risk_row(RiskStatus(), None, None)
    status = RiskStatus(row.trading_enabled, row.drawdown_recovery, row.kill_switch, row.reason)
    return _risk_row(status, row.updated_by, row.updated_at)


def read_risk(uow: UnitOfWork, user_id: int) -> RiskView:
    """Both rows and the resulting block reason, in the caller's transaction."""
    rows = uow.risk.values_of([SYSTEM_SCOPE, user_scope(user_id)])
    system = _row(rows.get(SYSTEM_SCOPE))
    user = _row(rows.get(user_scope(user_id)))
    return RiskView(
        system=system, user=user, blocked_reason=trading_block_reason(system.status, user.status)
    )


def get_risk(ctx: AppContext, user_id: int) -> RiskView:
    with ctx.store.read() as uow:
        return read_risk(uow, user_id)


def _set(
    uow: UnitOfWork,
    scope: str,
    user_id: int | None,
    changes: Mapping[str, object],
    actor: str,
    now: datetime,
) -> None:
    repo = uow.risk
    row = repo.get(scope)
    if row is None:
        row = RiskStatusRow(
            scope=scope,
            user_id=user_id,
            trading_enabled=True,
            drawdown_recovery=False,
            kill_switch=False,
            reason="",
            updated_at=now,
        )
        repo.add(row)
    for name, value in changes.items():
        if value is not None:
            setattr(row, name, value)
    row.updated_by = actor
    row.updated_at = now
    uow.audit(
        "risk_updated",
        user_id=user_id,
        actor=actor,
        data={"scope": scope, **{k: v for k, v in changes.items() if v is not None}},
        now=now,
    )


def _change(
    ctx: AppContext, actor_id: int, user_id: int | None, changes: Mapping[str, object]
) -> RiskView:
    """Apply ``changes`` to the system row (``user_id`` None) or a user's row, as ``actor_id``.

    Only an admin changes the system row or another user's row; the audit names the actor.
    """
    now = ctx.clock()
    with ctx.store.write_holding_risk_gate() as uow:
        # Waits for orders being sent; once this commits, none is sent (order_sending).
        users = uow.users
        actor = users.get(actor_id)
        if actor is None:
            raise NotFound(f"no user {actor_id}")
        if user_id is None and not actor.is_admin:
            raise Forbidden("only an admin can change the system risk status")
        if user_id is not None and user_id != actor_id:
            if not actor.is_admin:
                raise Forbidden("only an admin can change another user's risk status")
            if users.get(user_id) is None:
                raise NotFound(f"no user {user_id}")
        scope = SYSTEM_SCOPE if user_id is None else user_scope(user_id)
        _set(uow, scope, user_id, changes, actor.email, now)
        uow.flush()
        view = read_risk(uow, actor_id if user_id is None else user_id)
        # The system row stops everyone: every user's open pages hear of it.
        affected = users.ids() if user_id is None else [user_id]
    for affected_id in affected:
        ctx.events.publish(affected_id, "risk_changed", {"scope": scope})
    return view


def set_system_risk(
    ctx: AppContext,
    actor_id: int,
    *,
    trading_enabled: bool | None = None,
    drawdown_recovery: bool | None = None,
    kill_switch: bool | None = None,
    reason: str | None = None,
) -> RiskView:
    """Change the system-wide row; only an admin may (``Forbidden`` otherwise)."""
    changes = {
        "trading_enabled": trading_enabled,
        "drawdown_recovery": drawdown_recovery,
        "kill_switch": kill_switch,
        "reason": reason,
    }
    return _change(ctx, actor_id, None, changes)


def set_user_risk(
    ctx: AppContext,
    user_id: int,
    *,
    actor_id: int | None = None,
    trading_enabled: bool | None = None,
    drawdown_recovery: bool | None = None,
    kill_switch: bool | None = None,
    reason: str | None = None,
) -> RiskView:
    """Change a user's own row (``None`` leaves a switch as it is); ``actor_id`` defaults
    to the user, and must be an admin when it is someone else."""
    changes = {
        "trading_enabled": trading_enabled,
        "drawdown_recovery": drawdown_recovery,
        "kill_switch": kill_switch,
        "reason": reason,
    }
    return _change(ctx, user_id if actor_id is None else actor_id, user_id, changes)
