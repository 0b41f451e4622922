"""``briefing new KIND "Title"``: a new record file with a valid id.

It refuses to make a second record for something the site already has: a title
or id that matches an existing record's name, alias or id (whatever the case,
spacing or script) names that record's file, and only ``--force`` goes on.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefing.content.config import CONFIG_FILE
from briefing.content.dates import is_date_text
from briefing.content.load import CONTENT_DIR, ID_RE, YAML_SUFFIXES, content_files
from briefing.content.schema import FOLDERS, KINDS, TITLE_FIELD
from briefing.content.slug import slugify
from briefing.diagnostics import Diagnostics
from briefing.editing.stubs import stub

try:  # the C loader where present, as for records
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ALIASES = {**{k: k for k in KINDS}, **{v: k for k, v in FOLDERS.items()}, "organisation": "actor"}


class NewError(Exception):
    """Why the record could not be created; ``usage`` when the command itself was wrong."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class NewOptions:
    """``--id``, ``--text`` (a file, or ``-`` for standard input) and ``--force``."""

    rid: str | None = None
    text: Path | None = None
    force: bool = False
    today: dt.date | None = None


@dataclass
class Created:
    """The file written, and what the editor should know (matches passed with --force)."""

    path: Path
    warnings: list[str] = field(default_factory=list)


def new_record(site: Path, kind: str, title: str, options: NewOptions | None = None) -> Created:
    """Write the file and return its path; refuse to overwrite anything."""
    opts = options or NewOptions()
    asked, kind = kind, ALIASES.get(kind.lower(), "")
    if not kind:
        raise NewError(f"unknown kind {asked!r}; choose one of: {', '.join(KINDS)}", usage=True)
    if opts.text is not None and kind != "source":
        raise NewError("--text is for a source: the file holding the article's text", usage=True)
    if not (site / CONFIG_FILE).is_file():
        raise NewError(f"no {CONFIG_FILE} in {site}; run from the site's folder or pass --site DIR")
    rid = _id(title, opts.rid)
    text = _read_text(opts.text) if opts.text is not None else None
    for folder in FOLDERS.values():
        for suffix in (*YAML_SUFFIXES, ".md"):
            existing = site / CONTENT_DIR / folder / f"{rid}{suffix}"
            if existing.exists():
                how = "choose another --id" if opts.rid else "choose another title, or an id with --id"
                raise NewError(f"id '{rid}' is taken by {existing.relative_to(site)}; {how}")
    found = matches(site, title, rid)
    if found and not opts.force:
        raise NewError("\n".join([*found, "link the existing record instead, or pass --force to create one anyway"]))
    suffix = ".md" if kind in ("brief", "source") else ".yaml"
    path = site / CONTENT_DIR / FOLDERS[kind] / f"{rid}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = stub(kind, title, (opts.today or dt.date.today()).isoformat(), text)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(body)
    return Created(path, found)


def _id(title: str, chosen: str | None) -> str:
    if chosen is not None:
        if not ID_RE.match(chosen) or is_date_text(chosen):
            raise NewError(
                f"--id {chosen!r} is not an id: use lower-case ASCII letters, digits and single hyphens, "
                "with a word in it (e.g. 'sco-summit-2025')",
                usage=True,
            )
        return chosen
    rid = slugify(title)
    if not rid or not ID_RE.match(rid):
        raise NewError(f"cannot make an id from {title!r}; use a title with letters or digits, or --id", usage=True)
    if is_date_text(rid):
        raise NewError(f"the id '{rid}' would read as a date; choose one with --id, e.g. 'summit-{rid}'", usage=True)
    return rid


def _read_text(source: Path) -> str:
    """The article's text, from a UTF-8 file or standard input."""
    try:
        data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    except OSError as exc:
        raise NewError(f"cannot read --text {source}: {exc.strerror}", usage=True) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NewError(f"--text {source} is not UTF-8 text; save it as UTF-8", usage=True) from None
    if not text.strip():
        raise NewError(f"--text {source} is empty; it should hold the article's text", usage=True)
    return text


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def matches(site: Path, title: str, rid: str) -> list[str]:
    """Existing records the new one may duplicate, one line each: same id, or a
    name or alias equal to the title or id (case, spacing and script aside)."""
    wanted = {_fold(title), _fold(rid)}
    slugs = {slugify(title), rid} - {""}
    found: list[str] = []
    for kind, file in content_files(site, Diagnostics()):  # strays are check's business
        rel, stem = file.relative_to(site).as_posix(), file.name.rsplit(".", 1)[0]
        candidates = [(what, text) for what, text in _names(file, kind) if text.strip()]
        for what, text in candidates:
            if _fold(text) in wanted or slugify(text) in slugs:
                found.append(f"{title!r} matches the {what} {text!r} of {kind} '{stem}' in {rel}")
                break
        else:
            if stem in slugs:
                found.append(f"{title!r} matches the id of {kind} '{stem}' in {rel}")
    return found


_NAME_KEYS = re.compile(r"^(?:name|title|aliases)[ \t]*:.*(?:\n(?:[ \t]+|[ \t]*-).*)*", re.M)


_PLAIN = re.compile(r"^(name|title):[ \t]+([^\s>|\[{&*!'\"%@`#-][^#\n]*?|\"[^\"\\\\\n]*\")[ \t]*(?:#.*)?$")


def _plain(block: str) -> tuple[str, str] | None:
    """``title: Plain words`` or ``name: "quoted"`` on one line, read without YAML
    (most records, and the briefs above all); anything else is None."""
    m = _PLAIN.match(block)
    if m is None:
        return None
    value = m.group(2)
    return m.group(1), value[1:-1] if value.startswith('"') else value


def _names(file: Path, kind: str) -> list[tuple[str, str]]:
    """A record's name (or title) and aliases, read from only the lines that hold them:
    parsing every record whole would make ``new`` as slow as ``check`` on a large site.
    A file that cannot be read this way has no names here; ``check`` reports it."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    if file.suffix == ".md":
        end = text.find("\n---", 3)
        text = text[4:end] if text.startswith("---") and end > 0 else ""
    blocks = [m.group(0) for m in _NAME_KEYS.finditer(text.replace("\r\n", "\n"))]
    plain = [p for b in blocks if (p := _plain(b)) is not None]
    data: Any = dict(plain) if blocks and len(plain) == len(blocks) else None
    if data is None:
        try:
            data = yaml.load("\n".join(blocks), Loader=_Loader) if blocks else None
        except yaml.YAMLError:
            return []
    if not isinstance(data, dict):
        return []
    name_key = TITLE_FIELD.get(kind, "title")
    out: list[tuple[str, Any]] = [("name" if kind == "actor" else "title", data.get(name_key))]
    aliases = data.get("aliases") if kind == "actor" else None
    out += [("alias", a) for a in (aliases if isinstance(aliases, list) else [])]
    return [(what, text) for what, text in out if isinstance(text, str)]
