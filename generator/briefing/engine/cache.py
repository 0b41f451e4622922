"""What one build leaves for the next: parsed records, each page's recorded
dependencies and output digest, and the fingerprints those dependencies had.

The Builder keeps a ``State`` in memory between builds; ``briefing build`` also
saves it in ``.briefing-cache/`` in the site folder. A saved state is used only
when it was written by the same generator source and the same Python; one that
cannot be read, or was written by anything else, is ignored (never trusted).
"""

from __future__ import annotations

import ast
import dataclasses
import fcntl
import gc
import hashlib
import os
import pickle
import sys
import time
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import filterfalse
from pathlib import Path
from typing import Any

from briefing.content.model import Record
from briefing.diagnostics import Diagnostic
from briefing.engine.deps import INDEX_TAGS, Key, NumberedKeys, record_of
from briefing.library.records import Library

CACHE_DIR = ".briefing-cache"
STATE_FILE = "state.pickle"
RECORDS_FILE = "records-{}.pickle"
REBASE_RECORDS = 200  # records apart from the records file before it is written again
HEAD_FILE = "head.pickle"  # the little a build needs to see that nothing changed
LOCK_FILE = "lock"
FORMAT = 10  # bump when State changes shape
PACKAGE = Path(__file__).resolve().parent.parent  # briefing/: its source keys the cache

Stat = tuple[int, int, int]  # size, mtime_ns, inode
Listing = tuple[frozenset[str], list[tuple[str, str]], list[Diagnostic]]


@dataclass
class Parsed:
    """One content file as last read: its stat, digest, record and diagnostics."""

    stat: Stat
    digest: str
    kind: str
    record: Record | None
    diags: list[Diagnostic]


@dataclass
class PageState:
    deps: Collection[Key]  # what the page read; empty once recorded in ``State.deps``
    digest: bytes  # of the output bytes


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
    numbered, and both directions are arrays of numbers (a 10,000-brief site has
    millions of page-key pairs; as Python sets they took seconds to save and load).

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
        about five times faster than ``set`` page by page."""
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


@dataclass
class State:
    """Everything a build needs from the last successful one."""

    key: bytes  # generator, Python, options, site.toml and git dates
    scan: dict[str, Stat]  # every input file: content, theme, site.toml
    scanned_at: int  # time.time_ns() when the scan began
    parsed: dict[str, Parsed]
    library: Library
    identities: dict[str, tuple[Any, ...]]  # every validated record's id -> what it was
    resolve_diags: list[Diagnostic]
    diags: list[Diagnostic]  # of the whole build, replayed when nothing changed
    pages: dict[str, PageState]  # output path -> state
    virtual: dict[str, dict[str, Any]]  # the renderer's derived inputs (link targets, date children...)
    templates: dict[str, bytes]  # fingerprint of every template some page asked for
    deps: Deps = field(default_factory=Deps)  # which pages read which keys
    out_identity: tuple[int, ...] | None = None
    spare_identity: tuple[int, ...] | None = None  # the previous output, kept for the next write
    spare_digests: dict[str, bytes] | None = None  # what it holds
    listing: Listing | None = None  # content/'s names, and the content files and diagnostics they gave
    records_base: RecordsBase | None = None  # the saved records file this state's records came from


@dataclass
class RecordsBase:
    """A records file in the cache folder and what it holds (content path -> record).

    The records are most of the state (their text, fields and positions) and a
    one-file edit changes one of them: the state is saved with only the records
    that differ from the last records file, which is written again only when many
    do. Saving after an edit then takes a third of the time it took.
    """

    token: str  # in the file's name
    records: dict[str, Record]


@dataclass
class Head:
    """Enough of the state to tell that nothing changed, without loading the rest."""

    key: bytes
    scan: dict[str, Stat]
    scanned_at: int
    out_identity: tuple[int, ...] | None
    diags: list[Diagnostic]
    paths: list[str]

    @staticmethod
    def of(state: State) -> Head:
        return Head(state.key, state.scan, state.scanned_at, state.out_identity, state.diags, list(state.pages))


def generator_key() -> bytes:
    """The generator's own source and the Python running it: a cache from any other is void.

    Read afresh each time (a millisecond or two): a long-lived process must not
    trust a cache written by a generator whose source changed under it.
    """
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


class _Unpickler(pickle.Unpickler):
    """Only the generator's own classes and plain values: a cache file is data, not code."""

    ALLOWED = ("briefing.", "builtins", "datetime", "collections", "array")

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in ("eval", "exec", "compile", "open", "__import__", "getattr"):
            raise pickle.UnpicklingError(f"refusing {module}.{name}")
        if not module.startswith(self.ALLOWED):
            raise pickle.UnpicklingError(f"refusing {module}.{name}")
        return super().find_class(module, name)


