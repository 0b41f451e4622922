"""What one build leaves for the next: parsed records, each page's recorded
dependencies and output digest, and the fingerprints those dependencies had.

The Builder keeps a ``State`` in memory between builds; ``briefing build`` also
saves it in ``.briefing-cache/`` in the site folder. A saved state is used only
when it was written by the same generator source and the same Python; one that
cannot be read, or was written by anything else, is ignored (never trusted).
"""

from __future__ import annotations

import dataclasses
import fcntl
import gc
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.content.model import Record
from briefing.diagnostics import Diagnostic
from briefing.engine.deps import Key
from briefing.engine.depstore import Deps
from briefing.engine.inputs import Listing, Stat
from briefing.engine.parse import Parsed
from briefing.library.records import Library
from briefing.output import search

CACHE_DIR = ".briefing-cache"
STATE_FILE = "state.pickle"
RECORDS_FILE = "records-{}.pickle"
REBASE_RECORDS = 200  # records apart from the records file before it is written again
HEAD_FILE = "head.pickle"  # the little a build needs to see that nothing changed
LOCK_FILE = "lock"
FORMAT = 12  # bump when State changes shape
PACKAGE = Path(__file__).resolve().parent.parent  # briefing/: its source keys the cache


@dataclass
class PageState:
    deps: Collection[Key]  # what the page read; empty once recorded in ``State.deps``
    digest: bytes  # of the output bytes


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
    searched: Searched | None = None  # what the search index holds; None without one


@dataclass(frozen=True)
class Searched:
    """What the search index holds after a build (see ``engine.search``)."""

    indexed: frozenset[str]  # output paths of the pages in it
    pending: frozenset[int] = frozenset()  # shards older than their pages (the dev server catches up)

    @property
    def count(self) -> int:
        return search.shard_count(len(self.indexed))


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
    all, and one is triggered every time enough
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
