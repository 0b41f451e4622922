"""The reader's site, checked by the software readers and hosts use.

The bundled site (the repository root), with a brief made to be hard to lay out added to
a copy of it (``quality/extra``: a wide table, a long word, a long link), is built once,
served by Debian's nginx on a loopback port, and checked with axe-core in Chromium, the Nu
HTML Checker, feedparser, extruct and a crawler: every page type, in the states a reader
meets (search with results, the timeline filtered), at 360, 390 and 1280 px. A second
build under a base path (``/briefing/``) checks that links, assets and search work there too.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest

from briefing.output.search import search_files
from briefing.pipeline import Options, render

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules/axe-core/axe.min.js"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.browser  # `pytest -m 'not browser'` runs with Python alone

_missing = [str(p) for p in (AXE, VNU, CHROMIUM, Path(NGINX)) if not p.exists()]
_missing += [] if shutil.which("java") else ["java"]
if _missing:
    pytest.skip(
        f"missing {', '.join(_missing)}: scripts/install-test-tools.sh (run by `make test`) installs them",
        allow_module_level=True,
    )

feedparser = pytest.importorskip("feedparser")
extruct = pytest.importorskip("extruct")
sync_api = pytest.importorskip("playwright.sync_api")

from quality.browser import chromium, wider_than_screen  # noqa: E402 - after the skips above
from quality.build import build_site, bundled_with_extra  # noqa: E402
from quality.crawl import crawl, fetch, parse  # noqa: E402
from quality.nginx import free_port, serve  # noqa: E402

# One page of each type a reader meets.
PAGES = {
    "home": "",
    "briefs": "briefs/",
    "brief": "briefs/csto-summit-at-a-glance/",
    "brief-table": "briefs/experts-side-by-side/",
    "brief-wide": "briefs/wide-tables-and-long-words/",  # from quality/extra
    "actors": "actors/",
    "actor": "actors/vladimir-putin/",
    "events": "events/",
    "event": "events/csto-summit-2025/",
    "outcome": "outcomes/csto-equipment-programme/",
    "tracker": "outcomes/",
    "sources": "sources/",
    "source": "sources/izvestia-report/",
    "timeline": "timeline/",
    "dates": "dates/",
    "year": "dates/2025/",
    "month": "dates/2025-11/",
    "day": "dates/2025-11-27/",
    "tags": "tags/",
    "tag": "tags/csto/",
    "search": "search/",
    "watch": "watch/",
    "network": "network/",
    "404": "404.html",
}
# The states a reader puts a page in, beyond loading it: (page, what they do).
STATES = {
    "search-results": ("search", "search"),
    "timeline-filtered": ("timeline", "filter"),
}
VIEWS = {**{name: (name, "") for name in PAGES}, **STATES}
WIDTHS = {"narrow": 360, "mobile": 390, "desktop": 1280}
SCHEMES = ("light", "dark")
SEARCH_NAME = "Lukashenko"  # named in the body of at least one brief
WAIT_MS = 15_000
BRIEF_BUDGET = 60 * 1024


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled site with ``quality/extra``'s records, built; the output folder."""
    folder = bundled_with_extra(tmp_path_factory.mktemp("site") / "site")
    return build_site(folder / "public", site=folder)


@pytest.fixture(scope="module")
def base(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site served at the root of a loopback nginx."""
    with serve(site, tmp_path_factory.mktemp("nginx"), free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def sub_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built for, and served under, http://127.0.0.1:PORT/briefing/."""
    port = free_port()
    wanted = f"http://127.0.0.1:{port}/briefing/"
    out = build_site(tmp_path_factory.mktemp("sub") / "public", base_url=wanted)
    with serve(out, tmp_path_factory.mktemp("nginx-sub"), port, prefix="/briefing/") as url:
        assert url == wanted
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _html_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "pagefind" not in p.parts)


@pytest.fixture(scope="module")
def sharded_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same site with its search index split into shards of 10 record pages."""
    folder = bundled_with_extra(tmp_path_factory.mktemp("sharded") / "site")
    out = build_site(folder / "public", site=folder, shard_pages=10)
    assert (out / "pagefind/shard-1").is_dir()
    with serve(out, tmp_path_factory.mktemp("nginx-sharded"), free_port()) as url:
        yield url


def _search(page: Any, text: str) -> Any:
    """Type into Pagefind's search box; returns the locator of the result links."""
    box = page.locator("pagefind-input input")
    box.wait_for(timeout=WAIT_MS)
    box.fill(text)
    links = page.locator("pagefind-results a.search-link")
    links.first.wait_for(timeout=WAIT_MS)
    return links


