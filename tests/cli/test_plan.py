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


def test_a_csv_portfolio_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" starts the file with U+FEFF.
    csv = "\ufeffsymbol,qty,price\nCASH,2500,1\nSPY,100,465\nQQQ,50.5,400\nGLD,0,185.10\nTLT,0,92\n"
    (tmp_path / "portfolio.csv").write_text(csv, encoding="utf-8")
    t = write(tmp_path / "targets.json", TARGETS)
    result = runner.invoke(
        app, ["plan", "-p", str(tmp_path / "portfolio.csv"), "-t", str(t), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["portfolio_value"] == 69200.0


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
            '{"SPY": 50, "SPY": 50}',
            "targets.json: symbol: symbol SPY appears more than once",
        ),
        (
            '{"cash": "100", "cash": "200", "positions": []}',
            TARGETS,
            "portfolio.json: key: key cash appears more than once",
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


# -- real accounts (docs/rebalancing.md): one snapshot per kind the format can express --


def plan_json(tmp_path: Path, portfolio: object, targets: object, *args: str) -> dict:
    code, out = plan(tmp_path, portfolio, targets, "--json", *args)
    assert code == 0, out
    result: dict = json.loads(out)
    assert_seed_contract(result)
    return result


def trades(result: dict) -> list[tuple[str, str, float]]:
    return [(t["symbol"], t["side"], t["qty"]) for t in result["trades_planned"]]


def test_a_short_snapshot_is_valued_at_24000_and_spends_no_short_proceeds(
    tmp_path: Path,
) -> None:
    snapshot = {
        "cash": "30000",
        "equity": "24000",
        "positions": [
            {"symbol": "SPY", "qty": "8", "price": "500"},
            {"symbol": "XYZ", "qty": "-40", "price": "250"},
        ],
        "prices": {"QQQ": "400", "TLT": "90", "GLD": "200"},
    }
    result = plan_json(tmp_path, snapshot, TARGETS)
    assert result["portfolio_value"] == 24000.0
    assert result["buy_budget"] == {
        "cash": 30000.0,
        "buying_power": None,
        "uninvested": 20000.0,
        "short_proceeds": 10000.0,
        "open_orders": 0.0,
        "buffer": 60.0,
        "spendable": 19940.0,
    }
    assert trades(result) == [
        ("SPY", "buy", 11.1664),
        ("QQQ", "buy", 17.946),
        ("TLT", "buy", 53.173333333),
        ("GLD", "buy", 11.964),
    ]
    assert sum(t["notional"] for t in result["trades_planned"]) <= 30000 - 10000 - 60
    xyz = next(d for d in result["drift_details"] if d["symbol"] == "XYZ")
    assert (xyz["market_value"], xyz["hold_reason"]) == (-10000.0, "short_position")


def test_the_plan_table_shows_a_short_as_held_not_within_band(tmp_path: Path) -> None:
    snapshot = {
        "cash": "30000",
        "equity": "24000",
        "positions": [
            {"symbol": "SPY", "qty": "8", "price": "500"},
            {"symbol": "XYZ", "qty": "-40", "price": "250"},
        ],
        "prices": {"QQQ": "400", "TLT": "90", "GLD": "200"},
    }
    code, output = plan(tmp_path, snapshot, TARGETS)
    assert code == 0
    xyz_line = next(line for line in output.splitlines() if "XYZ" in line and "-41.67" in line)
    assert "■ held" in xyz_line
    assert "within band" not in xyz_line


def test_a_crypto_snapshot_shows_btc_usd_at_60_percent_and_sells_in_coins(tmp_path: Path) -> None:
    snapshot = {
        "cash": "6000",
        "positions": [
            {"symbol": "BTC/USD", "qty": "0.15", "price": "60000", "asset_class": "crypto"}
        ],
        "prices": {"SPY": "500"},
        "assets": {
            "BTC/USD": {
                "asset_class": "crypto",
                "min_order_size": "0.0001",
                "min_trade_increment": "0.0001",
            }
        },
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 60, "BTC/USD": 40})
    assert result["portfolio_value"] == 15000.0
    btc = next(r for r in result["drift_analysis"] if r["symbol"] == "BTC/USD")
    assert (btc["actual_percent"], btc["action"]) == (60.0, "sell")
    assert trades(result) == [("BTC/USD", "sell", 0.05), ("SPY", "buy", 17.925)]
    assert result["trades_planned"][0]["asset_class"] == "crypto"


def test_an_option_snapshot_is_valued_at_30000_not_20100(tmp_path: Path) -> None:
    snapshot = {
        "cash": "10000",
        "equity": "30000",
        "positions": [
            {"symbol": "SPY", "qty": "20", "price": "500"},
            {
                "symbol": "AAPL250117C00150000",
                "qty": "2",
                "price": "50",
                "market_value": "10000",
                "asset_class": "us_option",
            },
        ],
        "prices": {"QQQ": "400"},
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 50, "QQQ": 50})
    assert result["portfolio_value"] == 30000.0
    assert trades(result) == [("SPY", "buy", 4.9625), ("QQQ", "buy", 18.609375)]
    assert {s["symbol"]: s["reason"] for s in result["skipped"]} == {
        "AAPL250117C00150000": "asset_class"
    }


