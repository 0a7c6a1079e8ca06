"""Page weight and time to first render of the built page, served by the app on loopback.

Weight: gzip bytes of the first load (what the sign-in page waits for) and of every
page's files.
First render: first-contentful-paint in Debian's Chromium, median of several loads.
"""

from __future__ import annotations

import gzip
import re
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.live_server import serving

from trimtab.api.app import WEB_DIST, create_app
from trimtab.bootstrap import build_context
from trimtab.config import Settings
from trimtab.store.db import upgrade

LOADS = 7
#: What a page may weigh (compressed) before a phone on a slow link notices: ~1 s at 2 Mbit/s.
BUDGET_GZIP_BYTES = 250_000


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes()))


def first_load_files() -> list[Path]:
    """``index.html`` and the scripts and styles it references: what the first paint waits for."""
    index = WEB_DIST / "index.html"
    referenced = re.findall(r'(?:src|href)="/?([^"]+\.(?:js|css))"', index.read_text())
    return [index, *(WEB_DIST / name for name in referenced)]


def page_weight() -> tuple[int, int, int]:
    """Gzip bytes of the first load, of every file of the page, and raw bytes of all."""
    files = [p for p in WEB_DIST.rglob("*") if p.suffix in {".html", ".js", ".css"}]
    first = sum(gzip_size(p) for p in first_load_files())
    return first, sum(gzip_size(p) for p in files), sum(p.stat().st_size for p in files)


def main() -> None:
    if not (WEB_DIST / "index.html").exists():
        raise RuntimeError("the page is not built: run `make web`")
    first, packed, raw = page_weight()
    print(
        f"   page weight: first load {first / 1024:.0f} KiB gzip; all pages {packed / 1024:.0f} "
        f"KiB gzip ({raw / 1024:.0f} KiB raw)"
    )
    budget = BUDGET_GZIP_BYTES
    print(f"   first load / the {budget // 1000} kB gzip budget: {first / budget:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'page.db'}"
        upgrade(url)
        ctx = build_context(Settings(TRIMTAB_DATABASE_URL=url, TRIMTAB_SECRET_KEY="bench"))
        with serving(create_app(ctx)) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            paints = []
            for _ in range(LOADS):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/signin")
                page.get_by_test_id("signin-email").wait_for()
                paints.append(
                    page.evaluate(
                        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"
                    )
                )
                context.close()
            browser.close()
        ctx.store.engine.dispose()
    print(
        f"   first contentful paint on loopback: median {statistics.median(paints):.0f} ms, "
        f"worst {max(paints):.0f} ms over {LOADS} cold loads"
    )
