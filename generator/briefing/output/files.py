"""Files of an output folder, written with plain ``os`` calls: the low-level half of writing.

``write`` (the swap of a whole new folder) and the engine (updating a spare folder,
workers writing pages) both write through here: every path is checked to stay inside
its folder, every error names its file, and no half-written file is left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import os
from pathlib import Path

_OLD = ".old-"
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output folder is unsafe to replace; the message says why."""


def check_inside(root: Path, rel: str) -> None:
    # Paths come from ids and tags, which are checked, but stay defensive: no
    # absolute paths, no "..", so nothing is written outside the folder.
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise OutputError(f"refusing to write outside the output folder: {rel}")


def mkdirs(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        _make_folder(str(folder))
        made.add(folder)


def _make_folder(folder: str) -> None:
    try:
        os.mkdir(folder)  # most often its parent is there already
    except FileExistsError:
        if not os.path.isdir(folder):
            raise
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def write_new(root: Path, rel: str, data: bytes, made: set[Path] | None = None) -> None:
    """Write a file of a new output, and its folder if need be; without ``made`` (folders
    made so far) in plain ``os`` calls on strings, cheaper than ``pathlib`` and ``open``
    over thousands of pages."""
    check_inside(root, rel)
    path = f"{root}/{rel}"
    folder = os.path.dirname(path)
    if made is None:
        _make_folder(folder)
    else:
        mkdirs(Path(folder), made)
    write_bytes(path, data)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Create or truncate ``path`` and write ``data``. An error names the file (``os.write``
    names none), and a file the error cut short is removed: a full disk leaves no
    half-written page behind."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
    os.close(fd)


def digest(data: bytes) -> bytes:
    """An output file's digest: what tells a later build that its bytes are unchanged.
    SHA-256, which most processors now run in hardware (faster there than BLAKE2b)."""
    return hashlib.sha256(data).digest()[:16]


def swap(new: Path, out: Path) -> None:
    """Make ``new`` the output; afterwards ``new`` holds the old output, if any."""
    if out.exists() and _exchange(new, out):
        return
    if out.exists():
        old = out.parent / f"{out.name}{_OLD}{os.getpid()}"
        os.rename(out, old)
        os.rename(new, out)
        os.rename(old, new)
    else:
        os.rename(new, out)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    # find_library runs ldconfig in a subprocess: once per process is enough
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths in one step (Linux 3.15+)."""
    libc = _libc()
    if libc is None:
        return False
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    res = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(res == 0)
