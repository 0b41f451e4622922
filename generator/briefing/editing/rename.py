"""``briefing rename OLD NEW``: a record gets a new id, and every reference to it follows.

The record's file moves to its new name, gains ``moved_from: [OLD]`` (so the old URL
redirects), and every reference to OLD in any file becomes NEW: in fields (``participants``,
``speaker``, ``author``...), in ``[[OLD]]`` and ``[[OLD|text]]`` links and in ``[@OLD]``
citations. Nothing else in a file changes: the id is replaced at the positions ``validate``
recorded for each reference (a YAML alias names its anchor's position, so one edit serves
both), never by writing the YAML out again.

Nothing is left half-done. Every changed file is first written in full to a temporary file
beside it; only when all are written (and flushed to disk) is a journal written, listing the
swaps; then each temporary file replaces its file (``os.replace``, atomic on POSIX), with
the signals that stop a command held back until the last swap. Should the machine stop in
the middle, the next ``briefing rename`` finds the journal and finishes the swaps first.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from briefing.content.dates import is_date_text
from briefing.content.links import CITE_RE, WIKI_RE
from briefing.content.load import ID_RE, RawRecord, load_site
from briefing.content.model import Record, Ref
from briefing.content.validate import validate
from briefing.content.yamlpos import PosList
from briefing.diagnostics import Diagnostics
from briefing.library.moved import old_ids

JOURNAL = ".briefing-rename.json"  # in the site's folder, while files are being swapped
TEMP_SUFFIX = ".briefing-rename"  # a temporary file: "." + name + this, beside the file
_ID_CHAR = re.compile(r"[a-z0-9-]")
_FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class RenameError(Exception):
    """Why a rename was refused; nothing was changed. ``usage``: the command was wrong."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass
class Renamed:
    changed: list[str]  # the files written, relative to the site (the moved one by its new name)
    moved: tuple[str, str]  # the record's file before and after
    finished: list[str]  # files of an earlier, interrupted rename that were swapped in first


def rename_record(site: Path, old: str, new: str) -> Renamed:
    """Rename ``old`` to ``new`` in ``site`` (see above); RenameError when refused."""
    finished = finish_interrupted(site)
    if not ID_RE.match(new) or is_date_text(new):
        raise RenameError(f"'{new}' is not a valid id: lower-case letters, digits and single hyphens", usage=True)
    raws, unparsed = load_site(site, Diagnostics())
    if unparsed:
        names = ", ".join(sorted(path for path, _pos in unparsed.values()))
        raise RenameError(f"cannot rename while some files do not load: {names}; run briefing check and fix them first")
    records = {raw.path: (raw, validate(raw, Diagnostics())) for raw in raws}
    target = _the_record(records, old, new)
    texts: dict[str, str] = {}
    for path, (_raw, record) in sorted(records.items()):
        # a set: the refs of a YAML alias and of its anchor name the same place
        spans = sorted({_span(site, path, ref, old, texts) for ref in record.refs if ref.target == old})
        if spans:
            text = texts[path]
            for start, end in reversed(spans):
                text = text[:start] + new + text[end:]
            texts[path] = text
    raw = target
    _read(site, raw.path, texts)  # its text, changed above or not
    texts[raw.path] = _with_moved_from(texts[raw.path], raw, old)
    new_path = raw.path[: -len(Path(raw.path).name)] + new + Path(raw.path).suffix
    writes = {(new_path if path == raw.path else path): text for path, text in texts.items()}
    _commit(site, writes, raw.path)
    return Renamed(sorted(writes), (raw.path, new_path), finished)


def _the_record(records: dict[str, tuple[RawRecord, Record]], old: str, new: str) -> RawRecord:
    """The record to rename, once it is sure that ``new`` is free."""
    found = [raw for raw, _ in records.values() if raw.id == old]
    if not found:
        raise RenameError(f"no record has the id '{old}'", usage=True)
    if len(found) > 1:
        raise RenameError(f"'{old}' is the id of {len(found)} files; make ids unique first (briefing check)")
    taken = [raw.path for raw, _ in records.values() if raw.id == new]
    if taken:
        raise RenameError(f"'{new}' is taken: {taken[0]} has that id")
    by_id = {record.id: record for _, record in records.values()}
    for moved, rid in old_ids(by_id):
        if moved == new:
            raise RenameError(
                f"'{new}' is an old id of {by_id[rid].path} (its moved_from lists it) and its old URL redirects there; "
                "remove it from moved_from first to use it again"
            )
    return found[0]


def _read(site: Path, path: str, texts: dict[str, str]) -> str:
    """A file's text as it is on disk (a byte-order mark and line ends kept), read once."""
    if path not in texts:
        text = (site / path).read_bytes().decode("utf-8")
        if "\r" in text.replace("\r\n", ""):
            raise RenameError(f"{path} ends lines with a lone carriage return; save it with Unix or Windows line ends")
        texts[path] = text
    return texts[path]


def _offset(text: str, pos: tuple[int, int]) -> tuple[int, int]:
    """The offset of a 1-based (line, column) in ``text``, and where that line ends."""
    start = 1 if text.startswith("\ufeff") else 0  # load drops the mark before counting
    for _ in range(pos[0] - 1):
        start = text.index("\n", start) + 1
    end = text.find("\n", start)
    return start + pos[1] - 1, len(text) if end < 0 else end


