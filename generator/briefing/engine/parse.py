"""Load and validate again only what changed: the engine's side of stages 1 and 2a.

A content file whose stat and bytes are unchanged keeps its record (the same object,
which later steps use to tell what did not change). A kept builder (the dev server)
looks only at the files whose stat changed (``Parser.quick``). A large site's files are
parsed in two processes (``parallel.shared``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.content.gitdates import with_commit_dates
from briefing.content.load import note_failed, parse_record, read_bytes
from briefing.content.model import Record
from briefing.content.validate import validate
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.engine import parallel
from briefing.engine.inputs import RACY_NS, Stat, stat
from briefing.library.references import Unparsed

QUICK_FILES = 20  # changed files that ``Parser.quick`` takes on; more go the whole way


@dataclass
class Parsed:
    """One content file as last read: its stat, digest, record and diagnostics."""

    stat: Stat
    digest: str
    kind: str
    record: Record | None
    diags: list[Diagnostic]


def read_file(path: Path, rel: str, kind: str, st: Stat, old: Parsed | None) -> Parsed:
    """Parse and validate one content file; reuse ``old`` when its bytes are unchanged."""
    local = Diagnostics()
    raw = read_bytes(path, rel, local)
    if raw is None:
        return Parsed(st, "", kind, None, local.items)
    sha1 = hashlib.sha1(raw).hexdigest()
    if old is not None and old.digest == sha1 and old.kind == kind:
        return dataclasses.replace(old, stat=st)
    raw_record = parse_record(rel, kind, path.name.rsplit(".", 1)[0], raw, local, sha1)
    record = validate(raw_record, local) if raw_record is not None else None
    return Parsed(st, sha1, kind, record, local.items)


def _read_files(reads: list[tuple[str, str, str, Stat, Parsed | None]]) -> list[Parsed]:
    return [read_file(Path(path_text), rel, kind, st, old) for rel, kind, path_text, st, old in reads]


@dataclass
class _Content:
    """The last parse, for ``Parser.quick``: the scan its entries were checked against
    (every listed file is in it), the listing, and what came of it."""

    scan: dict[str, Stat]
    listed: list[tuple[str, str]]
    kinds: dict[str, str]  # listed path -> kind
    parsed: dict[str, Parsed]
    records: list[Record]
    where: dict[str, int]  # listed path -> position of its record in ``records``
    diags: list[Diagnostic]  # every entry's diagnostics, in listing order


class Parser:
    """The records of a site's content files, read again only where they changed."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.parsed: dict[str, Parsed] = {}  # survives failed builds, unlike the builder's state
        self._content: _Content | None = None
        # briefs given their last commit's date, kept while the record and date are unchanged
        self._dated: dict[str, tuple[Record, Any, Record]] = {}

    def records(
        self, scan: dict[str, Stat], listed: list[tuple[str, str]], since: int, diags: Diagnostics
    ) -> list[Record]:
        """Every listed file's record (``since``: when the last build's scan began)."""
        limit = since - RACY_NS
        last = self._content
        if last is not None and last.listed is listed and last.parsed is self.parsed:
            quick = self.quick(scan, last, limit)
            if quick is not None:
                diags.items.extend(last.diags)
                self.parsed = quick[1]
                self._content = dataclasses.replace(last, scan=scan, parsed=quick[1], records=quick[0])
                return quick[0]
        return self._all(scan, listed, limit, diags)

    def _all(
        self, scan: dict[str, Stat], listed: list[tuple[str, str]], limit: int, diags: Diagnostics
    ) -> list[Record]:
        previous: dict[str, Parsed] = self.parsed
        parsed: dict[str, Parsed] = {}
        stale: list[tuple[str, str, str, Stat, Parsed | None]] = []
        for kind, rel in listed:
            st = scan.get(rel) or stat(self.site / rel)
            old = previous.get(rel)
            if old is not None and old.stat == st and st[1] < limit and old.kind == kind:
                parsed[rel] = old
            else:
                stale.append((rel, kind, str(self.site / rel), st, old))
        for read, entry in zip(stale, parallel.shared(_read_files, stale), strict=True):
            parsed[read[0]] = entry
        records: list[Record] = []
        found: list[Diagnostic] = []
        where: dict[str, int] = {}
        for _kind, rel in listed:
            entry = parsed[rel]
            found.extend(entry.diags)
            if entry.record is not None:
                where[rel] = len(records)
                records.append(entry.record)
        diags.items.extend(found)
        self.parsed = parsed
        complete = all(rel in scan for _kind, rel in listed)
        kinds = {rel: kind for kind, rel in listed}
        self._content = _Content(scan, listed, kinds, parsed, records, where, found) if complete else None
        return records

    def quick(self, scan: dict[str, Stat], last: _Content, limit: int) -> tuple[list[Record], dict[str, Parsed]] | None:
        """``records`` for a kept builder when content's names are unchanged: only the files
        whose stat changed since the last parse, or that changed too recently to trust
        their stat, are looked at. None when the change is more than a few files whose
        diagnostics and presence stay as they were: then everything is looked at."""
        recent = {rel for rel, _ in scan.items() ^ last.scan.items()}
        recent.update(rel for rel, st in scan.items() if st[1] >= limit)
        stale = [rel for rel in recent if rel in last.kinds]
        if len(stale) > QUICK_FILES or any(rel not in scan for rel in stale):
            return None
        parsed, records = last.parsed, last.records
        for rel in stale:
            kind, st, old = last.kinds[rel], scan[rel], last.parsed.get(rel)
            if old is None:
                return None
            if old.stat == st and st[1] < limit:
                continue
            entry = read_file(self.site / rel, rel, kind, st, old)
            if entry.diags or old.diags or (entry.record is None) != (old.record is None):
                return None
            if parsed is last.parsed:
                parsed = dict(last.parsed)
            parsed[rel] = entry
            if entry.record is not old.record:
                if records is last.records:
                    records = list(last.records)
                records[last.where[rel]] = entry.record  # type: ignore[assignment]
        return records, parsed

    def unparsed(self) -> Unparsed:
        """The files that failed to load (see ``load.note_failed``), by id."""
        failed: dict[str, tuple[str, tuple[int, int]]] = {}
        for rel, entry in self.parsed.items():
            if entry.record is None:
                note_failed(failed, rel, entry.diags)
        return failed

    def dated(self, records: list[Record], dates: dict[str, Any]) -> list[Record]:
        """``with_commit_dates``, giving an unchanged brief the same copy as last time, so a
        later build sees it as the same object, as it sees every other unchanged record."""
        if not dates:
            return records
        copies = self._dated
        out = with_commit_dates(records, dates, lambda r, date: _kept(copies, r, date))
        for gone in copies.keys() - dates.keys():
            del copies[gone]
        return out


def _kept(copies: dict[str, tuple[Record, Any, Record]], r: Record, date: Any) -> Record:
    kept = copies.get(r.path)
    if kept is not None and kept[0] is r and kept[1] == date:
        return kept[2]
    copy = dataclasses.replace(r, fields={**r.fields, "updated": date})
    copies[r.path] = (r, date, copy)
    return copy
