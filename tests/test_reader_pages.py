"""What readers see on the pages: tables that scroll in their own box, drafts named by
their title, "Updated" only when it says something, timelines without repeats, the lead
brief an editor chose. Each test builds a fixture site with one edit, as an editor would."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from briefing.output.search import search_files
from briefing.pipeline import Options, Result, render

SiteCopy = Callable[[str], Path]


def _built(site: Path, options: Options | None = None) -> Result:
    result = render(site, options or Options())
    assert result.ok, [str(d) for d in result.diags.errors]
    return result


def _page(result: Result, path: str) -> str:
    return result.files[path + "index.html"].decode()


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def _text(html: str) -> str:
    """The words of an HTML fragment, as a reader reads them."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# -- tables in prose ---------------------------------------------------------------------------
class _Boxes(HTMLParser):
    """Each table's enclosing element, as (tag, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(self.open[-1] if self.open else ("", {}))
        self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass


WIDE = """Before.

| Who | Where *they* work | "On" |
|---|---|---|
| [[ann]] | a & b | c |

- In a list:

    | x |
    |---|
    | y |
"""


@pytest.mark.parametrize("quick", [True, False])
def test_a_table_in_prose_scrolls_in_its_own_labelled_box_both_ways(quick: bool) -> None:
    markup = Markup(Links({"ann": Target("/actors/ann/", "Ann", "actor")}, "/dates/"), quick=quick)
    parser = _Boxes()
    parser.feed(markup.render(WIDE))
    assert len(parser.tables) == 2
    for tag, attrs in parser.tables:
        assert tag == "div"
        assert attrs["class"] == "table-scroll"
        assert attrs["tabindex"] == "0"  # a keyboard user can reach it and scroll it
        assert attrs["role"] == "region"
    labels = [attrs["aria-label"] for _tag, attrs in parser.tables]
    assert labels == ["Table: Who, Where they work, “On”", "Table: x"]


def test_a_briefs_table_is_in_a_scrolling_box_on_its_page(site_copy: SiteCopy) -> None:
    html = _page(_built(site_copy("valid")), "briefs/summit-at-a-glance/")
    assert '<div aria-label="Table: Item, Status" class="table-scroll" role="region" tabindex="0">\n<table>' in html


# -- drafts ---------------------------------------------------------------------------------------
def test_a_link_to_a_draft_shows_its_title_or_the_links_text_without_a_link(site_copy: SiteCopy) -> None:
    site = site_copy("valid")
    with (site / "content/briefs/fund-explained.md").open("a") as f:
        f.write("\nSee [[secret-draft]], and [[secret-draft|the memo]].\n")
    result = render(site, Options())
    assert result.ok
    warned = [d for d in result.diags.warnings if d.code == "draft-link"]
    assert len(warned) == 2
    body = _page(result, "briefs/fund-explained/")
    assert "See Draft: unannounced, and the memo." in _text(body)
    assert "secret-draft" not in body
    with_drafts = _page(_built(site, Options(drafts=True)), "briefs/fund-explained/")
    assert 'href="/briefing/briefs/secret-draft/">Draft: unannounced</a>' in with_drafts


# -- the date a brief was updated ---------------------------------------------------------------
BRIEF = "content/briefs/summit-at-a-glance.md"


def _dates_shown(result: Result) -> tuple[str | None, str | None, str]:
    """The brief's "Updated" text, its JSON-LD dateModified and its feed entry's <updated>."""
    html = _page(result, "briefs/summit-at-a-glance/")
    byline = re.search(r'<p class="byline"[^>]*>(.*?)</p>', html)
    assert byline
    shown = re.search(r"<span>Updated (.*?)</span>", byline[1])
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    feed = result.files["feed.xml"].decode()
    entry = feed[feed.index("briefs/summit-at-a-glance/") :]
    updated = re.search(r"<updated>(.*?)</updated>", entry)
    assert updated
    return (_text(shown[1]) if shown else None), ld.get("dateModified"), updated[1]


def test_an_updated_date_after_the_brief_s_date_is_shown_everywhere(site_copy: SiteCopy) -> None:
    result = _built(site_copy("valid"))  # date: 2025-11-28, updated: 2025-11-30
    assert _dates_shown(result) == ("30 November 2025", "2025-11-30", "2025-11-30T00:00:00Z")


@pytest.mark.parametrize(
    ("date", "updated"),
    [
        ("2025-11-28", None),  # no updated: nothing to say
        ("2025-11-28", "2025-11-28"),  # updated the day it was published
        ("2025-11", "2025-11-30"),  # within the month the brief is dated
    ],
)
def test_an_updated_date_that_adds_nothing_is_shown_nowhere(
    site_copy: SiteCopy, date: str, updated: str | None
) -> None:
    site = site_copy("valid")
    _edit(site, BRIEF, "date: 2025-11-28\n", f"date: {date}\n")
    _edit(site, BRIEF, "updated: 2025-11-30\n", f"updated: {updated}\n" if updated else "")
    shown, modified, feed_updated = _dates_shown(_built(site))
    assert shown is None
    assert modified is None
    assert feed_updated.startswith(date if len(date) == 10 else date + "-01")  # the date it was published


# -- actor pages, the home page, the lead brief -------------------------------------------------
def test_an_actor_page_names_its_kind_once(site_copy: SiteCopy) -> None:
    html = _page(_built(site_copy("valid")), "actors/anna-berg/")
    head = _text(html[html.index('<header class="record-head">') : html.index("</header>", html.index("record-head"))])
    assert head.startswith("Actor · Person")
    assert head.count("Person") == 1
    assert "Kind" not in head


def test_the_home_page_shows_the_site_title_once_as_its_heading(site_copy: SiteCopy) -> None:
    html = _page(_built(site_copy("valid")), "")
    above_footer = _text(html[html.index("<body") : html.index('<footer class="site-footer">')])
    assert above_footer.count("Fixture Briefing") == 1
    headings = re.findall(r"<h1\b.*?</h1>", html, re.S)
    assert len(headings) == 1 and _text(headings[0]) == "Fixture Briefing"


def _latest(result: Result) -> list[str]:
    """The home page's briefs, lead first."""
    home = _page(result, "")
    return re.findall(r'<h3 class="entry-title"><a href="/briefing/briefs/([^/]+)/">', home)


