"""Policy options given as ``NAME=VALUE`` (``trimtab settings set``, ``trimtab plan -o``).

Kept apart from ``cli/settings.py`` so that ``trimtab plan`` reads them without
registering the ``settings`` commands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trimtab.domain.policy import Policy
from trimtab.errors import InvalidInput
from trimtab.services import policy as policy_service

#: The knobs that have their own columns, and their keyword in ``update_policy``.
BASIC = ("threshold_percent", "min_trade", "cash_buffer_percent", "untargeted")


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs into a mapping; ``true``/``false`` become booleans.

    Raises ``InvalidInput`` naming a pair without ``=`` or an unknown name.
    """
    known = {*BASIC, "max_price_age_hours", *policy_service.OPTIONS}
    parsed: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep:
            raise InvalidInput(f"{pair!r}: expected NAME=VALUE", field="options")
        if name not in known:
            raise InvalidInput(f"unknown setting {name!r}", field=name)
        lowered = value.strip().lower()
        parsed[name] = {"true": True, "false": False}.get(lowered, value.strip())
    return parsed


def policy_with(policy: Policy, pairs: list[str]) -> Policy:
    """``policy`` with the options in ``pairs`` (``NAME=VALUE``) applied, each checked."""
    changes: dict[str, Any] = {
        name: policy_service.check_option(name, value)
        for name, value in parse_options(pairs).items()
        if name in policy_service.OPTIONS
    }
    return policy_service.check_reserve(replace(policy, **changes))
