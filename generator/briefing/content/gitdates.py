"""A brief's ``updated`` date from git, when the site is a git checkout and its settings
ask for it (``[dates] updated_from_git = true``): the date a file was last committed is
not always the date its brief was reviewed, so an editor's ``updated:`` comes first."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from pathlib import Path

from briefing.content.dates import PartialDate, parse_date
from briefing.content.model import Record


def last_commit_dates(site: Path, folder: str = "content/briefs") -> dict[str, PartialDate]:
    """Path (relative to the site) -> date of its last commit; empty outside git.

    One ``git log`` for the whole folder, not one per file: 10,000 briefs
    would otherwise cost 10,000 processes. Only a site that is the top of its
    own checkout counts, so sites nested in another repository (test fixtures)
    stay byte-for-byte reproducible.
    """
    if not (site / ".git").exists():
        return {}
    try:
        proc = subprocess.run(
            ["git", "-C", str(site), "log", "--format=%x00%cs", "--name-only", "--relative", "--", folder],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if proc.returncode != 0:
        return {}
    dates: dict[str, PartialDate] = {}
    current: PartialDate | None = None
    for line in proc.stdout.splitlines():
        if line.startswith("\x00"):
            current = parse_date(line[1:])
        elif line and current is not None:
            dates.setdefault(line, current)
    return dates


def head_commit(site: Path) -> str | None:
    """The checkout's HEAD commit, or None outside git: the dates change only with it."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(site), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


class CommitDates:
    """``last_commit_dates`` for a process that builds again and again (the dev server):
    the log of a long history is read again only when HEAD moved, not on every edit."""

    def __init__(self) -> None:
        self._head: str | None = None
        self._dates: dict[str, PartialDate] = {}

    def __call__(self, site: Path) -> dict[str, PartialDate]:
        if not (site / ".git").exists():
            return {}
        head = head_commit(site)
        if head is None or head != self._head:
            self._dates = last_commit_dates(site)
            self._head = head
        return self._dates


def with_commit_dates(
    records: list[Record],
    dates: dict[str, PartialDate],
    copy: Callable[[Record, PartialDate], Record] | None = None,
) -> list[Record]:
    """Briefs without ``updated`` given their file's last commit date (``dates``, by path).

    Records are not changed in place (caches hold them): a brief gets a copy, made by
    ``copy`` when given (the engine keeps copies from one build to the next)."""
    if not dates:
        return records
    make = copy or (lambda r, date: dataclasses.replace(r, fields={**r.fields, "updated": date}))
    return [
        make(r, dates[r.path]) if r.kind == "brief" and "updated" not in r.fields and r.path in dates else r
        for r in records
    ]
