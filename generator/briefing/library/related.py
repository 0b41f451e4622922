"""Who appears with whom: co-mentions of actors, and briefs related by what they share.

Both are counted from the mention indexes (``resolve``), never by comparing records
pairwise, so their cost grows with the number of links, not the square of the records.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

from briefing.content.model import RecordId
from briefing.library.records import Library

RELATED_LIMIT, CO_MENTION_LIMIT = 5, 8
POPULAR_CAP = 2000  # a target mentioned by more briefs than this says little about relatedness
ACTORS_PER_RECORD = 64  # the actors of a record that count as appearing together


def co_mentions(lib: Library) -> dict[RecordId, list[tuple[RecordId, int]]]:
    """For each actor, the actors mentioned in the same records most often (and by itself)."""
    pairs: dict[RecordId, Counter[RecordId]] = defaultdict(Counter)
    for rid in lib.mentions:
        actors = actors_of(lib, rid)
        for a in actors:
            for b in actors:
                if a != b:
                    pairs[a][b] += 1
    return {a: ranked(lib, counter) for a, counter in sorted(pairs.items())}


def co_mentions_of(lib: Library, actor: RecordId) -> list[tuple[RecordId, int]]:
    """``co_mentions(lib)[actor]`` counted for one actor (empty when it has none)."""
    counter: Counter[RecordId] = Counter()
    for x in {actor, *(i for group in lib.mentioned_by.get(actor, {}).values() for i in group)}:
        actors = actors_of(lib, x)
        if actor in actors:
            counter.update(b for b in actors if b != actor)
    return ranked(lib, counter)


def actors_of(lib: Library, rid: RecordId) -> list[RecordId]:
    """The actors a record mentions (the first 64), and itself if it is one: who co-occurs."""
    actors = [t for t in lib.mentions.get(rid, []) if lib.records[t].kind == "actor"][:ACTORS_PER_RECORD]
    if lib.records[rid].kind == "actor":
        actors.append(rid)
    return actors


def ranked(lib: Library, counter: Counter[RecordId]) -> list[tuple[RecordId, int]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], lib.records[kv[0]].title.casefold()))
    return ranked[:CO_MENTION_LIMIT]


def related_briefs(lib: Library, briefs: Iterable[RecordId]) -> dict[RecordId, list[RecordId]]:
    """For each of ``briefs``, the briefs sharing the most actors, events and outcomes with
    it; newest first among equals.

    The same ranking as counting every co-mentioning brief and sorting them all,
    but only briefs on two or more of the lists are counted one by one: the rest
    are read off the lists in rank order. Counting all of them cost O(N^2) when
    a few actors are in most briefs.
    """
    rank = {rid: i for i, rid in enumerate(lib.by_kind["brief"])}  # sorted by (newest, id)
    lists: dict[RecordId, list[RecordId]] = {}
    sets: dict[RecordId, set[RecordId]] = {}
    out = {}
    for rid in briefs:
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
        out[rid] = best
    return out
