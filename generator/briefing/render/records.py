"""The view models of record pages, one function per kind: what each record's page shows.

Each takes the ``Views`` of the build (links, dates, Markdown, the library as the views
read it) and the record.
"""

from __future__ import annotations

from typing import Any

from briefing.content.dates import news_of_update
from briefing.content.model import Record
from briefing.library.records import QuoteRef
from briefing.markdown.convert import plain_paragraphs
from briefing.render import infobox, network
from briefing.render.views import STATUS_LABELS, WORDS_PER_MINUTE, Views, entry_order


def record(v: Views, rid: str) -> dict[str, Any]:
    """A record's page: what every record's page shows, and what its kind's shows."""
    r = v.lib.records[rid]  # type: ignore[index]
    citations = v.markup.begin_page()
    view: dict[str, Any] = {
        "r": v.ref(rid),
        "fields": r.fields,
        "extra": r.fields.get("extra", {}),
        "mentions": v.mentions(rid),
    }
    view.update(RECORD_PAGES[r.kind](v, r))
    view["watch"] = infobox.watch_for(v, rid)  # after the body: a brief's is converted ahead of its page
    view["sources"] = v.sources_list(rid, citations.order, citations.locators)
    return view


def brief(v: Views, r: Record) -> dict[str, Any]:
    f = r.fields
    actors, events, outcomes = v.of_kinds(r.id, "actor", "event", "outcome")
    return {
        "body": v.md(r.body),
        "summary": f.get("summary", ""),
        "date": v.date(f.get("date")),
        "updated": v.date(news_of_update(f.get("date"), f.get("updated"))),
        "actors": actors,
        "events": events,
        "outcomes": outcomes,
        "related": v.links(v.lib.related.get(r.id, [])),
        "minutes": max(1, round(len((r.body or "").split()) / WORDS_PER_MINUTE)),
        "tags": [
            {"name": t, "url": v.urls.page(v.urls.tag_path(s))}
            for t in f.get("tags", [])
            for s in [v.slug(t)]
            if s in v.lib.tags
        ],
        "draft": r.draft,
        # the events the brief is about, each in short: when, where, who
        "about_events": [event_card(v, e) for e in f.get("events", []) if v.kind_of(e) == "event"],
    }


def event_card(v: Views, eid: str) -> dict[str, Any]:
    """An event's infobox in short, for the briefs about it."""
    f = v.lib.records[eid].fields  # type: ignore[index]
    participants = v.links(f.get("participants", []))
    return {
        **v.ref(eid),
        "end": v.date(f.get("end")),
        "location": f.get("location", ""),
        "country": v.found(f.get("country")),
        "host": v.found(f.get("host")),
        "participants": participants,
        "others_unreported": "participants" in f.get("not_reported", []),
        "outcomes": len(v.lib.outcomes_by_event.get(eid, [])),  # type: ignore[call-overload]
    }


def actor(v: Views, r: Record) -> dict[str, Any]:
    f, rid = r.fields, r.id
    affiliations = [
        {
            **a,
            "actor": v.ref(a["actor"]),
            "since": v.date(a.get("since")),
            "until": v.date(a.get("until")),
        }
        for a in f.get("affiliations", [])
        if a["actor"] in v.lib.records
    ]
    members = [
        {**a, "actor": v.ref(m), "since": v.date(a.get("since")), "until": v.date(a.get("until"))}
        for m, a in v.lib.members.get(rid, [])
    ]
    related_ids = {
        rid,
        *v.lib.events_by_actor.get(rid, []),
        *(o for o, _ in v.lib.outcomes_by_actor.get(rid, [])),
        *(i for ids in v.lib.mentioned_by.get(rid, {}).values() for i in ids),
    }
    timeline = sorted(
        (e for i in related_ids for e in v.lib.dated_by_record.get(i, []) if e.label != "quote" or v.speaker(e) == rid),
        key=entry_order,
    )
    return {
        "summary": v.md(f.get("summary")),
        "body": v.md(r.body),
        "country": v.found(f.get("country")),
        "affiliations": affiliations,
        "members": members,
        "quotes": [v.quote(q) for q in v.lib.quotes_by_speaker.get(rid, [])],
        "events": v.links(v.lib.events_by_actor.get(rid, [])),
        "outcomes": [{**v.ref(o), "role": role} for o, role in v.lib.outcomes_by_actor.get(rid, [])],
        "co_mentions": [{**v.ref(a), "count": n} for a, n in v.lib.co_mentions.get(rid, [])],
        "graph": network.ego(v, rid),  # the same, drawn, with the links among them
        "timeline": [v.dated(e) for e in timeline],
        "links": f.get("links", []),
        **profile(v, r),
    }


