"""Stage 2b, resolve: check references across records and build the library.

Every derived index is built here, in one pass over records and their
references, never by comparing records pairwise, so the cost grows with the
number of references, not with the square of the number of records. This is the
plain path, from nothing; ``engine.reresolve`` makes the same library from the last
one, with less work, and composes the steps below to do it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from briefing.content.config import SiteConfig
from briefing.content.dates import PartialDate
from briefing.content.model import Record, RecordId
from briefing.content.schema import KINDS
from briefing.content.slug import slugify
from briefing.diagnostics import Diagnostics
from briefing.library.events import index_events
from briefing.library.moved import check_moved
from briefing.library.records import Library, QuoteRef
from briefing.library.references import Unparsed, check_cited_quotes, check_references
from briefing.library.related import co_mentions, related_briefs
from briefing.library.timeline import KIND_ORDER, index_dates, placements
from briefing.library.watch import index_watch


def resolve(
    records: list[Record],
    config: SiteConfig,
    diags: Diagnostics,
    drafts: bool = False,
    broken: frozenset[str] = frozenset(),
    unparsed: Unparsed | None = None,
) -> Library:
    """Check every reference, drop drafts unless asked, and derive the indexes.

    Records whose files hold errors (``broken``: paths, with those ``diags`` holds errors
    for) are kept, so that references to them are not reported as unknown too, but their
    fields stay out of the field indexes, which rely on required fields being present.
    ``unparsed``: the ids of files that failed to load, whose references are counted, not
    reported one by one."""
    broken = broken | frozenset(d.path for d in diags.errors)
    lib = published(records, config, diags, drafts, unparsed)
    order = record_order(lib)
    index_mentions(lib, order)
    warn_unmentioned(lib, diags)
    index_fields(lib, broken, order)
    lib.co_mentions = co_mentions(lib)
    lib.related = related_briefs(lib, lib.by_kind["brief"])
    index_events(lib, broken, diags)
    index_watch(lib, broken)
    lib.placed = placements(lib)
    index_dates(lib)
    index_tags(lib, diags)
    return lib


def published(
    records: list[Record], config: SiteConfig, diags: Diagnostics, drafts: bool, unparsed: Unparsed | None = None
) -> Library:
    """The library of the records a reader sees, with their kinds: every id unique, every
    reference and cited quote checked, drafts left out (and links to them warned of)
    unless ``drafts``."""
    every = _unique(records, diags)
    check_moved(every, diags)
    check_references(every, diags, unparsed)
    check_cited_quotes(every, diags)
    left_out = {rid: r.title for rid, r in sorted(every.items()) if r.draft and not drafts}
    lib = Library(
        config=config, records={rid: r for rid, r in sorted(every.items()) if rid not in left_out}, drafts=left_out
    )
    _index_kinds(lib)
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
            ids.sort(key=lambda i: (_neg(lib.records[i].date), _weight(lib.records[i]), i))
        else:
            ids.sort(key=lambda i: (lib.records[i].title.casefold(), i))


def _neg(date: PartialDate | None) -> tuple[int, int, int]:
    return (-date.year, -date.month, -date.day) if date else (0, 0, 0)


def _weight(r: Record) -> tuple[int, int]:
    """A brief's place among briefs of its date: the lowest ``weight`` first (as Hugo and
    Zola order by weight), briefs without one after those with one."""
    weight = r.fields.get("weight")
    return (0, weight) if isinstance(weight, int) else (1, 0)


def targets(lib: Library, rid: RecordId, r: Record) -> list[RecordId]:
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


def day_keys(r: Record) -> set[str]:
    return {str(date) for date, _pos in r.date_links}


def index_mentions(lib: Library, order: Order) -> None:
    """Who mentions whom, and which records link which days."""
    by: dict[RecordId, dict[str, set[RecordId]]] = defaultdict(lambda: defaultdict(set))
    dates: dict[str, set[RecordId]] = defaultdict(set)
    for rid, r in lib.records.items():
        lib.mentions[rid] = found = targets(lib, rid, r)
        for target in found:
            by[target][r.kind].add(rid)
        for day in day_keys(r):
            dates[day].add(rid)
    for target, groups in by.items():
        lib.mentioned_by[target] = {k: sorted_ids(order, ids) for k, ids in sorted(groups.items())}
    lib.date_mentions = {d: sorted_ids(order, ids) for d, ids in sorted(dates.items())}


def warn_unmentioned(lib: Library, diags: Diagnostics) -> None:
    for rid in lib.by_kind["actor"]:
        if rid not in lib.mentioned_by:
            r = lib.records[rid]
            diags.warning(
                r.path,
                (1, 1),
                "unmentioned",
                f"nothing mentions actor '{rid}'; link it from a brief with [[{rid}]] or delete it",
            )


Order = dict[RecordId, tuple[object, ...]]


def record_order(lib: Library) -> Order:
    """Every record's place in lists of records: briefs newest first (by weight within a
    date), everything else by title. Made once per library, not once per comparison."""
    return {
        i: (
            KIND_ORDER[r.kind],
            _neg(r.date) if r.kind == "brief" else (0, 0, 0),
            _weight(r) if r.kind == "brief" else (1, 0),
            r.title.casefold(),
            i,
        )
        for i, r in lib.records.items()
    }


def sorted_ids(order: Order, ids: Iterable[RecordId]) -> list[RecordId]:
    """In the order pages list them in (see ``record_order``)."""
    return sorted(ids, key=order.__getitem__)


# the indexes ``index_fields`` makes from fields alone (the briefs' sources also follow citations)
FIELD_INDEXES = (
    "members",
    "quotes_by_speaker",
    "quotes_at_event",
    "outcomes_by_event",
    "outcomes_by_actor",
    "events_by_actor",
)


def index_fields(lib: Library, broken: frozenset[str], order: Order) -> None:
    """The indexes of what records' fields say (records of ``broken`` files left out)."""
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
            lib.brief_sources[rid] = brief_sources(r, lib)
    lib.members = {
        k: sorted(v, key=lambda m: (lib.records[m[0]].title.casefold(), m[0])) for k, v in sorted(members.items())
    }
    lib.quotes_by_speaker = _sorted_quotes(lib, quotes_by)
    lib.quotes_at_event = _sorted_quotes(lib, quotes_at)
    lib.outcomes_by_event = {k: sorted_ids(order, v) for k, v in sorted(outcomes_ev.items())}
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


def brief_sources(r: Record, lib: Library) -> list[RecordId]:
    """Cited sources in order of first citation, then the ones only listed."""
    order: list[RecordId] = []
    for ref in r.refs:
        if ref.via == "cite" and ref.target in lib.records and ref.target not in order:
            order.append(RecordId(ref.target))
    for sid in r.fields.get("sources", []):
        if sid in lib.records and sid not in order:
            order.append(RecordId(sid))
    return order


def index_tags(lib: Library, diags: Diagnostics) -> None:
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
