"""Stage 2a, validate: check each raw record against the schema on its own.

Cross-record checks (does a referenced id exist?) happen in ``resolve``; here
we only collect the references, with positions, for it to check.
"""

from __future__ import annotations

import difflib
from typing import Any

from briefing.content import attribution, links, verbatim
from briefing.content.dates import PartialDate, parse_date
from briefing.content.load import ID_RE, RawRecord
from briefing.content.model import CitedQuote, Record, RecordId, Ref
from briefing.content.quotations import quotations
from briefing.content.schema import SAME_MEANING, SCHEMA, Field, is_language_tag
from briefing.content.yamlpos import Pos, PosDict, PosList
from briefing.diagnostics import Diagnostics

URL_SCHEMES = ("http://", "https://", "mailto:")
TYPE_WORDS = {
    "str": "text",
    "md": "Markdown text",
    "date": "a date (YYYY, YYYY-MM or YYYY-MM-DD)",
    "bool": "true or false",
    "int": "a whole number",
    "url": "an http(s) or mailto URL",
    "lang": "a language tag",
    "choice": "one of the listed words",
    "id": "a record id",
    "ids": "a list of record ids",
    "id-or-text": "a record id or a name",
    "words": "a list of words",
    "old-ids": "a list of the record's old ids",
    "records": "a list of mappings",
    "cites": "a mapping of field names to source ids",
    "choices": "a list of the listed words",
}


