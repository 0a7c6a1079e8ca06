"""``trimtab backtest``: replay rebalancing policies on price history and compare them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trimtab.cli.app import app, console, decimal_option, err_console, exit_on_error
from trimtab.cli.common import json_option, user_option
from trimtab.cli.render import titled_table
from trimtab.domain.backtest import PriceHistory
from trimtab.domain.backtest.policy import KNOWN_SPECS
from trimtab.domain.targets import Target
from trimtab.errors import InvalidInput
from trimtab.services.backtest import (
    CASH_RANGE,
    COST_BPS_RANGE,
    COST_PER_ORDER_RANGE,
    DEFAULT_POLICIES,
    BacktestResult,
    backtest,
    settings_from,
)
from trimtab.services.policy import MIN_TRADE_RANGE
from trimtab.wording import counted

CHART_SUFFIXES = (".png", ".svg")
#: ``--prices broker``: the acting user's broker's daily bars instead of a file.
BROKER_PRICES = "broker"


@app.command(name="backtest")
def backtest_command(
    prices: str = typer.Option(
        ...,
        "--prices",
        help="Daily closes: a CSV with a date column and one column per symbol, "
        "or 'broker' for your broker's daily bars.",
        metavar="CSV",
    ),
    targets: Path = typer.Option(
        ..., "--targets", "-t", help='Targets JSON, as for plan: {"SPY": 40, ...}.'
    ),
    policies: list[str] = typer.Option(
        list(DEFAULT_POLICIES),
        "--policy",
        help=f"A policy to replay; repeat to compare. One of: {KNOWN_SPECS}.",
        metavar="SPEC",
    ),
    start: str | None = typer.Option(
        None, "--start", help="First day (YYYY-MM-DD).", metavar="DATE"
    ),
    end: str | None = typer.Option(None, "--end", help="Last day (YYYY-MM-DD).", metavar="DATE"),
    cash: str | None = typer.Option(
        None, "--cash", help="Cash invested on the first day (default 100000).", metavar="USD"
    ),
    cost_bps: str | None = typer.Option(
        None,
        "--cost-bps",
        help="Trading cost in basis points of each order (default 0).",
        metavar="N",
    ),
    cost_per_order: str | None = typer.Option(
        None, "--cost-per-order", help="Trading cost per order (default 0).", metavar="USD"
    ),
    min_trade: str | None = typer.Option(
        None, "--min-trade", help="Skip trades under this many dollars (default 10).", metavar="USD"
    ),
    fractional: bool = typer.Option(
        True, "--fractional/--whole", help="Trade fractional shares, or whole shares only."
    ),
    as_json: bool = json_option("Print every figure and series as JSON."),
    chart: Path | None = typer.Option(
        None, "--chart", help="Write value and drift charts to a .png or .svg file.", metavar="FILE"
    ),
    user: str | None = user_option(),
) -> None:
    """Replay rebalancing policies on price history: trades, costs, drift and return."""
    from trimtab.price_files import load_price_csv
    from trimtab.snapshots import load_targets

    if chart is not None:
        _check_chart_path(chart)
    with exit_on_error():
        settings = settings_from(
            cash=decimal_option(cash, name="--cash", bounds=CASH_RANGE),
            cost_bps=decimal_option(cost_bps, name="--cost-bps", bounds=COST_BPS_RANGE),
            cost_per_order=decimal_option(
                cost_per_order, name="--cost-per-order", bounds=COST_PER_ORDER_RANGE
            ),
            min_trade=decimal_option(min_trade, name="--min-trade", bounds=MIN_TRADE_RANGE),
            fractional=fractional,
        )
        target_set = load_targets(targets)
        first, last = _day(start, "--start"), _day(end, "--end")
        if prices == BROKER_PRICES:
            history = _broker_prices(target_set, user, first, last)
        else:
            history = load_price_csv(Path(prices))
        with ProgressBar(err_console, len(policies), enabled=not as_json) as step:
            result = backtest(
                history, target_set, policies, settings, start=first, end=last, progress=step
            )
    if chart is not None:
        from trimtab.charts import write_chart

        try:
            write_chart(result, chart)
        except InvalidInput as err:
            raise typer.BadParameter(err.message, param_hint="--chart") from None
    if as_json:
        typer.echo(result.model_dump_json())
        return
    for table in result_tables(result):
        console.print(table)
    if chart is not None:
        console.print(f"Chart written to {chart}")


def _check_chart_path(chart: Path) -> None:
    """Refuse a chart file that could not be written, before any work is done."""
    if chart.suffix.lower() not in CHART_SUFFIXES:
        raise typer.BadParameter("the chart file must end in .png or .svg", param_hint="--chart")
    folder = chart.parent
    if chart.is_dir():
        problem = "is a directory"
    elif not folder.is_dir():
        problem = f"there is no directory {folder}"
    elif not os.access(folder, os.W_OK):
        problem = f"the directory {folder} is not writable"
    else:
        return
    raise typer.BadParameter(f"cannot write {chart}: {problem}", param_hint="--chart")


def _broker_prices(
    targets: list[Target], user: str | None, start: date | None, end: date | None
) -> PriceHistory:
    """The acting user's broker's daily bars of the enabled targets."""
    from trimtab.cli.common import acting_user, open_context
    from trimtab.services.backtest import broker_history

    ctx = open_context()
    broker = ctx.broker_for(acting_user(ctx, user).id)
    symbols = [t.symbol for t in targets if t.enabled]
    return broker_history(
        broker,
        symbols,
        start,
        end or ctx.clock().date(),
        instead="give --prices a CSV file of daily closes with a column for each target instead",
    )


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not a YYYY-MM-DD date", field=name) from None


class ProgressBar:
    """A progress bar on stderr, one task per policy; off for --json and when stderr is
    not a terminal (where a bar would leave a blank line before any message)."""

    def __init__(self, out: Console, policies: int, *, enabled: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
            disable=not (enabled and out.is_terminal),
        )
        self.tasks = [self.bar.add_task(f"policy {i + 1}", total=None) for i in range(policies)]

    def __enter__(self) -> ProgressBar:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, policy: int, day: int, days: int) -> None:
        self.bar.update(self.tasks[policy], completed=day, total=days)


def result_tables(result: BacktestResult) -> tuple[Table, Table]:
    """Return and risk, then trading and drift: one row per policy, narrow enough for 80 columns."""
    returns = _table(
        f"Backtest {result.start} → {result.end}, {counted(result.days, 'day')}, "
        f"{counted(len(result.symbols), 'symbol')}",
        ("Final $", "CAGR %", "Vol. %", "Max DD %", "vs daily pp/yr"),
    )
    trading = _table(
        "Trading and drift",
        ("Rebal.", "Orders", "Turn. %/yr", "Costs $", "Drift pp", "Max pp"),
    )
    for row in result.policies:
        returns.add_row(
            row.policy,
            f"{row.final_value:,.0f}",
            f"{row.cagr:.2f}",
            f"{row.volatility:.2f}",
            f"{row.max_drawdown:.2f}",
            f"{row.tracking_difference:+.2f}",
        )
        trading.add_row(
            row.policy,
            str(row.rebalances),
            str(row.orders),
            f"{row.turnover:.1f}",
            f"{row.costs:,.2f}",
            f"{row.mean_abs_drift:.2f}",
            f"{row.max_abs_drift:.2f}",
        )
    return returns, trading


def _table(title: str, columns: tuple[str, ...]) -> Table:
    # A long policy folds onto more lines rather than the figures being cut short
    # ("9,51…" for $9,518,823): Rich narrows the columns that may wrap first.
    table = titled_table(title)
    table.add_column("Policy", overflow="fold")
    for name in columns:
        table.add_column(name, justify="right", no_wrap=True)
    return table
