"""schema.org JSON-LD for every page: what search engines and other programs read of it."""

from __future__ import annotations

import json
from typing import Any, Protocol

from briefing.content.dates import news_of_update
from briefing.content.model import Record
from briefing.library.records import Library
from briefing.render.urls import Urls

SCHEMA_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "state": "Country",
    "media": "NewsMediaOrganization",
    "other": "Thing",
}


class Named(Protocol):
    """How a page's object names other records (the views share both between pages)."""

    def thing(self, rid: str) -> dict[str, Any]: ...
    def kind_of(self, rid: str) -> str | None: ...


def script_json(data: Any) -> str:
    """JSON for inside <script>: no '<', '>' or '&' that could end the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_object(lib: Library, urls: Urls, rid: str | None, path: str, title: str, named: Named) -> dict[str, Any]:
    """The schema.org object of the page at ``path``: its record's (``rid``), or a WebPage."""
    url = urls.absolute(path)
    if rid is None:
        return {
            "@context": "https://schema.org",
            "@type": "WebPage",
            "name": title,
            "url": url,
            "isPartOf": {"@type": "WebSite", "name": lib.config.title, "url": lib.config.base_url},
        }
    r = lib.records[rid]  # type: ignore[index]
    base: dict[str, Any] = {"@context": "https://schema.org", "name": r.title, "url": url}
    base.update(_KINDS[r.kind](lib, r, named))
    return base


def _brief(lib: Library, r: Record, named: Named) -> dict[str, Any]:
    f = r.fields
    out = {
        "@type": "Report",
        "headline": r.title[:110],
        "datePublished": str(f["date"]),
        "about": [named.thing(a) for a in lib.mentions.get(r.id, []) if named.kind_of(a) == "actor"],
        "publisher": {"@type": "Organization", "name": lib.config.title},
    }
    if updated := news_of_update(f["date"], f.get("updated")):
        out["dateModified"] = str(updated)
    if f.get("summary"):
        out["description"] = f["summary"]
    return out


def _actor(lib: Library, r: Record, named: Named) -> dict[str, Any]:
    f = r.fields
    out: dict[str, Any] = {"@type": SCHEMA_TYPES[f["kind"]]}
    if f.get("aliases"):
        out["alternateName"] = f["aliases"]
    if f.get("role"):
        out["description" if f["kind"] != "person" else "jobTitle"] = f["role"]
    if f.get("affiliations") and f["kind"] == "person":
        out["affiliation"] = [named.thing(a["actor"]) for a in f["affiliations"]]
    return out


def _event(lib: Library, r: Record, named: Named) -> dict[str, Any]:
    f = r.fields
    status = {"cancelled": "EventCancelled"}.get(f.get("status", ""), "EventScheduled")
    out: dict[str, Any] = {
        "@type": "Event",
        "startDate": str(f["date"]),
        "eventStatus": "https://schema.org/" + status,
    }
    if f.get("end"):
        out["endDate"] = str(f["end"])
    place = _place(lib, f)
    if place:
        out["location"] = place
    if f.get("host") in lib.records:
        out["organizer"] = named.thing(f["host"])
    if f.get("participants"):
        out["attendee"] = [named.thing(p) for p in f["participants"]]
    if f.get("part_of") in lib.records:
        out["superEvent"] = named.thing(f["part_of"])
    if lib.parts.get(r.id):
        out["subEvent"] = [named.thing(e) for e in lib.parts[r.id]]
    return out


def _place(lib: Library, f: dict[str, Any]) -> dict[str, Any] | None:
    """Where an event was: its location, in its country (a state actor)."""
    country = lib.records[f["country"]].title if f.get("country") in lib.records else None
    if not f.get("location") and not country:
        return None
    place: dict[str, Any] = {"@type": "Place", "name": f.get("location") or country}
    if country:
        place["address"] = {"@type": "PostalAddress", "addressCountry": country}
    return place


def _source(lib: Library, r: Record, named: Named) -> dict[str, Any]:
    f = r.fields
    out = {"@type": "NewsArticle", "headline": r.title[:110]}
    if f.get("published"):
        out["datePublished"] = str(f["published"])
    if f.get("url"):
        out["sameAs"] = f["url"]
    return out


def _outcome(lib: Library, r: Record, named: Named) -> dict[str, Any]:
    f = r.fields
    out = {"@type": "CreativeWork", "creativeWorkStatus": f["status"]}
    if f.get("date"):
        out["dateCreated"] = str(f["date"])
    return out


_KINDS = {"brief": _brief, "actor": _actor, "event": _event, "source": _source, "outcome": _outcome}


def schema_thing(lib: Library, urls: Urls, rid: str) -> dict[str, Any]:
    """A record named by a page, as a schema.org Thing."""
    r = lib.records[rid]  # type: ignore[index]
    kind = SCHEMA_TYPES.get(r.fields.get("kind", ""), "Thing") if r.kind == "actor" else "Thing"
    kind = "Event" if r.kind == "event" else kind  # a summit's sub-events and super-event
    return {"@type": kind, "name": r.title, "url": urls.absolute(lib.path_of(rid))}