class _Checker:
    def __init__(self, raw: RawRecord, diags: Diagnostics) -> None:
        self.raw, self.diags = raw, diags
        self.refs: list[Ref] = []
        self.date_links: list[tuple[Any, Pos]] = []
        self.quotes: list[CitedQuote] = []

    def error(self, pos: Pos, code: str, message: str) -> None:
        self.diags.error(self.raw.path, pos, code, message)

    def mapping(self, data: PosDict, fields: tuple[Field, ...], where: str) -> dict[str, Any]:
        """Check one mapping of fields; return the normalised values."""
        known = {f.name: f for f in fields}
        out: dict[str, Any] = {}
        for key in data:
            if key in known or (key == "extra" and not where):
                continue
            hint = _field_hint(key, known, where)
            self.error(data.key_pos[key], "unknown-field", f"unknown field '{where}{key}'{hint}")
        for f in fields:
            if f.required and f.name in data and _blank(data[f.name]):
                # a stub's empty key: point at it, and say what belongs there
                self.error(data.key_pos[f.name], "empty", f"'{where}{f.name}' is empty; {_fill_in(f)}")
                continue
            if key_missing(data, f.name):
                if f.required:
                    self.error(data.pos, "missing-field", f"missing required field '{where}{f.name}' ({_expected(f)})")
                elif f.default is not None:
                    out[f.name] = f.default
                continue
            value = self.value(data[f.name], data.where(f.name), f, where + f.name, data.source(f.name))
            if value is not None:
                out[f.name] = value
        if not where and isinstance(data.get("extra"), PosDict | type(None)):
            out["extra"] = data.get("extra") or {}
        elif not where and "extra" in data:
            self.error(data.where("extra"), "type", "'extra' must be a mapping of your own fields")
        return out

    def value(self, value: Any, pos: Pos, f: Field, name: str, source: str | None = None) -> Any:
        t = f.type
        if t in ("str", "md", "url", "lang", "choice", "id", "id-or-text"):
            if not isinstance(value, str) or (t not in ("str", "md") and not value.strip()):
                return self.wrong(pos, name, f, value)
            return self.text(value, pos, f, name, source)
        if t == "date":
            date = parse_date(value)
            if date is None:
                self.error(
                    pos,
                    "bad-date",
                    f"'{name}' is not a valid date: {describe(value)}; write YYYY, YYYY-MM or YYYY-MM-DD",
                )
            return date
        if t == "bool":
            return value if isinstance(value, bool) else self.wrong(pos, name, f, value)
        if t == "int":
            return value if isinstance(value, int) and not isinstance(value, bool) else self.wrong(pos, name, f, value)
        if t == "cites":
            return attribution.cites(self, value, pos, name)
        if t == "choices":
            return attribution.choices(self, value, pos, f, name)
        if not isinstance(value, PosList):
            return self.wrong(pos, name, f, value)
        if t in ("ids", "words", "old-ids"):
            items = []
            for i, item in enumerate(value):
                if not isinstance(item, str) or not item.strip():
                    self.wrong(value.where(i), f"{name}[{i}]", Field(f.name, "str" if t == "words" else "id"), item)
                    continue
                if t == "ids":
                    self.ref(item, value.where(i), f, f"{name}[{i}]")
                elif t == "old-ids" and not self.old_id(item.strip(), value.where(i), f"{name}[{i}]"):
                    continue
                items.append(item.strip())
            return items
        records = []
        for i, item in enumerate(value):
            if not isinstance(item, PosDict):
                self.error(
                    value.where(i),
                    "type",
                    f"'{name}[{i}]' must be a mapping with fields " + ", ".join(sub.name for sub in f.fields),
                )
                continue
            records.append(self.mapping(item, f.fields, f"{name}[{i}]."))
        return records

    def text(self, value: str, pos: Pos, f: Field, name: str, source: str | None = None) -> Any:
        t = f.type
        if t == "md":
            self.scan_markdown(value, pos, name, source=source)
        elif t == "url" and not value.strip().lower().startswith(URL_SCHEMES):
            self.error(pos, "bad-url", f"'{name}' must be an http(s) or mailto URL, got {value!r}")
            return None
        elif t == "lang" and not is_language_tag(value):
            self.error(pos, "bad-language", f"'{name}' must be a BCP 47 tag like 'en' or 'ru', got {value!r}")
            return None
        elif t == "choice" and value not in f.choices:
            hint = difflib.get_close_matches(value, f.choices, n=1)
            fix = f"did you mean '{hint[0]}'? " if hint else ""
            self.error(pos, "bad-choice", f"'{name}' is {value!r}; {fix}expected one of: {', '.join(f.choices)}")
            return None
        elif t == "id":
            self.ref(value, pos, f, name)
        elif t == "id-or-text" and ID_RE.match(value.strip()):
            self.refs.append(Ref(value.strip(), pos, f.refs, name, "author"))
        return value.strip() if t != "md" else value

    def ref(self, value: str, pos: Pos, f: Field, name: str) -> None:
        target = value.strip()
        if not ID_RE.match(target):
            self.error(
                pos, "bad-id", f"'{name}' holds {value!r}, which is not an id (lower-case letters, digits, hyphens)"
            )
            return
        if target == self.raw.id:
            self.error(pos, "self-reference", f"'{name}' names this record itself")
            return
        self.refs.append(Ref(target, pos, f.refs, name, "field"))

    def old_id(self, value: str, pos: Pos, name: str) -> bool:
        """An id the record had before a rename: an id, and not its own."""
        if not ID_RE.match(value):
            self.error(
                pos, "bad-id", f"'{name}' holds {value!r}, which is not an id (lower-case letters, digits, hyphens)"
            )
            return False
        if value == self.raw.id:
            self.error(pos, "self-reference", f"'{name}' is this record's own id; remove it")
            return False
        return True

    def wrong(self, pos: Pos, name: str, f: Field, value: Any) -> None:
        if isinstance(value, str) and not value.strip():
            self.error(pos, "empty", f"'{name}' is empty; write {TYPE_WORDS[f.type]} or remove it")
            return
        self.error(pos, "type", f"'{name}' must be {TYPE_WORDS[f.type]}, got {describe(value)}")

    def scan_markdown(self, text: str, pos: Pos, name: str, block: bool = False, source: str | None = None) -> None:
        """Collect links from Markdown held in a field (pos is the value's start;
        ``source`` the value as written, when quoting or folding moved its text)."""
        for excess in links.excesses(text):
            line_pos = (pos[0] + excess.line - 1, excess.col + (pos[1] - 1 if excess.line == 1 and not block else 0))
            self.error(line_pos, "markdown-limit", f"'{name}' holds {excess.message}")
        cursor = 0
        scanned = links.scan_text(text)
        if block:
            self.quotes += [CitedQuote(q.sources, q.text, (pos[0] + q.line - 1, q.col)) for q in quotations(scanned)]
        for link in scanned.links:
            found = source.find(link.raw, cursor) if source and link.raw else -1
            if found >= 0:
                cursor = found + len(link.raw)
                line = source.count("\n", 0, found)  # type: ignore[union-attr]
                col = found - (source.rfind("\n", 0, found) + 1)  # type: ignore[union-attr]
                at = (pos[0] + line, col + (pos[1] if line == 0 else 1))
            elif block:
                at = (pos[0] + link.line - 1, link.col)
            else:
                at = (pos[0] + link.line - 1, link.col + (pos[1] - 1 if link.line == 1 else 0))
            self.link(link, at, name)

    def link(self, link: links.Link, at: Pos, name: str) -> None:
        if link.kind == "malformed":
            what = "a citation" if link.raw.startswith("[@") else "a link"
            fix = f"{link.raw} shows as written, not as {what}: {link.text}; write {link.target}"
            self.error(at, "malformed-link", fix)
        elif link.kind == "date":
            date = parse_date(link.target)
            if date is None:
                self.error(
                    at,
                    "bad-date",
                    f"[[{link.target}]] is not a valid date; write [[YYYY]], [[YYYY-MM]] or [[YYYY-MM-DD]]",
                )
            else:
                self.date_links.append((date, at))
        elif not ID_RE.match(link.target):  # a name, or an id in capitals: resolve suggests the id
            kinds = ("source",) if link.kind == "cite" else ()
            self.refs.append(Ref(link.target, at, kinds, name, f"name-{'cite' if link.kind == 'cite' else 'link'}"))
        else:
            kinds = ("source",) if link.kind == "cite" else ()
            self.refs.append(Ref(link.target, at, kinds, name, "cite" if link.kind == "cite" else "link"))


