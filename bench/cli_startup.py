"""How long the ``trimtab`` command takes to print its first byte, beside ``python -c pass``.

Each round runs the anchor and every case once, interleaved, so a busy machine slows
them alike; the medians are printed in milliseconds and as a ratio to the anchor.
Goals (issue 13): ``trimtab plan`` at most 150 ms, ``trimtab --help`` at most 200 ms.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 15
GOALS_MS = {"trimtab --help": 200.0, "trimtab plan": 150.0, "trimtab plan --json": 150.0}


def first_byte_seconds(command: list[str]) -> float:
    """Seconds from starting ``command`` to the first byte on its stdout (it runs to the end)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    process.stdout.read(1)
    elapsed = time.perf_counter() - started
    process.stdout.read()
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    return elapsed


def main() -> None:
    trimtab = str(Path(sys.executable).with_name("trimtab"))
    with tempfile.TemporaryDirectory() as folder:
        portfolio = Path(folder) / "portfolio.json"
        targets = Path(folder) / "targets.json"
        portfolio.write_text(
            json.dumps(
                {
                    "cash": 1000,
                    "positions": [
                        {"symbol": "SPY", "qty": 10, "price": 500},
                        {"symbol": "BND", "qty": 20, "price": 70},
                        {"symbol": "VXUS", "qty": 30, "price": 60},
                    ],
                }
            )
        )
        targets.write_text(json.dumps({"SPY": 50, "BND": 30, "VXUS": 20}))
        plan = [trimtab, "plan", "--portfolio", str(portfolio), "--targets", str(targets)]
        cases = {
            "python -c pass": [sys.executable, "-c", "print()"],
            "trimtab --help": [trimtab, "--help"],
            "trimtab plan": plan,
            "trimtab plan --json": [*plan, "--json"],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, command in cases.items():
                times[name].append(first_byte_seconds(command))
    anchor = statistics.median(times["python -c pass"])
    print(f"   python -c pass (prints one newline): {anchor * 1000:.0f} ms median of {ROUNDS}")
    for name, samples in times.items():
        if name == "python -c pass":
            continue
        median = statistics.median(samples)
        goal = GOALS_MS[name]
        verdict = "within" if median * 1000 <= goal else "OVER"
        print(
            f"   {name}: first byte {median * 1000:.0f} ms median, {median / anchor:.1f}x the "
            f"anchor; goal {goal:.0f} ms ({goal / 1000 / anchor:.1f}x): {verdict}"
        )
