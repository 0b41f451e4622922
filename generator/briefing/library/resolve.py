"""Stage 2b, resolve: check references across records and build the library.

Every derived index is built here, in one pass over records and their
references, never by comparing records pairwise, so the cost grows with the
number of references, not with the square of the number of records.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from briefing.content.config import SiteConfig
from briefing.content.dates import PartialDate, from_key
from briefing.content.model import Record, RecordId
from briefing.content.schema import KINDS
from briefing.content.slug import slugify
from briefing.diagnostics import Diagnostics
from briefing.library.records import Dated, Library, QuoteRef
from briefing.library.references import Unparsed, check_cited_quotes, check_references

KIND_ORDER = {kind: i for i, kind in enumerate(("event", "outcome", "source", "brief", "actor"))}
RELATED_LIMIT, CO_MENTION_LIMIT = 5, 8
POPULAR_CAP = 2000  # a target mentioned by more briefs than this says little about relatedness


def resolve(
    records: list[Record],
    config: SiteConfig,
    diags: Diagnostics,
    drafts: bool = False,
    previous: Library | None = None,
    unparsed: Unparsed | None = None,
    broken: frozenset[str] = frozenset(),
) -> Library:
    """Check every reference, drop drafts unless asked, and derive the indexes.

    Records whose files already hold errors are kept, so that references to
    them are not reported as unknown too, but their fields stay out of the
    field indexes, which rely on required fields being present.

    ``previous``: the library the last build resolved with the same settings;
    related briefs that cannot have changed are taken from it. ``unparsed``: the ids of
    files that failed to load, whose references are counted, not reported one by one.
    ``broken``: the files with errors reported elsewhere (``diags`` may hold none)."""
    broken = broken | frozenset(d.path for d in diags.errors)
    every = _unique(records, diags)
    check_references(every, diags, unparsed)
    check_cited_quotes(every, diags)
    draft_ids = frozenset(r.id for r in every.values() if r.draft and not drafts)
    published = {rid: r for rid, r in sorted(every.items()) if rid not in draft_ids}
    lib = Library(config=config, records=published, drafts=draft_ids)
    _index_kinds(lib)
    order = _order(lib)
    same = (
        previous
        if (previous is not None and not broken and lib.drafts == previous.drafts and _same_fields(lib, previous))
        else None
    )
    changed = _changed_records(lib, same)
    _index_mentions(lib, diags, order, same, changed)
    _index_fields(lib, broken, order, same)
    _index_related(lib, previous, same, changed)
    _index_dates(lib, same)
    _index_tags(lib, diags)
    return lib


def _unique(records: list[Record], diags: Diagnostics) -> dict[RecordId, Record]:
    by_id: dict[RecordId, list[Record]] = defaultdict(list)
    for r in records:
        by_id[r.id].append(r)
    out: dict[RecordId, Record] = {}
    for rid, group in by_id.items():
        if len(group) > 1:
            paths = sorted(r.path for r in group)
            for r in group:
                others = ", ".join(p for p in paths if p != r.path)
                diags.error(
                    r.path,
                    (1, 1),
                    "duplicate-id",
                    f"id '{rid}' is also used by {others}; ids are unique across kinds, rename one file",
                )
        out[rid] = sorted(group, key=lambda r: r.path)[0]
    return out


def _index_kinds(lib: Library) -> None:
    for kind in KINDS:
        lib.by_kind[kind] = []
    for rid, r in lib.records.items():
        lib.by_kind[r.kind].append(rid)
    for kind, ids in lib.by_kind.items():
        if kind == "brief":
            ids.sort(key=lambda i: (_neg(lib.records[i].date), i))
        else:
            ids.sort(key=lambda i: (lib.records[i].title.casefold(), i))


def _neg(date: PartialDate | None) -> tuple[int, int, int]:
    return (-date.year, -date.month, -date.day) if date else (0, 0, 0)


MAX_CHANGED = 200  # records changed since the last library that its links are updated for


def _changed_records(lib: Library, same: Library | None) -> list[RecordId] | None:
    """The records that are not ``same``'s (by identity: unchanged files keep their
    records), when few enough to update its link indexes for; else None."""
    if same is None:
        return None
    changed = [rid for rid, r in lib.records.items() if r is not same.records[rid]]
    return changed if len(changed) <= MAX_CHANGED else None


def _targets(lib: Library, rid: RecordId, r: Record) -> list[RecordId]:
    """The published records ``r`` mentions (an author counts when it is an actor's id)."""
    records = lib.records
    found = {
        RecordId(ref.target)
        for ref in r.refs
        if ref.target in records
        and ref.target != rid
        and (ref.via != "author" or records[RecordId(ref.target)].kind == "actor")
    }
    return sorted(found)


def _day_keys(r: Record) -> set[str]:
    return {str(date) for date, _pos in r.date_links}


def _index_mentions(
    lib: Library, diags: Diagnostics, order: Order, same: Library | None, changed: list[RecordId] | None
) -> None:
    """Who mentions whom, and which records link which days; with ``same`` and ``changed``
    (see ``_changed_records``), ``same``'s indexes updated for the changed records."""
    if lib.drafts:
        for r in lib.records.values():
            for ref in r.refs:
                if ref.target in lib.drafts:
                    diags.warning(
                        r.path,
                        ref.pos,
                        "draft-link",
                        f"'{ref.target}' is a draft, so the link shows as plain text; "
                        "build with --drafts to include it",
                    )
    if same is not None and changed is not None:
        _update_mentions(lib, order, same, changed)
    else:
        by: dict[RecordId, dict[str, set[RecordId]]] = defaultdict(lambda: defaultdict(set))
        dates: dict[str, set[RecordId]] = defaultdict(set)
        for rid, r in lib.records.items():
            lib.mentions[rid] = targets = _targets(lib, rid, r)
            for target in targets:
                by[target][r.kind].add(rid)
            for day in _day_keys(r):
                dates[day].add(rid)
        for target, groups in by.items():
            lib.mentioned_by[target] = {k: _sorted_ids(order, ids) for k, ids in sorted(groups.items())}
        lib.date_mentions = {d: _sorted_ids(order, ids) for d, ids in sorted(dates.items())}
    for rid in lib.by_kind["actor"]:
        if rid not in lib.mentioned_by:
            r = lib.records[rid]
            diags.warning(
                r.path,
                (1, 1),
                "unmentioned",
                f"nothing mentions actor '{rid}'; link it from a brief with [[{rid}]] or delete it",
            )


def _update_mentions(lib: Library, order: Order, same: Library, changed: list[RecordId]) -> None:
    """``_index_mentions`` after an edit of a few records: only the lists of the
    records and days whose mentioners changed are made again."""
    lib.mentions, lib.mentioned_by = dict(same.mentions), dict(same.mentioned_by)
    targets_now: dict[RecordId, set[RecordId]] = {}
    days_now: dict[RecordId, set[str]] = {}
    touched: set[RecordId] = set()
    touched_days: set[str] = set()
    for rid in changed:
        r = lib.records[rid]
        lib.mentions[rid] = _targets(lib, rid, r)
        targets_now[rid] = set(lib.mentions[rid])
        touched.update(targets_now[rid].symmetric_difference(same.mentions.get(rid, [])))
        days_now[rid] = _day_keys(r)
        touched_days.update(days_now[rid].symmetric_difference(_day_keys(same.records[rid])))
    for target in touched:
        before = (i for group in same.mentioned_by.get(target, {}).values() for i in group)
        groups: dict[str, set[RecordId]] = defaultdict(set)
        for i in _members(before, changed, targets_now, target):
            groups[lib.records[i].kind].add(i)
        if groups:
            lib.mentioned_by[target] = {k: _sorted_ids(order, v) for k, v in sorted(groups.items())}
        else:
            lib.mentioned_by.pop(target, None)
    dates = dict(same.date_mentions)
    for day in touched_days:
        ids = _members(dates.get(day, []), changed, days_now, day)
        if ids:
            dates[day] = _sorted_ids(order, ids)
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


Order = dict[RecordId, tuple[object, ...]]


def _order(lib: Library) -> Order:
    """Every record's place in lists of records: briefs newest first, everything else
    by title. Made once per library (made per comparison, it cost half a second)."""
    return {
        i: (KIND_ORDER[r.kind], _neg(r.date) if r.kind == "brief" else (0, 0, 0), r.title.casefold(), i)
        for i, r in lib.records.items()
    }


def _sorted_ids(order: Order, ids: Iterable[RecordId]) -> list[RecordId]:
    """In the order pages list them in (see ``_order``)."""
    return sorted(ids, key=order.__getitem__)


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


def _index_fields(lib: Library, broken: frozenset[str], order: Order, same: Library | None) -> None:
    """The indexes of what records' fields say; ``same``: a library with the same fields,
    whose indexes serve (all but the briefs' sources, which also follow citations)."""
    if same is not None:
        for name in (
            "members",
            "quotes_by_speaker",
            "quotes_at_event",
            "outcomes_by_event",
            "outcomes_by_actor",
            "events_by_actor",
        ):
            setattr(lib, name, getattr(same, name))
        lib.brief_sources = {rid: _brief_sources(r, lib) for rid, r in lib.records.items() if r.kind == "brief"}
        return
    members, quotes_by, quotes_at = defaultdict(list), defaultdict(list), defaultdict(list)
    outcomes_ev, outcomes_act, events_act = defaultdict(list), defaultdict(set), defaultdict(set)
    for rid, r in lib.records.items():
        if r.path in broken:
            continue
        f = r.fields
        if r.kind == "actor":
            for aff in f.get("affiliations", []):
                members[aff["actor"]].append((rid, aff))
        elif r.kind == "source":
            for i, q in enumerate(f.get("quotes", [])):
                quotes_by[q["speaker"]].append(QuoteRef(rid, i))
                if q.get("event"):
                    quotes_at[q["event"]].append(QuoteRef(rid, i))
        elif r.kind == "event":
            for actor in [f.get("host"), *f.get("participants", [])]:
                if actor:
                    events_act[actor].add(rid)
        elif r.kind == "outcome":
            outcomes_ev[f["event"]].append(rid)
            for actor in f.get("proposed_by", []):
                outcomes_act[actor].add((rid, "proposed"))
            for actor in f.get("parties", []):
                outcomes_act[actor].add((rid, "party"))
        elif r.kind == "brief":
            lib.brief_sources[rid] = _brief_sources(r, lib)
    lib.members = {
        k: sorted(v, key=lambda m: (lib.records[m[0]].title.casefold(), m[0])) for k, v in sorted(members.items())
    }
    lib.quotes_by_speaker = _sorted_quotes(lib, quotes_by)
    lib.quotes_at_event = _sorted_quotes(lib, quotes_at)
    lib.outcomes_by_event = {k: _sorted_ids(order, v) for k, v in sorted(outcomes_ev.items())}
    lib.outcomes_by_actor = {
        k: sorted(v, key=lambda o: (lib.records[o[0]].title.casefold(), o)) for k, v in sorted(outcomes_act.items())
    }
    lib.events_by_actor = {
        k: sorted(v, key=lambda e: (lib.records[e].date or PartialDate(0), e)) for k, v in sorted(events_act.items())
    }


def _sorted_quotes(lib: Library, groups: dict[str, list[QuoteRef]]) -> dict[RecordId, list[QuoteRef]]:
    def key(q: QuoteRef) -> tuple[object, ...]:
        date = lib.records[q.source].fields["quotes"][q.index].get("date") or PartialDate(0)
        return (date, q.source, q.index)

    return {RecordId(k): sorted(v, key=key) for k, v in sorted(groups.items())}


def _brief_sources(r: Record, lib: Library) -> list[RecordId]:
    """Cited sources in order of first citation, then the ones only listed."""
    order: list[RecordId] = []
    for ref in r.refs:
        if ref.via == "cite" and ref.target in lib.records and ref.target not in order:
            order.append(RecordId(ref.target))
    for sid in r.fields.get("sources", []):
        if sid in lib.records and sid not in order:
            order.append(RecordId(sid))
    return order


def _index_related(
    lib: Library, previous: Library | None, same: Library | None = None, changed: list[RecordId] | None = None
) -> None:
    """Co-mentions of actors, and briefs related by shared actors and events; with
    ``same`` and ``changed`` (see ``_changed_records``), only the co-mentions of the
    actors the changed records mention, or mentioned before, are counted again."""
    if same is not None and changed is not None:
        lib.co_mentions = dict(same.co_mentions)
        touched = {a for rid in changed for a in (*_actors_of(lib, rid), *_actors_of(same, rid))}
        for a in touched:
            counter: Counter[RecordId] = Counter()
            for x in {a, *(i for group in lib.mentioned_by.get(a, {}).values() for i in group)}:
                actors = _actors_of(lib, x)
                if a in actors:
                    counter.update(b for b in actors if b != a)
            lib.co_mentions[a] = _ranked(lib, counter)
            if not counter:
                del lib.co_mentions[a]
        if lib.co_mentions.keys() != same.co_mentions.keys():
            lib.co_mentions = dict(sorted(lib.co_mentions.items()))
    else:
        pairs: dict[RecordId, Counter[RecordId]] = defaultdict(Counter)
        for rid in lib.mentions:
            actors = _actors_of(lib, rid)
            for a in actors:
                for b in actors:
                    if a != b:
                        pairs[a][b] += 1
        for a, counter in sorted(pairs.items()):
            lib.co_mentions[a] = _ranked(lib, counter)
    _related_briefs(lib, previous)


def _actors_of(lib: Library, rid: RecordId) -> list[RecordId]:
    """The actors a record mentions (the first 64), and itself if it is one: who co-occurs."""
    actors = [t for t in lib.mentions.get(rid, []) if lib.records[t].kind == "actor"][:64]
    if lib.records[rid].kind == "actor":
        actors.append(rid)
    return actors


def _ranked(lib: Library, counter: Counter[RecordId]) -> list[tuple[RecordId, int]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], lib.records[kv[0]].title.casefold()))
    return ranked[:CO_MENTION_LIMIT]


