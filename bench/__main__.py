"""``make bench``: run every benchmark module in this folder and print its lines."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    failures = 0
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        print(f"== bench.{module.name}", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{module.name}").main()
        except Exception as err:  # one broken benchmark must not hide the others
            failures += 1
            print(f"   FAILED: {type(err).__name__}: {err}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
