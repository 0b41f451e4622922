"""Where a record's facts come from: checks of one record that say what each fact rests on.

- ``cite:`` maps a field to the sources behind it (``location: [izvestia-report]``), or to
  an editorial note that cites none (general knowledge, marked as such);
- an event's ``not_reported:`` names the infobox facts its sources leave open;
- an outcome's status, and each status in its history, cites a source (a warning, so a
  tracker never shows a status that rests on nothing without saying so).

Called by ``validate`` for one record at a time.
"""

from __future__ import annotations

from typing import Any, Protocol

from briefing.content.schema import SAME_MEANING, Field
from briefing.content.yamlpos import Pos, PosDict, PosList
from briefing.diagnostics import Diagnostics

SOURCE_FIELD = Field("sources", "ids", refs=("source",))
NOTE_FIELD = Field("note", "str")


class Checker(Protocol):
    """What these checks need of ``validate``'s checker: errors, and references to collect."""

    def error(self, pos: Pos, code: str, message: str) -> None: ...
    def value(self, value: Any, pos: Pos, f: Field, name: str, source: str | None = None) -> Any: ...


def cites(checker: Checker, value: Any, pos: Pos, name: str) -> dict[str, dict[str, Any]] | None:
    """``cite:``: each field name maps to a list of source ids, or to ``{sources, note}``;
    a note without sources is an editorial note. Returns ``{field: {sources, note}}``."""
    if not isinstance(value, PosDict):
        message = f"'{name}' must be a mapping of field names to source ids, e.g. location: [source-id]"
        checker.error(pos, "type", message)
        return None
    out: dict[str, dict[str, Any]] = {}
    for key, item in value.items():
        where, shown = value.where(key), f"{name}.{key}"
        if isinstance(item, PosList):
            out[key] = {"sources": checker.value(item, where, SOURCE_FIELD, shown) or [], "note": ""}
        elif isinstance(item, PosDict):
            unknown = [k for k in item if k not in ("sources", "note")]
            for k in unknown:
                checker.error(item.key_pos[k], "unknown-field", f"unknown field '{shown}.{k}'; write sources or note")
            sources = note = None
            if item.get("sources") is not None:
                sources = checker.value(item["sources"], item.where("sources"), SOURCE_FIELD, shown + ".sources")
            if item.get("note") is not None:
                note = checker.value(item["note"], item.where("note"), NOTE_FIELD, shown + ".note")
            if not sources and not note and not unknown:
                fix = "list its sources, or write a note saying where it comes from"
                checker.error(where, "bad-cite", f"'{shown}' cites nothing; {fix}")
            out[key] = {"sources": sources or [], "note": note or ""}
        else:
            checker.error(
                where,
                "bad-cite",
                f"'{shown}' must list source ids ([source-id]) or hold a note: {{note: \"general knowledge: ...\"}}",
            )
    return out


# fields that hold no fact to source: names, prose, the record's own lists of sources and items
UNCITED = ("title", "name", "short_name", "summary", "sources", "context", "cite", "extra", "watch", "quotes")


def check_cites(path: str, data: PosDict, fields: dict[str, Any], names: tuple[str, ...], diags: Diagnostics) -> None:
    """Every field ``cite:`` names is one this record fills in (``names``: its kind's fields)."""
    cited, written = data.get("cite"), fields.get("cite")
    if not isinstance(cited, PosDict) or not isinstance(written, dict):
        return
    facts = [k for k in names if k in data and k in fields and k not in UNCITED]
    listed = f"cite one of: {', '.join(facts)}" if facts else "fill in a field before citing it"
    for key in written:
        if key in facts:
            continue
        if key in names and key not in UNCITED:
            message = f"'cite.{key}' is not filled in here; fill in '{key}', or {listed}"
        elif SAME_MEANING.get(key) in facts:
            message = f"'cite.{key}' is not a field; did you mean '{SAME_MEANING[key]}'?"
        else:
            message = f"'cite.{key}' is not a fact of this record; {listed}"
        diags.error(path, cited.key_pos[key], "bad-cite", message)


def check_unreported(path: str, data: PosDict, fields: dict[str, Any], diags: Diagnostics) -> None:
    """An event's ``not_reported`` names facts left open; one it fills in is reported, except
    a list of participants or absentees, which ``not_reported`` then says is incomplete.
    No actor is both a participant and an absentee."""
    listed = data.get("not_reported")
    for i, name in enumerate(fields.get("not_reported", [])):
        if name in fields and name not in ("participants", "absentees"):
            diags.error(
                path,
                listed.where(i) if isinstance(listed, PosList) else data.where("not_reported"),
                "not-reported",
                f"'{name}' is filled in, so it is reported; remove it from not_reported, or remove '{name}'",
            )
    both = set(fields.get("participants", [])) & set(fields.get("absentees", []))
    absentees = data.get("absentees")
    for i, actor in enumerate(fields.get("absentees", [])):
        if actor in both and isinstance(absentees, PosList):
            diags.error(
                path,
                absentees.where(i),
                "not-reported",
                f"'{actor}' is both a participant and an absentee; keep it in one list",
            )


def check_status_sources(path: str, data: PosDict, fields: dict[str, Any], diags: Diagnostics) -> None:
    """Every status of an outcome cites its source: each update, and the status itself when
    no update says it (then the outcome's ``sources`` are what it rests on)."""
    updates = data.get("updates")
    said = False
    for i, update in enumerate(fields.get("updates", [])):
        said = said or update.get("status") == fields.get("status")
        if not update.get("sources") and isinstance(updates, PosList):
            said_what = f" ('{update['status']}')" if update.get("status") else ""
            diags.warning(
                path,
                updates.where(i),
                "unsourced-status",
                f"updates[{i}]{said_what} cites no source; add sources: [source-id] for the report of it",
            )
    if not said and "status" in fields and not fields.get("sources"):
        diags.warning(
            path,
            data.where("status"),
            "unsourced-status",
            f"status '{fields['status']}' rests on no source; add sources: [source-id], or an update with its sources",
        )


def choices(checker: Checker, value: Any, pos: Pos, f: Field, name: str) -> list[str] | None:
    """A list of words from ``f.choices``."""
    if not isinstance(value, PosList):
        checker.error(pos, "type", f"'{name}' must be a list of: {', '.join(f.choices)}")
        return None
    out = []
    for i, item in enumerate(value):
        word = checker.value(item, value.where(i), Field(f.name, "choice", choices=f.choices), f"{name}[{i}]")
        if word is not None:
            out.append(word)
    return out