def profile(v: Views, r: Record) -> dict[str, Any]:
    """Who a media actor is: where, owned by whom, leaning which way, each on whose word."""
    f = r.fields
    country = {"cite": infobox.marks(v, r.id, "country")}
    rows = [
        {"label": label, "text": f[name], "cite": infobox.marks(v, r.id, name)}
        for name, label in (("ownership", "Ownership"), ("stance", "Stance"))
        if f.get(name)
    ]
    notes = infobox.numbered_notes([country, *rows] if f.get("country") else rows)
    return {"profile": rows, "country_cite": country["cite"], "profile_notes": notes}


def event(v: Views, r: Record) -> dict[str, Any]:
    f = r.fields
    facts = infobox.infobox(v, r.id)  # first: its sources are numbered first, as they are shown
    return {
        "infobox": facts,
        "editorial_notes": infobox.editorial_notes(facts),
        "decisions": infobox.decisions(v, r.id),
        "context": [
            {
                "title": c["title"],
                "summary": v.md(c.get("summary")),
                "sources": [infobox.short_link(v, s) for s in c.get("sources", []) if s in v.lib.records],
            }
            for c in f.get("context", [])
        ],
        "summary": v.md(f.get("summary")),
        "body": v.md(r.body),
        "date": v.date(f.get("date")),
        "end": v.date(f.get("end")),
        "host": v.found(f.get("host")),
        "participants": v.links(f.get("participants", [])),
        "outcomes": v.links(v.lib.outcomes_by_event.get(r.id, [])),
        "quotes": [v.quote(q) for q in v.lib.quotes_at_event.get(r.id, [])],
        "briefs": v.links(v.lib.mentioned_by_kind(r.id, "brief")),
    }


def outcome(v: Views, r: Record) -> dict[str, Any]:
    f = r.fields
    history = [
        {
            "date": v.date(u["date"]),
            "status": u["status"],
            "status_label": STATUS_LABELS[u["status"]],
            "note": v.md(u.get("note")),
            "sources": v.links(u.get("sources", [])),
        }
        for u in f.get("updates", [])
    ]
    history.sort(key=lambda h: h["date"]["iso"])
    return {
        "summary": v.md(f.get("summary")),
        "body": v.md(r.body),
        "status_label": STATUS_LABELS[f["status"]],
        "history": history,
        "date": v.date(f.get("date")),
        "due": v.date(f.get("due")),
        "event": v.found(f["event"]),
        "proposed_by": v.links(f.get("proposed_by", [])),
        "parties": v.links(f.get("parties", [])),
        "briefs": v.links(v.lib.mentioned_by_kind(r.id, "brief")),
        "basis": infobox.status_basis(v, r.id),
    }


def source(v: Views, r: Record) -> dict[str, Any]:
    f = r.fields
    author = f.get("author")
    return {
        "summary": v.md(f.get("summary")),
        "published": v.date(f.get("published")),
        "publisher": v._publisher(r.id),
        "author": v.ref(author) if author in v.lib.records else author,
        "quotes": [v.quote(QuoteRef(r.id, i)) for i in range(len(f.get("quotes", [])))],
        "text": plain_paragraphs(r.body) if r.body and f.get("publish_text") else "",
        "has_text": bool(r.body and r.body.strip()),
        "language": f.get("language") or v.lib.config.language,
        "relays": v.found(f.get("relays")),
        "attribution": f.get("attribution", ""),
    }


RECORD_PAGES = {"brief": brief, "actor": actor, "event": event, "outcome": outcome, "source": source}
