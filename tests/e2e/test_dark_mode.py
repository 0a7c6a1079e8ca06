"""A system in dark mode gets a dark page that still passes axe (contrast included)."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, expect

from trimtab.services.demo import seed_demo_user

from .conftest import Live, shot, sign_in

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
LUMINANCE = """el => {
  const probe = document.createElement("canvas").getContext("2d");
  probe.fillStyle = getComputedStyle(el).backgroundColor;
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


def test_dark_mode_follows_the_system_and_stays_readable(browser: Browser, live: Live) -> None:
    seed = seed_demo_user(live.ctx)
    for name, scheme, dark in (("light", "light", False), ("dark", "dark", True)):
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, color_scheme=scheme, bypass_csp=True
        )
        page = context.new_page()
        sign_in(page, live.base_url, seed.user.email, seed.password)
        page.get_by_test_id("preview-button").click()
        expect(page.get_by_test_id("drift-row-SPY")).to_be_visible()
        body = page.evaluate_handle("document.body")
        card = page.get_by_test_id("drift-table").locator("xpath=ancestor::section[1]")
        assert (body.evaluate(LUMINANCE) < 0.2) is dark
        assert (card.evaluate(LUMINANCE) < 0.25) is dark
        shot(page, f"allocation-1440-{name}")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        assert found == [], json.dumps(found, indent=1)
        context.close()
