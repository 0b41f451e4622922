"""Debian's Chromium, driven by Playwright for Python (Playwright cannot download its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wider_than_screen(page: Page, base: str, paths: list[str]) -> dict[str, int]:
    """Each of ``paths`` (below ``base``) that scrolls sideways in ``page``'s viewport,
    with how many pixels too wide it is."""
    wide = {}
    for path in paths:
        page.goto(base + path)
        overflow = int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
        if overflow > 0:
            wide[path] = overflow
    return wide
