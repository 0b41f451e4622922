"""The library: every published record keyed by id, and the indexes derived
from them. Built once by ``resolve``; read-only afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from briefing.content.config import SiteConfig
from briefing.content.dates import PartialDate
from briefing.content.model import Record, RecordId
from briefing.content.schema import FOLDERS


@dataclass(frozen=True, order=True)
class Dated:
    """One dated thing on the timeline: ``label`` says which date of the record."""

    date: PartialDate
    order: int  # kind order within a day, so output is stable
    record: RecordId
    label: str
    kind: str
    index: int = -1  # which quote or update, when it is one
    # the date as written, when the timeline shows the entry at another (``date``): a source
    # known only to the year stands where the first record citing it does, not above it
    written: PartialDate | None = field(default=None, compare=False)


@dataclass(frozen=True)
class QuoteRef:
    source: RecordId
    index: int  # position in the source's quotes list


@dataclass(frozen=True, order=True)
class WatchRef:
    """One item of what to watch: the record that holds it, and its place in that record's ``watch``."""

    holder: RecordId
    index: int


@dataclass
class Library:
    config: SiteConfig
    records: dict[RecordId, Record]
    # the drafts left out of this build, id -> title: a link to one shows its title as text
    drafts: dict[RecordId, str] = field(default_factory=dict)
    by_kind: dict[str, list[RecordId]] = field(default_factory=dict)
    mentions: dict[RecordId, list[RecordId]] = field(default_factory=dict)
    mentioned_by: dict[RecordId, dict[str, list[RecordId]]] = field(default_factory=dict)
    date_mentions: dict[str, list[RecordId]] = field(default_factory=dict)
    members: dict[RecordId, list[tuple[RecordId, dict[str, Any]]]] = field(default_factory=dict)
    co_mentions: dict[RecordId, list[tuple[RecordId, int]]] = field(default_factory=dict)
    related: dict[RecordId, list[RecordId]] = field(default_factory=dict)
    quotes_by_speaker: dict[RecordId, list[QuoteRef]] = field(default_factory=dict)
    quotes_at_event: dict[RecordId, list[QuoteRef]] = field(default_factory=dict)
    outcomes_by_event: dict[RecordId, list[RecordId]] = field(default_factory=dict)
    outcomes_by_actor: dict[RecordId, list[tuple[RecordId, str]]] = field(default_factory=dict)
    events_by_actor: dict[RecordId, list[RecordId]] = field(default_factory=dict)
    brief_sources: dict[RecordId, list[RecordId]] = field(default_factory=dict)
    timeline: list[Dated] = field(default_factory=list)
    dates: dict[str, list[Dated]] = field(default_factory=dict)
    dated_by_record: dict[RecordId, list[Dated]] = field(default_factory=dict)
    tags: dict[str, tuple[str, list[RecordId]]] = field(default_factory=dict)
    # what to watch, by due date (undated last), and the items each record holds or is named in
    watch: list[WatchRef] = field(default_factory=list)
    watch_by_record: dict[RecordId, list[WatchRef]] = field(default_factory=dict)
    as_of: PartialDate | None = None  # the date the site is written as of (``library.watch``)
    series: dict[str, tuple[str, list[RecordId]]] = field(default_factory=dict)  # slug -> (name, events by date)
    parts: dict[RecordId, list[RecordId]] = field(default_factory=dict)  # event -> the events part of it
    placed: dict[RecordId, PartialDate] = field(default_factory=dict)  # source -> where the timeline shows it

    def get(self, rid: str) -> Record | None:
        return self.records.get(RecordId(rid))

    def kind_of(self, rid: str) -> str | None:
        record = self.records.get(RecordId(rid))
        return record.kind if record else None

    def path_of(self, rid: str) -> str:
        """The page's path below the site root, e.g. ``actors/vladimir-putin/``."""
        return f"{FOLDERS[self.records[RecordId(rid)].kind]}/{rid}/"

    def mentioned_by_kind(self, rid: str, kind: str) -> list[RecordId]:
        return self.mentioned_by.get(RecordId(rid), {}).get(kind, [])


# the derived indexes: every field but the settings, the records and the drafts
INDEX_FIELDS = tuple(f.name for f in fields(Library) if f.name not in ("config", "records", "drafts"))
