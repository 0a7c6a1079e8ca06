"""Hostile input, generated: schemathesis walks the whole OpenAPI document along the
links it infers (stateful sequences: create, read, change, delete), and hypothesis feeds
``trimtab plan`` made-up snapshot and targets files and option values.

0 server errors and 0 tracebacks: an API answer is never 5xx and never carries a Python
traceback; the CLI exits 0 or 2 (naming the field) and no exception escapes. The counts
are the suite's figures (``server_errors``, ``tracebacks``). Each operation on its own is
fuzzed by tests/api/test_schema.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from typer.testing import CliRunner

from tests.cli.test_check import cli  # noqa: F401  (fixture)
from tests.conftest import empty_database
from trimtab.cli import app as cli_app
from trimtab.services import users
from trimtab.services.context import AppContext
from trimtab.services.demo import seed_demo_user

from . import figures

TRACEBACK = "Traceback (most recent call last)"
#: Bounded so ``make test`` stays quick (sequences × steps per sequence, and CLI runs);
#: ``make soak`` sets TRIMTAB_SOAK_FUZZ to run this many times as many.
SCALE = int(os.environ.get("TRIMTAB_SOAK_FUZZ", "1"))
SEQUENCES = 30 * SCALE
STEPS = 8
CLI_EXAMPLES = 60 * SCALE


@pytest.mark.timeout(600 * SCALE)
def test_stateful_sequences_get_no_server_error_or_traceback(app: FastAPI, ctx: AppContext) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/events")
    machine = schema.as_state_machine()
    statuses: list[int] = []
    failures: list[str] = []
    tracebacks: list[str] = []

    class Sequence(machine):  # type: ignore[misc,valid-type]
        """One generated sequence, on a database seeded anew (the demo user and a token):
        what a sequence sees never depends on the ones before, as hypothesis requires."""

        def __init__(self) -> None:
            super().__init__()
            empty_database(ctx.store.engine)
            seed = seed_demo_user(ctx)
            self.token, _ = users.create_token(ctx, seed.user.id, "fuzz")

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {self.token}"}}

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            statuses.append(response.status_code)
            where = f"{case.method} {case.formatted_path}: {response.status_code}"
            if TRACEBACK in response.text:
                tracebacks.append(where)
            if response.status_code >= 500:
                failures.append(where)

    run_state_machine_as_test(
        Sequence,
        settings=settings(
            max_examples=SEQUENCES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    figures.record("api_fuzz_requests", len(statuses))
    figures.record("server_errors", sum(1 for s in statuses if s >= 500))
    figures.record("tracebacks", len(tracebacks))
    # Sequences went past sign-in: some requests were accepted, some refused.
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses), statuses
    assert failures == [] and tracebacks == []


# Numbers as a careless or hostile client writes them: huge, tiny, negative, not finite,
# many digits, exponents, and strings that are not numbers at all.
hostile_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e308", "-1e308", "1e-30", "1e400", "12345678901234567890", "0x10", ""]),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)
symbols = st.one_of(
    st.sampled_from(["SPY", "GLD", "TLT", "QQQ", "spy", "BRK.B", "", " ", "A" * 40]),
    st.text(max_size=8),
)


def _containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    )


json_values = st.recursive(st.one_of(hostile_numbers, symbols), _containers, max_leaves=12)
positions = st.fixed_dictionaries(
    {"symbol": symbols, "qty": hostile_numbers},
    optional={"price": hostile_numbers, "market_value": hostile_numbers, "side": json_values},
)
snapshots = st.one_of(
    st.fixed_dictionaries(
        {
            "cash": hostile_numbers,
            "positions": st.one_of(st.lists(positions, max_size=4), json_values),
            "prices": st.one_of(st.dictionaries(symbols, hostile_numbers, max_size=4), json_values),
        },
        optional={
            "as_of": st.one_of(st.datetimes().map(str), json_values),
            "equity": hostile_numbers,
            "buying_power": hostile_numbers,
            "open_orders": json_values,
            "assets": json_values,
        },
    ),
    json_values,
)
target_files = st.one_of(
    st.dictionaries(symbols, hostile_numbers, max_size=5),
    st.lists(
        st.fixed_dictionaries(
            {"symbol": symbols, "target_percent": hostile_numbers},
            optional={"enabled": json_values},
        ),
        max_size=4,
    ),
    json_values,
)
option_values = st.one_of(hostile_numbers.map(str), st.text(max_size=10))


def _json(value: object) -> str:
    """JSON as a careless writer makes it: non-finite floats written as NaN/Infinity."""
    return json.dumps(value, allow_nan=True, default=str)


@pytest.mark.timeout(600 * SCALE)
@given(
    snapshot=snapshots,
    targets=target_files,
    options=st.lists(
        st.tuples(
            st.sampled_from(["--threshold", "--min-trade", "--cash-buffer", "--max-price-age"]),
            option_values,
        ),
        max_size=2,
    ),
    as_csv=st.booleans(),
    raw=st.one_of(st.none(), st.binary(max_size=64)),
)
@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_plan_never_shows_a_traceback(
    tmp_path_factory: Any,
    snapshot: object,
    targets: object,
    options: list[tuple[str, str]],
    as_csv: bool,
    raw: bytes | None,
) -> None:
    folder: Path = tmp_path_factory.mktemp("plan")
    portfolio = folder / ("portfolio.csv" if as_csv else "portfolio.json")
    if raw is not None:
        portfolio.write_bytes(raw)
    elif as_csv:
        portfolio.write_text(_csv(snapshot))
    else:
        portfolio.write_text(_json(snapshot))
    targets_file = folder / "targets.json"
    targets_file.write_text(_json(targets))
    args = ["plan", "-p", str(portfolio), "-t", str(targets_file)]
    for option, value in options:
        args += [option, value]
    result = CliRunner().invoke(cli_app, args)
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    figures.record("cli_fuzz_runs", 1)
    figures.record("tracebacks", int(escaped or TRACEBACK in result.output))
    assert not escaped, repr(result.exception)
    assert TRACEBACK not in result.output
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        assert "error" in result.output.lower() or "invalid value" in result.output.lower(), (
            result.output
        )


def _csv(snapshot: object) -> str:
    """The snapshot as rows of ``symbol,qty,price`` (and whatever else it holds)."""
    rows = ["symbol,qty,price"]
    items = snapshot.get("positions") if isinstance(snapshot, dict) else snapshot
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            rows.append(",".join(str(item.get(k, "")) for k in ("symbol", "qty", "price")))
        else:
            rows.append(str(item))
    return "\n".join(rows) + "\n"


setting_names = st.sampled_from(
    ["threshold_percent", "min_trade", "cash_buffer_percent", "max_price_age_hours", "scope", "x"]
)
text_values = st.one_of(option_values, st.text(max_size=12))
commands = st.one_of(
    st.builds(
        lambda pairs: ["allocations", "set", *pairs],
        st.lists(st.builds(lambda s, v: f"{s}={v}", symbols, option_values), max_size=4),
    ),
    st.builds(
        lambda verb, symbol: ["allocations", verb, symbol],
        st.sampled_from(["enable", "disable", "remove"]),
        symbols,
    ),
    st.builds(
        lambda symbol, side, qty: ["trade", symbol, side, qty],
        symbols,
        st.sampled_from(["buy", "sell", "BUY", "hold", ""]),
        option_values,
    ),
    st.builds(
        lambda option, value: ["runs", option, value],
        st.sampled_from(["--limit", "--id"]),
        text_values,
    ),
    st.builds(
        lambda pairs: ["settings", "set", *pairs],
        st.lists(st.builds(lambda n, v: f"{n}={v}", setting_names, text_values), min_size=1),
    ),
    st.builds(
        lambda frequency, option, value: ["schedule", "set", frequency, option, value],
        st.sampled_from(["off", "daily", "weekly", "monthly", "cron", "hourly"]),
        st.sampled_from(["--at", "--weekday", "--day", "--cron", "--cooldown", "--mode"]),
        text_values,
    ),
    st.builds(lambda symbols_: ["check", "--dry-run", "--symbols", symbols_], st.text(max_size=12)),
)


@pytest.mark.timeout(600 * SCALE)
@given(args=commands)
@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_commands_never_show_a_traceback(cli: CliRunner, args: list[str]) -> None:  # noqa: F811
    result = cli.invoke(cli_app, args)
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    figures.record("cli_fuzz_runs", 1)
    figures.record("tracebacks", int(escaped or TRACEBACK in result.output))
    assert not escaped, (args, repr(result.exception))
    assert TRACEBACK not in result.output
    assert result.exit_code in (0, 2), (args, result.exit_code, result.output)
