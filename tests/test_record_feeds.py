"""Every actor, event, outcome and tag has an Atom feed a reader can subscribe to."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from briefing.pipeline import Options, render
from conftest import REPO, SITES

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    result = render(SITES / "valid", Options())
    assert result.ok, [d.text() for d in result.diags.errors]
    return dict(result.files)


def feeds_of(files: dict[str, bytes]) -> list[str]:
    return sorted(p for p in files if p.endswith("/feed.xml"))


def test_every_actor_event_outcome_and_tag_has_a_feed_linked_from_its_page(files: dict[str, bytes]) -> None:
    pages = sorted(  # a record's pages, not the redirects left at its old ids (``moved_from``)
        p[: -len("index.html")]
        for p in files
        if re.fullmatch(r"(actors|events|outcomes|tags)/[^/]+/index\.html", p)
        and b'http-equiv="refresh"' not in files[p]
    )
    assert len(pages) >= 10
    assert feeds_of(files) == [p + "feed.xml" for p in pages]
    for page in pages:
        html = files[page + "index.html"].decode()
        href = f"/briefing/{page}feed.xml"
        assert '<link rel="alternate" type="application/atom+xml" title="' in html
        assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{href}">', html), (
            page
        )
        assert re.search(rf'<a href="{href}" type="application/atom\+xml">.*Follow', html), page
    # a brief's page and the lists have the site feed only
    assert "Follow" not in files["briefs/fund-explained/index.html"].decode()


def test_feeds_parse_and_have_what_atom_requires(files: dict[str, bytes]) -> None:
    """feedparser reads them without complaint; RFC 4287's required elements are there, ids unique."""
    for path in feeds_of(files):
        parsed = feedparser.parse(files[path])
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        root = ET.fromstring(files[path])
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated", "author/" + ATOM + "name"):
            assert (root.findtext(ATOM + name) or "").strip(), (path, name)
        assert RFC3339.match(root.findtext(f"{ATOM}updated") or "")
        self_link = root.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href") == "https://example.org/briefing/" + path
        ids = []
        for entry in root.iter(f"{ATOM}entry"):
            ids.append(entry.findtext(f"{ATOM}id"))
            assert (entry.findtext(f"{ATOM}title") or "").strip()
            assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
            link = entry.find(f"{ATOM}link[@rel='alternate']")
            assert link is not None and link.get("href", "").startswith("https://example.org/briefing/")
        assert len(ids) == len(set(ids)), path


def entries(files: dict[str, bytes], path: str) -> list[tuple[str, str, str]]:
    parsed = feedparser.parse(files[path])
    return [(e.title, e.link, e.published) for e in parsed.entries]


def test_a_records_feed_has_the_briefs_that_mention_it_its_status_changes_and_what_to_watch(
    files: dict[str, bytes],
) -> None:
    found = entries(files, "actors/anna-berg/feed.xml")
    # newest first; a date known to the month comes after the days inside it
    assert found == [
        ("The fund, explained", "https://example.org/briefing/briefs/fund-explained/", "2025-12-01T00:00:00Z"),
        ("Joint equipment fund: in progress", "https://example.org/briefing/outcomes/fund/", "2025-12-01T00:00:00Z"),
        ("The summit at a glance", "https://example.org/briefing/briefs/summit-at-a-glance/", "2025-11-28T00:00:00Z"),
        ("Joint equipment fund: proposed", "https://example.org/briefing/outcomes/fund/", "2025-11-27T00:00:00Z"),
    ]
    change = feedparser.parse(files["actors/anna-berg/feed.xml"]).entries[1]
    assert change.summary == "Joint equipment fund is in progress as of December 2025 (was proposed)."
    # the event's feed has the same entries (the fund is its outcome) and the things to watch
    # it holds, each dated by its ``added`` date or the event's; a tag's, its briefs
    watch = "https://example.org/briefing/watch/#watch-summit-2025-"
    assert entries(files, "events/summit-2025/feed.xml") == [
        *found[:2],
        ("To watch: Where the Expert forum 2026 meets", watch + "2", "2025-11-29T00:00:00Z"),
        *found[2:],
        ("To watch: Whether the equipment fund is set up by mid-2026", watch + "0", "2025-11-27T00:00:00Z"),
        ("To watch: A reply from Karl Ode to the invitation", watch + "1", "2025-11-27T00:00:00Z"),
    ]
    assert {link for _, link, _ in entries(files, "tags/summit/feed.xml")} >= {
        "https://example.org/briefing/briefs/summit-at-a-glance/"
    }


def test_drafts_leave_no_trace_in_feeds(files: dict[str, bytes]) -> None:
    assert "tags/secret-tag/feed.xml" not in files
    for path in feeds_of(files):
        assert b"secret-draft" not in files[path] and b"unannounced" not in files[path], path


def test_feeds_carry_at_most_feed_limit_entries_the_newest(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    toml = site / "site.toml"
    toml.write_text(toml.read_text().replace('author = "Fixture desk"\n', 'author = "Fixture desk"\nfeed_limit = 1\n'))
    result = render(site, Options())
    assert result.ok
    found = entries(dict(result.files), "actors/anna-berg/feed.xml")
    assert [t for t, _, _ in found] == ["The fund, explained"]


def test_the_bundled_site_lets_a_reader_follow_vladimir_putin() -> None:
    result = render(REPO, Options())
    assert result.ok
    page = result.files["actors/vladimir-putin/index.html"].decode()
    assert 'href="/actors/vladimir-putin/feed.xml"' in page
    parsed = feedparser.parse(result.files["actors/vladimir-putin/feed.xml"])
    assert not parsed.bozo and parsed.feed.title.startswith("Vladimir Putin")
    assert len(parsed.entries) >= 3 and all("/briefs/" in e.link or "/watch/#" in e.link for e in parsed.entries)
    assert any(e.title.startswith("To watch: ") for e in parsed.entries)  # what he proposed, to watch