def _span(site: Path, path: str, ref: Ref, old: str, texts: dict[str, str]) -> tuple[int, int]:
    """Where the id ``old`` stands in the file for ``ref``: the start and end offsets."""
    text = _read(site, path, texts)
    at, line_end = _offset(text, ref.pos)
    line_start = text.rfind("\n", 0, at) + 1
    found: list[tuple[int, int]] = []
    if ref.via in ("link", "cite"):  # [[old]], [[old|text]], [@old], [@old, "locator"]
        pattern = WIKI_RE if ref.via == "link" else CITE_RE
        for m in pattern.finditer(text, line_start, line_end):
            if m.group(1).strip() == old:
                start = m.start(1) + m.group(1).index(old)
                found.append((start, start + len(old)))
    else:  # a field's value, maybe quoted; in a flow list, one of several on the line
        for m in re.finditer(re.escape(old), text[line_start:line_end]):
            start, end = line_start + m.start(), line_start + m.end()
            before, after = text[start - 1 : start], text[end : end + 1]
            if not (_ID_CHAR.match(before) or _ID_CHAR.match(after)):
                found.append((start, end))
    if not found:
        raise RenameError(
            f"{path}:{ref.pos[0]}:{ref.pos[1]}: cannot find '{old}' where it was read; nothing was changed"
        )
    return min(found, key=lambda s: abs(s[0] - at))


def _with_moved_from(text: str, raw: RawRecord, old: str) -> str:
    """The record's text with ``old`` added to its ``moved_from``, as one more line or item."""
    items = raw.data.get("moved_from")
    if isinstance(items, PosList) and items:
        last, line_end = _offset(text, items.where(len(items) - 1))
        line_start = text.rfind("\n", 0, last) + 1
        if text[line_start:last].lstrip(" ").startswith("-"):  # a block list: one more item like the last
            newline = "\r\n" if text[line_end - 1 : line_end] == "\r" else "\n"
            end = line_end - 1 if newline == "\r\n" else line_end
            return text[:end] + newline + text[line_start:last] + old + text[end:]
        close = text.find("]", last)  # a flow list: [a, b] -> [a, b, old]
        if close < 0:
            raise RenameError(f"{raw.path}: cannot read moved_from's list to add '{old}'; add it by hand")
        return text[:close] + f", {old}" + text[close:]
    if isinstance(items, PosList):  # moved_from: []
        at, line_end = _offset(text, raw.data.where("moved_from"))
        empty = text.find("[]", at, line_end)
        if empty >= 0:
            return text[: empty + 1] + old + text[empty + 1 :]
    if "moved_from" in raw.data:
        raise RenameError(f"{raw.path}: moved_from is not a list of ids; fix it first (briefing check)")
    newline = "\r\n" if "\r\n" in text else "\n"
    line = f"moved_from: [{old}]{newline}"
    if raw.path.endswith(".md"):  # before the front matter's closing line
        closing = _FRONT_END.search(text, text.index("\n") + 1)
        if closing is None:
            raise RenameError(f"{raw.path}: cannot find the end of its front matter")
        return text[: closing.start()] + line + text[closing.start() :]
    if text and not text.endswith("\n"):
        text += newline
    return text + line


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


def _commit(site: Path, writes: dict[str, str], removed: str) -> None:
    """Write every file to a temporary one first, then swap them all in (see the module's
    docstring); ``removed`` (the record's old file) goes last."""
    swaps: list[tuple[str, str]] = []
    temp = None
    try:
        for path, text in sorted(writes.items()):
            dest = site / path
            temp = _temp(dest)
            with open(temp, "wb") as fh:
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            source = dest if dest.exists() else site / removed
            os.chmod(temp, source.stat().st_mode & 0o7777)
            swaps.append((str(temp.relative_to(site)), path))
    except BaseException:
        for written, _ in swaps:
            with suppress(OSError):
                (site / written).unlink()
        if temp is not None:
            with suppress(OSError):
                temp.unlink()
        raise
    with _held_signals():
        _write_journal(site, swaps, removed)
        _swap(site, swaps, removed)


def _write_journal(site: Path, swaps: list[tuple[str, str]], removed: str) -> None:
    temp = site / f"{JOURNAL}.tmp"
    with open(temp, "w", encoding="utf-8") as fh:
        json.dump({"swaps": swaps, "remove": removed}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, site / JOURNAL)


def _swap(site: Path, swaps: list[tuple[str, str]], removed: str) -> list[str]:
    """Each temporary file over its file, the old file away, then the journal."""
    done = []
    for temp, path in swaps:
        if (site / temp).exists():
            os.replace(site / temp, site / path)
            done.append(path)
    with suppress(FileNotFoundError):
        (site / removed).unlink()
    (site / JOURNAL).unlink()
    return done


def finish_interrupted(site: Path) -> list[str]:
    """Finish the swaps of a rename that stopped half-way (its journal is still there)."""
    journal = site / JOURNAL
    if not journal.exists():
        return []
    plan = json.loads(journal.read_text(encoding="utf-8"))
    with _held_signals():
        return _swap(site, [tuple(s) for s in plan["swaps"]], plan["remove"])  # type: ignore[misc]


@contextmanager
def _held_signals() -> Iterator[None]:
    """Ctrl-C, a hang-up or a kill that can be caught waits until the block is done."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
