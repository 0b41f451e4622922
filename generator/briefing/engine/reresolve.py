"""Resolve again after an edit: the library ``library.resolve`` would make, from the last one.

An edit changes a few records. When none of them changed anything an index is made of
(only prose and positions), the last library serves with the new records in it
(``reuse_library``). Otherwise ``resolve_again`` runs resolve's own steps, but keeps
what the edit cannot have changed: the field indexes and the timeline when every record
kept its kind and fields, the mention lists of the records and days the changed records
did not touch, the co-mentions of actors they do not mention, and the related briefs of
briefs whose lists of shared records are the same. Finally every index equal to the last
library's is replaced by that very object (``share_unchanged``), so that later steps see
by identity what did not change. tests/test_engine_reference.py checks that the result
equals a plain resolve, over random edits.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from briefing.content.config import SiteConfig
from briefing.content.model import Record, RecordId
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.library.events import index_events
from briefing.library.records import INDEX_FIELDS, Library
from briefing.library.references import Unparsed
from briefing.library.related import actors_of, co_mentions, co_mentions_of, related_briefs
from briefing.library.resolve import (
    FIELD_INDEXES,
    Order,
    brief_sources,
    day_keys,
    index_fields,
    index_mentions,
    index_tags,
    published,
    record_order,
    resolve,
    sorted_ids,
    targets,
    warn_unmentioned,
)
from briefing.library.timeline import date_pages, index_dates, placements
from briefing.library.watch import index_watch

DESK_INDEXES = ("series", "parts", "watch", "watch_by_record", "as_of")  # from fields alone
MAX_CHANGED = 200  # records changed since the last library that its links are updated for

Identities = dict[str, tuple[Any, ...]]  # record id -> what its record was (path, digest, updated)


@dataclasses.dataclass
class Last:
    """What the last build left that resolving needs."""

    library: Library
    identities: Identities
    diags: list[Diagnostic]  # what resolving it reported


@dataclasses.dataclass
class Inputs:
    """What this build resolves: the records, the settings, whether drafts count, the
    files with errors (``broken``) and the files that failed to load (``unparsed``)."""

    records: list[Record]
    config: SiteConfig
    drafts: bool
    broken: frozenset[str]
    unparsed: Unparsed


def resolve_library(now: Inputs, last: Last | None, changed_ids: set[str]) -> tuple[Library, list[Diagnostic]]:
    """The library and what resolving reported, from the last library where it serves.

    (A state is saved only by a good build, so the last library never knew a file that
    failed to load, nor referred to one: ``unparsed`` matters only to a new resolve.)"""
    local = Diagnostics()
    if last is None or last.library.config != now.config:
        lib = resolve(now.records, now.config, local, now.drafts, now.broken, now.unparsed)
        return lib, local.items
    reused = reuse_library(last, now.records, changed_ids)
    if reused is not None:
        return reused, list(last.diags)
    lib = resolve_again(now, local, last.library)
    return share_unchanged(last.library, lib), local.items


def resolve_again(now: Inputs, diags: Diagnostics, previous: Library) -> Library:
    """``resolve``, keeping what the changes since ``previous`` cannot have changed."""
    broken = now.broken | frozenset(d.path for d in diags.errors)
    lib = published(now.records, now.config, diags, now.drafts, now.unparsed)
    order = record_order(lib)
    same = previous if (not broken and lib.drafts == previous.drafts and _same_fields(lib, previous)) else None
    changed = _changed_records(lib, same)
    if same is not None and changed is not None:
        _update_mentions(lib, order, same, changed)
    else:
        index_mentions(lib, order)
    warn_unmentioned(lib, diags)
    if same is not None:
        for name in FIELD_INDEXES:
            setattr(lib, name, getattr(same, name))
        lib.brief_sources = {rid: brief_sources(r, lib) for rid, r in lib.records.items() if r.kind == "brief"}
    else:
        index_fields(lib, broken, order)
    lib.co_mentions = _update_co_mentions(lib, same, changed) if same and changed is not None else co_mentions(lib)
    kept = _unrelated_to_changes(lib, previous)
    fresh = related_briefs(lib, (rid for rid in lib.by_kind["brief"] if rid not in kept))
    lib.related = {rid: previous.related[rid] if rid in kept else fresh[rid] for rid in lib.by_kind["brief"]}
    # what events relate to and what to watch are made of fields alone (and what they
    # report, of fields the last good build had); where sources known only to the year
    # stand, citations decide, so the timeline is kept only while those stay put
    if same is not None:
        for name in DESK_INDEXES:
            setattr(lib, name, getattr(same, name))
    else:
        index_events(lib, broken, diags)
        index_watch(lib, broken)
    lib.placed = placements(lib)
    if same is not None and lib.placed == same.placed:
        lib.timeline, lib.dated_by_record = same.timeline, same.dated_by_record
        same_days = lib.date_mentions.keys() == same.date_mentions.keys()
        lib.dates = same.dates if same_days else date_pages(lib, lib.timeline)
    else:
        index_dates(lib)
    index_tags(lib, diags)
    return lib


def _same_fields(lib: Library, previous: Library) -> bool:
    """Whether every record has the kind and fields it had in ``previous``: what the field
    indexes and the timeline are made of (an edit of prose or links changes neither)."""
    if lib.records.keys() != previous.records.keys():
        return False
    for rid, r in lib.records.items():
        before = previous.records[rid]
        if r is not before and (r.kind != before.kind or r.fields != before.fields):
            return False
    return True


def _changed_records(lib: Library, same: Library | None) -> list[RecordId] | None:
    """The records that are not ``same``'s (by identity: unchanged files keep their
    records), when few enough to update its link indexes for; else None."""
    if same is None:
        return None
    changed = [rid for rid, r in lib.records.items() if r is not same.records[rid]]
    return changed if len(changed) <= MAX_CHANGED else None


def _update_mentions(lib: Library, order: Order, same: Library, changed: list[RecordId]) -> None:
    """``index_mentions`` after an edit of a few records: only the lists of the
    records and days whose mentioners changed are made again."""
    lib.mentions, lib.mentioned_by = dict(same.mentions), dict(same.mentioned_by)
    targets_now: dict[RecordId, set[RecordId]] = {}
    days_now: dict[RecordId, set[str]] = {}
    touched: set[RecordId] = set()
    touched_days: set[str] = set()
    for rid in changed:
        r = lib.records[rid]
        lib.mentions[rid] = targets(lib, rid, r)
        targets_now[rid] = set(lib.mentions[rid])
        touched.update(targets_now[rid].symmetric_difference(same.mentions.get(rid, [])))
        days_now[rid] = day_keys(r)
        touched_days.update(days_now[rid].symmetric_difference(day_keys(same.records[rid])))
    for target in touched:
        before = (i for group in same.mentioned_by.get(target, {}).values() for i in group)
        groups: dict[str, set[RecordId]] = defaultdict(set)
        for i in _members(before, changed, targets_now, target):
            groups[lib.records[i].kind].add(i)
        if groups:
            lib.mentioned_by[target] = {k: sorted_ids(order, v) for k, v in sorted(groups.items())}
        else:
            lib.mentioned_by.pop(target, None)
    dates = dict(same.date_mentions)
    for day in touched_days:
        ids = _members(dates.get(day, []), changed, days_now, day)
        if ids:
            dates[day] = sorted_ids(order, ids)
        else:
            dates.pop(day, None)
    lib.date_mentions = dates if dates.keys() == same.date_mentions.keys() else dict(sorted(dates.items()))


def _members(
    before: Iterable[RecordId], changed: list[RecordId], now: Mapping[RecordId, set[Any]], key: object
) -> set[RecordId]:
    """The records listed under ``key`` (a target or a day): ``before``, with each changed
    record in or out as it now names ``key`` or not."""
    ids = set(before)
    for rid in changed:
        if key in now[rid]:
            ids.add(rid)
        else:
            ids.discard(rid)
    return ids


def _update_co_mentions(
    lib: Library, same: Library, changed: list[RecordId]
) -> dict[RecordId, list[tuple[RecordId, int]]]:
    """``co_mentions`` after an edit of a few records: only the actors they mention, or
    mentioned before, are counted again."""
    found = dict(same.co_mentions)
    for a in {a for rid in changed for a in (*actors_of(lib, rid), *actors_of(same, rid))}:
        ranked = co_mentions_of(lib, a)
        if ranked:
            found[a] = ranked
        else:
            found.pop(a, None)
    return found if found.keys() == same.co_mentions.keys() else dict(sorted(found.items()))


def _unrelated_to_changes(lib: Library, previous: Library) -> set[RecordId]:
    """The briefs whose related briefs are as in ``previous``: every brief when records
    keep their kinds and briefs their order (the ranking), but for those whose links
    changed and those that link a record whose list of briefs changed."""
    if previous.by_kind != lib.by_kind or not previous.related:
        return set()
    changed = {rid for rid in lib.by_kind["brief"] if lib.mentions.get(rid) != previous.mentions.get(rid)}
    for target in lib.mentioned_by.keys() | previous.mentioned_by.keys():
        old, new = previous.mentioned_by_kind(target, "brief"), lib.mentioned_by_kind(target, "brief")
        if old != new:
            changed.update(old)
            changed.update(new)
    return {rid for rid in lib.by_kind["brief"] if rid not in changed and rid in previous.related}


def share_unchanged(old: Library, new: Library) -> Library:
    """``new`` with every index equal to ``old``'s replaced by ``old``'s object, so later
    steps see by identity what did not change (a new link changes a few entries of a
    few indexes: the rest need not be compared again, nor their pages listed)."""
    for name in (*INDEX_FIELDS, "drafts"):
        if getattr(new, name) == getattr(old, name):
            setattr(new, name, getattr(old, name))
    return new


def same_indexes(a: Library, b: Library) -> bool:
    """Whether ``b`` shares ``a``'s indexes (the same objects) and settings.

    ``reuse_library`` and ``share_unchanged`` make such pairs; when also no record came
    or went or changed its title or kind, their pages, link targets and date pages are
    the same, and a renderer made for one serves the other (see ``same_pages``)."""
    return (
        a.config == b.config
        and a.drafts == b.drafts
        and all(getattr(a, name) is getattr(b, name) for name in INDEX_FIELDS)
    )


def same_pages(before: Library, after: Library, changed_ids: set[str]) -> bool:
    """Whether ``after`` has ``before``'s pages, link targets and date pages: the same
    indexes (objects), the same records, and every changed one with its title, the name
    links show (its short name) and kind."""
    if not same_indexes(before, after) or before.records.keys() != after.records.keys():
        return False
    for rid in changed_ids:
        old, new = before.records.get(rid), after.records.get(rid)  # type: ignore[call-overload]
        if old is not None and (old.title != new.title or old.short != new.short or old.kind != new.kind):
            return False
    return True


def _resolve_view(r: Record) -> tuple[Any, ...]:
    """All of a record that ``resolve`` reads: everything but the prose and positions.

    Its links and date links count as sets (a second link to a record it links to
    already changes no index), its citations in order of first citation (the order
    of its sources). Positions matter only in what resolve reports, and a record it
    reported anything about is never reused (see ``reuse_library``)."""
    links = {(ref.target, ref.kinds, ref.field, ref.via) for ref in r.refs if ref.via != "cite"}
    cites = list(dict.fromkeys((ref.target, ref.kinds, ref.field) for ref in r.refs if ref.via == "cite"))
    # the quotations it vouches for, and a source's text: what ``check_cited_quotes`` compares
    quotes = [(q.sources, q.text) for q in r.cited_quotes]
    text = r.body if r.kind == "source" else None
    return (r.id, r.kind, r.path, r.fields, dict(r.data), links, cites, {d for d, _pos in r.date_links}, quotes, text)


def reuse_library(last: Last, records: list[Record], changed_ids: set[str]) -> Library | None:
    """The last library with new records swapped in, when no change can alter an index.

    That holds when the same records exist and every changed one differs only in
    its Markdown prose and positions, and the last resolve reported nothing about
    it. Otherwise None: resolve again.
    """
    old = last.library
    ids = {r.id for r in records}
    if not changed_ids:
        return old if ids == last.identities.keys() else None
    if len(ids) != len(last.identities) or len(records) != len(ids):
        return None  # records came or went, or duplicate ids: resolve reports them
    flagged = {d.path for d in last.diags}
    new_records = dict(old.records)
    for r in (r for r in records if r.id in changed_ids):
        before = old.records.get(r.id)
        if (
            before is None
            or r.id not in last.identities
            or r.path in flagged
            or _resolve_view(before) != _resolve_view(r)
        ):
            return None
        new_records[r.id] = r
    return dataclasses.replace(old, records=new_records)


def identities(records: list[Record]) -> Identities:
    """What each record was, to tell next time which ones changed (``changed``)."""
    return {r.id: (r.path, r.digest, r.fields.get("updated")) for r in records}


def changed(now: Identities, before: Identities) -> set[str]:
    """The ids whose record is new, gone or different."""
    try:
        return {rid for rid, _ in now.items() ^ before.items()}
    except TypeError:  # an unhashable value in a record's identity: compare one by one
        return {rid for rid in now.keys() | before.keys() if now.get(rid) != before.get(rid)}
