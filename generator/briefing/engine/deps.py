"""Dependencies recorded where data is read, not in a hand-kept graph.

While a page renders, its view models read the library through the proxies
here; every read adds a *key* naming what was read (a record's title, one
entry of a derived index such as an actor's backlinks, the whole timeline, a
template). After the next change, a key whose value's fingerprint differs
marks every page that read it for re-rendering. A new ``[[x]]`` link changes
``x``'s backlinks entry, so exactly the pages that show those backlinks are
re-rendered; a deleted record changes every ``has`` key that asked for it.

Keys are tuples of strings:

- ``("r", id, attr)``: an attribute of a record (``title``, ``kind``, ``date``,
  ``body``, ``data``...); ``("f", id, name)``: one field; ``("F", id)``: all fields.
- ``("has", id)``: whether a record exists (what a membership test asks).
- ``("ix", name, key)``: one entry of a library index; ``("in", name, key)``: whether
  it has that entry; ``("IX", name)``: all of it.
- ``("tpl", name)``: a template, found or not; ``("v", name, key)``: a virtual
  input that the renderer derives (a date's child dates, the page list).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from briefing.content.model import Record
from briefing.library.records import Library

Key = tuple[str, ...]
RECORD_ATTRS = ("kind", "title", "date", "draft", "body", "data", "path", "body_line", "refs", "date_links")
INDEXES = (
    "by_kind",
    "mentions",
    "mentioned_by",
    "date_mentions",
    "members",
    "co_mentions",
    "related",
    "quotes_by_speaker",
    "quotes_at_event",
    "outcomes_by_event",
    "outcomes_by_actor",
    "events_by_actor",
    "brief_sources",
    "dates",
    "dated_by_record",
    "tags",
    "watch_by_record",
    "series",
    "parts",
    "placed",
)
WHOLE = ("timeline", "drafts")  # read as a whole


class _Missing:
    """Stands for an absent value; its repr is stable, unlike ``object()``'s."""

    def __repr__(self) -> str:
        return "<missing>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Missing)

    def __hash__(self) -> int:
        return 0


_MISSING = _Missing()


