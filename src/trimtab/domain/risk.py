"""The risk gate: whether orders may be placed right now, and if not, why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RiskStatus:
    """One risk row: the system-wide one or a user's own. Any flag set blocks trading."""

    trading_enabled: bool = True
    drawdown_recovery: bool = False
    kill_switch: bool = False
    reason: str = ""


def trading_block_reason(*statuses: RiskStatus) -> str | None:
    """The first reason, across the given rows, that forbids orders; ``None`` if none does."""
    for status in statuses:
        suffix = f": {status.reason}" if status.reason else ""
        if status.kill_switch:
            return f"Kill switch is on{suffix}"
        if not status.trading_enabled:
            return f"Trading is disabled{suffix}"
        if status.drawdown_recovery:
            return f"Drawdown recovery mode is on{suffix}"
    return None
