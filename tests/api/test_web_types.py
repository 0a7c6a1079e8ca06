"""The page's generated API types match the server's OpenAPI document."""

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
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, (
        "web/src/api/schema.d.ts is out of date: run `make api-types` and commit it"
    )