def _all_result_hrefs(page: Any) -> list[str]:
    """Every result's link: Pagefind fills in a result when it scrolls into view."""
    page.wait_for_function(LOAD_EVERY_RESULT, timeout=WAIT_MS, polling=100)
    return list(
        page.locator("pagefind-results a.search-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )


# Scroll each result still loading into view (Pagefind loads a result as it comes into view,
# and replaces its placeholder), until none is left.
LOAD_EVERY_RESULT = """() => {
    const waiting = document.querySelector('pagefind-results .search-loading');
    if (waiting) waiting.scrollIntoView();
    return !waiting;
}"""


def _filter_timeline(page: Any) -> None:
    """Show only quotes and events, as a reader ticking the timeline's boxes would."""
    for kind in ("Briefs", "Outcomes", "Sources"):
        page.get_by_role("checkbox", name=kind).uncheck()
    page.get_by_role("status").filter(has_text="Showing").wait_for(timeout=WAIT_MS)


def _open(page: Any, base: str, view: str) -> None:
    """Load a view's page and put it in the view's state."""
    name, action = VIEWS[view]
    page.goto(base + PAGES[name])
    if action == "search":
        _search(page, SEARCH_NAME)
        _all_result_hrefs(page)
    elif action == "filter":
        _filter_timeline(page)


def _axe(page: Any) -> list[str]:
    """axe's violations on the page as it stands (axe is loaded by the tab: see ``tabs``)."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(f"{n['target']}: {n['failureSummary'].splitlines()[-1].strip()}" for n in v["nodes"][:5])
        for v in result["violations"]
    ]


SIDEWAYS = """() => {
    const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, wide: []};
    if (out.overflow > 0) {
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > window.innerWidth + 1 && !el.closest('.table-scroll, .visually-hidden, .skip'))
                out.wide.push(el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]);
        }
    }
    out.wide = out.wide.slice(0, 8);
    return out;
}"""


# -- layout and accessibility, page by page --------------------------------------------------------
# Layout differs by width, colours by scheme: every view at every width in the light scheme,
# and in the dark one at a phone's width.
CASES = [(v, d, "light") for v in VIEWS for d in WIDTHS] + [(v, "mobile", "dark") for v in VIEWS]


@pytest.fixture(scope="module")
def tabs(browser: Any) -> Iterator[dict[tuple[str, str], Any]]:
    """One tab per width and colour scheme, reused across pages, each loading axe into every
    page it opens (as a script of the browser's own, which the pages' CSP does not govern)."""
    contexts = {
        (d, s): browser.new_context(viewport={"width": WIDTHS[d], "height": 900}, color_scheme=s)
        for d, s in sorted({(d, s) for _view, d, s in CASES})
    }
    for ctx in contexts.values():
        ctx.add_init_script(path=str(AXE))
    yield {key: ctx.new_page() for key, ctx in contexts.items()}
    for ctx in contexts.values():
        ctx.close()


@pytest.mark.parametrize(("view", "device", "scheme"), CASES)
def test_every_view_fits_the_screen_and_axe_finds_no_violations(
    tabs: dict[tuple[str, str], Any], base: str, view: str, device: str, scheme: str
) -> None:
    page = tabs[(device, scheme)]
    _open(page, base, view)
    sideways = page.evaluate(SIDEWAYS)
    problems = _axe(page)
    where = f"/{PAGES[VIEWS[view][0]]} ({view}) at {WIDTHS[device]} px, {scheme}"
    assert sideways["overflow"] <= 0, f"{where}: {sideways['overflow']} px too wide; past the edge: {sideways['wide']}"
    assert not problems, f"{where}:\n" + "\n".join(problems)


def test_a_wide_table_scrolls_in_its_own_box_and_nothing_else_moves(browser: Any, base: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        for path in (PAGES["brief-table"], PAGES["brief-wide"]):
            page.goto(base + path)
            box = page.locator(".prose .table-scroll").first
            sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, b.getBoundingClientRect().right]")
            assert sizes[0] > sizes[1], f"/{path}: the table is not wider than its box at 360 px: {sizes}"
            assert sizes[2] <= 360, f"/{path}: the table's box runs past the screen: {sizes}"
            summary = page.locator(".summary-box").evaluate("b => b.getBoundingClientRect().right")
            assert summary <= 360, f"/{path}: the summary box is cut off at {summary} px"
            # a keyboard user reaches the box and scrolls it with the arrow keys
            box.focus()
            assert box.evaluate("b => document.activeElement === b")
            assert (box.get_attribute("aria-label") or "").startswith("Table: ")
            page.keyboard.press("ArrowRight")
            page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle(), timeout=WAIT_MS)
    finally:
        page.close()


# the right edge of a paragraph's lines and of its links' lines
RIGHT_EDGE = """p => Math.max(
    ...[...p.getClientRects()].map(r => r.right),
    ...[...p.querySelectorAll('a')].flatMap(a => [...a.getClientRects()].map(r => r.right)))"""


def test_a_long_word_and_a_long_link_break_inside_the_column(browser: Any, base: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        page.goto(base + PAGES["brief-wide"])
        column = page.locator(".body.prose").evaluate("b => b.getBoundingClientRect().right")
        assert column <= 360, f"the text column runs to {column} px, past the screen"
        for text in (
            "Supercalifragilistic",
            "https://www.example.org/a/very/long/path",
            "https://www.example.org/another",
        ):
            block = page.locator(".body.prose p", has_text=text).first
            right = block.evaluate(RIGHT_EDGE)
            assert right <= column + 0.5, f"{text!r} runs to {right} px, past the column's edge at {column} px"
    finally:
        page.close()


# -- validity -----------------------------------------------------------------------------------
def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    files = _html_files(site)
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).relative_to(site) if m.get('url', '').startswith(str(site)) else m.get('url')}"
        f":{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
    ]
    errors = [re.sub(r"^file:", "", e) for e in errors]
    assert len(files) > 50
    assert not errors, "\n".join(errors[:40])


# -- links --------------------------------------------------------------------------------------
def test_every_internal_link_and_fragment_resolves_and_every_page_is_reachable(site: Path, base: str) -> None:
    found = crawl(base)
    assert not found.broken(), "\n".join(found.broken()[:40])
    reached = {url for url, got in found.pages.items() if got.status == 200}
    pages = {base + p.relative_to(site).as_posix().removesuffix("index.html") for p in _html_files(site)}
    pages.discard(base + "404.html")  # served for missing URLs, linked from nowhere on purpose
    assert not sorted(pages - reached), f"pages no link leads to: {sorted(pages - reached)}"


def test_a_missing_page_gets_the_404_page(base: str) -> None:
    got = fetch(base + "no/such/page/")
    assert got.status == 404
    assert b"Page not found" in got.body


# -- feed, sitemap, structured data ---------------------------------------------------------------
def test_feed_parses_without_errors_and_carries_every_brief(site: Path) -> None:
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    briefs = {p.parent.name for p in (site / "briefs").glob("*/index.html")}
    watch = [e for e in feed.entries if any(t.term == "watch" for t in e.get("tags", []))]
    entries = [e for e in feed.entries if e not in watch]
    linked = {e.link.rstrip("/").rsplit("/", 1)[-1] for e in entries}
    assert linked == briefs
    assert all(e.link.startswith("https://briefing.example.org/briefs/") for e in entries)
    assert watch and all(e.link.startswith("https://briefing.example.org/watch/#watch-") for e in watch)


def test_sitemap_is_valid_and_every_url_answers(site: Path, base: str) -> None:
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{ns}urlset"
    locs = [el.text or "" for el in root.iter(f"{ns}loc")]
    assert len(locs) > 50
    outside = [u for u in locs if not u.startswith("https://briefing.example.org/")]
    assert not outside, outside
    failing = {u: s for u in locs if (s := fetch(u.replace("https://briefing.example.org/", base)).status) != 200}
    assert not failing, failing


@pytest.mark.parametrize(
    ("path", "types"),
    [
        ("briefs/csto-summit-at-a-glance/", {"Report", "NewsArticle"}),
        ("actors/vladimir-putin/", {"Person"}),
        ("actors/csto/", {"Organization"}),
        ("actors/russia/", {"Country"}),
        ("events/csto-summit-2025/", {"Event"}),
    ],
)
def test_json_ld_has_the_right_schema_org_type(site: Path, path: str, types: set[str]) -> None:
    html = (site / path / "index.html").read_text()
    data = extruct.extract(html, base_url="https://briefing.example.org/" + path, syntaxes=["json-ld"])["json-ld"]
    assert len(data) == 1
    item = data[0]
    assert item["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
    assert item["@type"] in types
    assert item["url"] == "https://briefing.example.org/" + path
    assert item.get("name") or item.get("headline")


# -- weight and reading without JavaScript ---------------------------------------------------------
def test_brief_pages_are_light_and_carry_no_script(site: Path) -> None:
    for page in (site / "briefs").glob("*/index.html"):
        html = page.read_text()
        _, links = parse(html)
        assets = [urldefrag(urljoin("/briefs/x/", u))[0] for u in links if "/static/" in u]
        weight = len(html.encode()) + sum((site / a.lstrip("/")).stat().st_size for a in assets)
        assert weight < BRIEF_BUDGET, f"{page.parent.name}: {weight} bytes with its assets"
        scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", html)
        assert not scripts, f"{page.parent.name} loads scripts: {scripts}"


def test_assets_are_fingerprinted(site: Path) -> None:
    names = [p.name for p in (site / "static").iterdir() if p.suffix in (".css", ".js")]
    assert names
    assert all(re.fullmatch(r"[\w-]+\.[0-9a-f]{10}\.(css|js)", n) for n in names), names


def test_without_javascript_everything_reads_and_the_timeline_still_filters(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + PAGES["search"])
        az_links = page.locator(".az a.ref")
        assert az_links.count() > 50  # every record, A to Z
        assert az_links.last.is_visible()
        page.goto(base + "timeline/#only-event")
        visible = page.eval_on_selector_all(
            ".timeline > li", "els => els.filter(e => e.offsetParent !== null).map(e => e.className)"
        )
        assert visible
        assert set(visible) == {"k-event"}
        page.goto(base + PAGES["brief"])
        cite = page.locator("sup.cite a").first
        cite.focus()
        shown = cite.evaluate("a => getComputedStyle(a, '::after').display")
        tip = cite.evaluate("a => getComputedStyle(a, '::after').content")
        assert shown == "block"
        assert "Izvestia" in tip or "Times Tengri" in tip or "Putin" in tip
    finally:
        context.close()


def test_timeline_checkboxes_filter_by_kind(browser: Any, base: str) -> None:
    page = browser.new_page()
    try:
        page.goto(base + "timeline/")
        page.get_by_role("checkbox", name="Briefs").uncheck()
        page.get_by_role("checkbox", name="Outcomes").uncheck()
        visible = page.eval_on_selector_all(
            ".timeline > li", "els => els.filter(e => e.offsetParent !== null).map(e => e.className)"
        )
        assert visible
        assert not {"k-brief", "k-outcome"} & set(visible)
        assert "Showing" in page.get_by_role("status").inner_text()
    finally:
        page.close()


# -- the network ----------------------------------------------------------------------------------
SMALLEST_LABEL_PX = 11  # a graph's labels, as drawn on the screen

_LABEL_SIZES = """svg => [...svg.querySelectorAll('text')].map(
    t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))"""


@pytest.mark.parametrize("path", ["actors/vladimir-putin/", "network/"])
def test_graphs_are_legible_at_390_px(browser: Any, base: str, path: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(base + path)
        svg = page.locator("svg.graph-svg")
        svg.scroll_into_view_if_needed()
        assert svg.is_visible()
        sizes = svg.evaluate(_LABEL_SIZES)
        assert sizes and min(sizes) >= SMALLEST_LABEL_PX, f"labels drawn at {min(sizes):.1f} px"
        nodes = svg.locator("a.node")
        assert nodes.count() >= 5
        box = nodes.first.locator("circle").bounding_box()
        assert box is not None and box["width"] >= 8  # a dot big enough to see, and to tap
        if path == "network/":  # wider than a phone: its frame scrolls, and takes the keyboard's focus
            frame = page.locator(".graph-scroll")
            assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
            frame.focus()
            assert frame.evaluate("f => document.activeElement === f")
        else:  # the actor's graph fits the screen
            assert svg.evaluate("s => s.getBoundingClientRect().right <= window.innerWidth")
        nodes.nth(1).click()
        page.wait_for_load_state()
        assert "/actors/" in page.url  # every node is a link to an actor
    finally:
        page.close()


def test_network_checkboxes_filter_by_kind_of_actor(browser: Any, base: str) -> None:
    page = browser.new_page()
    try:
        page.goto(base + "network/")
        people = page.locator("svg .node[data-kind='person']")
        assert people.count() > 0 and people.first.is_visible()
        page.get_by_role("checkbox", name="People").uncheck()
        assert not people.first.is_visible()
        assert page.locator("svg .node[data-kind='state']").first.is_visible()
        shown_edges = page.eval_on_selector_all(
            "svg .edge",
            "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => [e.dataset.a, e.dataset.b])",
        )
        assert shown_edges and all("person" not in pair for pair in shown_edges)
        assert page.locator(".network-group[data-kind='person']").is_hidden()
        assert "Showing" in page.get_by_role("status").inner_text()
    finally:
        page.close()


def test_without_javascript_the_network_shows_everything(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(base + "network/")
        assert page.locator("#network-filter").is_hidden()  # nothing to work it with
        nodes = page.locator("svg .node")
        assert nodes.count() > 10 and all(nodes.nth(i).is_visible() for i in range(nodes.count()))
        assert page.locator(".network-list dt").count() >= nodes.count()
        page.goto(base + "actors/vladimir-putin/")
        assert page.locator("svg.graph-svg").is_visible()
        assert page.locator("table.graph-table tbody tr").count() >= 4
    finally:
        context.close()


def test_putins_feed_is_linked_for_feed_readers_and_parses(site: Path) -> None:
    html = (site / "actors/vladimir-putin/index.html").read_text()
    assert 'type="application/atom+xml" title="Vladimir Putin · ' in html
    feed = feedparser.parse((site / "actors/vladimir-putin/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries and feed.feed.link == "https://briefing.example.org/actors/vladimir-putin/"


# -- search -------------------------------------------------------------------------------------
def _briefs_naming(site: Path, name: str) -> set[str]:
    found = set()
    for page in (site / "briefs").glob("*/index.html"):
        body = page.read_text().split('class="body prose"', 1)[-1]
        if name in body:
            found.add(page.parent.name)
    return found


def test_typing_a_name_into_search_finds_the_briefs_that_mention_it(browser: Any, base: str, site: Path) -> None:
    expected = _briefs_naming(site, SEARCH_NAME)
    assert expected
    page = browser.new_page()
    try:
        page.goto(base + "search/")
        _search(page, SEARCH_NAME)
        hrefs = _all_result_hrefs(page)
        kinds = page.locator("pagefind-results .search-hit .kind").all_inner_texts()
    finally:
        page.close()
    found = {h.strip("/").rsplit("/", 1)[-1] for h in hrefs if h.startswith("/briefs/")}
    assert expected & found, f"searching {SEARCH_NAME!r} gave {hrefs}"
    assert "BRIEF" in kinds or "Brief" in kinds


def test_a_search_over_an_index_in_shards_finds_what_one_index_finds(
    browser: Any, base: str, sharded_base: str
) -> None:
    found = {}
    for url in (base, sharded_base):
        page = browser.new_page()
        try:
            page.goto(url + "search/")
            _search(page, SEARCH_NAME)
            found[url] = sorted(_all_result_hrefs(page))
        finally:
            page.close()
    assert found[sharded_base] == found[base]  # every shard was merged into the results
    assert len(found[base]) >= 3


LOOK = """els => els.map(e => { const s = getComputedStyle(e);
    return [s.fontFamily, s.fontWeight, s.color, s.textDecorationLine, s.whiteSpace]; })"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_results_look_like_the_site_s_own_lists_and_read_as_prose(browser: Any, base: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(base + PAGES["briefs"])
        listed = page.locator(".entry-list .entry-title a").evaluate_all(LOOK)[0]
        page.goto(base + PAGES["search"])
        _search(page, SEARCH_NAME)
        _all_result_hrefs(page)
        titles = page.locator("pagefind-results .search-link").evaluate_all(LOOK)
        excerpts = page.locator("pagefind-results .search-excerpt")
        texts = excerpts.all_inner_texts()
        widths = excerpts.evaluate_all("els => els.map(e => [e.scrollWidth, e.clientWidth])")
    finally:
        context.close()
    assert titles and all(t == listed for t in titles), (
        f"results' titles {titles[0]} against the briefs list's {listed}"
    )
    assert all(scroll <= client for scroll, client in widths), f"excerpts wider than their box: {widths}"
    for text in texts:  # prose, not a record's field labels
        assert not re.search(r"\b(Kind|Role|Also known as|Affiliations|Published|min read)\b", text), text


