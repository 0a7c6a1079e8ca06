"""Chart files of a backtest (``trimtab backtest --chart``): matplotlib, no display needed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure

from trimtab.errors import InvalidInput
from trimtab.services.backtest import BacktestResult

# Agg draws into files only: the CLI runs on servers without a display.
matplotlib.use("Agg")

import matplotlib.pyplot as plt

#: Characters of a title line: the symbols wrap onto more lines past it, or 20 of them
#: ran off the right edge of the 11-inch figure.
TITLE_WIDTH = 100


def write_chart(result: BacktestResult, path: Path) -> None:
    """Value (USD, log scale) and drift (pp) over time, one line per policy, to ``path``.

    The format follows the suffix (.png or .svg). Raises ``InvalidInput`` (field
    ``chart``) when the file cannot be written.
    """
    figure = chart_figure(result)
    try:
        try:
            figure.savefig(path, format=path.suffix.lower().lstrip("."), dpi=110)
        except OSError as err:
            raise InvalidInput(f"cannot write {path}: {err.strerror}", field="chart") from None
    finally:
        plt.close(figure)


def chart_figure(result: BacktestResult) -> Figure:
    """The figure ``write_chart`` saves; the caller closes it (``plt.close``)."""
    figure, (value_axis, drift_axis) = plt.subplots(
        2, 1, figsize=(11, 7), sharex=True, height_ratios=(3, 2), layout="constrained"
    )
    try:
        for policy in result.policies:
            days = [d for d, _ in policy.values]
            value_axis.plot(days, [v for _, v in policy.values], label=policy.policy, lw=1.2)
            drift_axis.plot(days, [v for _, v in policy.drift], label=policy.policy, lw=0.9)
        value_axis.set_yscale("log")
        value_axis.set_ylabel("Portfolio value (USD)")
        title = f"Backtest {result.start} to {result.end}: {', '.join(result.symbols)}"
        value_axis.set_title(textwrap.fill(title, TITLE_WIDTH), loc="left")
        value_axis.legend(loc="upper left")
        value_axis.grid(alpha=0.3)
        drift_axis.set_ylabel("Largest drift (pp)")
        drift_axis.grid(alpha=0.3)
        # Days, not hours: the default locator wants 5 ticks, which a week of closes
        # only reaches every 12 hours ("01-06 12").
        ticks = mdates.AutoDateLocator(minticks=3)  # type: ignore[no-untyped-call]
        drift_axis.xaxis.set_major_locator(ticks)
        labels = mdates.ConciseDateFormatter(ticks)  # type: ignore[no-untyped-call]
        drift_axis.xaxis.set_major_formatter(labels)
    except BaseException:
        plt.close(figure)
        raise
    return figure
