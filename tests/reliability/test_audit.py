"""The dependency audit (.ci/audit.py) fails on a finding and only then: an advisory
service that audited nothing is reported as not checked, not as clean."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

AUDIT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"


@pytest.fixture
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", AUDIT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answering(monkeypatch: pytest.MonkeyPatch, stdout: object) -> None:
    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, json.dumps(stdout), "")

    monkeypatch.setattr(subprocess, "run", run)


def test_a_known_vulnerability_is_a_finding(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering(
        monkeypatch,
        {
            "dependencies": [
                {
                    "name": "jinja2",
                    "version": "3.1.2",
                    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
                },
                {"name": "rich", "version": "15.0", "vulns": []},
            ]
        },
    )
    findings, unchecked = audit.pip_audit(Path("requirements/runtime.txt"))
    assert findings == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    assert unchecked is None


def test_an_unreachable_service_is_not_checked_not_clean(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering(
        monkeypatch,
        {"dependencies": [{"name": "rich", "skip_reason": "Dependency not found on PyPI"}]},
    )
    assert audit.pip_audit(Path("requirements/runtime.txt")) == (
        [],
        "the advisory service answered for none of 1 packages",
    )


def test_npm_high_and_critical_advisories_are_findings(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering(
        monkeypatch,
        {
            "vulnerabilities": {
                "vite": {"severity": "high"},
                "postcss": {"severity": "moderate"},
                "lodash": {"severity": "critical"},
            }
        },
    )
    assert audit.npm_audit(Path("web")) == (["vite: high", "lodash: critical"], None)
    answering(monkeypatch, {"message": "405 Method Not Allowed", "statusCode": 405})
    assert audit.npm_audit(Path("web")) == (
        [],
        "the advisory endpoint answered 405 Method Not Allowed",
    )