def _lock_file(site: Path) -> int | None:
    """The cache's lock file, open; None when the cache folder cannot be made."""
    try:
        (site / CACHE_DIR).mkdir(exist_ok=True)
        return os.open(site / CACHE_DIR / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None


@contextmanager
def _locked(site: Path, exclusive: bool) -> Iterator[None]:
    """Saving holds the cache's lock exclusively, loading shares it: a build that starts
    while the last one's state is still being saved waits for it instead of reading half."""
    fd = _lock_file(site)
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def save_in_background(site: Path, make_state: Callable[[], State]) -> None:
    """Make and save the state in a forked child, so the command returns once the output
    is in place; the next build waits on the lock if the child has not finished. The
    command line needs no state after its build: making it is left to the child too."""
    if not hasattr(os, "fork"):
        save(site, make_state())
        return
    fd = _lock_file(site)
    if fd is None:
        return
    fcntl.flock(fd, fcntl.LOCK_EX)  # taken before forking, so no build can slip in between
    pid = os.fork()
    if pid == 0:  # the child: save, release the lock (by exiting), never return
        try:
            null = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):  # let whoever reads our output see its end now
                os.dup2(null, stream)
            _save(site, make_state())
        finally:
            os._exit(0)
    os.close(fd)  # the child keeps the lock until it exits


def load(site: Path) -> State | None:
    """The saved state, or None when absent, unreadable or from another generator.

    What it holds lives as long as the process: it is moved out of the cyclic
    garbage collector's sight (``gc.freeze``), which would otherwise walk its
    millions of objects again and again during the build.
    """
    with _locked(site, exclusive=False):
        saved = _load(site / CACHE_DIR / STATE_FILE)
        state = _joined_state(site, saved)
    gc.freeze()
    return state


def _joined_state(site: Path, saved: Any) -> State | None:
    """The state with the records it left out (see ``RecordsBase``) put back."""
    try:
        token, state, from_base, lib_from = saved
        if not isinstance(state, State) or not isinstance(token, str):
            return None
        records = _load(site / CACHE_DIR / RECORDS_FILE.format(token)) if token else {}
        if not isinstance(records, dict):
            return None
        for rel in from_base:
            state.parsed[rel].record = records[rel]
        for rid, rel in lib_from.items():
            state.library.records[rid] = records[rel]
    except Exception:  # a corrupt cache of any kind is ignored, never trusted
        return None
    state.records_base = RecordsBase(token, records) if token else None
    return state


def load_head(site: Path) -> Head | None:
    with _locked(site, exclusive=False):
        head = _load(site / CACHE_DIR / HEAD_FILE)
    return head if isinstance(head, Head) else None


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as fh, paused_gc():
            if fh.readline() != _header() + b"\n":
                return None
            return _Unpickler(fh).load()
    except Exception:  # a corrupt cache of any kind is ignored, never trusted
        return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic collector off while a build or a load makes its objects.

    A large site's state is millions of objects; each full collection walks them
    all (most of a second at 10,000 briefs), and one is triggered every time enough
    new objects survive. A build's own objects almost all die with it, freed by
    reference counting; what it keeps is the state, which lives on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def save(site: Path, state: State) -> None:
    """Write the state atomically; a failure to save only costs the next build time."""
    with _locked(site, exclusive=True):
        _save(site, state)


def _save(site: Path, state: State) -> None:
    # The head goes last: a save killed in between leaves no head, and the next
    # build then loads the whole state. A new records file is in place before the
    # state that names it; the ones no state names are removed after.
    folder = site / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        (folder / HEAD_FILE).unlink(missing_ok=True)
        base = state.records_base
        if base is not None and not (folder / RECORDS_FILE.format(base.token)).is_file():
            base = None
        if base is None or _apart(state, base) > max(REBASE_RECORDS, len(base.records) // 20):
            records = {rel: p.record for rel, p in state.parsed.items() if p.record is not None}
            base = RecordsBase(f"{time.time_ns()}-{os.getpid()}", records)
            _dump(folder / RECORDS_FILE.format(base.token), records)
        _dump(folder / STATE_FILE, _split_state(state, base))
        state.records_base = base
        for old in folder.glob(RECORDS_FILE.format("*")):
            if old.name != RECORDS_FILE.format(base.token):
                old.unlink(missing_ok=True)
        _dump(folder / HEAD_FILE, Head.of(state))
    except OSError:
        pass


def _apart(state: State, base: RecordsBase) -> int:
    """How many of the state's records are not in ``base``."""
    return sum(1 for rel, p in state.parsed.items() if p.record is not None and base.records.get(rel) is not p.record)


def _split_state(state: State, base: RecordsBase) -> tuple[str, State, list[str], dict[str, str]]:
    """The state without the records that ``base`` holds, and where they go back."""
    where = {id(record): rel for rel, record in base.records.items()}
    parsed: dict[str, Parsed] = {}
    from_base: list[str] = []
    for rel, p in state.parsed.items():
        if p.record is not None and base.records.get(rel) is p.record:
            from_base.append(rel)
            p = dataclasses.replace(p, record=None)
        parsed[rel] = p
    records: dict[Any, Any] = {}
    lib_from: dict[str, str] = {}
    for rid, record in state.library.records.items():
        found = where.get(id(record))
        if found is not None and base.records[found] is record:
            lib_from[rid] = found
            records[rid] = None
        else:
            records[rid] = record
    library = dataclasses.replace(state.library, records=records)
    stripped = dataclasses.replace(state, parsed=parsed, library=library, records_base=None)
    return base.token, stripped, from_base, lib_from


def _dump(path: Path, value: Any) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh, paused_gc():
            fh.write(_header() + b"\n")
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # a full disk: leave no half-written file to fill it further
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def _header() -> bytes:
    return f"briefing-cache {FORMAT} ".encode() + generator_key().hex().encode()
