"""What an editor's desk adds: the event infobox, the decisions table, what to watch,
who the sources are, short names in running text and events inside events.

Each test builds the valid fixture site (which uses every one of these fields) as a
reader gets it, sometimes after an edit, and reads the pages.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from briefing.pipeline import Options, check, render
from conftest import SITES

Site = Callable[..., dict[str, str]]


def text(fragment: str) -> str:
    """A fragment's words as a reader sees them: tags dropped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, start: str, end: str) -> str:
    """The part of ``page`` from the first ``start`` to the next ``end``."""
    at = page.index(start)
    return page[at : page.index(end, at)]


def facts(page: str) -> dict[str, str]:
    """The infobox's rows: label -> what it says."""
    box = section(page, '<section class="infobox"', "</section>")
    return {text(dt): text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", box, re.S)}


def rows(page: str) -> list[str]:
    """The decisions table's rows, as text."""
    table = section(page, '<section class="decisions"', "</section>")
    return [text(r) for r in re.findall(r"<tr>(.*?)</tr>", section(table, "<tbody>", "</tbody>"), re.S)]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """The valid site, rendered after the given edits: ``site(("file", "old", "new"), ...)``."""

    def build(*edits: tuple[str, str, str]) -> dict[str, str]:
        root = shutil.copytree(SITES / "valid", Path(tempfile.mkdtemp(dir=tmp_path)) / "valid")
        for name, old, new in edits:
            path = root / name
            before = path.read_text(encoding="utf-8") if path.exists() else ""
            assert old in before, (name, old)
            path.write_text(before.replace(old, new, 1), encoding="utf-8")
        result = render(root, Options())
        assert result.ok, [d.text() for d in result.diags.errors]
        return {k: v.decode() for k, v in result.files.items() if k.endswith((".html", ".xml", ".json"))}

    return build


SUMMIT = "events/summit-2025/index.html"
EVENT = "content/events/summit-2025.yaml"


def test_the_event_page_opens_with_where_when_and_who_each_on_whose_word(site: Site) -> None:
    page = site()[SUMMIT]
    box = facts(page)
    assert box["Dates"] == "27 November 2025 – 28 November 2025"
    assert box["Place"] == "Capital City [1] , Ruritania ed.1"  # the country is the desk's own knowledge
    assert box["Host"] == "Ruritania [1]"
    assert box["Chair"] == "Anna Berg"
    assert box["Participants"] == "Anna Berg , Northern Alliance ; others not reported"
    assert box["Absent"] == "Karl Ode [2] n.2"
    notes = text(section(page, '<ol class="ed-notes"', "</ol>"))
    assert "Editorial note, no source Capital City is the capital of Ruritania" in notes
    assert "Editorial note, no source The wire says" not in notes  # a note with a source is not the desk's own
    # the infobox's citations are the page's: [1] and [2] are its list of sources
    sources = text(section(page, '<section class="sources"', "</section>"))
    assert re.search(r"Leaders meet in the capital.*Wire copy on the summit", sources)


def test_a_fact_the_sources_leave_open_says_not_reported(site: Site) -> None:
    page = site((EVENT, "chair: anna-berg\n", ""), (EVENT, "not_reported: [participants]", "not_reported: [chair]"))[
        SUMMIT
    ]
    box = facts(page)
    assert box["Chair"] == "Not reported"
    assert box["Participants"] == "Anna Berg , Northern Alliance"


def test_the_decisions_table_gives_each_outcome_its_status_date_and_sources(site: Site) -> None:
    table = rows(site()[SUMMIT])
    assert table == [
        "Final declaration Declaration Adopted Not recorded Leaders meet in the capital Single source",
        "Equipment fund Proposal In progress Dec 2025 the wire Single source",  # its latest update's
        "The hosting pledge Pledge Announced 27 Nov 2025 Leaders meet in the capital Single source",
    ]
    two = site(("content/outcomes/declaration.yaml", "sources: [daily-report]", "sources: [daily-report, wire]"))
    assert (
        rows(two[SUMMIT])[0]
        == "Final declaration Declaration Adopted Not recorded Leaders meet in the capital , the wire"
    )


def test_the_tracker_says_what_each_status_rests_on_and_labels_pledges(site: Site) -> None:
    tracker = site()["outcomes/index.html"]
    card = text(section(tracker, 'href="/briefing/outcomes/host-pledge/"', "</li>\n"))
    assert "Pledge" in text(
        section(tracker, '<section class="tracker-group" aria-labelledby="announced"', "</section>")
    )
    assert "As of 27 November 2025 ; on the word of Leaders meet in the capital single source" in card


def test_a_watch_item_past_due_says_so_as_of_the_content_not_the_clock(site: Site) -> None:
    pages = site()
    overdue = "Due 28 November 2025: no update recorded"
    # the latest thing that happened in the fixture is dated December 2025
    written = "before December 2025 , the date this briefing is written as of"
    assert overdue in text(pages["watch/index.html"])
    assert written in text(pages["watch/index.html"])
    earlier = site(("site.toml", 'lead_event = "summit-2025"', 'lead_event = "summit-2025"\nas_of = 2025-11-01'))
    assert overdue not in text(earlier["watch/index.html"])
    assert "Expected 28 November 2025" in text(earlier["watch/index.html"])
    # what is planned or due does not move the date: only what happened does
    planned = site(("content/outcomes/fund.yaml", "due: 2026-06", "due: 2031"))
    assert written in text(planned["watch/index.html"])


def test_the_watch_page_lists_items_soonest_first_and_undated_last(site: Site) -> None:
    page = site()["watch/index.html"]
    assert re.findall(r'<li id="(watch-[a-z0-9-]+)"', page) == [
        "watch-summit-2025-1",  # past due
        "watch-summit-at-a-glance-0",  # 2026
        "watch-summit-2025-0",  # June 2026
        "watch-summit-2025-2",  # no date
    ]
    assert "Update, December 2025 The wire names no city yet." in text(page)


def test_every_record_a_watch_item_names_shows_it(site: Site) -> None:
    pages = site()
    assert 'id="watch-summit-2025-1"' in pages["actors/karl-ode/index.html"]  # named in its text
    assert 'id="watch-summit-2025-0"' in pages["actors/alliance/index.html"]  # named under about:
    assert 'id="watch-summit-2025-2"' in pages["sources/wire/index.html"]  # the source that raised it
    fund = pages["outcomes/fund/index.html"]
    assert 'id="watch-summit-2025-0"' in fund and 'id="watch-summit-at-a-glance-0"' in fund


def test_the_home_page_shows_the_lead_events_decisions_and_what_to_watch(site: Site) -> None:
    home = site()["index.html"]
    assert rows(home)[1].startswith("Equipment fund Proposal In progress")
    assert 'id="watch-summit-2025-1"' in home
    without = site(("site.toml", 'lead_event = "summit-2025"\n', ""))["index.html"]
    assert '<section class="decisions"' not in without


def test_the_feed_carries_what_to_watch(site: Site) -> None:
    feed = feedparser.parse(site()["feed.xml"])
    assert not feed.bozo, feed.bozo_exception
    watch = [e for e in feed.entries if any(t.term == "watch" for t in e.get("tags", []))]
    assert [e.title for e in watch] == [
        "To watch: Where the Expert forum 2026 meets",  # added 2025-11-29
        "To watch: Talks on the equipment fund’s rules",  # its brief's date, 2025-11-28
        "To watch: A reply from Karl Ode to the invitation",  # its event's date, 2025-11-27
        "To watch: Whether the equipment fund is set up by mid-2026",
    ]
    assert watch[0].link == "https://example.org/briefing/watch/#watch-summit-2025-2"


def test_a_source_known_only_to_the_year_stands_where_it_is_first_cited(site: Site) -> None:
    pages = site()
    timeline = text(pages["timeline/index.html"])
    summit = timeline.index("Event Northern Alliance summit 2025")
    wire = timeline.index("Published (2025; shown at its first citation) Wire copy on the summit")
    assert summit < wire  # not above the event it reports on
    assert "Wire copy on the summit" in text(pages["dates/2025/index.html"])
    assert "Wire copy on the summit" not in text(pages["dates/2025-11/index.html"])  # not dated November


def test_an_event_inside_another_is_shown_both_ways_and_on_the_timeline(site: Site) -> None:
    pages = site()
    assert facts(pages[SUMMIT])["Includes"] == "Berg–Ode talks on the summit's margins"
    assert facts(pages["events/side-talks/index.html"])["Part of"] == "Northern Alliance summit 2025"
    assert "Berg–Ode talks on the summit's margins part of Northern Alliance summit 2025" in text(
        pages["timeline/index.html"]
    )


def test_a_series_links_the_events_before_and_after(site: Site) -> None:
    pages = site()
    assert facts(pages[SUMMIT])["Previous"] == "Northern Alliance summit 2024"
    assert facts(pages["events/summit-2024/index.html"])["Next"] == "Northern Alliance summit 2025"


def test_a_link_in_running_text_shows_the_short_name_and_lists_the_full_title(site: Site) -> None:
    pages = site()
    assert "The equipment fund was proposed by Anna Berg" in text(pages["briefs/fund-explained/index.html"])
    assert "Joint equipment fund" in text(pages["outcomes/index.html"])
    assert "<h1>Joint equipment fund</h1>" in pages["outcomes/fund/index.html"]


def test_a_name_in_a_link_suggests_the_record_whose_short_name_it_is(site_copy: Callable[[str], Path]) -> None:
    root = site_copy("valid")
    brief = root / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text().replace("[[fund]]", "[[equipment fund]]"))
    messages = [d.message for d in check(root, Options()).diags.errors]
    assert any("'equipment fund' is a name of 'fund', so write [[fund|equipment fund]]" in m for m in messages)


