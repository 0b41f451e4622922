"""Partial ISO dates (``2026``, ``2026-11``, ``2026-11-27``).

A partial date means "some time in that month or year" and sorts before the
fully known dates inside it, so the sort key pads missing parts with zero.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_TEXT_RE = re.compile(r"^\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?$")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class PartialDate:
    """A year, a month or a day; ``month``/``day`` are 0 when unknown."""

    year: int
    month: int = 0
    day: int = 0

    def __str__(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def parents(self) -> list[PartialDate]:
        """This date and the coarser dates containing it, finest first."""
        out = [self]
        if self.day:
            out.append(PartialDate(self.year, self.month))
        if self.month:
            out.append(PartialDate(self.year))
        return out

    def human(self) -> str:
        if self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def after(self, other: PartialDate) -> bool:
        """Whether this date falls after every day ``other`` may be: ``2025-12`` is after
        ``2025-11-28``, but ``2025-11-30`` is not after ``2025-11``."""
        return (self.year, self.month or 1, self.day or 1) > (other.year, other.month or 12, other.day or 31)

    def iso_datetime(self) -> str:
        """An RFC 3339 timestamp at the start of the period, for feeds."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}T00:00:00Z"


def parse_date(value: object) -> PartialDate | None:
    """Accept what YAML hands over (date, int or str); None when invalid."""
    if isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value) if 1000 <= value <= 9999 else ""  # `due: 25` is a slip, not year 25
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value.strip())
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    if m[2] and not 1 <= month <= 12:
        return None
    if m[3]:
        try:
            dt.date(year, month, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def news_of_update(date: object, updated: object) -> PartialDate | None:
    """A record's ``updated`` date when it tells a reader something: given, and after
    its ``date``. Pages, JSON-LD and the feed show it only then; a brief updated the
    day it was published was not updated."""
    if not isinstance(updated, PartialDate):
        return None
    return updated if not isinstance(date, PartialDate) or updated.after(date) else None


def from_key(key: str) -> PartialDate:
    """A date page's key (``str`` of a PartialDate) back to its date."""
    date = parse_date(key)
    if date is None:
        raise ValueError(f"not a date key: {key!r}")
    return date


def is_date_text(text: str) -> bool:
    """True when ``text`` has the shape of a date link target, valid or not."""
    return _DATE_TEXT_RE.match(text) is not None