def test_a_snapshot_with_an_open_order_and_buying_power_reserves_their_cash(
    tmp_path: Path,
) -> None:
    snapshot = {
        "cash": "10000",
        "buying_power": "9000",
        "prices": {"SPY": "500", "GLD": "200", "QQQ": "400"},
        "open_orders": [{"symbol": "QQQ", "side": "buy", "qty": "5"}],
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 50, "GLD": 50})
    # min(10,000, 9,000 buying power) - 2,000 for the open QQQ buy - 25 buffer = 6,975.
    assert result["buy_budget"]["spendable"] == 6975.0
    assert trades(result) == [("SPY", "buy", 6.975), ("GLD", "buy", 17.4375)]


def test_a_dated_price_before_the_last_trading_day_is_skipped_as_stale(tmp_path: Path) -> None:
    snapshot = {
        "cash": "10000",
        "as_of": "2026-11-30T15:00:00Z",
        "prices": {
            "SPY": {"price": "500", "as_of": "2026-11-30T14:59:00Z"},
            "GLD": {"price": "200", "as_of": "2026-11-27T21:00:00Z"},
        },
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 50, "GLD": 50})
    assert trades(result) == [("SPY", "buy", 10.0)]
    assert result["trades_planned"][0]["price_as_of"] == "2026-11-30T14:59:00Z"
    (stale,) = result["skipped"]
    assert (stale["symbol"], stale["reason"]) == ("GLD", "stale_price")
    # The same prices on the Saturday after: Friday's close is the last trading day's.
    later = plan_json(
        tmp_path, {**snapshot, "as_of": "2026-11-28T12:00:00Z"}, {"SPY": 50, "GLD": 50}
    )
    assert [s["reason"] for s in later["skipped"]] == []


def test_a_zero_target_and_the_sell_policy_exit_whole_positions(tmp_path: Path) -> None:
    snapshot = {
        "cash": "0",
        "positions": [
            {"symbol": "SPY", "qty": "10.123456789", "price": "500"},
            {"symbol": "TSLA", "qty": "3", "price": "200"},
        ],
        "prices": {"QQQ": "400"},
    }
    left = plan_json(tmp_path, snapshot, {"SPY": 0, "QQQ": 100})
    assert trades(left)[0] == ("SPY", "sell", 10.123456789)
    assert "TSLA" not in {t["symbol"] for t in left["trades_planned"]}
    sold = plan_json(tmp_path, snapshot, {"SPY": 0, "QQQ": 100}, "--untargeted", "sell")
    assert trades(sold)[:2] == [("SPY", "sell", 10.123456789), ("TSLA", "sell", 3.0)]


