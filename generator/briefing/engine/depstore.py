"""Which output paths read which keys, stored compactly (see ``deps`` for the keys).

A large site has millions of page-key pairs, slow to save and load as Python sets. Here
keys and paths are numbered, and both directions are arrays of
numbers, grouped by the record each key belongs to, so a build after a one-file edit
looks at a few hundred of 250,000 keys.
"""

from __future__ import annotations

import ast
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import filterfalse
from typing import Any

from briefing.engine.deps import INDEX_TAGS, Key, NumberedKeys, record_of

_US, _RS = "\x1f", "\x1e"  # unit and record separators: never in ids, names or paths
_ODD = "\0"  # starts the repr of a key that holds one anyway


class _Groups:
    """Arrays of numbers by number (key id -> reader ids, path id -> key ids): one flat
    array as loaded, and the groups changed since in a dict beside it, so loading
    makes three objects instead of one per group."""

    def __init__(self) -> None:
        self.flat: array[int] = array("i")
        self.ends: array[int] = array("q")  # group i is flat[ends[i - 1]:ends[i]]
        self.changed: dict[int, array[int]] = {}

    def get(self, i: int) -> array[int] | None:
        """Group ``i``, or None when empty; not to be changed (see ``edit``)."""
        group = self.changed.get(i)
        if group is None and i < len(self.ends):
            group = self.flat[self.ends[i - 1] if i else 0 : self.ends[i]]
        return group or None

    def edit(self, i: int) -> array[int]:
        group = self.changed.get(i)
        if group is None:
            group = self.changed[i] = self.get(i) or array("i")
        return group

    def size(self) -> int:
        return max(len(self.ends), max(self.changed, default=-1) + 1)

    def packed(self) -> tuple[array[int], array[int]]:
        if not self.changed:
            return self.flat, self.ends
        flat, ends = array("i"), array("q")
        for i in range(self.size()):
            flat.extend(self.get(i) or ())
            ends.append(len(flat))
        return flat, ends

    def load(self, flat: array[int], ends: array[int]) -> None:
        self.flat, self.ends, self.changed = flat, ends, {}


