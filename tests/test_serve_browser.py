"""Live reload and the error overlay in a real browser (Debian's Chromium via Playwright).

An editor's loop: open a brief, save a change, see it without reloading;
break the front matter, see the file and line over the page; fix it, and the
overlay goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefing.pipeline import Options
from briefing.serve.server import Running, Serving, start

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000

pytestmark = pytest.mark.browser  # `pytest -m 'not browser'` runs with Python alone

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing; scripts/install-test-tools.sh (run by `make test`) installs it",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def running(site_copy: Callable[[str], Path]) -> Iterator[Running]:
    preview = start(site_copy("valid"), Options(), Serving(port=0))
    preview.serve_in_thread()
    yield preview
    preview.stop()


@pytest.fixture
def page() -> Iterator[sync_api.Page]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # A short window, so that the brief scrolls and the kept position means something.
            yield browser.new_page(viewport={"width": 800, "height": 300})
        finally:
            browser.close()


def test_edits_appear_errors_show_over_the_page_and_go_when_fixed(running: Running, page: sync_api.Page) -> None:
    expect = sync_api.expect
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    brief = running.site / "content/briefs/summit-at-a-glance.md"
    original = brief.read_text()

    page.goto(running.url + "briefs/summit-at-a-glance/")
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    page.wait_for_function("() => document.querySelector('script[src=\"/__briefing/reload.js\"]') !== null")
    page.evaluate("() => window.scrollTo(0, 120)")
    page.wait_for_function("() => window.scrollY === 120")
    page.evaluate("() => { window.notReloaded = true; }")  # gone after the live reload

    # 1. An edit appears by itself, at the same scroll position.
    brief.write_text(original.replace("## What happened", "## What really happened"))
    expect(page.get_by_role("heading", name="What really happened")).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("() => window.notReloaded") is None, "the page was reloaded by the live-reload script"
    page.wait_for_function("() => window.scrollY === 120", timeout=WAIT_MS)

    # 2. Broken front matter: the overlay names the file and the line; the last good page stays.
    brief.write_text(original.replace("title: The summit at a glance", "title: [unclosed", 1))
    overlay = page.locator("#briefing-build-errors")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text(re.compile(r"content/briefs/summit-at-a-glance\.md:\d+:\d+: error: invalid YAML"))
    expect(page.get_by_role("heading", name="What really happened")).to_be_visible()

    # 3. Error text is text: markup in a message is shown, never parsed.
    brief.write_text(original.replace("---\n", "---\n<b>bold</b>: x\n", 1))
    expect(overlay).to_contain_text("unknown field '<b>bold</b>'", timeout=WAIT_MS)
    assert overlay.locator("b").count() == 0

    # 4. Fixed: the overlay goes and the page shows the fixed content.
    brief.write_text(original)
    expect(page.get_by_role("heading", name="What happened")).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_have_count(0)
    assert not [m for m in console if "Content Security Policy" in m], console