def test_a_min_trade_under_one_dollar_is_raised_to_alpacas_floor(tmp_path: Path) -> None:
    snapshot = {
        "cash": "9999.5",
        "positions": [{"symbol": "SPY", "qty": "0.001", "price": "500"}],
        "prices": {"QQQ": "400"},
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 0, "QQQ": 100}, "--min-trade", "0.5")
    assert [s["message"] for s in result["skipped"] if s["symbol"] == "SPY"] == [
        "sell of SPY for $0.50 is under the $1.00 minimum trade"
    ]


def test_a_snapshot_whose_parts_miss_the_equity_says_so_and_plans_nothing(
    tmp_path: Path,
) -> None:
    snapshot = {
        "cash": "1000",
        "equity": "5000",
        "positions": [{"symbol": "SPY", "qty": "2", "price": "500"}],
        "prices": {"QQQ": "400"},
    }
    result = plan_json(tmp_path, snapshot, {"SPY": 50, "QQQ": 50})
    assert (result["outcome"], result["trades_planned"]) == ("valuation_mismatch", [])
    assert "Equity is $5,000.00 but cash $1,000.00 + positions $1,000.00" in result["message"]


@pytest.mark.parametrize(
    ("portfolio", "message"),
    [
        (
            {"positions": [{"symbol": "X250117C00150000", "qty": 1, "asset_class": "us_option"}]},
            "positions[0].market_value: missing",
        ),
        (
            {"positions": [{"symbol": "SPY", "qty": 1, "price": 1, "asset_class": "bond"}]},
            "positions[0].asset_class: expected one of us_equity, crypto, us_option",
        ),
        ({"prices": {"SPY": {"price": 1, "as_of": "yesterday"}}}, "prices.SPY.as_of"),
        (
            {"open_orders": [{"symbol": "SPY", "side": "buy", "qty": 1, "notional": 5}]},
            "open_orders[0]: give exactly one of qty and notional",
        ),
        # Each list entry or asset must be an object holding only known fields.
        ({"positions": ["SPY"]}, "positions[0]: expected an object with symbol, qty and price"),
        (
            {"positions": [{"symbol": "SPY", "qty": 1, "lots": 2}]},
            "positions[0].lots: unknown field",
        ),
        (
            {"open_orders": [["SPY"]]},
            "open_orders[0]: expected an object with symbol, side and qty or notional",
        ),
        ({"open_orders": [{"symbol": "SPY", "tif": "day"}]}, "open_orders[0].tif: unknown field"),
        ({"assets": {"SPY": 1}}, "assets.SPY: expected an object of asset facts"),
        ({"assets": {"SPY": {"colour": "red"}}}, "assets.SPY.colour: unknown field"),
    ],
)
def test_malformed_real_account_fields_exit_2_naming_the_field(
    tmp_path: Path, portfolio: dict, message: str
) -> None:
    code, out = plan(tmp_path, {"cash": 100, "prices": {"SPY": 1}, **portfolio}, {"SPY": 100})
    assert code == 2, out
    assert message in " ".join(out.split()), out


def test_plan_policy_options_invest_idle_cash_and_say_why(tmp_path: Path) -> None:
    idle = {
        "cash": "1500",
        "positions": [
            {"symbol": "SPY", "qty": "8", "price": "450"},
            {"symbol": "QQQ", "qty": "6", "price": "400"},
            {"symbol": "TLT", "qty": "17", "price": "100"},
            {"symbol": "GLD", "qty": "5", "price": "160"},
        ],
    }
    code, out = plan(
        tmp_path, idle, TARGETS, "--json", "-o", "invest_cash=true", "--cash-buffer", "0"
    )
    assert code == 0, out
    result = json.loads(out)
    # QQQ 6 pp under (past its band) buys 600; 900 idle: SPY 400, TLT 300, GLD 200.
    assert [(t["symbol"], t["qty"]) for t in result["trades_planned"]] == [
        ("QQQ", 1.5),
        ("SPY", 0.888888888),
        ("TLT", 3.0),
        ("GLD", 1.25),
    ]
    reasons = {d["symbol"]: d["reason"] for d in result["drift_details"]}
    assert reasons == {
        "SPY": "cash_invested",
        "QQQ": "past_band",
        "TLT": "cash_invested",
        "GLD": "cash_invested",
    }
    _, default_out = plan(tmp_path, idle, TARGETS, "--json", "--cash-buffer", "0")
    assert [t["symbol"] for t in json.loads(default_out)["trades_planned"]] == ["QQQ"]


