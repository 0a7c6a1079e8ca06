"""The page's generated API types and rules match the server's OpenAPI document."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from trimtab.api.openapi import main as write_openapi

WEB = Path(__file__).resolve().parents[2] / "web"


def test_committed_schema_types_are_generated_from_the_current_api(tmp_path: Path) -> None:
    if shutil.which("node") is None or not (WEB / "node_modules" / "openapi-typescript").exists():
        pytest.fail("node and web/node_modules are needed: run `make web` (make test does it)")
    document = tmp_path / "openapi.json"
    write_openapi([str(document)])
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        ["node", "scripts/gen-api.mjs", str(document), str(generated)],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name, written in (("schema.d.ts", generated), ("rules.ts", tmp_path / "rules.ts")):
        committed = (WEB / "src" / "api" / name).read_text()
        assert written.read_text() == committed, (
            f"web/src/api/{name} is out of date: run `make api-types` and commit it"
        )


def test_the_page_reads_the_servers_limits_and_life_cycle() -> None:
    """One place per rule: the bounds and lists the page checks against are the server's."""
    from trimtab.api.app import build_api

    document = build_api().openapi()
    threshold = document["components"]["schemas"]["PolicyBody"]["properties"]["threshold_percent"]
    assert threshold["anyOf"][0]["maximum"] == 100
    rules = (WEB / "src" / "api" / "rules.ts").read_text()
    assert '"threshold_percent": {\n      "maximum": 100,' in rules
    schemas = document["components"]["schemas"]
    assert schemas["UnfinishedRunStatus"]["enum"] == ["awaiting_fills", "running"]
    assert set(schemas["FinalOrderStatus"]["enum"]) == {
        "blocked",
        "canceled",
        "done_for_day",
        "expired",
        "filled",
        "rejected",
        "replaced",
        "skipped",
    }
    trade_key = schemas["TradeBody"]["properties"]["idempotency_key"]["anyOf"][0]["pattern"]
    assert trade_key == "^[A-Za-z0-9._-]{1,32}$"