class Deps:
    """Which output paths read which keys, stored compactly: keys and paths are
    numbered, and both directions are arrays of numbers (a large site has millions of
    page-key pairs, slow to save and load as Python sets).

    Keys are kept as strings (the parts joined by ``_US``) and made tuples when
    asked for, and the keys are saved grouped by the record they belong to: a
    build after a one-file edit looks at a few hundred of 250,000 keys.
    """

    def __init__(self) -> None:
        self._keys: list[str] = []  # key id -> the key's parts joined by _US
        self.paths: list[str] = []
        self._page_keys = _Groups()  # path id -> key ids
        self._readers = _Groups()  # key id -> path ids
        self._key_ids: dict[str, int] | None = None
        self._path_ids: dict[str, int] | None = None
        self._owned: dict[str, array[int]] = {}  # record id -> ids of the keys it owns
        self._unowned: dict[str, array[int]] = {}  # kind of key (and index) -> ids of keys no record owns
        self._owned_count = 0  # keys grouped so far

    def __getstate__(self) -> dict[str, Any]:
        self._by_record()
        rids = list(self._owned)
        owned_flat, owned_ends = array("i"), array("q")
        for rid in rids:
            owned_flat.extend(self._owned[rid])
            owned_ends.append(len(owned_flat))
        return {
            "keys": _RS.join(self._keys),
            "paths": self.paths,
            "page_keys": self._page_keys.packed(),
            "readers": self._readers.packed(),
            "owned": (_RS.join(rids), owned_ends, owned_flat),
            "unowned": self._unowned,
        }

    def __setstate__(self, data: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        self._keys = data["keys"].split(_RS) if data["keys"] else []
        self.paths = data["paths"]
        self._page_keys.load(*data["page_keys"])
        self._readers.load(*data["readers"])
        rids, ends, flat = data["owned"]
        start = 0
        for rid, end in zip(rids.split(_RS) if rids else [], ends, strict=True):
            self._owned[rid] = flat[start:end]
            start = end
        self._unowned = data["unowned"]
        self._owned_count = len(self._keys)

    @classmethod
    def of(cls, pages: Iterable[tuple[str, Iterable[Key]]]) -> Deps:
        """The dependencies of every page at once (a whole site's: millions of pairs),
        in C loops rather than ``set`` page by page."""
        deps = cls()
        ids: dict[Key, int] = {}
        keys, paths = deps._keys, deps.paths
        page_flat, page_ends = array("i"), array("q")
        # a render worker's list of keys -> their numbers here, made once per list rather
        # than looking up each of a page's keys (5 million at 10,000 briefs)
        translated: dict[int, tuple[list[Key], list[int]]] = {}
        for path, read in pages:
            paths.append(path)
            if isinstance(read, NumberedKeys):
                theirs, ours = translated.setdefault(id(read.keys), (read.keys, []))
                for key in theirs[len(ours) :]:
                    if key not in ids:
                        ids[key] = len(keys)
                        keys.append(_joined(key))
                    ours.append(ids[key])
                page_flat.extend(map(ours.__getitem__, read.ids))
            else:
                for key in filterfalse(ids.__contains__, read):  # ``filterfalse`` and ``map`` loop in C
                    ids[key] = len(keys)
                    keys.append(_joined(key))
                page_flat.extend(map(ids.__getitem__, read))
            page_ends.append(len(page_flat))
        groups = [array("i") for _ in keys]
        add = [group.append for group in groups]
        start = 0
        for pid, end in enumerate(page_ends):
            for kid in page_flat[start:end]:
                add[kid](pid)
            start = end
        flat, ends = array("i"), array("q")
        for group in groups:
            flat.extend(group)
            ends.append(len(flat))
        deps._page_keys.load(page_flat, page_ends)
        deps._readers.load(flat, ends)
        return deps

    def key(self, kid: int) -> Key:
        joined = self._keys[kid]
        if joined.startswith(_ODD):
            return tuple(ast.literal_eval(joined[1:]))
        return tuple(joined.split(_US))

    def _ids(self) -> tuple[dict[str, int], dict[str, int]]:
        if self._key_ids is None or self._path_ids is None:
            self._key_ids = {k: i for i, k in enumerate(self._keys)}
            self._path_ids = {p: i for i, p in enumerate(self.paths)}
        return self._key_ids, self._path_ids

    def remove(self, path: str) -> None:
        _, path_ids = self._ids()
        pid = path_ids.get(path)
        if pid is None:
            return
        for kid in self._page_keys.get(pid) or ():
            with suppress(ValueError):
                self._readers.edit(kid).remove(pid)
        self._page_keys.changed[pid] = array("i")

    def set(self, path: str, keys: Iterable[Key]) -> None:
        """Record that ``path`` read ``keys`` (and nothing it read before).

        Only the difference from what it read before is applied: a page rendered
        again after a prose edit mostly reads the same keys, and some keys (the
        base template) have every page among their readers."""
        key_ids, path_ids = self._ids()
        pid = path_ids.get(path)
        if pid is None:
            pid = path_ids[path] = len(self.paths)
            self.paths.append(path)
        ids = array("i")
        for key in keys:
            joined = _joined(key)
            kid = key_ids.get(joined)
            if kid is None:
                kid = key_ids[joined] = len(self._keys)
                self._keys.append(joined)
            ids.append(kid)
        before = set(self._page_keys.get(pid) or ())
        after = set(ids)
        for kid in before - after:
            with suppress(ValueError):
                self._readers.edit(kid).remove(pid)
        for kid in after - before:
            self._readers.edit(kid).append(pid)
        self._page_keys.changed[pid] = ids

    def items(self) -> Iterator[tuple[Key, array[int]]]:
        """Every key some page read, with the ids of the pages (see ``path``)."""
        for kid in range(len(self._keys)):
            readers = self._readers.get(kid)
            if readers is not None:
                yield self.key(kid), readers

    def keys_of(self, records: Iterable[str], unowned: Callable[[str, str], bool]) -> Iterator[tuple[Key, array[int]]]:
        """The keys that belong to ``records`` (see ``deps.record_of``), and the keys no
        record owns for which ``unowned(kind, index)`` is true (``index`` names the
        library index of ``ix``, ``in`` and ``IX`` keys, else ""); with their readers."""
        owned, groups = self._by_record()
        ids = [kid for rid in records for kid in owned.get(rid, ())]
        for group, members in groups.items():
            tag, _, name = group.partition(_US)
            if unowned(tag, name):
                ids += members
        for kid in ids:
            readers = self._readers.get(kid)
            if readers is not None:
                yield self.key(kid), readers

    def _by_record(self) -> tuple[dict[str, array[int]], dict[str, array[int]]]:
        """Key ids by owning record, and the rest by kind of key and index, kept up to date
        as keys are added (and saved, so a loaded state need not group 250,000 keys again)."""
        for kid in range(self._owned_count, len(self._keys)):
            key = self.key(kid)
            rid = record_of(key)
            if rid is not None:
                self._owned.setdefault(rid, array("i")).append(kid)
            else:
                group = f"{key[0]}{_US}{key[1]}" if key[0] in INDEX_TAGS else key[0]
                self._unowned.setdefault(group, array("i")).append(kid)
        self._owned_count = len(self._keys)
        return self._owned, self._unowned

    def path(self, pid: int) -> str:
        return self.paths[pid]


def _joined(key: Key) -> str:
    joined = _US.join(key)
    if _RS in joined or joined.count(_US) != len(key) - 1 or joined.startswith(_ODD):
        joined = _ODD + repr(key)  # a separator in a part: never seen, but stay exact
    return joined
