"""The timeline of every dated thing, and the pages of the days, months and years."""

from __future__ import annotations

from collections import defaultdict

from briefing.content.dates import PartialDate, from_key
from briefing.content.model import Record, RecordId
from briefing.library.records import Dated, Library

KIND_ORDER = {kind: i for i, kind in enumerate(("event", "outcome", "source", "brief", "actor"))}


def dated_things(r: Record) -> list[tuple[PartialDate, str, int]]:
    """Every date a record carries: (date, label, index of the quote or update)."""
    f, out = r.fields, []
    for name, label in (("date", r.kind), ("end", "ends"), ("due", "due"), ("published", "published")):
        if isinstance(f.get(name), PartialDate):
            out.append((f[name], label, -1))
    for i, update in enumerate(f.get("updates", [])):
        if isinstance(update.get("date"), PartialDate):
            out.append((update["date"], f"status: {update.get('status', '')}", i))
    for i, quote in enumerate(f.get("quotes", [])):
        if isinstance(quote.get("date"), PartialDate):
            out.append((quote["date"], "quote", i))
    return out


def index_dates(lib: Library) -> None:
    """The timeline, each record's entries on it, and the date pages."""
    entries = [
        Dated(date, KIND_ORDER[r.kind], rid, label, r.kind, index)
        for rid, r in lib.records.items()
        for date, label, index in dated_things(r)
    ]
    # Dated's own order, compared as plain tuples (its generated comparisons are slow)
    entries.sort(key=lambda e: ((e.date.year, e.date.month, e.date.day), e.order, e.record, e.label, e.kind, e.index))
    lib.timeline = entries
    by_record: dict[RecordId, list[Dated]] = defaultdict(list)
    for entry in entries:
        by_record[entry.record].append(entry)
    lib.dated_by_record = dict(by_record)
    lib.dates = date_pages(lib, entries)


def date_pages(lib: Library, entries: list[Dated]) -> dict[str, list[Dated]]:
    """A page for every day, month and year something happened or prose links."""
    pages: dict[str, list[Dated]] = defaultdict(list)
    parent_keys: dict[PartialDate, list[str]] = {}
    for entry in entries:
        keys = parent_keys.get(entry.date)
        if keys is None:
            keys = parent_keys[entry.date] = [str(d) for d in entry.date.parents()]
        for key in keys:
            pages[key].append(entry)
    for key in lib.date_mentions:
        pages.setdefault(key, [])
        for parent in from_key(key).parents()[1:]:
            pages.setdefault(str(parent), [])
    return dict(sorted(pages.items()))