def describe(value: Any) -> str:
    """A value as an editor wrote it in YAML, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return repr(value)
    return f"{value}"


def _expected(f: Field) -> str:
    if f.choices:
        return "one of: " + ", ".join(f.choices)
    if f.type == "date":
        return "a date: YYYY, YYYY-MM or YYYY-MM-DD"
    return TYPE_WORDS[f.type]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill_in(f: Field) -> str:
    """What an editor should write in a required field left empty."""
    if f.choices:
        return "choose one of: " + ", ".join(f.choices)
    if f.type == "date":
        return f"fill in {f.about or 'a date'} (2025-11-27, 2025-11 or 2025)"
    if f.type in ("str", "md"):
        return f"fill in {f.about or 'the ' + f.name}"
    return f"fill in {f.about or TYPE_WORDS[f.type]}"


def key_missing(data: PosDict, key: str) -> bool:
    return key not in data or data[key] is None


def validate(raw: RawRecord, diags: Diagnostics) -> Record:
    """Check one record's fields; errors go to ``diags``, references to ``refs``."""
    checker = _Checker(raw, diags)
    fields = checker.mapping(raw.data, SCHEMA[raw.kind], "")
    if raw.body is not None and raw.kind != "source":
        checker.scan_markdown(raw.body, (raw.body_line, 1), "body", block=True)
    record = Record(
        RecordId(raw.id),
        raw.kind,
        raw.path,
        fields,
        raw.data,
        raw.body,
        raw.body_line,
        raw.digest,
        checker.refs,
        checker.date_links,
        checker.quotes,
    )
    if raw.kind == "source":
        check_quotes(record, diags)
    check_date_order(raw, fields, diags)
    attribution.check_cites(raw.path, raw.data, fields, tuple(f.name for f in SCHEMA[raw.kind]), diags)
    if raw.kind == "event":
        attribution.check_unreported(raw.path, raw.data, fields, diags)
    if raw.kind == "outcome":
        check_status_history(raw, fields, diags)
        attribution.check_status_sources(raw.path, raw.data, fields, diags)
    return record


