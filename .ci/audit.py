"""Dependency audit for ``make test``: pip-audit over requirements/*.txt and
``npm audit --audit-level=high`` over web/.

Fails (exit 1) only on a finding: a known vulnerability in a pinned Python package, or
a high or critical advisory for a page package. When an advisory service cannot be
reached (a machine that reaches only a package mirror), the audit says so plainly,
"NOT CHECKED", and passes: being offline is not a finding, and a green run that
audited nothing must not read as "no known vulnerabilities".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
#: Advisories looked at and judged not to apply, with why (none now).
IGNORED: dict[str, str] = {}


def pip_audit(requirements: Path) -> tuple[list[str], str | None]:
    """Findings in one hash-pinned requirements file, and why it was not checked (if so)."""
    command = [str(PIP_AUDIT), "-r", str(requirements), "--no-deps", "--disable-pip"]
    command += ["--progress-spinner", "off", "-f", "json"]
    for advisory in IGNORED:
        command += ["--ignore-vuln", advisory]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [], f"pip-audit failed: {last}"
    packages = report.get("dependencies", [])
    findings = [
        f"{p['name']} {p.get('version', '?')}: {v['id']} (fixed in {', '.join(v['fix_versions'])})"
        for p in packages
        for v in p.get("vulns", [])
    ]
    skipped = [p for p in packages if "skip_reason" in p]
    if packages and len(skipped) == len(packages) and not findings:
        return [], f"the advisory service answered for none of {len(packages)} packages"
    return findings, None


def npm_audit(web: Path) -> tuple[list[str], str | None]:
    """High and critical advisories of the page's packages, and why not checked (if so)."""
    done = subprocess.run(
        ["npm", "audit", "--audit-level=high", "--json"],
        cwd=web,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [], f"npm audit failed: {done.stderr.strip()[-200:]}"
    if "vulnerabilities" not in report:
        return [], f"the advisory endpoint answered {report.get('message', 'an error')}"
    findings = [
        f"{name}: {entry['severity']}"
        for name, entry in report["vulnerabilities"].items()
        if entry.get("severity") in ("high", "critical")
    ]
    return findings, None


def main() -> int:
    findings: list[str] = []
    for requirements in sorted((ROOT / "requirements").glob("*.txt")):
        found, unchecked = pip_audit(requirements)
        name = requirements.relative_to(ROOT)
        if unchecked:
            print(f"audit: {name}: NOT CHECKED ({unchecked})")
        else:
            print(f"audit: {name}: {len(found)} known vulnerabilities")
        findings += found
    found, unchecked = npm_audit(ROOT / "web")
    if unchecked:
        print(f"audit: web/package-lock.json: NOT CHECKED ({unchecked})")
    else:
        print(f"audit: web/package-lock.json: {len(found)} high or critical advisories")
    findings += found
    for finding in findings:
        print(f"audit: FOUND {finding}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
