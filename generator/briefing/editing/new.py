"""``briefing new KIND "Title"``: a new record file with a valid id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from briefing.content.config import CONFIG_FILE
from briefing.content.load import CONTENT_DIR, ID_RE
from briefing.content.schema import FOLDERS, KINDS, SCHEMA
from briefing.content.slug import slugify

ALIASES = {**{k: k for k in KINDS}, **{v: k for k, v in FOLDERS.items()}, "organisation": "actor"}


class NewError(Exception):
    """Why the record could not be created; ``usage`` when the command itself was wrong."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def new_record(site: Path, kind: str, title: str, today: dt.date | None = None) -> Path:
    """Write the file and return its path; refuse to overwrite anything."""
    asked, kind = kind, ALIASES.get(kind.lower(), "")
    if not kind:
        raise NewError(f"unknown kind {asked!r}; choose one of: {', '.join(KINDS)}", usage=True)
    if not (site / CONFIG_FILE).is_file():
        raise NewError(f"no {CONFIG_FILE} in {site}; run from the site's folder or pass --site DIR")
    rid = slugify(title)
    if not rid or not ID_RE.match(rid):
        raise NewError(f"cannot make an id from {title!r}; use a title with letters or digits", usage=True)
    for folder in FOLDERS.values():
        for suffix in (".yaml", ".yml", ".md"):
            existing = site / CONTENT_DIR / folder / f"{rid}{suffix}"
            if existing.exists():
                raise NewError(f"id '{rid}' is taken by {existing.relative_to(site)}; choose another title")
    suffix = ".md" if kind == "brief" else ".yaml"
    path = site / CONTENT_DIR / FOLDERS[kind] / f"{rid}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _template(kind, title, (today or dt.date.today()).isoformat())
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    return path


def _template(kind: str, title: str, today: str) -> str:
    name_field = "name" if kind == "actor" else "title"
    lines = [f"{name_field}: {json.dumps(title, ensure_ascii=False)}"]
    first = {
        "actor": ["kind: person  # person | organization | state | media | other"],
        "event": ["kind: other  # summit | meeting | forum | sanctions | statement | other", f"date: {today}"],
        "outcome": [
            "event:   # id of the event that produced it (required)",
            "kind: proposal  # proposal | declaration | decision | pledge | agreement | strategy | other",
            "status: proposed  # proposed | adopted | in-progress | implemented | stalled | rejected",
        ],
        "brief": [f"date: {today}", "summary: ", "draft: true  # remove when it is ready to publish"],
        "source": [],
    }[kind]
    lines += first
    written = {line.split(":")[0] for line in lines}
    optional = [f.name for f in SCHEMA[kind] if f.name not in written and not f.required]
    lines += [f"# {name}:" for name in optional]
    if kind == "brief":
        # the hints sit in code spans so that, left in place, they are not links to check
        return (
            "---\n" + "\n".join(lines) + "\n---\n\nWrite the brief here. Link records with `[[id]]`, "
            "dates with `[[2026-01-31]]`, cite sources with `[@source-id]`.\n"
        )
    return "\n".join(lines) + "\n"
