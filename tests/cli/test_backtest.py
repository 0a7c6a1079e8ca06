"""``trimtab backtest``: JSON shape, tables, chart files, and exit 2 naming the fault."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import date
from decimal import Decimal
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text
from typer.testing import CliRunner

from trimtab.charts import chart_figure
from trimtab.cli import app
from trimtab.domain.backtest import BacktestSettings
from trimtab.domain.targets import Target
from trimtab.price_files import parse_price_csv
from trimtab.services.backtest import backtest as run_backtest

runner = CliRunner()

PRICES = """date,A,B
2024-01-02,10,10
2024-01-03,20,10
2024-01-04,20,10
2024-02-01,24,12
"""


def backtest(tmp_path: Path, *args: str, prices: str = PRICES) -> tuple[int, str]:
    (tmp_path / "prices.csv").write_text(prices, encoding="utf-8")
    (tmp_path / "targets.json").write_text(json.dumps({"A": 50, "B": 50}))
    result = runner.invoke(
        app,
        [
            "backtest",
            "--prices",
            str(tmp_path / "prices.csv"),
            "--targets",
            str(tmp_path / "targets.json"),
            *args,
        ],
    )
    return result.exit_code, result.output


def test_json_gives_every_figure_and_series_per_policy(tmp_path: Path) -> None:
    code, out = backtest(
        tmp_path, "--policy", "band:5", "--policy", "monthly", "--cash", "1000",
        "--cost-per-order", "1", "--min-trade", "0", "--json",
    )  # fmt: skip
    assert code == 0, out
    result = json.loads(out)
    band, monthly = result["policies"]
    assert band["policy"] == "band:5"
    assert band["final_value"] == 1794.0
    assert band["rebalances"] == 2
    assert band["orders"] == 4
    assert band["costs"] == 4.0
    assert band["rebalance_dates"] == ["2024-01-02", "2024-01-03"]
    assert band["values"] == [
        ["2024-01-02", 998.0],
        ["2024-01-03", 1495.0],
        ["2024-01-04", 1495.0],
        ["2024-02-01", 1794.0],
    ]
    # Monthly trades on the first day and on the first day of February only.
    assert monthly["rebalance_dates"] == ["2024-01-02", "2024-02-01"]
    assert set(band) >= {
        "cagr", "volatility", "max_drawdown", "turnover", "mean_abs_drift", "max_abs_drift",
        "tracking_difference",
    }  # fmt: skip
    assert (result["start"], result["end"], result["symbols"]) == (
        "2024-01-02",
        "2024-02-01",
        ["A", "B"],
    )


def test_tables_show_each_policy(tmp_path: Path) -> None:
    code, out = backtest(tmp_path, "--policy", "none", "--policy", "relative:25")
    assert code == 0, out
    assert "Backtest 2024-01-02 → 2024-02-01, 4 days, 2 symbols" in out
    assert out.count("relative:25") == 2
    assert "Trading and drift" in out


def test_a_one_day_range_is_one_day(tmp_path: Path) -> None:
    code, out = backtest(tmp_path, "--end", "2024-01-02")
    assert code == 0, out
    assert "Backtest 2024-01-02 → 2024-01-02, 1 day, 2 symbols" in out


def test_long_policies_leave_the_figures_whole_in_80_columns(tmp_path: Path) -> None:
    long = ("relative:25,cash_floor:5,invest_cash", "band:5,cash_target:20")
    args = ("--policy", long[0], "--policy", long[1], "--cash", "1000000000", "--json")
    code, out = backtest(tmp_path, *args)
    assert code == 0, out
    figures = json.loads(out)["policies"]
    code, out = backtest(tmp_path, *args[:-1])
    assert code == 0, out
    assert max(map(len, out.splitlines())) <= 80
    # The figures were cut to "1,794,…" to keep the policy on one line; the policy folds.
    for row in figures:
        assert f"{row['final_value']:,.0f} " in out
        assert f" {row['max_drawdown']:.2f} " in out
        assert f" {row['costs']:,.2f} " in out
    assert "…" not in out


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_chart_file_is_a_valid_image(tmp_path: Path, suffix: str) -> None:
    chart = tmp_path / f"chart{suffix}"
    code, out = backtest(tmp_path, "--policy", "none", "--policy", "band:5", "--chart", str(chart))
    assert code == 0, out
    if suffix == ".png":
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width, _ = matplotlib.image.imread(chart).shape
        assert (width, height) == (1210, 770)
    else:
        root = ElementTree.parse(chart).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "band:5" in chart.read_text()


def test_a_chart_title_of_many_symbols_stays_inside_the_figure() -> None:
    # The 20 stocks of shared/data/stock_prices.csv ran off the right edge at "BBY, M".
    symbols = [f"SYM{i:02}" for i in range(20)]
    csv = "date," + ",".join(symbols) + "\n2024-01-02," + ",".join(["10"] * 20) + "\n"
    targets = [Target(symbol, Decimal(5)) for symbol in symbols]
    result = run_backtest(parse_price_csv(csv, "prices"), targets, ["none"], BacktestSettings())
    figure = chart_figure(result)
    try:
        figure.canvas.draw()
        axis = figure.axes[0]
        text = axis.get_title(loc="left")
        assert text.startswith("Backtest 2024-01-02 to 2024-01-02: SYM00, ")
        assert "SYM19" in text
        (title,) = [t for t in axis.get_children() if isinstance(t, Text) and t.get_text() == text]
        extent = title.get_window_extent()
        assert 0 <= extent.x0 < extent.x1 <= figure.bbox.width
    finally:
        plt.close(figure)


def test_a_short_range_is_marked_in_days_not_hours(tmp_path: Path) -> None:
    csv = "date,A,B\n" + "".join(f"2020-01-{d:02},10,10\n" for d in range(6, 11))
    targets = [Target("A", Decimal(50)), Target("B", Decimal(50))]
    result = run_backtest(parse_price_csv(csv, "prices"), targets, ["none"], BacktestSettings())
    figure = chart_figure(result)
    try:
        figure.canvas.draw()
        labels = [t.get_text() for t in figure.axes[1].get_xticklabels()]
        offset = figure.axes[1].xaxis.get_offset_text().get_text()
    finally:
        plt.close(figure)
    assert (labels, offset) == (["06", "07", "08", "09", "10"], "2020-Jan")


@pytest.mark.parametrize(
    ("args", "prices", "message"),
    [
        (["--start", "2030-01-01"], PRICES, "start 2030-01-01 is after the prices' last day"),
        (["--end", "2020-01-01"], PRICES, "end 2020-01-01 is before the prices' first day"),
        ([], "date,A,B\n2024-01-02,10,10\n2024-01-03,ten,10\n", "line 3: A: 'ten' is not a number"),
        ([], "date,A,B\n2024-01-02,1_0,10\n", "line 2: A: '1_0' is not a number"),
        ([], "date,A,B\n2024-01-02,10\n", "line 2: expected 3 columns, got 2"),
        ([], "when,A,B\n", "line 1: expected a header"),
        ([], "date,A,B\n2024-01-03,1,1\n2024-01-02,1,1\n", "line 3: date 2024-01-02 is not after"),
        ([], "date,A,B\n2024-13-01,1,1\n", "line 2: date '2024-13-01' is not a YYYY-MM-DD"),
        ([], "date,A,B\n2024-01-02xyz,1,1\n", "line 2: date '2024-01-02xyz' is not a YYYY"),
        ([], "date,A,B\n2024-01-02,-1,1\n", "line 2: A: a close must be a number ≥ 0"),
        ([], "date,A,B\n2024-01-02,1e-20,1\n", "line 2: A: a close must be 0 or from 0.0001 to"),
        ([], "date,A,B\n2024-01-02,1,1\n2024-01-03,1,1e-300\n", "line 3: B: a close must be 0"),
        ([], "date,A,B\n2024-01-02,1,20000000\n", "to 10,000,000, got 20000000"),
        (["--policy", "weekly"], PRICES, "policy 'weekly': unknown option"),
        (["--policy", "band:5", "--policy", "BAND:5"], PRICES, "policy 'band:5' is given more"),
        (
            ["--policy", "band:5,relative:25", "--policy", "relative:25, band:5"],
            PRICES,
            "policy 'relative:25, band:5' is given more than once (as 'band:5,relative:25')",
        ),
        (["--cash", "0"], PRICES, "--cash: must be above 0"),
        (["--cash", "1e999"], PRICES, "--cash: must be above 0 and at most 1,000,000,000,000"),
        (["--min-trade", "1e999"], PRICES, "--min-trade: must be at least 0 and at most"),
        (["--cost-bps", "1e999"], PRICES, "--cost-bps: must be at least 0 and at most 10,000"),
        (["--cost-bps", "20000"], PRICES, "--cost-bps: must be at least 0 and at most 10,000"),
        (["--cost-bps", "-1"], PRICES, "--cost-bps: must be at least 0"),
        (["--cost-per-order", "1e999"], PRICES, "--cost-per-order: must be at least 0 and at"),
        (["--cost-per-order", "1000001"], PRICES, "--cost-per-order: must be at least 0 and"),
        (["--chart", "/nonexistent/dir/x.png"], PRICES, "--chart: cannot write /nonexistent/dir"),
        (["--start", "2024-1-2"], PRICES, "--start: '2024-1-2' is not a YYYY-MM-DD date"),
    ],
)
def test_bad_input_exits_2_naming_the_fault(
    tmp_path: Path, args: list[str], prices: str, message: str
) -> None:
    code, out = backtest(tmp_path, *args, prices=prices)
    assert code == 2, out
    assert message in " ".join(out.split())


def test_a_date_with_a_time_of_day_is_read_as_its_day() -> None:
    history = parse_price_csv(
        "date,A\n2024-01-02 00:00:00,10\n2024-01-03T16:00:00-05:00,11\n2024-01-04,12\n"
    )
    assert history.dates == (date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4))


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    code, out = backtest(
        tmp_path, "--policy", "band:5", "--cash", "1000", "--cost-per-order", "1",
        "--min-trade", "0", "--json", prices="\ufeff" + PRICES,
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["policies"][0]["final_value"] == 1794.0


def test_a_symbol_twice_in_the_targets_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "twice.json").write_text('{"A": 50, "A": 50}')
    code, out = backtest(tmp_path, "--targets", str(tmp_path / "twice.json"))
    assert code == 2, out
    assert "twice.json: symbol: symbol A appears more than once" in " ".join(out.split())


def test_a_chart_file_that_cannot_be_written_is_refused_before_the_replay(
    tmp_path: Path,
) -> None:
    # The prices are bad too: the chart is what is checked first, before any work.
    bad = "date,A,B\n2024-01-02,ten,10\n"
    code, out = backtest(tmp_path, "--chart", str(tmp_path / "no" / "x.png"), prices=bad)
    assert code == 2
    assert "Invalid value for --chart: cannot write" in unboxed(out)
    assert "there is no directory" in unboxed(out)
    assert "line 2" not in unboxed(out)
    (tmp_path / "folder.png").mkdir()
    code, out = backtest(tmp_path, "--chart", str(tmp_path / "folder.png"))
    assert code == 2
    assert "folder.png: is a directory" in unboxed(out)


def unboxed(out: str) -> str:
    """Click's error box as one line of words."""
    return " ".join(out.replace("│", " ").split())


def test_costs_under_a_dollar_show_their_cents(tmp_path: Path) -> None:
    args = ("--policy", "band:5", "--cash", "1000", "--min-trade", "0")
    code, out = backtest(tmp_path, *args, "--cost-per-order", "0.1", "--json")
    assert code == 0, out
    assert json.loads(out)["policies"][0]["costs"] == 0.4  # 4 orders at $0.10
    code, out = backtest(tmp_path, *args, "--cost-per-order", "0.1")
    assert code == 0, out
    assert " 0.40 " in out


def test_a_chart_file_of_another_type_is_refused(tmp_path: Path) -> None:
    code, out = backtest(tmp_path, "--chart", str(tmp_path / "chart.jpg"))
    assert code == 2
    assert ".png or .svg" in out
