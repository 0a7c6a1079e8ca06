"""``trimtab plan``: plan from snapshot files, not a broker (what-ifs, other brokers)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from trimtab.cli.app import app, decimal_option, exit_on_error
from trimtab.cli.common import json_option
from trimtab.cli.policy_options import policy_with
from trimtab.cli.render import RESULT
from trimtab.domain.money import NumberRange
from trimtab.domain.policy import Policy, UntargetedHoldings
from trimtab.services.planning import plan_snapshot
from trimtab.services.policy import CASH_BUFFER_RANGE, MIN_TRADE_RANGE, THRESHOLD_RANGE
from trimtab.snapshots import check_prices_for, load_portfolio, load_targets, load_tax_context


def _moment(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise typer.BadParameter(
            f"expected an ISO-8601 time with a UTC offset, got {value!r}", param_hint="--as-of"
        )
    return moment


#: --max-price-age: up to ten years, in hours (a timedelta holds no more than that sensibly).
PRICE_AGE_HOURS = NumberRange(Decimal(0), Decimal(24 * 366 * 10), 4)


@app.command()
def plan(
    portfolio: Path = typer.Option(
        ..., "--portfolio", "-p", help="Portfolio snapshot: JSON (cash, positions, prices) or CSV."
    ),
    targets: Path = typer.Option(
        ..., "--targets", "-t", help='Targets JSON: {"SPY": 40, ...} or a list of targets.'
    ),
    as_json: bool = json_option("Print the classic JSON contract."),
    threshold: str | None = typer.Option(
        None, "--threshold", help="Drift band in percentage points (default 5).", metavar="PP"
    ),
    min_trade: str | None = typer.Option(
        None,
        "--min-trade",
        help="Skip trades under this many dollars (default 10; never under Alpaca's $1).",
        metavar="USD",
    ),
    cash_buffer: str | None = typer.Option(
        None,
        "--cash-buffer",
        help="Percent of portfolio value kept as cash when sizing buys (default 0.25).",
        metavar="PCT",
    ),
    untargeted: UntargetedHoldings = typer.Option(
        UntargetedHoldings.LEAVE,
        "--untargeted",
        help="Holdings with no target: leave them alone, or sell them whole.",
        case_sensitive=False,
    ),
    max_price_age: str | None = typer.Option(
        None,
        "--max-price-age",
        help="Oldest a dated price may be to trade on, in hours (default 96); older is skipped "
        "as stale_price, as is one from before the market's last trading day.",
        metavar="HOURS",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="When the snapshot was taken, ISO-8601 with offset (default: its as_of, else now).",
        metavar="TIME",
    ),
    options: list[str] = typer.Option(
        [],
        "--option",
        "-o",
        help="A policy option as NAME=VALUE, repeatable (docs/policies.md): relative_band_percent, "
        "scope, trade_to, cash_mode, withdrawal_amount, invest_cash, cash_reserve, "
        "cash_reserve_unit, cash_reserve_kind, whole_shares, tax_aware (by the snapshot's "
        "fills and cost_basis), avoid_short_term_gains, holding_period_days, wash_sale_days. "
        "E.g. -o invest_cash=true -o whole_shares=optimal.",
        metavar="NAME=VALUE",
    ),
) -> None:
    """Plan the trades that bring a snapshot back to its targets. Places no orders."""
    overrides: dict[str, Any] = {
        "threshold_percent": decimal_option(threshold, name="--threshold", bounds=THRESHOLD_RANGE),
        "min_trade": decimal_option(min_trade, name="--min-trade", bounds=MIN_TRADE_RANGE),
        "cash_buffer_percent": decimal_option(
            cash_buffer, name="--cash-buffer", bounds=CASH_BUFFER_RANGE
        ),
        "untargeted": untargeted,
    }
    age = decimal_option(max_price_age, name="--max-price-age", bounds=PRICE_AGE_HOURS)
    if age is not None:
        overrides["max_price_age"] = timedelta(hours=float(age))
    policy = replace(Policy(), **{k: v for k, v in overrides.items() if v is not None})
    now = _moment(as_of)
    with exit_on_error():
        policy = policy_with(policy, options)
        target_set = load_targets(targets, tolerance=policy.sum_tolerance)
        snapshot = load_portfolio(portfolio, now=now)
        if as_of is not None:
            snapshot = replace(snapshot, as_of=now)
        check_prices_for(target_set, snapshot, portfolio)
        tax = None
        if policy.tax_aware:
            tax = load_tax_context(portfolio, (snapshot.as_of or now).date())
        result = plan_snapshot(target_set, snapshot, policy, tax=tax)
    RESULT.print(result, as_json)
