"""What an event page answers first, and what every page says a fact rests on.

- the event's infobox: when, where, who hosted, chaired, came or stayed away, the series
  and the events around it, each fact with the sources behind it (``cite:``) or marked as
  an editorial note, and the facts the sources leave open (``not_reported:``);
- the decisions table: one row per outcome with its status, the date of that status and
  the sources it rests on, marked when only one source supports it;
- what to watch, and the outlet each source comes from.
"""

from __future__ import annotations

import html
import re
from typing import Any

from briefing.content.dates import PartialDate
from briefing.content.model import RecordId
from briefing.library.events import neighbours
from briefing.library.records import WatchRef
from briefing.library.watch import before
from briefing.render.urls import Urls
from briefing.render.views import STATUS_LABELS, Views

NO_MARKS: dict[str, Any] = {"numbers": [], "note": ""}


def short_link(v: Views, rid: str) -> dict[str, Any]:
    """A record's link with its short name as the text, for running text and tight tables."""
    return {**v.ref(rid), "title": v.lib.records[rid].short}  # type: ignore[index]


def _short_links(v: Views, ids: list[str]) -> list[dict[str, Any]]:
    return [short_link(v, s) for s in ids if s in v.lib.records]


def marks(v: Views, rid: str, field: str) -> dict[str, Any]:
    """The citation numbers of the sources ``cite:`` gives for ``field`` on this page (numbered
    in the page's list of sources), and its editorial note, if any."""
    cited = (v.lib.records[rid].fields.get("cite") or {}).get(field)  # type: ignore[index]
    if not cited:
        return NO_MARKS
    citations = v.markup.state.citations
    found = [s for s in cited["sources"] if s in v.lib.records]
    numbers = [{"number": citations.number(s, None), "title": v.lib.records[s].short} for s in found]  # type: ignore[index]
    return {"numbers": numbers, "note": cited["note"]}


def infobox(v: Views, rid: str) -> list[dict[str, Any]]:
    """The event's facts, a row each, in the order Wikipedia's summit infobox gives them."""
    f = v.lib.records[rid].fields  # type: ignore[index]
    unreported = set(f.get("not_reported", []))
    others = {name: name in unreported for name in ("participants", "absentees")}  # "others not reported"

    def row(label: str, name: str, parts: list[dict[str, Any]], more: bool = False) -> dict[str, Any] | None:
        if not parts and name not in unreported:
            return None
        return {"label": label, "parts": parts, "unreported": not parts, "more_unreported": bool(parts) and more}

    def one(name: str, kind: str) -> list[dict[str, Any]]:
        value = f.get(name)
        if value is None or (kind == "link" and value not in v.lib.records):
            return []
        shown = {"link": lambda: v.ref(value), "date": lambda: v.date(value), "text": lambda: value}[kind]()
        return [{kind: shown, "cite": marks(v, rid, name)}]

    def many(name: str, ids: list[str]) -> list[dict[str, Any]]:
        parts = [{"link": a, "cite": NO_MARKS} for a in v.links(ids)]
        if parts:  # a list's sources stand after its last name
            parts[-1]["cite"] = marks(v, rid, name)
        return parts

    # made in the order shown, so that the sources are numbered in that order
    rows = [
        row("Dates" if f.get("end") else "Date", "date", one("date", "date") + one("end", "date")),
        row("Place", "location", one("location", "text") + one("country", "link")),
        row("Host", "host", one("host", "link")),
        row("Chair", "chair", one("chair", "link")),
        row("Participants", "participants", many("participants", f.get("participants", [])), others["participants"]),
        row("Absent", "absentees", many("absentees", f.get("absentees", [])), others["absentees"]),
        row("Part of", "part_of", one("part_of", "link")),
        row("Includes", "", many("", v.lib.parts.get(rid, []))),  # type: ignore[call-overload]
    ]
    series = neighbours(v.lib, RecordId(rid))
    if series is not None:
        _name, previous, following = series
        rows.append(row("Series", "series", one("series", "text")))
        rows.append(row("Previous", "", many("", [previous] if previous else [])))
        rows.append(row("Next", "", many("", [following] if following else [])))
    return [r for r in rows if r is not None]


def editorial_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The infobox's notes (``numbered_notes`` of its rows' parts)."""
    return numbered_notes([part for r in rows for part in r["parts"]])


def numbered_notes(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes of facts shown together, numbered in order; each part's ``cite`` is given
    its note's number. A note that cites no source is the desk's own (general knowledge),
    and says so."""
    notes: list[dict[str, Any]] = []
    for part in parts:
        cite = part["cite"]
        if cite["note"]:
            note = {"text": cite["note"], "editorial": not cite["numbers"]}
            if note not in notes:
                notes.append(note)
            part["cite"] = {**cite, "note_number": notes.index(note) + 1}
    return notes


