"""Errors from the machine: a full disk, a folder we may not write to, a read-only file
system, a path too long. They are no bug of ours and no mistake in the content: the
command line and the dev server say what happened, where, and what to do about it.
"""

from __future__ import annotations

import errno
import os

# errno -> what the person at the keyboard can do about it
ADVICE = {
    errno.ENOSPC: "free some space on that disk and try again",
    errno.EDQUOT: "the disk quota is used up: free some space and try again",
    errno.EACCES: "check the owner and permissions of that folder, or write somewhere else",
    errno.EPERM: "check the owner and permissions of that folder, or write somewhere else",
    errno.EROFS: "that file system is read-only: write somewhere else",
    errno.ENAMETOOLONG: "a path is too long for that file system: use a shorter folder path",
    errno.EMFILE: "too many files are open: raise the limit (ulimit -n) and try again",
    errno.ENFILE: "the system has too many files open: close some programs and try again",
    errno.EFBIG: "a file is too large for that file system: write somewhere else",
    errno.EIO: "the disk reported an input/output error: check the disk",
    errno.ENOTDIR: "part of that path is a file, not a folder",
    errno.EMLINK: "the file system allows no more links to a file: write somewhere else",
    errno.ELOOP: "that path loops through symbolic links",
}


def machine_error(exc: BaseException) -> OSError | None:
    """The error from the machine behind ``exc`` (itself, or what caused it), or None
    when it is something else: a file gone from under us is no refusal of the machine's
    but a race of ours, a bug."""
    seen: BaseException | None = exc
    for _ in range(5):
        if isinstance(seen, OSError) and seen.errno in ADVICE:
            return seen
        if seen is None:
            return None
        seen = seen.__cause__ or seen.__context__
    return None


def describe(exc: OSError) -> str:
    """``no space left on device: /path/of/the/file``."""
    what = exc.strerror or os.strerror(exc.errno or 0)
    what = what[:1].lower() + what[1:]
    where = [str(os.fsdecode(name)) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{what}: {' -> '.join(where)}" if where else what


def advice(exc: OSError) -> str:
    return ADVICE.get(exc.errno or 0, "")
