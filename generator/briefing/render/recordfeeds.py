"""Atom feeds of single records: a reader follows one actor, event, outcome or tag.

A record's feed carries the briefs that mention it, the outcome status changes it is
part of (an actor's as proposer or party, an event's outcomes', an outcome's own) and the
things to watch it holds or is named in, newest first, at most ``feed_limit`` entries.
Entries of other kinds join by adding a function to ``ENTRY_SOURCES``: each gives a
record's entries of its kind, newest first, with the fields of ``entry`` below. Like the
site feed, a feed is made from the content alone (no build clock) and shows no draft
(drafts are not in the library).

Entries carry a brief's summary and link, not its whole text (the site feed carries that):
a record's feed is rendered for every record, and converting every brief's Markdown again
for each feed that lists it would cost a large site more than its pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from briefing.content.dates import PartialDate
from briefing.render.infobox import watch_news
from briefing.render.views import STATUS_LABELS, Views

FEED_FILE = "feed.xml"
FEED_TEMPLATE = "record-feed.xml"
FEED_KINDS = ("actor", "event", "outcome")  # with tags: the pages that have a feed of their own
# the page templates whose pages have a feed (``Renderer.prepare`` links it from the page)
FEED_PAGES = frozenset({"actor.html", "event.html", "outcome.html", "tag.html"})
NO_DATE = "1970-01-01T00:00:00Z"  # a feed with no dated entry: fixed, never the build's clock


def feed_path(page_path: str) -> str:
    """A page's feed: ``actors/x/`` -> ``actors/x/feed.xml``."""
    return page_path + FEED_FILE


def entry(key: tuple[int, int, int], eid: str, title: str, link: str, date: PartialDate, **more: Any) -> dict[str, Any]:
    """One entry. ``key`` orders entries (newest first, then by ``eid``); ``eid`` is its Atom id,
    an absolute URL that stays the same from build to build; ``more``: ``updated`` (an RFC 3339
    time, default the date's), ``summary`` (plain text), ``content`` (HTML), ``category``."""
    return {
        "key": (-key[0], -key[1], -key[2], eid),
        "id": eid,
        "title": title,
        "link": link,
        "published": date.iso_datetime(),
        "updated": more.pop("updated", None) or date.iso_datetime(),
        "summary": more.pop("summary", ""),
        "content": more.pop("content", ""),
        "category": more.pop("category", ""),
    }


def _day(date: PartialDate) -> tuple[int, int, int]:
    return (date.year, date.month, date.day)


def brief_entries(v: Views, ids: list[Any], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` of ``ids`` (briefs, newest first) as entries."""
    out = []
    for bid in ids[:limit]:
        f = v.lib.records[bid].fields
        date, updated = f["date"], f.get("updated")
        link = v.urls.absolute(v.urls.record_path("brief", bid))
        out.append(
            entry(
                _day(date),
                link,
                v.ref(bid)["title"],
                link,
                date,
                updated=updated.iso_datetime() if updated else "",
                summary=f.get("summary", ""),
                category="Brief",
            )
        )
    return out


def mentioning_briefs(v: Views, rid: str, kind: str, limit: int) -> list[dict[str, Any]]:
    """The briefs that mention the record."""
    return brief_entries(v, v.lib.mentioned_by_kind(rid, "brief"), limit)


def status_changes(v: Views, rid: str, kind: str, limit: int) -> list[dict[str, Any]]:
    """Each dated status change of the outcomes the record is part of, newest first."""
    lib = v.lib
    if kind == "actor":
        outcomes = sorted({o for o, _role in lib.outcomes_by_actor.get(rid, [])})  # type: ignore[call-overload]
    elif kind == "event":
        outcomes = list(lib.outcomes_by_event.get(rid, []))  # type: ignore[call-overload]
    elif kind == "outcome":
        outcomes = [rid]
    else:
        return []
    out = []
    for oid in outcomes:
        page = v.urls.absolute(v.urls.record_path("outcome", oid))
        title = v.ref(oid)["title"]
        updates = sorted(lib.records[oid].fields.get("updates", []), key=lambda u: u["date"])
        before, seen = "", Counter[str]()
        for u in updates:
            label = STATUS_LABELS[u["status"]]
            was = f" (was {STATUS_LABELS[before].lower()})" if before and before != u["status"] else ""
            # the same id whatever is added before it; a second change alike on one day is -2
            eid = f"{page}#status-{u['date']}-{u['status']}"
            seen[eid] += 1
            eid += f"-{seen[eid]}" if seen[eid] > 1 else ""
            out.append(
                entry(
                    _day(u["date"]),
                    eid,
                    f"{title}: {label.lower()}",
                    page,
                    u["date"],
                    summary=f"{title} is {label.lower()} as of {u['date'].human()}{was}.",
                    content=v.md(u.get("note")),
                    category="Status change",
                )
            )
            before = u["status"]
    out.sort(key=lambda e: e["key"])
    return out[:limit]


def watch_items(v: Views, rid: str, kind: str, limit: int) -> list[dict[str, Any]]:
    """The things to watch that the record holds or is named in, newest first."""
    out = []
    for w in v.lib.watch_by_record.get(rid, []):  # type: ignore[call-overload]
        when, title, item = watch_news(v, w)
        link = v.urls.absolute(f"watch/#{item['anchor']}")
        due = f" Expected {item['due']['human']}." if item["due"] else ""
        out.append(
            entry(_day(when), link, title, link, when, content=item["what"], summary=due.strip(), category="To watch")
        )
    out.sort(key=lambda e: e["key"])
    return out[:limit]


# Each gives one kind of a record's entries, newest first (at most ``limit``):
# ``source(views, id, kind, limit)``. A new kind of entry is a function added here.
EntrySource = Callable[[Views, str, str, int], list[dict[str, Any]]]
ENTRY_SOURCES: list[EntrySource] = [mentioning_briefs, status_changes, watch_items]


def newest(groups: Iterable[list[dict[str, Any]]], limit: int) -> list[dict[str, Any]]:
    return sorted((e for group in groups for e in group), key=lambda e: e["key"])[:limit]


def feed(
    v: Views, title: str, page: str, entries: list[dict[str, Any]], fallback: PartialDate | None
) -> dict[str, Any]:
    """A feed's view model: ``page`` is the path of the page it follows."""
    updated = max((e["updated"] for e in entries), default="")
    return {
        "title": title,
        "page": v.urls.absolute(page),
        "feed_url": v.urls.absolute(feed_path(page)),
        "entries": entries,
        "updated": updated or (fallback.iso_datetime() if fallback else NO_DATE),
    }


def record_feed(v: Views, rid: str) -> dict[str, Any]:
    """The feed of an actor, event or outcome."""
    r = v.lib.records[rid]  # type: ignore[index]
    kind, limit = r.kind, v.lib.config.feed_limit
    v.markup.begin_page()  # a status note's citations are numbered per feed
    entries = newest((source(v, rid, kind, limit) for source in ENTRY_SOURCES), limit)
    return feed(v, v.ref(rid)["title"], v.urls.record_path(kind, rid), entries, r.date)


def tag_feed(v: Views, slug: str) -> dict[str, Any]:
    """The feed of a tag: its briefs."""
    name, ids = v.lib.tags[slug]
    entries = brief_entries(v, ids, v.lib.config.feed_limit)
    return feed(v, f"#{name}", v.urls.tag_path(slug), entries, None)
