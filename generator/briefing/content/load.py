"""Stage 1, load: read every file under ``content/`` into a ``RawRecord``.

Nothing here knows about field meanings; it only turns bytes into positioned
YAML data and a Markdown body, reporting unreadable input as diagnostics.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from briefing.content import yamlpos
from briefing.content.config import CONFIG_FILE
from briefing.content.dates import is_date_text
from briefing.content.schema import FOLDERS, ID_RE, KIND_OF_FOLDER
from briefing.content.yamlpos import PosDict
from briefing.diagnostics import Diagnostic, Diagnostics

CONTENT_DIR = "content"
MAX_FILE_BYTES = 4 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
CONTENT_SUFFIXES = (*YAML_SUFFIXES, ".md")
_FRONT_END_RE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass
class RawRecord:
    """One content file, parsed but not yet checked against the schema."""

    path: str  # relative to the site, with forward slashes
    kind: str
    id: str
    data: PosDict
    body: str | None  # Markdown body of a .md file
    body_line: int  # 1-based line where the body starts
    digest: str  # of the file's bytes, for caches


def ignored_name(name: str) -> bool:
    """Hidden files, and the temp, swap, backup and lock files editors write beside the
    real one, are never content (and the dev server does not rebuild for them)."""
    return (
        name.startswith(".")  # hidden: .x.swp (vim), .#x (emacs lock), .DS_Store
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".crdownload"))
        or name == "4913"  # vim's "can I write here" probe
        or "___jb_tmp___" in name
        or "___jb_old___" in name  # JetBrains safe write
        or (name.startswith("#") and name.endswith("#"))  # emacs auto-save
    )


def content_files(site: Path, diags: Diagnostics) -> list[tuple[str, Path]]:
    """List (kind, path) for every content file, sorted, reporting strays."""
    root = site / CONTENT_DIR
    if not root.is_dir():
        if not (site / CONFIG_FILE).is_file():
            return []  # not a site at all: the missing site.toml says so, once
        diags.error(
            CONTENT_DIR,
            (1, 1),
            "content-missing",
            f"no {CONTENT_DIR}/ folder in {site}; create it with subfolders "
            + ", ".join(f"{f}/" for f in FOLDERS.values()),
        )
        return []
    real_root = root.resolve()
    out: list[tuple[str, Path]] = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        rel = f"{CONTENT_DIR}/{entry.name}"
        if ignored_name(entry.name):
            continue
        kind = KIND_OF_FOLDER.get(entry.name)
        if kind is None or not entry.is_dir():
            hint = ", ".join(f"{f}/" for f in FOLDERS.values())
            diags.warning(rel, (1, 1), "stray-file", f"not a content folder, ignored; use {hint}")
            continue
        # a plain file in a folder that is inside content/ needs no resolving: 10,000 briefs
        # would cost 10,000 realpath walks; links (and a linked folder) take the long way
        folder_inside = Path(entry.path).resolve().is_relative_to(real_root)
        for file in sorted(os.scandir(entry.path), key=lambda e: e.name):
            if ignored_name(file.name):
                continue
            plain = folder_inside and file.is_file(follow_symlinks=False) and file.name.endswith(CONTENT_SUFFIXES)
            if plain or _odd_file_is_content(Path(file.path), f"{rel}/{file.name}", real_root, diags):
                out.append((kind, Path(file.path)))
    return out


def _odd_file_is_content(path: Path, rel: str, real_root: Path, diags: Diagnostics) -> bool:
    """Whether a link, a folder or an oddly named file in a kind's folder is content;
    what it is instead is reported."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        diags.error(
            rel,
            (1, 1),
            "unreadable",
            "a link that leads nowhere (its target is missing, or it loops); fix or delete it",
        )
        return False
    if not real.is_relative_to(real_root):
        diags.error(rel, (1, 1), "outside-content", "a link to a file outside content/; copy the file in instead")
        return False
    if real.is_dir():
        diags.warning(rel, (1, 1), "stray-file", "folders inside kind folders are ignored")
        return False
    if not path.name.endswith(CONTENT_SUFFIXES):
        diags.warning(rel, (1, 1), "stray-file", "ignored: content files end in .yaml, .yml or .md")
        return False
    if not real.is_file():
        diags.error(rel, (1, 1), "unreadable", "not a regular file (a pipe or a device?); replace it with a text file")
        return False
    return True


def load_file(site: Path, kind: str, path: Path, diags: Diagnostics) -> RawRecord | None:
    """Read one file; report and return None when it cannot become a record."""
    rel = path.relative_to(site).as_posix()
    raw = read_bytes(path, rel, diags)
    return parse_record(rel, kind, path.name.rsplit(".", 1)[0], raw, diags) if raw is not None else None


