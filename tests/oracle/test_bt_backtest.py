"""trimtab's backtest against bt, the established Python backtesting library.

All 20 stocks of the shared price file, from the first day every one of them trades,
fractional shares and no costs (bt's ``integer_positions=False`` and its default zero
commission): the value series must equal bt's within 1e-6 relative on every day and
the rebalance dates must equal bt's transaction dates. bt prepends a day holding the
initial capital before the first date; that day is dropped before comparing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from trimtab.domain.backtest import BacktestSettings, parse_policy, run_backtest
from trimtab.domain.targets import Target
from trimtab.price_files import load_price_csv

bt = pytest.importorskip("bt")
pd = pytest.importorskip("pandas")

PRICES = Path(__file__).resolve().parents[3] / "shared" / "data" / "stock_prices.csv"
CASH = 1_000_000


@pytest.fixture(scope="module")
def history():
    if not PRICES.exists():
        pytest.fail(f"the shared price data is missing: {PRICES}")
    # BABA, the last of the 20 to list, starts on 2014-09-19.
    return load_price_csv(PRICES).between(date(2014, 9, 19), None)


def bt_run(history, weights: dict[str, float], trigger) -> tuple[np.ndarray, list[date]]:
    frame = pd.DataFrame(
        history.closes, index=pd.DatetimeIndex(history.dates), columns=list(history.symbols)
    )
    strategy = bt.Strategy(
        "oracle",
        [bt.algos.SelectAll(), bt.algos.WeighSpecified(**weights), trigger, bt.algos.Rebalance()],
    )
    test = bt.Backtest(
        strategy, frame, initial_capital=float(CASH), integer_positions=False, progress_bar=False
    )
    result = bt.run(test)
    values = result.backtests["oracle"].strategy.values.to_numpy()[1:]
    traded = sorted({d.date() for d in result.get_transactions().index.get_level_values(0)})
    return values, traded


@pytest.mark.parametrize(
    ("spec", "trigger"),
    [
        ("monthly", lambda: bt.algos.RunMonthly()),
        ("relative:25", lambda: bt.algos.RunIfOutOfBounds(0.25)),
    ],
)
def test_values_and_rebalance_dates_equal_bts(history, spec, trigger) -> None:
    targets = [Target(symbol, Decimal(5)) for symbol in history.symbols]
    settings = BacktestSettings(cash=Decimal(CASH), min_trade=Decimal(0))
    outcome = run_backtest(history, targets, [parse_policy(spec)], settings).outcomes[0]

    expected, traded = bt_run(history, {s: 0.05 for s in history.symbols}, trigger())

    assert len(expected) == len(history.dates) == 896
    relative = np.abs(outcome.replay.values / expected - 1.0)
    assert relative.max() < 1e-6, f"day {history.dates[int(relative.argmax())]}"
    ours = [history.dates[day] for day in outcome.replay.rebalance_days]
    assert ours == traded
    assert len(ours) > 10
