"""View models of the pages that list records: home, indexes, tracker, timeline, dates, tags, search.

Record pages' view models are ``views.Views``; these build on its pieces (a record's
link, a date, a timeline entry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from briefing.content.dates import PartialDate, from_key
from briefing.content.schema import OUTCOME_STATUSES
from briefing.library.records import Dated, Library
from briefing.render import infobox
from briefing.render.views import ACTOR_GROUPS, STATUS_LABELS, Views


class ListViews:
    """The list pages' view models for one library (``lib`` as ``views`` reads it).

    ``children(key)``: the months of a year's page, or the days of a month's, that have
    pages of their own."""

    def __init__(self, views: Views, children: Callable[[str], list[PartialDate]]) -> None:
        self.v, self.lib, self.urls = views, views.lib, views.urls
        self.children = children

    def index(self, kind: str) -> dict[str, Any]:
        items = [dict(item) for item in self.v.links(self.lib.by_kind[kind])]  # copies: a role is added
        if kind == "actor":
            groups: dict[str, list[dict[str, Any]]] = {}
            for item in items:
                item["role"] = self.lib.records[item["id"]].fields.get("role", "")
                groups.setdefault(item["subkind"], []).append(item)
            return {
                "kind": kind,
                "groups": [
                    {"label": ACTOR_GROUPS.get(k, k.capitalize()), "items": v} for k, v in sorted(groups.items())
                ],
            }
        for item in items:
            # as actors have: a template's ``item.role`` is then found, not missed; a source's is its outlet
            item["role"] = infobox.outlet_text(self.v, item["id"]) if kind == "source" else ""
        if kind == "event":
            items.sort(key=lambda i: (i["date"]["iso"] if i["date"] else "", i["id"]), reverse=True)
        return {"kind": kind, "groups": [{"label": "", "items": items}]}

    def tracker(self) -> dict[str, Any]:
        by_status: dict[str, list[dict[str, Any]]] = {s: [] for s in OUTCOME_STATUSES}
        for oid in self.lib.by_kind["outcome"]:
            item = self.v.link(oid)
            r = self.lib.records[oid]
            item["event"] = self.v.found(r.fields["event"])
            item["history"] = [
                {"date": self.v.date(u["date"]), "status": u["status"], "status_label": STATUS_LABELS[u["status"]]}
                for u in sorted(r.fields.get("updates", []), key=lambda u: u["date"])
            ]
            item["proposed_by"] = self.v.links(r.fields.get("proposed_by", []))
            item["due"] = self.v.date(r.fields.get("due"))
            item["basis"] = infobox.status_basis(self.v, oid)  # what the status rests on, as of when
            item["pledge"] = r.fields["kind"] == "pledge"
            by_status[r.fields["status"]].append(item)
        return {
            "statuses": [{"status": s, "label": STATUS_LABELS[s], "items": by_status[s]} for s in OUTCOME_STATUSES],
            "total": sum(len(v) for v in by_status.values()),
            "as_of": self.v.date(self.lib.as_of),
        }

    def timeline(self, entries: list[Dated]) -> list[dict[str, Any]]:
        """Entries grouped by year, then month (month 0: the year alone)."""
        years: list[dict[str, Any]] = []
        for e in entries:
            if not years or years[-1]["year"] != e.date.year:
                years.append({"year": e.date.year, "date": self.v.date(PartialDate(e.date.year)), "months": []})
            months = years[-1]["months"]
            if not months or months[-1]["month"] != e.date.month:
                label = (
                    PartialDate(e.date.year, e.date.month).human()
                    if e.date.month
                    else f"{e.date.year}, month not known"
                )
                months.append(
                    {
                        "month": e.date.month,
                        "label": label,
                        "date": self.v.date(PartialDate(e.date.year, e.date.month)) if e.date.month else None,
                        "entries": [],
                    }
                )
            months[-1]["entries"].append(self.v.dated(e))
        return years

    def home(self, limit: int = 10) -> dict[str, Any]:
        lib = self.lib
        upcoming = [i for i in lib.by_kind["event"] if lib.records[i].fields.get("status") in ("scheduled", "proposed")]
        pending = [i for i in lib.by_kind["outcome"] if lib.records[i].fields["status"] in ("proposed", "in-progress")]
        counts = {s: 0 for s in OUTCOME_STATUSES}
        for i in lib.by_kind["outcome"]:
            counts[lib.records[i].fields["status"]] += 1
        mentioned = {a: sum(len(v) for v in lib.mentioned_by.get(a, {}).values()) for a in lib.by_kind["actor"]}
        popular = sorted(lib.by_kind["actor"], key=lambda a: (-mentioned[a], a))
        mentions = {a: mentioned[a] for a in popular[:limit]}
        return {
            "latest": self.v.links(lib.by_kind["brief"][:limit]),
            "tracker_total": sum(counts.values()),
            "popular_max": max(mentions.values(), default=0),
            "upcoming": self.v.links(upcoming),
            "pending": self.v.links(_not_shown_by(lib, pending, upcoming)),
            **self.lead_and_watch(),
            "tracker": [{"status": s, "label": STATUS_LABELS[s], "count": n} for s, n in counts.items() if n],
            "popular": [{**self.v.ref(a), "count": mentions[a]} for a in popular[:limit]],
        }

    def lead_and_watch(self, watch_limit: int = 5) -> dict[str, Any]:
        """The home page's decisions table of the lead event (``lead_event``) and the next
        things to watch."""
        lead = self.lib.config.lead_event
        found = self.v.found(lead) if lead else None
        return {
            "lead_event": found,
            "lead_decisions": infobox.decisions(self.v, lead) if found else [],
            "watch": [infobox.watch_item(self.v, w) for w in self.lib.watch[:watch_limit]],
            "watch_total": len(self.lib.watch),
        }

    def watch(self) -> dict[str, Any]:
        """/watch/: everything to watch, by date; first what is past due with no update."""
        items = [infobox.watch_item(self.v, w) for w in self.lib.watch]
        groups: list[dict[str, Any]] = []
        overdue = [i for i in items if i["overdue"]]
        if overdue:
            groups.append({"label": "Past due, no update recorded", "id": "past-due", "items": overdue})
        for item in items:
            if item["overdue"]:
                continue
            due = item["due"]
            label = _period(due["iso"]) if due else "No date given"
            if not groups or groups[-1]["label"] != label:
                groups.append({"label": label, "id": "due-" + (due["iso"][:7] if due else "none"), "items": []})
            groups[-1]["items"].append(item)
        return {"as_of": self.v.date(self.lib.as_of), "groups": groups, "total": len(items)}

    def az(self) -> list[dict[str, Any]]:
        """Every record A to Z: the search page's fallback without JavaScript."""
        items = sorted(self.v.links(list(self.lib.records)), key=lambda i: (i["title"].casefold(), i["id"]))
        letters: list[dict[str, Any]] = []
        for item in items:
            first = item["title"][:1].upper()
            letter = first if first.isalpha() else "#"
            if not letters or letters[-1]["letter"] != letter:
                letters.append({"letter": letter, "items": []})
            letters[-1]["items"].append(item)
        return letters

    def tag(self, slug: str) -> dict[str, Any]:
        name, ids = self.lib.tags[slug]
        return {"name": name, "briefs": self.v.links(ids)}

    def tags(self) -> dict[str, Any]:
        return {
            "tags": [
                {"name": name, "count": len(ids), "url": self.urls.page(f"tags/{slug}/")}
                for slug, (name, ids) in self.lib.tags.items()
            ]
        }

    def date_page(self, key: str, date: PartialDate) -> dict[str, Any]:
        """A day's, month's or year's page. The page's heading is its date, so what it lists
        repeats none of it: a year's page groups by month without a year heading, a month's
        lists its entries without a month heading, and a day's without the date on each
        (``precision`` says which; ``years`` is the whole grouping, for themes)."""
        v, lib = self.v, self.lib
        years = self.timeline(lib.dates[key])
        months = [m for y in years for m in y["months"]]
        return {
            "date": v.date(date),
            "precision": date.precision,
            "years": years,
            "months": months,
            "entries": [e for m in months for e in m["entries"]],
            "linked_from": v.links(lib.date_mentions.get(key, [])),
            "children": [v.date(d) for d in self.children(key)],
        }

    def dates(self) -> dict[str, Any]:
        lib, v = self.lib, self.v
        years = [k for k in lib.dates if "-" not in k]
        return {
            "years": [
                {
                    "date": v.date(PartialDate(int(y))),
                    "count": len(lib.dates[y]),
                    "months": [
                        {"date": v.date(month), "count": len(lib.dates[str(month)])} for month in self.children(y)
                    ],
                }
                for y in years
            ]
        }


def _period(iso: str) -> str:
    """The month (or year) an item is due in, as the watch page groups it."""
    date = from_key(iso[:7])
    return date.human() if date.month else f"{date.year}, month not given"


def _not_shown_by(lib: Library, outcomes: list[Any], events: list[Any]) -> list[Any]:
    """The outcomes not already on the list through an event: one the event produced, or
    one that names the event or is named by it (a proposal to hold it), is one entry."""
    shown = set(events)
    return [
        o
        for o in outcomes
        if lib.records[o].fields.get("event") not in shown
        and not shown.intersection(lib.mentions.get(o, []))
        and not any(o in lib.mentions.get(e, []) for e in shown)
    ]


def date_children(lib: Library) -> dict[str, list[PartialDate]]:
    """Each year's months and each month's days that have a page, in one pass over the dates
    (asking every date page to scan all dates cost O(dates^2))."""
    out: dict[str, list[PartialDate]] = {}
    for key in lib.dates:
        date = from_key(key)
        if date.month:
            out.setdefault(str(date.parents()[1]), []).append(date)
    return out
