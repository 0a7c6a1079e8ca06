"""``trimtab settings show|set``: the user's rebalancing policy (docs/policies.md)."""

from __future__ import annotations

import re
from decimal import Decimal

import typer

from trimtab.cli.app import app, console, exit_on_error
from trimtab.cli.common import View, json_option, user_option
from trimtab.cli.policy_options import BASIC, parse_options
from trimtab.domain.policy import Policy, policy_to_json
from trimtab.services import policy as policy_service

settings_app = typer.Typer(
    help="Rebalancing policy: bands, scope, cash, whole shares, tax lots.", no_args_is_help=True
)
app.add_typer(settings_app, name="settings")

#: A stored decimal such as ``5.0000``, printed normalised (``5``).
DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")
OPTION_HELP = (
    "NAME=VALUE pairs. Names: threshold_percent, min_trade, cash_buffer_percent, untargeted, "
    "max_price_age_hours, " + ", ".join(policy_service.OPTIONS) + " (docs/policies.md). "
    "Example: scope=whole_book relative_band_percent=25 invest_cash=true; "
    "relative_band_percent=off (or none, or 0) turns that band off."
)


def _render(value: Policy) -> None:
    for name, text in policy_to_json(value).items():
        if name == "sum_tolerance":
            continue
        if text is None:
            text = "off"
        elif DECIMAL_TEXT.fullmatch(text):
            text = f"{Decimal(text).normalize():f}"
        console.print(f"{name:>24}: {text}")


POLICY = View(_render, to_json=policy_service.policy_view)
POLICY.show_command(
    settings_app,
    policy_service.get_policy,
    help="Show every policy setting (defaults are the classic rules).",
)


@settings_app.command("set")
def set_settings(
    pairs: list[str] = typer.Argument(..., help=OPTION_HELP),
    as_json: bool = json_option(),
    user: str | None = user_option(),
) -> None:
    """Change some settings; the others keep their value. Bad input exits 2 naming it."""
    with exit_on_error():
        parsed = parse_options(pairs)
    basics = {name: parsed.pop(name) for name in [*BASIC, "max_price_age_hours"] if name in parsed}
    POLICY.show(policy_service.update_policy, user, as_json, **basics, options=parsed)