def test_an_editor_chooses_the_lead_among_briefs_of_the_same_date_with_weight(site_copy: SiteCopy) -> None:
    site = site_copy("valid")
    for name in ("aaa-first-by-name", "zzz-last-by-name"):
        (site / f"content/briefs/{name}.md").write_text(f"---\ntitle: {name}\ndate: 2026-01-10\n---\nOn [[fund]].\n")
    assert _latest(_built(site))[:3] == ["aaa-first-by-name", "zzz-last-by-name", "fund-explained"]
    _edit(site, "content/briefs/zzz-last-by-name.md", "date: 2026-01-10\n", "date: 2026-01-10\nweight: 1\n")
    result = _built(site)
    assert _latest(result)[:3] == ["zzz-last-by-name", "aaa-first-by-name", "fund-explained"]
    briefs_index = _page(result, "briefs/")
    assert briefs_index.index("zzz-last-by-name") < briefs_index.index("aaa-first-by-name")
    feed = result.files["feed.xml"].decode()
    assert feed.index("zzz-last-by-name") < feed.index("aaa-first-by-name")
    # a weight never lifts a brief above a newer one
    _edit(site, "content/briefs/fund-explained.md", "date: 2025-12\n", "date: 2025-12\nweight: -5\n")
    assert _latest(_built(site))[:3] == ["zzz-last-by-name", "aaa-first-by-name", "fund-explained"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("weight: first", "'weight' must be a whole number, got 'first'"),
        ("weight: 1.5", "'weight' must be a whole number, got the number 1.5"),
        ("featured: true", "unknown field 'featured'; did you mean 'weight'?"),
    ],
)
def test_a_weight_that_is_not_a_whole_number_is_an_error_at_its_line(
    site_copy: SiteCopy, line: str, message: str
) -> None:
    site = site_copy("valid")
    _edit(site, "content/briefs/fund-explained.md", "date: 2025-12\n", f"date: 2025-12\n{line}\n")
    errors = [str(d) for d in render(site, Options()).diags.errors]
    assert len(errors) == 1
    assert "content/briefs/fund-explained.md" in errors[0] and "line=4" in errors[0]
    assert message in errors[0]


# -- timelines and date pages --------------------------------------------------------------------
def _rows(html: str) -> list[str]:
    return re.findall(r"<li class=\"k-[a-z]+\">.*?</li>", html)


