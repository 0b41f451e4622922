"""How events relate to each other: the series they belong to, the events inside them
(``part_of``), and the lead event the home page shows.

Built by ``resolve`` (and ``engine.reresolve``) in one pass over the events.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from briefing.content.config import CONFIG_FILE
from briefing.content.dates import PartialDate
from briefing.content.model import RecordId
from briefing.content.slug import slugify
from briefing.diagnostics import Diagnostics
from briefing.library.records import Library


def index_events(lib: Library, broken: frozenset[str], diags: Diagnostics) -> None:
    """``series`` and ``parts``; loops of ``part_of`` and an unknown lead event are errors."""
    series: dict[str, tuple[str, list[RecordId]]] = {}
    parts: dict[RecordId, list[RecordId]] = defaultdict(list)
    events = lib.by_kind.get("event", [])
    for rid in events:
        r = lib.records[rid]
        if r.path in broken:
            continue
        name = r.fields.get("series")
        if isinstance(name, str) and (slug := slugify(name)):
            series.setdefault(slug, (name, []))[1].append(rid)
        parent = r.fields.get("part_of")
        if parent in lib.records and lib.records[parent].kind == "event":
            parts[parent].append(rid)
    lib.series = {slug: (name, _by_date(lib, ids)) for slug, (name, ids) in sorted(series.items())}
    lib.parts = {parent: _by_date(lib, ids) for parent, ids in sorted(parts.items())}
    _check_loops(lib, diags)
    check_lead_event(lib, diags)


def _by_date(lib: Library, ids: list[RecordId]) -> list[RecordId]:
    return sorted(ids, key=lambda i: (lib.records[i].date or PartialDate(0), i))


def _check_loops(lib: Library, diags: Diagnostics) -> None:
    """An event that is, through ``part_of``, part of itself."""
    for rid in lib.by_kind.get("event", []):
        seen = [rid]
        parent = lib.records[rid].fields.get("part_of")
        if parent == rid:
            continue  # a record naming itself is reported as such (``validate``)
        while isinstance(parent, str) and parent in lib.records and parent not in seen:
            seen.append(RecordId(parent))
            parent = lib.records[RecordId(parent)].fields.get("part_of")
        if parent == rid:
            r = lib.records[rid]
            loop = " → ".join([*seen, rid])
            diags.error(
                r.path,
                r.data.where("part_of"),
                "part-of-loop",
                f"'part_of' goes round in a loop ({loop}); an event cannot be part of itself: remove one part_of",
            )


def check_lead_event(lib: Library, diags: Diagnostics) -> None:
    """``lead_event`` in site.toml names an event."""
    lead = lib.config.lead_event
    if not lead or (lead in lib.records and lib.records[RecordId(lead)].kind == "event"):
        return
    pos = lib.config.where.get("lead_event", (1, 1))
    found = lib.records.get(RecordId(lead))
    if found is not None:
        message = f"lead_event '{lead}' is {'an' if found.kind[0] in 'aeiou' else 'a'} {found.kind}, not an event"
    else:
        message = f"lead_event '{lead}' names no event"
    close = difflib.get_close_matches(lead, lib.by_kind.get("event", []), n=1, cutoff=0.6)
    fix = f"; did you mean '{close[0]}'?" if close else "; write the id of an event, or remove the setting"
    diags.error(CONFIG_FILE, pos, "unknown-id", message + fix)


def neighbours(lib: Library, rid: RecordId) -> tuple[str, RecordId | None, RecordId | None] | None:
    """An event's series: its name, and the events before and after it in the series."""
    name = lib.records[rid].fields.get("series")
    if not isinstance(name, str):
        return None
    found = lib.series.get(slugify(name))
    if found is None or rid not in found[1]:
        return None
    shown, ids = found
    i = ids.index(rid)
    return shown, ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None
