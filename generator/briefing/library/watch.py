"""What to watch: every record's ``watch:`` items, by due date, and the date the site is
written as of, against which an item counts as due.

The date is the build's content's, never the clock's: ``as_of`` in site.toml, else the
latest date of something that has happened (a brief, a source's publication, a held
event, a recorded status or update). So the same content always gives the same pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from briefing.content.dates import PartialDate, parse_date
from briefing.content.model import Record, RecordId
from briefing.library.records import Library, WatchRef

_ITEM_RE = re.compile(r"^watch\[(\d+)\]\.")


def index_watch(lib: Library, broken: frozenset[str]) -> None:
    """``as_of``, ``watch`` (every item, soonest first, undated last) and ``watch_by_record``
    (the items a record holds, or that name it)."""
    lib.as_of = as_of(lib)
    items: list[WatchRef] = []
    named: dict[RecordId, set[WatchRef]] = defaultdict(set)
    for rid, r in lib.records.items():
        watch = r.fields.get("watch")
        if not watch or r.path in broken:
            continue
        refs = [WatchRef(rid, i) for i in range(len(watch))]
        items += refs
        named[rid].update(refs)
        for mention in r.refs:
            m = _ITEM_RE.match(mention.field)
            if m and mention.target in lib.records and int(m[1]) < len(refs):
                named[RecordId(mention.target)].add(refs[int(m[1])])

    def key(w: WatchRef) -> tuple[Any, ...]:
        due = lib.records[w.holder].fields["watch"][w.index].get("due")
        return (due is None, (due.year, due.month, due.day) if due else (0, 0, 0), w.holder, w.index)

    lib.watch = sorted(items, key=key)
    lib.watch_by_record = {rid: sorted(refs, key=key) for rid, refs in sorted(named.items())}


def as_of(lib: Library) -> PartialDate | None:
    """``as_of`` from site.toml, else the latest date of something that happened."""
    if lib.config.as_of:
        return parse_date(lib.config.as_of)
    latest = PartialDate(0)
    for r in lib.records.values():  # a pass over every record on each build: kept lean
        f = r.fields
        if r.kind == "brief" and "updated" not in f and "watch" not in f:  # most records: one date
            d = f.get("date")
            if type(d) is PartialDate and d > latest:
                latest = d
            continue
        for d in happened(r):
            if d > latest:
                latest = d
    return latest if latest.year else None


# the fields that date what a record of each kind says has happened (an event's, when held)
_HAPPENED = {"brief": ("date", "updated"), "source": ("published",), "outcome": ("date",), "event": ("date", "end")}


def happened(r: Record) -> list[PartialDate]:
    """The dates of what a record says has happened (not what is due or planned)."""
    f = r.fields
    names = _HAPPENED.get(r.kind, ())
    if r.kind == "event" and f.get("status", "held") != "held":
        names = ()
    found = [d for n in names if type(d := f.get(n)) is PartialDate]
    for group in ("updates", "quotes"):
        if group in f:
            found += [u["date"] for u in f[group] if isinstance(u, dict) and type(u.get("date")) is PartialDate]
    for item in f.get("watch", ()):
        found += [u["date"] for u in item.get("updates", ()) if type(u.get("date")) is PartialDate]
    return found


def before(a: PartialDate, b: PartialDate) -> bool:
    """True when ``a`` is over before ``b`` begins, whatever their unknown parts turn out to
    be: 2025-11 is before 2025-12-01, but not before 2025-11-28."""
    keep = min(_level(a), _level(b))
    return _cut(a, keep) < _cut(b, keep)


def _level(d: PartialDate) -> int:
    return 3 if d.day else 2 if d.month else 1


def _cut(d: PartialDate, keep: int) -> tuple[int, int, int]:
    return (d.year, d.month if keep > 1 else 0, d.day if keep > 2 else 0)