def fingerprint(value: Any) -> bytes:
    """A stable digest of a value (stable across processes, unlike ``hash``)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=12).digest()


class NumberedKeys(Collection[Key]):
    """A page's keys as numbers into a list of keys that many pages share (a render
    worker's): made into keys only when iterated. The parent of the render workers
    gets them this way and leaves the numbers as they are; the state (``cache.Deps``),
    which a forked child makes after the command returns, translates each list once."""

    __slots__ = ("ids", "keys")

    def __init__(self, keys: list[Key], ids: array[int]) -> None:
        self.keys, self.ids = keys, ids

    def __iter__(self) -> Iterator[Key]:
        return map(self.keys.__getitem__, self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, key: object) -> bool:
        return any(self.keys[i] == key for i in self.ids)


class Recorder:
    """The keys read while one page renders; the renderer swaps ``keys`` per page.

    In a render worker (``number_keys``) a key is kept as its number in ``numbered``,
    given when the worker first reads it: pages' sets and the memos replayed into them
    then hold small ints, and a page's keys go to the parent as they are. Numbering each
    page's keys after it rendered cost a worker a lookup of every key of every page: a key tuple's
    hash is not kept, and 1.5 million were looked up."""

    def __init__(self) -> None:
        self.keys: set[Any] | None = None
        self.numbered: list[Key] | None = None  # with ``number_keys``: the keys by number
        self._numbers: dict[Key, int] = {}

    def add(self, key: Key) -> None:
        if self.keys is not None:
            self.keys.add(key)

    def start(self, keys: Iterable[Key]) -> None:
        """Record a page from now on, starting with ``keys``."""
        self.keys = set(keys) if self.numbered is None else set(map(self.number, keys))

    def number_keys(self) -> None:
        """Keep keys as numbers from now on (see above), for pages started after this."""
        self.numbered, self._numbers = [], {}
        self.add = self._add_number  # type: ignore[method-assign]

    def number(self, key: Key) -> int:
        found = self._numbers.get(key)
        if found is None:
            assert self.numbered is not None
            found = self._numbers[key] = len(self.numbered)
            self.numbered.append(key)
        return found

    def _add_number(self, key: Key) -> None:
        keys = self.keys
        if keys is not None:
            try:
                keys.add(self._numbers[key])
            except KeyError:
                keys.add(self.number(key))


class _IndexView(Mapping[str, Any]):
    """One library index, recording which entries are read."""

    def __init__(self, name: str, data: dict[str, Any], rec: Recorder) -> None:
        self._name, self._data, self._rec = name, data, rec

    def __getitem__(self, key: str) -> Any:
        self._rec.add(("ix", self._name, key))
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._rec.add(("ix", self._name, key))
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._rec.add(("in", self._name, str(key)))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._rec.add(("IX", self._name))
        return iter(self._data)

    def __len__(self) -> int:
        self._rec.add(("IX", self._name))
        return len(self._data)


class _FieldsView(Mapping[str, Any]):
    def __init__(self, rid: str, fields: dict[str, Any], rec: Recorder) -> None:
        self._rid, self._fields, self._rec = rid, fields, rec

    def __getitem__(self, key: str) -> Any:
        self._rec.add(("f", self._rid, key))
        return self._fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._rec.add(("f", self._rid, key))
        return self._fields.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._rec.add(("f", self._rid, str(key)))
        return key in self._fields

    def __iter__(self) -> Iterator[str]:
        self._rec.add(("F", self._rid))
        return iter(self._fields)

    def __len__(self) -> int:
        self._rec.add(("F", self._rid))
        return len(self._fields)


class _RecordView:
    """A record whose attribute reads are recorded; ``id`` is free (it is the key)."""

    def __init__(self, record: Record, rec: Recorder) -> None:
        self._record, self._rec = record, rec
        self.id = record.id
        self.fields = _FieldsView(self.id, record.fields, rec)

    def __getattr__(self, name: str) -> Any:
        self._rec.add(("r", self.id, name))
        return getattr(self._record, name)


class _RecordsView(Mapping[str, Any]):
    """The records, each seen through one ``_RecordView`` made when first asked for."""

    def __init__(self, records: dict[str, Record], rec: Recorder) -> None:
        self._records, self._rec = records, rec
        self._views: dict[str, _RecordView] = {}

    def _view(self, rid: str, record: Record) -> _RecordView:
        view = self._views.get(rid)
        if view is None:
            view = self._views[rid] = _RecordView(record, self._rec)
        return view

    def __getitem__(self, rid: str) -> _RecordView:
        return self._view(rid, self._records[rid])

    def get(self, rid: str, default: Any = None) -> Any:
        self._rec.add(("has", rid))
        record = self._records.get(rid)
        return default if record is None else self._view(rid, record)

    def __contains__(self, rid: object) -> bool:
        self._rec.add(("has", str(rid)))
        return rid in self._records

    def __iter__(self) -> Iterator[str]:
        self._rec.add(("IX", "records"))
        return iter(self._records)

    def __len__(self) -> int:
        self._rec.add(("IX", "records"))
        return len(self._records)


class RecordingLibrary:
    """The library as view models see it: same fields and methods, reads recorded."""

    get = Library.get
    kind_of = Library.kind_of
    path_of = Library.path_of
    mentioned_by_kind = Library.mentioned_by_kind

    def __init__(self, lib: Library, rec: Recorder) -> None:
        self._lib, self._rec = lib, rec
        self.config = lib.config
        self.records = _RecordsView(lib.records, rec)  # type: ignore[arg-type]
        for name in INDEXES:
            setattr(self, name, _IndexView(name, getattr(lib, name), rec))

    def __getattr__(self, name: str) -> Any:  # timeline, drafts and anything added later
        self._rec.add(("IX", name))
        return getattr(self._lib, name)


class RecordingMapping(Mapping[str, Any]):
    """A plain mapping (the Markdown link targets) whose lookups are recorded."""

    def __init__(self, name: str, data: Mapping[str, Any], rec: Recorder) -> None:
        self._name, self._data, self._rec = name, data, rec

    def __getitem__(self, key: str) -> Any:
        self._rec.add(("v", self._name, key))
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._rec.add(("v", self._name, key))
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._rec.add(("v", self._name, str(key)))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._rec.add(("V", self._name))
        return iter(self._data)

    def __len__(self) -> int:
        self._rec.add(("V", self._name))
        return len(self._data)


class Snapshot:
    """What keys stand for in one build: the library, the renderer's derived inputs
    and the templates' fingerprints. Two snapshots' values of a key are compared
    with ``==``; a record's own values are compared by fingerprint, which is
    stricter (``1 == True``, but they print differently)."""

    def __init__(
        self, lib: Library, virtual: Mapping[str, Mapping[str, Any]], templates: Callable[[str], bytes]
    ) -> None:
        self.lib, self.virtual, self.templates = lib, virtual, templates

    def value(self, key: Key) -> Any:
        tag = key[0]
        lib = self.lib
        if tag == "f":
            r = lib.records.get(key[1])  # type: ignore[call-overload]
            return fingerprint(_MISSING if r is None else r.fields.get(key[2], _MISSING))
        if tag == "r":
            r = lib.records.get(key[1])  # type: ignore[call-overload]
            return fingerprint(_MISSING if r is None else getattr(r, key[2], _MISSING))
        if tag == "F":
            r = lib.records.get(key[1])  # type: ignore[call-overload]
            return fingerprint(_MISSING if r is None else r.fields)
        if tag == "has":
            return key[1] in lib.records
        if tag == "in":
            return key[2] in getattr(lib, key[1])
        if tag == "ix":
            return getattr(lib, key[1]).get(key[2], _MISSING)
        if tag == "IX":
            return list(lib.records) if key[1] == "records" else getattr(lib, key[1], _MISSING)
        if tag == "v":
            return self.virtual[key[1]].get(key[2], _MISSING)
        if tag == "V":
            return self.virtual[key[1]]
        if tag == "tpl":
            return self.templates(key[1])
        raise ValueError(f"unknown dependency key {key!r}")


RECORD_TAGS = frozenset({"f", "r", "F", "has"})
INDEX_TAGS = frozenset({"ix", "in", "IX"})  # keys whose second part names a library index


def record_of(key: Key) -> str | None:
    """The record a key belongs to, when its value can only change with that record."""
    if key[0] in RECORD_TAGS:
        return key[1]
    if key[0] == "v" and key[1] == "link":
        return key[2]
    return None
