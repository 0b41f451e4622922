"""``briefing init [DIR]``: start a new site that checks and builds at once.

Like ``hugo new site`` and ``mkdocs new``, it writes a commented ``site.toml``,
the content folders and a few example records that link to each other, then
says what it wrote and what to run next. The files come from the ``starter/``
folder shipped inside the package; ``gitignore`` there becomes ``.gitignore``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from briefing.content.config import CONFIG_FILE
from briefing.content.load import CONTENT_DIR
from briefing.content.schema import FOLDERS

STARTER = "starter"
RENAMED = {"gitignore": ".gitignore"}  # a dot file would be easy to lose from the package


class InitError(Exception):
    """Why the site could not be started: a folder in use, or the machine refused a write."""


@dataclass
class Started:
    """What ``init`` wrote and what it left alone, as paths relative to the site."""

    site: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def starter_files() -> dict[str, bytes]:
    """Every file of a new site, by its path in the site."""
    out: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = RENAMED.get(child.name, child.name) if not prefix else child.name
            if child.is_dir():
                walk(child, f"{prefix}{name}/")
            elif not child.name.endswith((".pyc", "~")):
                out[f"{prefix}{name}"] = child.read_bytes()

    walk(resources.files("briefing.editing").joinpath(STARTER), "")
    return out


def init_site(site: Path, force: bool = False) -> Started:
    """Write a new site into ``site`` (created if need be). Without ``force`` the folder
    must be empty (hidden entries such as .git/ or .venv/ aside); with it, files that
    exist are kept as they are and listed as skipped."""
    if site.exists() and not site.is_dir():
        raise InitError(f"{site} is a file, not a folder; name a new or empty folder")
    files = starter_files()
    if site.is_dir() and not force:
        _refuse_unless_empty(site, files)
    result = Started(site)
    try:
        for folder in FOLDERS.values():
            path, rel = site / CONTENT_DIR / folder, f"{CONTENT_DIR}/{folder}/"
            if not path.is_dir() and not any(name.startswith(rel) for name in files):
                result.written.append(rel)  # a folder left empty: listed, as it is new
            path.mkdir(parents=True, exist_ok=True)
        for rel, data in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "xb") as fh:
                    fh.write(data)
            except FileExistsError:
                result.skipped.append(rel)
                continue
            result.written.append(rel)
    except OSError as exc:
        where = exc.filename or site
        raise InitError(f"cannot write {where}: {exc.strerror or exc}") from None
    result.written = _in_reading_order(result.written)
    result.skipped = _in_reading_order(result.skipped)
    return result


def _refuse_unless_empty(site: Path, files: dict[str, bytes]) -> None:
    if (site / CONFIG_FILE).exists():
        raise InitError(
            f"{site} already holds a site ({CONFIG_FILE}); run `briefing build` there, or pass --force "
            "to add the starter files that are missing (no file is overwritten)"
        )
    ours = {rel.split("/", 1)[0] for rel in files}
    present = sorted(p.name for p in site.iterdir() if not p.name.startswith(".") or p.name in ours)
    if present:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
        raise InitError(
            f"{site} is not empty (it holds {shown}); name a new or empty folder, or pass --force "
            "to add the site's files beside them (no file is overwritten)"
        )


def report(started: Started, shown: str) -> str:
    """What ``init`` prints: the files, then the next commands (``shown``: the folder
    as the editor named it)."""
    where = "the current folder" if shown in ("", ".") else shown
    lines = [f"Created a new briefing in {where}:"]
    lines += [f"  {rel}" for rel in started.written]
    if started.skipped:
        lines += ["Kept these files as they were:", *(f"  {rel}" for rel in started.skipped)]
    lines += ["", "The example records link to each other; edit them or replace them with your own.", "Next:"]
    if shown not in ("", "."):
        lines.append(f"  cd {shlex.quote(shown)}")
    lines += [
        "  briefing serve                  preview at http://127.0.0.1:8000, updated as you edit",
        '  briefing new actor "A Name"     add a record of your own',
        "  briefing build                  write the site to public/, ready to publish",
    ]
    return "\n".join(lines) + "\n"


def _in_reading_order(rows: list[str]) -> list[str]:
    """Settings first, then the content folders in the order of the contract."""
    order = {f"{CONTENT_DIR}/{folder}/": i for i, folder in enumerate(FOLDERS.values())}

    def key(rel: str) -> tuple[int, str]:
        if not rel.startswith(f"{CONTENT_DIR}/"):
            return (-2 if rel == CONFIG_FILE else -1, rel)
        return (order.get(rel[: rel.index("/", len(CONTENT_DIR) + 1) + 1], 99), rel)

    return sorted(rows, key=key)
