"""The records every stage after loading passes along, and their nominal types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, NewType

from briefing.content.dates import PartialDate
from briefing.content.yamlpos import Pos, PosDict

RecordId = NewType("RecordId", str)  # a valid id: lower-case ASCII, digits, hyphens


class Ref(NamedTuple):
    """A mention of another record: from a field or a Markdown link.

    A named tuple, not a dataclass: a large site has hundreds of thousands of them
    in its saved cache, and tuples load from it faster."""

    target: str
    pos: Pos
    kinds: tuple[str, ...]  # kinds the target may be; () for any
    field: str  # where it stands, e.g. "participants" or "body"
    via: str  # "field", "link", "cite", "author" (an id or a plain name), or "name-link" and
    # "name-cite": [[…]] or [@…] holding something that is not an id (a name, capitals)


class CitedQuote(NamedTuple):
    """Words in a Markdown body that citations vouch for: they must stand in the text of
    one of the ``sources`` (see ``content.quotations``)."""

    sources: tuple[str, ...]
    text: str
    pos: Pos


@dataclass
class Record:
    """A checked record: ``fields`` holds normalised values (dates parsed,
    defaults filled); ``data`` keeps the file's values and their positions."""

    id: RecordId
    kind: str
    path: str
    fields: dict[str, Any]
    data: PosDict
    body: str | None = None
    body_line: int = 1
    digest: str = ""
    refs: list[Ref] = field(default_factory=list)
    date_links: list[tuple[PartialDate, Pos]] = field(default_factory=list)
    cited_quotes: list[CitedQuote] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.fields.get("name") or self.fields.get("title") or self.id)

    @property
    def short(self) -> str:
        """What ``[[id]]`` shows in running text: ``short_name``, else the name or title."""
        return str(self.fields.get("short_name") or self.title)

    @property
    def draft(self) -> bool:
        return bool(self.fields.get("draft"))

    @property
    def date(self) -> PartialDate | None:
        value = self.fields.get("date") or self.fields.get("published")
        return value if isinstance(value, PartialDate) else None