def test_plan_bad_policy_option_exits_2_naming_it(tmp_path: Path) -> None:
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "-o", "scope=everything")
    assert code == 2
    assert "scope must be one of past_band, whole_book" in out
    code, out = plan(tmp_path, PORTFOLIO, TARGETS, "-o", "nonsense=1")
    assert code == 2
    assert "unknown setting 'nonsense'" in out


TAXED = {
    "cash": "0",
    "as_of": "2026-11-30T15:00:00Z",
    "positions": [{"symbol": "SPY", "qty": "25", "price": "500", "cost_basis": "600"}],
    "prices": {"GLD": "100"},
    "fills": [
        {"symbol": "SPY", "side": "buy", "qty": "5", "price": "300", "filled_on": "2024-01-02"},
        {"symbol": "SPY", "side": "buy", "qty": "10", "price": "550", "filled_on": "2026-06-01"},
        {"symbol": "SPY", "side": "buy", "qty": "5", "price": "400", "filled_on": "2026-10-01"},
    ],
}


def test_plan_sells_tax_lots_from_the_snapshots_fills_and_cost_basis(tmp_path: Path) -> None:
    code, out = plan(tmp_path, TAXED, {"SPY": 32, "GLD": 68}, "--json", "-o", "tax_aware=true")
    assert code == 0, out
    result = json.loads(out)
    # Value 12,500: SPY's 32 % is 4,000, so sell 8,500 = 17 shares. Lots, losses first:
    # the 5 shares no fill explains at the $600 cost basis (-100 each, date unknown),
    # the 10 bought at 550 in June (-50 each, short term), then 2 of the 5 bought at 300
    # in 2024 (+200 each, long term). The 5 bought at 400 in October stay.
    sell = result["trades_planned"][0]
    assert (sell["symbol"], sell["side"], sell["qty"]) == ("SPY", "sell", 17.0)
    assert sell["estimated_gain"] == {"unknown": -500.0, "short_term": -500.0, "long_term": 400.0}
    assert result["realised_gains"] == {"short_term": -500.0, "long_term": 400.0, "unknown": -500.0}
    # Without tax_aware the same snapshot plans the same sell with no gains estimated.
    _, plain = plan(tmp_path, TAXED, {"SPY": 32, "GLD": 68}, "--json")
    assert json.loads(plain)["trades_planned"][0]["estimated_gain"] is None


@pytest.mark.parametrize(
    ("fill", "field"),
    [
        ({"symbol": "SPY", "side": "buy", "qty": "5", "price": "300"}, "fills[0].filled_on"),
        (
            {"symbol": "SPY", "side": "hold", "qty": "5", "price": "3", "filled_on": "2024-01-02"},
            "fills[0].side",
        ),
        (
            {"symbol": "SPY", "side": "buy", "qty": "5", "price": "3", "filled_on": "Jan 2"},
            "fills[0].filled_on",
        ),
        (
            {"symbol": "SPY", "side": "buy", "qty": "-5", "price": "3", "filled_on": "2024-01-02"},
            "fills[0].qty",
        ),
    ],
)
def test_a_malformed_fill_exits_2_naming_it(tmp_path: Path, fill: object, field: str) -> None:
    code, out = plan(
        tmp_path, {**TAXED, "fills": [fill]}, {"SPY": 32, "GLD": 68}, "-o", "tax_aware=true"
    )
    assert code == 2, out
    assert field in out