def _field_hint(key: str, known: dict[str, Field], where: str) -> str:
    """A field of the same meaning, else one spelt alike, else (at the top) ``extra:``."""
    if SAME_MEANING.get(key) in known:
        return f"; did you mean '{SAME_MEANING[key]}'?"
    hint = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if hint:
        return f"; did you mean '{hint[0]}'?"
    if where:
        return ""
    return "; put your own fields under 'extra:' (the bundled theme does not show them; a theme of your own can)"


def check_status_history(raw: RawRecord, fields: dict[str, Any], diags: Diagnostics) -> None:
    """An outcome's ``status`` is where its history stands: what its latest dated update says."""
    status = fields.get("status")
    updates = fields.get("updates", [])
    dated = [(u.get("date"), i, u.get("status")) for i, u in enumerate(updates)]
    dated = [d for d in dated if isinstance(d[0], PartialDate) and d[2]]
    if status is None or not dated:
        return
    latest = max(d[0] for d in dated)
    said = [(i, s) for date, i, s in dated if date == latest]
    if status in {s for _i, s in said}:
        return
    index, says = said[-1]
    diags.error(
        raw.path,
        raw.data.where("status"),
        "status-history",
        f"'status' is '{status}', but the latest update (updates[{index}], {latest}) says '{says}'; "
        f"make them agree, or add an update dated when it became '{status}'",
    )


DATE_ORDER = (("date", "end"), ("date", "updated"))
NESTED_DATE_ORDER = {"affiliations": ("since", "until")}


def check_date_order(raw: RawRecord, fields: dict[str, Any], diags: Diagnostics) -> None:
    """An end before its start is a typo; partial dates only clash when even their
    known parts are in the wrong order (2025-11 may end on 2025-11-03)."""
    pairs = [(raw.data, fields, first, then) for first, then in DATE_ORDER]
    for name, (first, then) in NESTED_DATE_ORDER.items():
        items = raw.data.get(name)
        if isinstance(items, PosList) and len(items) == len(fields.get(name, [])):
            pairs += [
                (data, normal, first, then)
                for data, normal in zip(items, fields.get(name, []), strict=False)
                if isinstance(data, PosDict)
            ]
    for data, normal, first, then in pairs:
        start, end = normal.get(first), normal.get(then)
        if isinstance(start, PartialDate) and isinstance(end, PartialDate) and _before(end, start):
            diags.error(
                raw.path,
                data.where(then),
                "date-order",
                f"'{then}' ({end}) is before '{first}' ({start}); is one of them a typo?",
            )


def _before(a: PartialDate, b: PartialDate) -> bool:
    """True when ``a`` is before ``b`` whatever the unknown parts turn out to be."""

    def level(d: PartialDate) -> int:
        return 3 if d.day else 2 if d.month else 1

    keep = min(level(a), level(b))

    def cut(d: PartialDate) -> tuple[int, int, int]:
        return (d.year, d.month if keep > 1 else 0, d.day if keep > 2 else 0)

    return cut(a) < cut(b)


def check_quotes(record: Record, diags: Diagnostics) -> None:
    """In a source with its full text, every quote must stand in it verbatim."""
    if record.body is None or not record.body.strip():
        return
    body = verbatim.normalise_quote(record.body)
    quotes = record.data.get("quotes")
    for i, quote in enumerate(record.fields.get("quotes", [])):
        text = quote.get("text")
        if isinstance(text, str) and not verbatim.contains(body, wanted := verbatim.quotation(text)):
            item = quotes[i] if isinstance(quotes, PosList) else None
            pos = item.where("text") if isinstance(item, PosDict) else record.data.pos
            diags.error(
                record.path,
                pos,
                "quote-not-in-source",
                f"quotes[{i}].text is not in the source's text verbatim: {verbatim.difference(body, wanted)}; "
                "copy the exact words, or move a paraphrase to 'note'",
            )
