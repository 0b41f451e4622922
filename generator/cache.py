"""What one build leaves for the next: parsed records, each page's recorded
dependencies and output digest, and the fingerprints those dependencies had.

The Builder keeps a ``State`` in memory between builds; ``briefing build`` also
saves it in ``.briefing-cache/`` in the site folder. A saved state is used only
when it was written by the same generator source and the same Python; one that
cannot be read, or was written by anything else, is ignored (never trusted).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.deps import Key
from generator.diagnostics import Diagnostic
from generator.library import Library
from generator.model import Record

CACHE_DIR = ".briefing-cache"
STATE_FILE = "state.pickle"
FORMAT = 1  # bump when State changes shape
GENERATOR = Path(__file__).resolve().parent

Stat = tuple[int, int, int]  # size, mtime_ns, inode


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
    deps: frozenset[Key]
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
    values: dict[Key, bytes]  # fingerprint of every key some page read
    readers: dict[Key, set[str]] = field(default_factory=dict)  # key -> output paths
    out_identity: tuple[int, int, int] | None = None


@cache
def generator_key() -> bytes:
    """The generator's own source and the Python running it: a cache from any other is void."""
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(GENERATOR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


class _Unpickler(pickle.Unpickler):
    """Only the generator's own classes and plain values: a cache file is data, not code."""

    ALLOWED = ("generator.", "builtins", "datetime", "collections")

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in ("eval", "exec", "compile", "open", "__import__", "getattr"):
            raise pickle.UnpicklingError(f"refusing {module}.{name}")
        if not module.startswith(self.ALLOWED):
            raise pickle.UnpicklingError(f"refusing {module}.{name}")
        return super().find_class(module, name)


def load(site: Path) -> State | None:
    """The saved state, or None when absent, unreadable or from another generator."""
    path = site / CACHE_DIR / STATE_FILE
    try:
        data = path.read_bytes()
        header, _, body = data.partition(b"\n")
        if header != _header():
            return None
        state = _Unpickler(io.BytesIO(body)).load()
    except Exception:  # a corrupt cache of any kind is ignored, never trusted
        return None
    return state if isinstance(state, State) else None


def save(site: Path, state: State) -> None:
    """Write the state atomically; a failure to save only costs the next build time."""
    folder = site / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        tmp = folder / f"{STATE_FILE}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(_header() + b"\n")
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / STATE_FILE)
    except OSError:
        pass


def _header() -> bytes:
    return f"briefing-cache {FORMAT} ".encode() + generator_key().hex().encode()