def _indexed_urls(bundle: dict[str, bytes]) -> set[str]:
    urls = set()
    for path, data in bundle.items():
        if path.endswith(".pf_fragment"):
            text = gzip.decompress(data).decode() if data[:2] == b"\x1f\x8b" else data.decode()
            urls.add(json.loads(text[text.index("{") :])["url"])
    return urls


@pytest.mark.parametrize("drafts", [False, True])
def test_search_indexes_record_pages_and_drafts_only_when_built(drafts: bool) -> None:
    result = render(REPO / "tests/sites/valid", Options(drafts=drafts))
    assert result.ok and result.library is not None
    urls = _indexed_urls(search_files(result.files, result.library.config))
    assert "/briefs/summit-at-a-glance/" in urls
    assert "/actors/anna-berg/" in urls
    assert ("/briefs/secret-draft/" in urls) is drafts
    assert "/search/" not in urls and "/" not in urls  # lists of records are not results


# -- what the browser reports ---------------------------------------------------------------------
# The pages that run script or load more than their stylesheet, and one of each other layout.
CONSOLE_PAGES = ("home", "brief", "actor", "event", "outcome", "source", "tracker", "timeline", "month", "tag")


@pytest.mark.parametrize("name", [*CONSOLE_PAGES, "search", "404"])
def test_no_console_errors_or_failed_requests(browser: Any, base: str, name: str) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        page.goto(base + PAGES[name], wait_until="networkidle")
        if name == "search":
            _search(page, SEARCH_NAME)
            page.wait_for_load_state("networkidle")
    finally:
        page.close()
    assert not problems, "\n".join(problems)