def _related_briefs(lib: Library, previous: Library | None = None) -> None:
    """Briefs sharing the most actors, events and outcomes; newest first among equals.

    The same ranking as counting every co-mentioning brief and sorting them all,
    but only briefs on two or more of the lists are counted one by one: the rest
    are read off the lists in rank order. Counting all of them cost O(N^2) when
    a few actors are in most briefs (1.7 s at 1,000 briefs, minutes at 10,000).
    """
    rank = {rid: i for i, rid in enumerate(lib.by_kind["brief"])}  # sorted by (newest, id)
    lists: dict[RecordId, list[RecordId]] = {}
    sets: dict[RecordId, set[RecordId]] = {}
    kept = _unrelated_to_changes(lib, previous) if previous is not None else set()
    for rid in lib.by_kind["brief"]:
        if rid in kept:
            lib.related[rid] = previous.related[rid]  # type: ignore[union-attr]
            continue
        groups = []
        for target in lib.mentions[rid]:
            if lib.records[target].kind in ("actor", "event", "outcome"):
                if target not in lists:
                    others = lib.mentioned_by_kind(target, "brief")
                    lists[target] = sorted(others, key=rank.__getitem__) if len(others) <= POPULAR_CAP else []
                if lists[target]:
                    groups.append(target)
        # a brief on k of the lists is in k(k-1)/2 of their pairwise intersections: counting
        # those (in C) ranks the briefs as counting the lists each is on would
        pairs: Counter[RecordId] = Counter()
        for i, a in enumerate(groups):
            set_a = sets.get(a) or sets.setdefault(a, set(lists[a]))
            for b in groups[i + 1 :]:
                pairs.update(set_a.intersection(sets.get(b) or sets.setdefault(b, set(lists[b]))))
        pairs.pop(rid, None)
        best = [o for _, _, o in sorted([(-n, rank[o], o) for o, n in pairs.items()])[:RELATED_LIMIT]]
        if len(best) < RELATED_LIMIT:
            for o in heapq.merge(*(lists[t] for t in groups), key=rank.__getitem__):
                if o != rid and o not in pairs and o not in best:
                    best.append(o)
                    if len(best) == RELATED_LIMIT:
                        break
        lib.related[rid] = best


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