def read_bytes(path: Path, rel: str, diags: Diagnostics) -> bytes | None:
    """A content file's bytes, or None once what kept them from being read is reported.

    Every build reads content files through here. A file over the limit is refused before
    it is read: it may be any size at all."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                diags.error(rel, (1, 1), "too-large", _too_large(size))
                return None
            return fh.read()
    except OSError as exc:
        diags.error(rel, (1, 1), "unreadable", f"cannot read file: {exc.strerror or exc}")
        return None


def parse_record(
    rel: str, kind: str, stem: str, raw: bytes, diags: Diagnostics, digest: str | None = None
) -> RawRecord | None:
    """Turn a file's bytes into a RawRecord; pure, so caches can call it too (passing
    the ``digest`` of ``raw`` they have already taken)."""
    ok_id = _check_id(rel, stem, diags)
    if len(raw) > MAX_FILE_BYTES:
        diags.error(rel, (1, 1), "too-large", _too_large(len(raw)))
        return None
    text = _decode(rel, raw, diags)
    if text is None:
        return None
    if not text.strip():
        diags.error(rel, (1, 1), "empty", "file is empty; add the required fields or delete it")
        return None
    is_md = rel.endswith(".md")
    body: str | None = None
    body_line = 1
    if is_md:
        split = _split_front_matter(text)
        if split is None:
            diags.error(
                rel,
                (1, 1),
                "front-matter",
                "a .md record starts with front matter: a line '---', YAML fields, then a closing '---'",
            )
            return None
        yaml_text, body, body_line = split
        offset = 1
    else:
        if kind == "brief":
            diags.error(
                rel, (1, 1), "brief-format", "a brief is a .md file (YAML front matter + Markdown body); rename it"
            )
            return None
        yaml_text, offset = text, 0
    try:
        data = yamlpos.parse(yaml_text, offset)
    except yamlpos.YamlError as exc:
        diags.error(rel, exc.pos, exc.code, exc.message)
        return None
    if not isinstance(data, PosDict):
        pos = getattr(data, "pos", (1 + offset, 1))
        diags.error(rel, pos, "type", "a record is a mapping of fields (name: value)")
        return None
    if not ok_id:
        return None
    return RawRecord(rel, kind, stem, data, body, body_line, digest or hashlib.sha1(raw).hexdigest())


def _too_large(size: int) -> str:
    return f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it"


def _check_id(rel: str, stem: str, diags: Diagnostics) -> bool:
    if ID_RE.match(stem) and not is_date_text(stem):
        return True
    if is_date_text(stem):
        diags.error(
            rel,
            (1, 1),
            "bad-id",
            f"'{stem}' looks like a date, so [[{stem}]] would link to the "
            f"date's page; rename the file so its name holds a word as well, e.g. 'summit-{stem}'",
        )
        return False
    from briefing.content.slug import slugify  # local import: only needed on error

    hint = slugify(stem) or "an-id"
    diags.error(
        rel,
        (1, 1),
        "bad-id",
        f"'{stem}' is not a valid id (lower-case ASCII letters, digits and single "
        f"hyphens); rename the file to '{hint}'",
    )
    return False


def _decode(rel: str, raw: bytes, diags: Diagnostics) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(rel, (line, col), "encoding", f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        diags.error(rel, (line, 1), "encoding", "file holds a NUL byte; is it binary?")
        return None
    return text


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split '---' front matter from the body: (yaml, body, body's first line)."""
    if not text.startswith("---\n") and text.rstrip() != "---":
        return None
    end = _FRONT_END_RE.search(text, 4)  # text[3] is a line break, so '^' may match at 4
    if end is None:
        return None
    body_start = end.end() + 1 if text.startswith("\n", end.end()) else end.end()
    return text[4 : end.start()], text[body_start:], text.count("\n", 0, body_start) + 1


def load_all(site: Path, diags: Diagnostics) -> list[RawRecord]:
    return load_site(site, diags)[0]


def load_site(site: Path, diags: Diagnostics) -> tuple[list[RawRecord], dict[str, tuple[str, tuple[int, int]]]]:
    """Every record, and the files that failed to load: id -> (path, its first error's place)."""
    raws: list[RawRecord] = []
    failed: dict[str, tuple[str, tuple[int, int]]] = {}
    for kind, path in content_files(site, diags):
        before = len(diags.items)
        raw = load_file(site, kind, path, diags)
        if raw is not None:
            raws.append(raw)
        else:
            note_failed(failed, path.relative_to(site).as_posix(), diags.items[before:])
    return raws, failed


def note_failed(failed: dict[str, tuple[str, tuple[int, int]]], rel: str, found: list[Diagnostic]) -> None:
    """Remember a file that failed to load, by the id its name gives (if it gives one)."""
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    errors = [d for d in found if d.severity == "error"]
    if ID_RE.match(stem) and errors:
        first = min(errors)
        failed.setdefault(stem, (rel, (first.line, first.col)))
