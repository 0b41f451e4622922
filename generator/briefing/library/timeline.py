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


def placements(lib: Library) -> dict[RecordId, PartialDate]:
    """Where the timeline shows a source whose publication is known only to the year or
    month: at the date of the oldest record citing it within that year or month, so that
    it does not stand above the events it reports on."""
    out: dict[RecordId, PartialDate] = {}
    for sid in lib.by_kind.get("source", []):
        published = lib.records[sid].fields.get("published")
        if not isinstance(published, PartialDate) or published.day:
            continue
        inside = [
            d
            for ids in lib.mentioned_by.get(sid, {}).values()
            for i in ids
            if (d := lib.records[i].date) is not None and _finer_within(d, published)
        ]
        if inside:
            out[sid] = min(inside)
    return out


def _finer_within(d: PartialDate, period: PartialDate) -> bool:
    """``d`` is more precise than ``period`` and inside it."""
    if period.month:
        return bool(d.day) and (d.year, d.month) == (period.year, period.month)
    return bool(d.month) and d.year == period.year


def index_dates(lib: Library) -> None:
    """The timeline, each record's entries on it, and the date pages (``lib.placed``: where
    sources known only to the year or month stand; see ``placements``)."""
    placed = lib.placed
    entries = [
        Dated(date, KIND_ORDER[r.kind], rid, label, r.kind, index)
        if label != "published" or rid not in placed
        else Dated(placed[rid], KIND_ORDER[r.kind], rid, label, r.kind, index, written=date)
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
        date = entry.written or entry.date  # a date page lists what is dated so, wherever the timeline shows it
        keys = parent_keys.get(date)
        if keys is None:
            keys = parent_keys[date] = [str(d) for d in date.parents()]
        for key in keys:
            pages[key].append(entry)
    for key in lib.date_mentions:
        pages.setdefault(key, [])
        for parent in from_key(key).parents()[1:]:
            pages.setdefault(str(parent), [])
    return dict(sorted(pages.items()))