# -- under a base path ---------------------------------------------------------------------------
def test_under_a_base_path_every_link_resolves_and_every_page_is_reachable(sub_base: str) -> None:
    found = crawl(sub_base)
    assert not found.broken(), "\n".join(found.broken()[:40])
    outside = sorted({t for _, t in found.edges if not t.startswith(sub_base)})
    assert not outside, f"links that leave the base path: {outside[:20]}"
    assert sum(1 for u, g in found.pages.items() if g.status == 200 and u.endswith("/")) > 50


def test_under_a_base_path_styles_load_and_search_finds_briefs(browser: Any, sub_base: str) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    try:
        page.goto(sub_base + PAGES["brief"], wait_until="networkidle")
        sheets = page.evaluate("() => [...document.styleSheets].filter(s => s.cssRules.length > 20).length")
        assert sheets >= 1
        page.goto(sub_base + "search/")
        links = _search(page, SEARCH_NAME)
        href = links.first.get_attribute("href") or ""
        assert href.startswith("/briefing/")
        links.first.click()
        page.wait_for_load_state()
        assert page.url.startswith(sub_base)
        assert page.locator("h1").inner_text()
    finally:
        page.close()
    assert not problems, "\n".join(problems)


# -- the desk's page parts in every state: the fixture site has them all -----------------------------
# (an item past due and one with an update, notes with and without sources, an event inside
# another, a series, a pledge and a media actor's profile)
DESK_PAGES = ("events/summit-2025/", "events/side-talks/", "watch/", "actors/daily-news/", "", "outcomes/")


