"""``trimtab plan``: the contract on stdout, and exit code 2 with a named field for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trimtab.cli import app

from ..contract import assert_seed_contract

runner = CliRunner()

PORTFOLIO = {
    "cash": "2500.00",
    "positions": [
        {"symbol": "SPY", "qty": "100", "price": "465.00"},
        {"symbol": "QQQ", "qty": 50.5, "price": 400},
    ],
    "prices": {"GLD": "185.10", "TLT": "92.00"},
    "not_fractionable": ["TLT"],
}
TARGETS = {"SPY": 40, "QQQ": 30, "TLT": 20, "GLD": 10}


def write(path: Path, content: object) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def plan(tmp_path: Path, portfolio: object, targets: object, *args: str) -> tuple[int, str]:
    is_csv = isinstance(portfolio, str) and portfolio.startswith("symbol")
    p = write(tmp_path / ("portfolio.csv" if is_csv else "portfolio.json"), portfolio)
    t = write(tmp_path / "targets.json", targets)
    result = runner.invoke(app, ["plan", "--portfolio", str(p), "--targets", str(t), *args])
    return result.exit_code, result.output


def test_plan_json_is_the_seed_contract_with_trades_planned(tmp_path: Path) -> None:
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "--json")
    assert code == 0, out
    result = json.loads(out)
    assert_seed_contract(result)
    assert result["dry_run"] is True
    assert result["trades_executed"] == []
    assert result["portfolio_value"] == 69200.0
    assert [(t["symbol"], t["side"], t["qty"]) for t in result["trades_planned"]] == [
        ("SPY", "sell", 40.473118279),
        ("TLT", "buy", 150.0),
        ("GLD", "buy", 37.38519719),
    ]
    spy = result["drift_analysis"][0]
    assert spy == {
        "symbol": "SPY",
        "target_percent": 40.0,
        "actual_percent": 67.2,
        "drift_percent": 27.2,
        "needs_rebalance": True,
        "action": "sell",
    }


def test_plan_accepts_the_list_form_of_targets_and_csv_portfolios(tmp_path: Path) -> None:
    csv = "symbol,qty,price\nCASH,2500,1\nSPY,100,465\nQQQ,50.5,400\nGLD,0,185.10\nTLT,0,92\n"
    targets = [{"symbol": s, "target_percent": p, "enabled": True} for s, p in TARGETS.items()] + [
        {"symbol": "BND", "target_percent": 50, "enabled": False}
    ]
    code, out = plan(tmp_path, csv, targets, "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["portfolio_value"] == 69200.0
    # TLT is fractionable in CSV snapshots: 13,840 / 92 = 150.434782608...
    assert result["trades_planned"][1]["qty"] == 150.434782608


def test_plan_threshold_and_min_trade_options(tmp_path: Path) -> None:
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "--json", "--threshold", "30")
    assert code == 0, out
    assert json.loads(out)["trades_planned"] == []
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "--json", "--min-trade", "10000")
    assert [t["symbol"] for t in json.loads(out)["trades_planned"]] == ["SPY", "TLT"]


def test_plan_table_output_shows_drift_and_trades(tmp_path: Path) -> None:
    code, out = plan(tmp_path, PORTFOLIO, TARGETS)
    assert code == 0, out
    assert "Drift analysis" in out and "+27.20" in out and "sell" in out
    assert "Planned trades" in out and "40.473118279" in out


@pytest.mark.parametrize(
    ("portfolio", "targets", "message"),
    [
        ("{not json", TARGETS, "portfolio.json: line 1: not valid JSON"),
        ([1, 2], TARGETS, "portfolio.json: top level: expected a JSON object"),
        ({"cash": "lots"}, TARGETS, "portfolio.json: cash: 'lots' is not a number"),
        (
            {**PORTFOLIO, "positions": [{"symbol": "SPY", "qty": "1"}]},
            TARGETS,
            "portfolio.json: positions[0].price: missing",
        ),
        (
            {
                **PORTFOLIO,
                "positions": [{"symbol": "SPY", "qty": "-3", "price": 1, "market_value": 3}],
            },
            TARGETS,
            "portfolio.json: positions[0].market_value: must have the sign of qty",
        ),
        (
            {**PORTFOLIO, "positions": [{"symbol": "SPY", "qty": "3", "price": 0}]},
            TARGETS,
            "portfolio.json: positions[0].price: must be above 0",
        ),
        (
            {**PORTFOLIO, "positions": [{"symbol": "spy", "qty": "3", "price": 1}]},
            TARGETS,
            "portfolio.json: positions[0].symbol: symbol 'spy' is not a valid ticker",
        ),
        (
            {
                **PORTFOLIO,
                "positions": [
                    {"symbol": "SPY", "qty": 1, "price": 1},
                    {"symbol": "SPY", "qty": 2, "price": 1},
                ],
            },
            TARGETS,
            "portfolio.json: positions[1].symbol: SPY is listed twice",
        ),
        (
            {**PORTFOLIO, "prices": {"SPY": "400", "GLD": 1, "TLT": 1}},
            TARGETS,
            "portfolio.json: prices.SPY: 400 differs from the position's price 465.00",
        ),
        (
            {**PORTFOLIO, "prices": {"GLD": "185.10"}},
            TARGETS,
            "portfolio.json: prices: no price for target symbol TLT",
        ),
        ({**PORTFOLIO, "margin": 1}, TARGETS, "portfolio.json: margin: unknown field"),
        ("symbol,quantity\nSPY,1\n", TARGETS, "portfolio.csv: header: expected the header"),
        ("symbol,qty,price\nSPY,x,1\n", TARGETS, "portfolio.csv: line 2.qty: 'x' is not a number"),
        ("symbol,qty,price\nCASH,100,2\n", TARGETS, "portfolio.csv: line 2.price: the CASH row"),
        ("symbol,qty,price\nSPY,1\n", TARGETS, "portfolio.csv: line 2: expected 3 columns, got 2"),
        (
            PORTFOLIO,
            {"SPY": 40, "QQQ": 30, "TLT": 20},
            "targets.json: target_percent: targets sum to 90.00 %",
        ),
        (PORTFOLIO, {"SPY": "forty", "QQQ": 60}, "targets.json: SPY: 'forty' is not a number"),
        (PORTFOLIO, {"spy": 100}, "targets.json: spy: symbol 'spy' is not a valid ticker"),
        (
            PORTFOLIO,
            {"SPY": -10, "QQQ": 110},
            "targets.json: target_percent: SPY: target_percent must be from 0 to 100",
        ),
        (PORTFOLIO, [{"symbol": "SPY"}], "targets.json: [0].target_percent: missing"),
        (
            PORTFOLIO,
            [{"symbol": "SPY", "target_percent": 50}, {"symbol": "SPY", "target_percent": 50}],
            "targets.json: symbol: symbol SPY appears more than once",
        ),
        (
            PORTFOLIO,
            [{"symbol": "SPY", "target_percent": 100, "enabled": "yes"}],
            "[0].enabled: expected true or false",
        ),
        (PORTFOLIO, "[", "targets.json: line 1: not valid JSON"),
    ],
)
def test_malformed_snapshots_exit_2_naming_file_and_field(
    tmp_path: Path, portfolio: object, targets: object, message: str
) -> None:
    code, out = plan(tmp_path, portfolio, targets)
    assert code == 2
    assert message in " ".join(out.split()), out
    assert "Traceback" not in out


def test_missing_file_exits_2(tmp_path: Path) -> None:
    t = write(tmp_path / "targets.json", TARGETS)
    result = runner.invoke(app, ["plan", "-p", str(tmp_path / "nope.json"), "-t", str(t)])
    assert result.exit_code == 2
    assert "nope.json: file: cannot read" in result.output


def test_bad_numeric_option_is_a_usage_error(tmp_path: Path) -> None:
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "--threshold", "wide")
    assert code == 2
    assert "--threshold" in out
