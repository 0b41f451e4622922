"""View models: what each page template receives, built from the library.

Templates never walk the library themselves; everything a page shows is
gathered here, so the data a page depends on is visible in one function.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from briefing.content.dates import PartialDate
from briefing.content.schema import OUTCOME_STATUSES
from briefing.content.slug import slugify
from briefing.library.records import Dated, Library, QuoteRef
from briefing.markdown.convert import Markup
from briefing.render.jsonld import schema_thing
from briefing.render.urls import Urls

KIND_LABELS = {"actor": "Actor", "source": "Source", "event": "Event", "outcome": "Outcome", "brief": "Brief"}
PLURAL = {"actor": "Actors", "source": "Sources", "event": "Events", "outcome": "Outcomes", "brief": "Briefs"}
STATUS_LABELS = {s: s.replace("-", " ").capitalize() for s in OUTCOME_STATUSES}
# What a timeline entry is, for its label and the timeline's filter: a quote is its own facet.
FACETS = {"brief": "Briefs", "event": "Events", "outcome": "Outcomes", "source": "Sources", "quote": "Quotes"}
DATE_LABELS = {
    "brief": "Brief",
    "event": "Event",
    "ends": "Event ends",
    "outcome": "Outcome",
    "due": "Due",
    "published": "Published",
    "quote": "Quote",
}
WORDS_PER_MINUTE = 230
ACTOR_GROUPS = {
    "person": "People",
    "organization": "Organizations",
    "state": "States",
    "media": "Media",
    "other": "Others",
}


# How a value that many pages show is made: ``share(table, key, make, arg)`` returns
# ``make(arg)``, and may keep it in ``table`` under ``key`` for later callers. The plain
# way makes it every time; the engine keeps it, and replays the reads it recorded while
# making it to every later page that shows it (``engine.recording.ReplayShare``).
Share = Callable[[dict[Any, Any], Hashable, Callable[[Any], Any], Any], Any]


def made_anew(table: dict[Any, Any], key: Hashable, make: Callable[[Any], Any], arg: Any) -> Any:
    """The plain ``Share``: every page gets values made for it."""
    return make(arg)


class Views:
    """View models for one library: make a new one when the library changes.

    A record's link, a date and a timeline entry are made through ``share``: a page
    lists about twenty links, and most records are linked from many pages.
    """

    def __init__(self, lib: Library, markup: Markup, urls: Urls, share: Share = made_anew) -> None:
        self.lib, self.markup, self.urls = lib, markup, urls
        self._shared = share
        # the tables ``share`` may keep values in, by what they are looked up by: dates and
        # timeline entries by plain tuples (hashed and compared in C, unlike a dataclass)
        self._links: dict[str, Any] = {}
        self._dates: dict[tuple[int, int, int], Any] = {}
        self._dated: dict[tuple[int, int, int, int, str, str, str, int], Any] = {}
        self._slugs: dict[str, str] = {}
        self._things: dict[str, Any] = {}
        self._found: dict[str, Any] = {}
        self._kinds: dict[str, Any] = {}

    # -- small pieces -------------------------------------------------------
    def link(self, rid: str) -> dict[str, Any]:
        """A record as a link: its URL, title, kind, status, date (a fresh copy each time,
        so a caller may add to it)."""
        return dict(self.ref(rid))

    def ref(self, rid: str) -> dict[str, Any]:
        """``link`` without the copy, for callers that only read it or copy it themselves."""
        return self._shared(self._links, rid, self._link, rid)  # type: ignore[no-any-return]

    def _link(self, rid: str) -> dict[str, Any]:
        r = self.lib.records[rid]  # type: ignore[index]
        f, kind = r.fields, r.kind
        return {
            "id": rid,
            "url": self.urls.page(self.urls.record_path(kind, rid)),
            "title": r.title,
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "subkind": f.get("kind", ""),
            "status": f.get("status", ""),
            "date": self.date(r.date),
            "summary": f.get("summary", "") if kind == "brief" else "",
        }

    def links(self, ids: list[Any]) -> list[dict[str, Any]]:
        """The records of ``ids`` that exist, as links shared with other pages: callers must
        not change them (``link`` gives a copy to add to)."""
        return [ref for i in ids if (ref := self.found(i)) is not None]

    def found(self, rid: Any) -> dict[str, Any] | None:
        """A record's link, shared (callers must not change it), or None when there is no
        such record: whether there is one is read with the link and replayed with it."""
        return self._shared(self._found, rid, self._link_if_found, rid)  # type: ignore[no-any-return]

    def _link_if_found(self, rid: Any) -> dict[str, Any] | None:
        return self.ref(rid) if rid in self.lib.records else None

    def kind_of(self, rid: str) -> str | None:
        """A record's kind, or None when there is no such record; shared like a link."""
        return self._shared(self._kinds, rid, self.lib.kind_of, rid)  # type: ignore[no-any-return]

    def date(self, d: PartialDate | None) -> dict[str, str] | None:
        """A date's text and page; one dict per date, shared: callers must not change it."""
        if d is None:
            return None
        return self._shared(self._dates, (d.year, d.month, d.day), self._date, d)  # type: ignore[no-any-return]

    def _date(self, d: PartialDate) -> dict[str, str]:
        key = str(d)
        url = self.urls.page(self.urls.date_path(key)) if key in self.lib.dates else ""
        return {"iso": key, "human": d.human(), "url": url}

    def thing(self, rid: str) -> dict[str, Any]:
        """A record as a schema.org Thing for a page's JSON-LD; shared: callers must not change it."""
        return self._shared(self._things, rid, self._thing, rid)  # type: ignore[no-any-return]

    def _thing(self, rid: str) -> dict[str, Any]:
        return schema_thing(self.lib, self.urls, rid)

    def md(self, text: str | None) -> str:
        return self.markup.render(text) if text else ""

    def quote(self, q: QuoteRef) -> dict[str, Any]:
        data = self.lib.records[q.source].fields["quotes"][q.index]
        return {
            "text": data["text"],
            "speaker": self.ref(data["speaker"]),
            "source": self.ref(q.source),
            "date": self.date(data.get("date")),
            "event": self.found(data.get("event")),
            "about": self.links(data.get("about", [])),
            "note": data.get("note", ""),
        }

    def dated(self, entry: Dated) -> dict[str, Any]:
        """A timeline entry; one dict per entry, shared: callers must not change it."""
        return self._shared(self._dated, entry_order(entry), self._dated_view, entry)  # type: ignore[no-any-return]

    def _dated_view(self, entry: Dated) -> dict[str, Any]:
        facet = "quote" if entry.label == "quote" else entry.kind
        what = DATE_LABELS.get(entry.label) or entry.label.replace("-", " ").capitalize()
        out = {
            "date": self.date(entry.date),
            "label": entry.label,
            "record": self.ref(entry.record),
            "anchor": f"{entry.kind}",
            "facet": facet,
            "facet_label": FACETS.get(facet, facet),
            "what": what,
            # None rather than absent: a template's ``e.quote`` on a missing key costs two exceptions
            "quote": self.quote(QuoteRef(entry.record, entry.index)) if entry.label == "quote" else None,
            "within": None,
        }
        if entry.written is not None:  # shown where the first record citing it stands
            out["date"] = self.date(entry.written)
            out["what"] = f"Published ({entry.written.human()}; shown at its first citation)"
        if entry.label == "event":  # an event inside another names it
            out["within"] = self.found(self.lib.records[entry.record].fields.get("part_of"))  # type: ignore[index]
        return out

    def mentions(self, rid: str) -> list[dict[str, Any]]:
        groups = self.lib.mentioned_by.get(rid, {})  # type: ignore[call-overload]
        return [{"kind": k, "label": PLURAL[k], "items": self.links(ids)} for k, ids in groups.items()]

    def sources_list(self, rid: str, cited: list[str], locators: dict[str, list[str]]) -> list[dict[str, Any]]:
        listed = [s for s in self.lib.records[rid].fields.get("sources", []) if s in self.lib.records]  # type: ignore[index]
        order = [s for s in cited if s in self.lib.records] + [s for s in listed if s not in cited]
        return [
            {
                "number": n,
                **self.ref(s),
                "locators": locators.get(s, []),
                "publisher": self._publisher(s),
                # who the source is beyond its publisher: the outlet it relays, how it is attributed
                "relays": self.found(self.lib.records[s].fields.get("relays")),  # type: ignore[index]
                "attribution": self.lib.records[s].fields.get("attribution", ""),  # type: ignore[index]
            }
            for n, s in enumerate(order, 1)
        ]

    def _publisher(self, sid: str) -> dict[str, Any] | None:
        pub = self.lib.records[sid].fields.get("publisher")  # type: ignore[index]
        return self.found(pub)

    def of_kinds(self, rid: str, *kinds: str) -> list[list[dict[str, Any]]]:
        """For each of ``kinds``, the records of that kind this record names or is named by,
        without repeats (the kind of each record it names is looked up once)."""
        named = self.lib.mentions.get(rid, [])  # type: ignore[call-overload]
        named_kinds = [self.kind_of(t) for t in named]
        out = []
        for kind in kinds:
            ids = [t for t, k in zip(named, named_kinds, strict=True) if k == kind]
            ids += [t for t in self.lib.mentioned_by_kind(rid, kind) if t not in ids]
            out.append(self.links(ids))
        return out

    def slug(self, tag: str) -> str:
        """A tag's slug, made once per build: slugifying costs more than the rest of a tag."""
        found = self._slugs.get(tag)
        if found is None:
            found = self._slugs[tag] = slugify(tag)
        return found

    def speaker(self, e: Dated) -> str:
        return str(self.lib.records[e.record].fields["quotes"][e.index]["speaker"])


def entry_order(e: Dated) -> tuple[int, int, int, int, str, str, str, int]:
    """``Dated``'s own order as one flat tuple: sorting by it compares in C, not field by field."""
    d = e.date
    return (d.year, d.month, d.day, e.order, e.record, e.label, e.kind, e.index)