def _index_dates(lib: Library, same: Library | None = None) -> None:
    """The timeline and the date pages; ``same``: a library with the same fields, whose
    timeline serves, and whose date pages do while prose links the same dates."""
    if same is not None:
        lib.timeline, lib.dated_by_record = same.timeline, same.dated_by_record
        if lib.date_mentions.keys() == same.date_mentions.keys():
            lib.dates = same.dates
            return
        _date_pages(lib, lib.timeline)
        return
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
    _date_pages(lib, entries)


def _date_pages(lib: Library, entries: list[Dated]) -> None:
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
    lib.dates = dict(sorted(pages.items()))


def _index_tags(lib: Library, diags: Diagnostics) -> None:
    tags: dict[str, tuple[str, list[RecordId]]] = {}
    slugs: dict[str, str] = {}  # a few hundred tags, used tens of thousands of times
    for rid in lib.by_kind["brief"]:
        r = lib.records[rid]
        for i, tag in enumerate(r.fields.get("tags", [])):
            slug = slugs.get(tag)
            if slug is None:
                slug = slugs[tag] = slugify(tag)
            if not slug:
                pos = r.data["tags"].where(i)
                diags.error(r.path, pos, "bad-tag", f"tag {tag!r} has no letters or digits to name its page")
                continue
            _name, ids = tags.setdefault(slug, (tag, []))
            if not ids or ids[-1] != rid:  # a brief's ids come together: one brief naming a tag twice
                ids.append(rid)
    lib.tags = dict(sorted(tags.items()))
