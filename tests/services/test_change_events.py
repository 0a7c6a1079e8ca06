"""Risk and rules changes are published for open pages, once committed."""

from __future__ import annotations

import pytest

from trimtab.errors import InvalidInput
from trimtab.services import policy, risk, users
from trimtab.services.context import AppContext
from trimtab.services.events import InProcessEvents

from .helpers import PASSWORD


def kinds(ctx: AppContext, user_id: int, change: object) -> list[tuple[str, dict]]:
    """The events ``user_id`` receives while ``change`` (a callable) runs."""
    assert isinstance(ctx.events, InProcessEvents)
    with ctx.events.subscribe(user_id) as subscription:
        change()  # type: ignore[operator]
        got = []
        while (event := subscription.get(timeout=0)) is not None:
            got.append((event.kind, event.data))
    return got


def test_the_system_kill_switch_reaches_every_user_and_a_users_row_only_them(
    ctx: AppContext, user_id: int
) -> None:
    admin = users.create_user(ctx, "root@example.com", PASSWORD, is_admin=True).id
    bob = users.create_user(ctx, "bob@example.com", PASSWORD).id
    flip = lambda: risk.set_system_risk(ctx, admin, kill_switch=True)  # noqa: E731
    assert kinds(ctx, user_id, flip) == [("risk_changed", {"scope": "system"})]
    assert kinds(ctx, bob, flip) == [("risk_changed", {"scope": "system"})]
    own = lambda: risk.set_user_risk(ctx, bob, actor_id=admin, drawdown_recovery=True)  # noqa: E731
    assert kinds(ctx, user_id, own) == []
    assert kinds(ctx, bob, own) == [("risk_changed", {"scope": f"user:{bob}"})]


def test_a_rules_change_reaches_that_users_pages(ctx: AppContext, user_id: int) -> None:
    change = lambda: policy.update_policy(ctx, user_id, threshold_percent=3)  # noqa: E731
    assert kinds(ctx, user_id, change) == [("settings_changed", {})]
    assert isinstance(ctx.events, InProcessEvents)
    with ctx.events.subscribe(user_id) as subscription:
        with pytest.raises(InvalidInput):
            policy.update_policy(ctx, user_id, threshold_percent=-1)
        assert subscription.get(timeout=0) is None