def status_basis(v: Views, oid: str) -> dict[str, Any]:
    """What an outcome's status rests on: the latest update that says it (its date and
    sources), else the outcome's own date and sources."""
    f = v.lib.records[oid].fields  # type: ignore[index]
    status = f["status"]
    saying = [u for u in f.get("updates", []) if u.get("status") == status and u.get("date")]
    if saying:
        latest = max(saying, key=lambda u: u["date"])
        date, sources, via = latest["date"], latest.get("sources", []), "update"
    else:
        date, sources, via = f.get("date"), f.get("sources", []), "record"
    found = [short_link(v, s) for s in sources if s in v.lib.records]
    return {
        "status": status,
        "label": STATUS_LABELS[status],
        "date": v.date(date),
        "sources": found,
        "single": len(found) == 1,
        "unsourced": not found,
        "via": via,
    }


def decisions(v: Views, event: str) -> list[dict[str, Any]]:
    """One row per outcome of ``event``: what, its kind, its status and what that rests on."""
    rows = []
    for oid in v.lib.outcomes_by_event.get(event, []):  # type: ignore[call-overload]
        f = v.lib.records[oid].fields  # type: ignore[index]
        short = v.lib.records[oid].short  # type: ignore[index]
        row = {**v.ref(oid), "title": short[:1].upper() + short[1:], "full_title": v.ref(oid)["title"]}
        rows.append({**row, "kind_word": f["kind"], "pledge": f["kind"] == "pledge", "basis": status_basis(v, oid)})
    return rows


def watch_item(v: Views, w: WatchRef) -> dict[str, Any]:
    """One thing to watch: what, by when, who raised it, and what has been recorded since."""
    item = v.lib.records[w.holder].fields["watch"][w.index]
    due = item.get("due")
    updates = [
        {"date": v.date(u["date"]), "note": v.md(u["note"]), "sources": _short_links(v, u.get("sources", []))}
        for u in sorted(item.get("updates", []), key=lambda u: u["date"])
    ]
    as_of = v.lib.as_of
    return {
        "anchor": f"watch-{w.holder}-{w.index}",
        "what": v.md(item["what"]),
        "due": v.date(due),
        "overdue": bool(due and as_of and not updates and before(due, as_of)),
        "holder": short_link(v, w.holder),
        "sources": _short_links(v, item.get("sources", [])),
        "updates": updates,
    }


def watch_for(v: Views, rid: str) -> list[dict[str, Any]]:
    """The watch items a record holds or is named in."""
    return [watch_item(v, w) for w in v.lib.watch_by_record.get(rid, [])]  # type: ignore[call-overload]


def outlet(v: Views, sid: str) -> dict[str, Any]:
    """Who a source is: the outlet that published it, the outlet it relays, how it is attributed."""
    f = v.lib.records[sid].fields  # type: ignore[index]
    return {
        "publisher": v.found(f.get("publisher")),
        "relays": v.found(f.get("relays")),
        "attribution": f.get("attribution", ""),
    }


def outlet_text(v: Views, sid: str) -> str:
    """The outlet in a few words, for lists: "Times Tengri", "relays Izvestia"."""
    o = outlet(v, sid)
    words = [o["publisher"]["title"]] if o["publisher"] else []
    if o["relays"]:
        words.append(f"relaying {o['relays']['title']}")
    return ", ".join(words) or o["attribution"]


def watch_news(v: Views, w: WatchRef) -> tuple[PartialDate, str, dict[str, Any]]:
    """A watch item as news: the date it was raised (its ``added`` date, else the date of
    the record that holds it, else the site's ``as_of``), a title of plain text, the item."""
    lib = v.lib
    item = watch_item(v, w)
    raw = lib.records[w.holder].fields["watch"][w.index]
    when = raw.get("added") or lib.records[w.holder].date or lib.as_of or PartialDate(1970)
    text = html.unescape(re.sub(r"<[^>]+>", "", item["what"])).strip()
    return when, "To watch: " + (text if len(text) <= 120 else text[:119].rstrip() + "…"), item


def watch_entries(v: Views, urls: Urls) -> list[dict[str, Any]]:
    """What to watch, as entries of the site's feed, the newest first."""
    entries = []
    for w in v.lib.watch:
        when, title, item = watch_news(v, w)
        entries.append(
            {
                "title": title,
                "abs": urls.absolute(f"watch/#{item['anchor']}"),
                "updated": when.iso_datetime(),
                "body": item["what"],
                "due": item["due"],
            }
        )
    entries.sort(key=lambda e: (e["updated"], e["abs"]), reverse=True)
    return entries[: v.lib.config.feed_limit]
