"""A site fresh from ``briefing init``, checked like the bundled one: every page through
axe in Chromium, the Nu HTML Checker, a crawl of every link, and no sideways scrolling at
360 px. A desk's first build is its first impression.

Its pages use the bundled site's templates, which test_site_quality.py checks at every
width and colour scheme; here what differs is the content: one record of each kind, no
outcomes at all. One view is enough for that.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_cli

AXE = REPO / "node_modules/axe-core/axe.min.js"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.browser

_missing = [str(p) for p in (AXE, VNU, CHROMIUM, Path(NGINX)) if not p.exists()]
_missing += [] if shutil.which("java") else ["java"]
if _missing:
    pytest.skip(
        f"missing {', '.join(_missing)}: scripts/install-test-tools.sh (run by `make test`) installs them",
        allow_module_level=True,
    )
pytest.importorskip("playwright.sync_api")

from quality.browser import chromium, wider_than_screen  # noqa: E402 - after the skips above
from quality.build import build_site  # noqa: E402
from quality.crawl import crawl  # noqa: E402
from quality.nginx import free_port, serve  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``briefing init`` in an empty folder, then ``briefing build``; the output folder."""
    folder = tmp_path_factory.mktemp("init") / "desk"
    started = run_cli("init", str(folder))
    assert started.returncode == 0, started.stderr
    return build_site(folder / "public", site=folder)


@pytest.fixture(scope="module")
def base(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(site, tmp_path_factory.mktemp("nginx"), free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _pages(site: Path) -> list[str]:
    """Every page's path under the site, as a reader's browser asks for it."""
    files = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    return [p.relative_to(site).as_posix().removesuffix("index.html") for p in files]


def test_axe_finds_no_violations_on_any_page(browser: Any, base: str, site: Path) -> None:
    # axe is injected as a script, which the pages' CSP would rightly refuse: bypass it here only
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    problems = []
    try:
        page = context.new_page()
        for path in _pages(site):
            page.goto(base + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            problems += [
                f"/{path}: {v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:3]]}"
                for v in result["violations"]
            ]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_no_page_scrolls_sideways_at_360_px(browser: Any, base: str, site: Path) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        wide = wider_than_screen(page, base, _pages(site))
    finally:
        page.close()
    assert not wide, f"pages wider than the screen (px too wide): {wide}"


def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    files = sorted(str(p) for p in site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(files) > 15
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]
    assert not errors, "\n".join(errors[:40])


def test_every_link_resolves_and_every_page_is_reachable(site: Path, base: str) -> None:
    found = crawl(base)
    assert not found.broken(), "\n".join(found.broken()[:40])
    reached = {url for url, got in found.pages.items() if got.status == 200}
    pages = {base + path for path in _pages(site)} - {base + "404.html"}
    assert not sorted(pages - reached), f"pages no link leads to: {sorted(pages - reached)}"