def test_the_event_tells_search_engines_where_who_organised_and_who_came(site: Site) -> None:
    page = site()[SUMMIT]
    ld = json.loads(section(page, '<script type="application/ld+json">', "</script>").split(">", 1)[1])
    assert ld["location"] == {
        "@type": "Place",
        "name": "Capital City",
        "address": {"@type": "PostalAddress", "addressCountry": "Ruritania"},
    }
    assert ld["organizer"]["name"] == "Ruritania"
    assert [a["name"] for a in ld["attendee"]] == ["Anna Berg", "Northern Alliance"]
    assert ld["subEvent"][0]["@type"] == "Event"


def test_citations_and_the_sources_page_name_the_outlet(site: Site) -> None:
    pages = site()
    sources = text(section(pages["briefs/summit-at-a-glance/index.html"], '<section class="sources"', "</section>"))
    assert (
        "Wire copy on the summit , relaying The Daily News (unattributed wire copy relaying The Daily News)" in sources
    )
    index = text(pages["sources/index.html"])
    assert "Wire copy on the summit relaying The Daily News" in index
    assert "Leaders meet in the capital The Daily News" in index
    news = facts_card(pages["actors/daily-news/index.html"])
    assert news["Ownership"] == "Owned by the Berg family [2]"  # [1]: its country's source
    assert news["Stance"] == "Close to the government ed.1"
    assert "Editorial note, no source The desk's own reading" in text(pages["actors/daily-news/index.html"])


def facts_card(page: str) -> dict[str, str]:
    """An actor's card: label -> what it says."""
    card = section(page, '<dl class="card">', "</dl>")
    return {text(dt): text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", card, re.S)}


def test_a_brief_about_an_event_shows_the_event_in_short(site: Site) -> None:
    page = site()["briefs/summit-at-a-glance/index.html"]
    card = text(section(page, '<section class="panel event-card" aria-labelledby="event-summit-2025"', "</section>"))
    assert card == (
        "Event Northern Alliance summit 2025 When 27 November 2025 – 28 November 2025 Where Capital City, Ruritania "
        "Host Ruritania Who came Anna Berg, Northern Alliance; others not reported Decided 3 outcomes"
    )
