"""Old ids: what a record was called before ``briefing rename``, and where each old URL goes.

A record lists its old ids under ``moved_from``; the site keeps a redirect page at each old
URL (after Hugo's ``aliases``). An old id stays reserved: a record that takes one would
hide the redirect, so it is an error that names both files, and so are two records that
claim the same old id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from briefing.content.model import Record, RecordId
from briefing.content.yamlpos import PosList
from briefing.diagnostics import Diagnostics


def old_ids(records: Mapping[RecordId, Record]) -> Iterator[tuple[str, RecordId]]:
    """Each old id with the record that moved from it, in the records' order."""
    for rid, r in records.items():
        for old in r.fields.get("moved_from", []):
            yield old, rid


def check_moved(every: Mapping[RecordId, Record], diags: Diagnostics) -> None:
    """An old id that a record now uses, or that two records claim, is an error."""
    claimed: dict[str, RecordId] = {}
    for old, rid in old_ids(every):
        r = every[rid]
        taken = every.get(RecordId(old))
        if taken is not None:
            diags.error(
                taken.path,
                (1, 1),
                "moved-id-taken",
                f"id '{old}' is an old id of {r.path} (its moved_from lists it), whose old URL redirects there; "
                f"give this record another id, or remove '{old}' from moved_from in {r.path}",
            )
        elif old in claimed and claimed[old] != rid:
            first = every[claimed[old]]
            items = r.data.get("moved_from")
            pos = items.where(list(items).index(old)) if isinstance(items, PosList) and old in items else (1, 1)
            diags.error(
                r.path,
                pos,
                "moved-id-taken",
                f"'{old}' is also in moved_from of {first.path}; an old URL can redirect to one record only",
            )
        else:
            claimed[old] = rid