@pytest.fixture(scope="module")
def fixture_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The valid fixture site, built for and served under its own base path."""
    port = free_port()
    out = build_site(
        tmp_path_factory.mktemp("fixture") / "public",
        base_url=f"http://127.0.0.1:{port}/briefing/",
        site=REPO / "tests/sites/valid",
    )
    with serve(out, tmp_path_factory.mktemp("nginx-fixture"), port, prefix="/briefing/") as url:
        yield url, out


@pytest.mark.parametrize(("device", "scheme"), sorted({(d, s) for _view, d, s in CASES}))
def test_the_desks_page_parts_pass_axe_and_fit_the_screen(
    tabs: dict[tuple[str, str], Any], fixture_base: tuple[str, Path], device: str, scheme: str
) -> None:
    page, (base, _out) = tabs[(device, scheme)], fixture_base
    problems = []
    for path in DESK_PAGES:
        page.goto(base + path)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        problems += [
            f"/{path}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]
        ]
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"/{path}: {overflow} px wider than the screen")
    assert not problems, f"at {WIDTHS[device]} px, {scheme}:\n" + "\n".join(problems)


def test_the_desks_page_parts_fit_a_360_px_screen(browser: Any, fixture_base: tuple[str, Path]) -> None:
    base, _out = fixture_base
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        wide = wider_than_screen(page, base, list(DESK_PAGES))
    finally:
        page.close()
    assert not wide, f"pages wider than the screen (px too wide): {wide}"


def test_the_desks_page_parts_are_valid_html(fixture_base: tuple[str, Path]) -> None:
    _base, out = fixture_base
    files = [out / path / "index.html" for path in DESK_PAGES]
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    assert not messages, "\n".join(f"{m.get('url')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages[:40])