def _links(row: str) -> list[tuple[str, str]]:
    return [(href, _text(text)) for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', row)]


def test_a_quote_on_the_timeline_names_its_speaker_and_links_its_words_to_the_source(site_copy: SiteCopy) -> None:
    site = site_copy("valid")
    with (site / "content/sources/daily-report.md").open() as f:
        assert "speaker: anna-berg" in f.read()
    result = _built(site)
    quotes = [r for r in _rows(_page(result, "timeline/")) if r.startswith('<li class="k-quote">')]
    assert quotes
    source_title = "Leaders meet in the capital"
    for row in quotes:
        links = dict((text, href) for href, text in _links(row) if "/dates/" not in href)
        assert links.get("Anna Berg") == "/briefing/actors/anna-berg/"
        words = [text for text, href in links.items() if href == "/briefing/sources/daily-report/"]
        assert words == ["We will build the fund together"]  # the quote's words, not the source's title
        assert source_title not in _text(row)
    # on the speaker's own page, their name is not a link to that page
    actor = _page(result, "actors/anna-berg/")
    own = [r for r in _rows(actor) if r.startswith('<li class="k-quote">')]
    assert own and all("/actors/anna-berg/" not in href for r in own for href, _t in _links(r))


def _listing(html: str) -> str:
    start = html.index('<div class="tl">')
    return html[start : html.index("\n</div>\n", start)]


def test_a_day_s_page_shows_its_entries_without_repeating_its_date(site_copy: SiteCopy) -> None:
    html = _page(_built(site_copy("valid")), "dates/2025-11-27/")
    listing = _listing(html)
    assert _rows(listing)
    assert not re.search(r"<h[2-6]", listing)  # no year or month headings
    assert "27 November 2025" not in _text(listing)  # the heading says it once
    assert 'class="when"' not in listing


def test_a_month_s_page_lists_its_days_without_year_or_month_headings(site_copy: SiteCopy) -> None:
    listing = _listing(_page(_built(site_copy("valid")), "dates/2025-11/"))
    assert not re.search(r"<h[2-6]", listing)
    assert "27 November 2025" in _text(listing) and "28 November 2025" in _text(listing)  # the days differ


def test_a_year_s_page_groups_by_month_without_a_year_heading(site_copy: SiteCopy) -> None:
    listing = _listing(_page(_built(site_copy("valid")), "dates/2025/"))
    headings = [_text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", listing)]
    assert headings == ["November 2025", "December 2025"]
    assert "tl-year" not in listing


# -- what search indexes ---------------------------------------------------------------------------
def _indexed(result: Result) -> dict[str, dict[str, Any]]:
    """Each indexed page's fragment (its text and metadata) by URL."""
    assert result.library is not None
    out = {}
    for path, data in search_files(result.files, result.library.config).items():
        if path.endswith(".pf_fragment"):
            text = gzip.decompress(data).decode() if data[:2] == b"\x1f\x8b" else data.decode()
            fragment = json.loads(text[text.index("{") :])
            out[fragment["url"]] = fragment
    return out


def test_search_indexes_a_record_s_prose_and_keeps_its_labels_out_of_the_text(site_copy: SiteCopy) -> None:
    indexed = _indexed(_built(site_copy("valid")))
    actor = indexed["/actors/anna-berg/"]
    # what results show and what a search matches besides the text: title, kind, names, role
    assert actor["meta"] == {
        "title": "Anna Berg",
        "kind": "Actor · Person",
        "aliases": "А. Берг",
        "role": "President of Ruritania",
    }
    # the text an excerpt is cut from starts with the prose, and holds no field's label
    assert actor["content"].startswith("Anna Berg has led Ruritania since 2020.")
    for label in ("Actor · Person", "Kind", "Role", "Country", "Also known as", "Affiliations", "Quotes"):
        assert label not in actor["content"], label
    brief = indexed["/briefing/briefs/summit-at-a-glance/".removeprefix("/briefing")]
    assert brief["meta"]["title"] == "The summit at a glance" and brief["meta"]["kind"] == "Brief"
    assert brief["content"].startswith("What the leaders agreed")  # the summary, not "Brief Published …"
    assert "min read" not in brief["content"] and "Summary" not in brief["content"]
