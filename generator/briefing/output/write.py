"""Stage 4, write: put the rendered files in place atomically.

The new site is written to a temporary folder beside the output and swapped
in with one rename (an atomic exchange where Linux offers it), so a failed or
killed build leaves the previous output exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from briefing.output.files import OutputError, check_inside, mkdirs, swap, write_bytes, write_new

MARKER = ".briefing-output"
SPARE_MARKER = ".briefing-spare"  # in a spare output while a build updates it
_TMP, _OLD, _TRASH = ".tmp-", ".old-", ".trash-"
_TRASHED = re.compile(r"\..+\.trash-[0-9]+-[0-9]+")  # what ``discard`` names; nobody else's files


def check_output(site: Path, out: Path) -> None:
    """Refuse folders we must never replace: the site, its sources, a stranger's files."""
    site_r, out_r = site.resolve(), out.resolve()
    protected = [site_r, site_r / "content", site_r / "theme"]
    for p in protected:
        if out_r == p or p.is_relative_to(out_r):
            raise OutputError(f"refusing to write the site into {out}: it is or contains {p}")
    for p in protected[1:]:
        if out_r.is_relative_to(p):
            raise OutputError(f"refusing to write the site into {out}: it is inside {p}, the site's sources")
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out_r.is_dir() and any(out_r.iterdir()) and not (out_r / MARKER).exists():
        raise OutputError(
            f"{out} holds files that a build did not write (no {MARKER} marker); empty it or choose another --out"
        )


def clean_leftovers(out: Path) -> None:
    """Remove temporary folders that a killed build left beside the output."""
    parent = out.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith((f"{out.name}{_TMP}", f"{out.name}{_OLD}")) and entry.is_dir():
            discard(entry)


def discard(folder: Path) -> None:
    """Delete a folder without waiting for it: it is renamed aside at once (a hidden
    name beside it) and deleted by a child process, or a thread in a process that
    runs threads (a fork copies no other thread). Deleting a large site's folder
    takes tens of seconds on a slow disk; a build need not wait for it."""
    trash = folder.parent / f".{folder.name}{_TRASH}{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(folder, trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    stale = [entry for entry in folder.parent.iterdir() if _TRASHED.fullmatch(entry.name)]
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        threading.Thread(target=_delete, args=(stale,), name="briefing-discard", daemon=True).start()
        return
    pid = os.fork()
    if pid == 0:  # the child forks again and leaves, so nobody has to wait for the deleting one
        try:
            if os.fork() == 0:
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):  # whoever reads the command's output must not wait for us
                    os.dup2(null, stream)
                os.closerange(3, 1 << 16)
                _delete(stale)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _delete(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


class Staging:
    """The new output folder of a whole write, filled while the pages are still being
    rendered: a build's process mostly waits on its render workers, and writing
    fourteen thousand files there costs the write stage nothing but the last few.
    Their bytes are not kept (a large site's pages would fill memory): read back from
    the folder when a step asks.

    Nothing in it is seen until ``write_site`` swaps it in; ``discard`` drops it
    when the build fails (and does nothing once it was swapped in).
    """

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        self.folder: Path | None = None
        self.made: set[Path] = set()
        self.staged: set[str] = set()  # paths written there; their bytes are not kept in memory

    def open(self) -> Path:
        """The folder, made (beside the output, after clearing a killed build's) on first use."""
        if self.folder is None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(self.out)
            self.folder = self.out.parent / f"{self.out.name}{_TMP}{os.getpid()}"
            self.folder.mkdir()
            self.made = {self.folder}
        return self.folder

    def add(self, rel: str, data: bytes) -> None:
        write_new(self.open(), rel, data, self.made)
        self.staged.add(rel)

    def written(self, rel: str) -> None:
        """Note a file that a render worker wrote into the folder itself."""
        self.staged.add(rel)

    def discard(self) -> None:
        if self.folder is not None and self.folder.exists():
            discard(self.folder)
        self.folder, self.staged = None, set()


def write_site(
    out: Path,
    files: Mapping[str, bytes],
    keep: Iterable[str] = (),
    spare: Path | None = None,
    staging: Staging | None = None,
) -> None:
    """Write ``files`` (path -> bytes) and ``keep`` (paths whose bytes in the current
    output stay as they are) as the whole content of ``out``, in one swap.

    Kept files are hard-linked from the current output into the new folder, so a
    rebuild writes only what changed yet still replaces the folder atomically.
    With ``spare``, the previous output is moved there instead of being deleted,
    for ``update_site`` to reuse next time. Files already in ``staging`` stay as
    they are, part of the new output, unless ``files`` gives them again.
    """
    out = out.absolute()
    if staging is None or staging.out != out:
        staging = Staging(out)
    tmp, made = staging.open(), staging.made
    try:
        for rel in sorted(keep):
            _link_kept(out, tmp, rel, made)
        for rel, data in sorted(files.items()):
            write_new(tmp, rel, data, made)
        _mark(tmp)
        swap(tmp, out)
        if spare is not None and tmp.exists():
            _into_spare(tmp, spare)
    finally:
        if tmp.exists():
            discard(tmp)


def update_site(
    out: Path, files: Mapping[str, bytes], digests: Mapping[str, bytes], spare: Path, spare_digests: Mapping[str, bytes]
) -> None:
    """Bring ``spare`` (an earlier output, holding ``spare_digests``) up to ``digests``,
    then swap it in: the same atomic swap as ``write_site``, at the cost of what
    changed since the spare was the output rather than of the whole site.

    Files in ``files`` are written; any other file that differs is hard-linked from
    the current output. Files are replaced by rename, never rewritten in place,
    since the spare shares unchanged files (hard links) with the live output.
    """
    out = out.absolute()
    write_bytes(spare / SPARE_MARKER, b"A build was updating this folder; the next build deletes it.\n")
    (spare / MARKER).unlink()  # from here until the swap, the spare is not trusted
    for rel in sorted(spare_digests.keys() - digests.keys(), reverse=True):
        check_inside(spare, rel)
        (spare / rel).unlink(missing_ok=True)
        _prune(spare, (spare / rel).parent)
    made: set[Path] = {spare}
    for rel, digest in digests.items():
        if spare_digests.get(rel) == digest:
            continue
        check_inside(spare, rel)
        target = spare / rel
        mkdirs(target.parent, made)
        tmp = target.with_name(f"{target.name}{_TMP}{os.getpid()}")
        if rel in files:
            write_bytes(tmp, files[rel])
        else:
            os.link(out / rel, tmp)
        os.replace(tmp, target)
    _mark(spare)
    (spare / SPARE_MARKER).unlink()
    swap(spare, out)


def link_copy(out: Path, spare: Path, paths: Iterable[str]) -> tuple[int, ...] | None:
    """Make ``spare`` a copy of ``out`` (holding ``paths``) in hard links; return its
    identity, or None when it could not be made.

    For a build that left no usable spare (the first one, or one after ``--clean``),
    so that the next edit updates the spare instead of linking every file of the
    site into a new folder; paid here, after the command has returned, by the child that
    saves the state. Failing costs only that time.
    """
    out = out.absolute()
    tmp = spare.parent / f"{spare.name}{_TMP}{os.getpid()}"
    for left in spare.parent.glob(f"{spare.name}{_TMP}*"):  # a killed save's (one runs at a time)
        shutil.rmtree(left, ignore_errors=True)
    if not _ours(spare):
        return None
    try:
        tmp.mkdir()
        made = {tmp}
        for rel in paths:
            _link_kept(out, tmp, rel, made)
        _mark(tmp)
        made_it = _into_spare(tmp, spare)
    except OSError:
        made_it = False
    if not made_it:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return output_identity(spare)


def _into_spare(folder: Path, spare: Path) -> bool:
    """Make ``folder`` the spare output, replacing one a build wrote (never a stranger's
    folder); False when it could not: the spare only saves the next build time."""
    if not _ours(spare):
        return False
    try:
        if spare.exists():
            discard(spare)
        os.rename(folder, spare)
    except OSError:  # e.g. another build's spare got there first
        return False
    return True


def update_in_place(out: Path, files: Mapping[str, bytes], removed: Iterable[str]) -> None:
    """Replace the changed files of ``out`` one by one, for a builder that keeps its
    state in memory and whose output only its own server reads (``briefing serve``).

    A reader never sees a partly written file: each one is written beside its
    place and renamed over it. Every new file is written before the first rename,
    so a failure while writing (a full disk) removes them and leaves the output as
    it was. The marker is replaced before the renames and again after them, so the
    output's identity changes: should a rename ever fail half way, the next build
    does not trust the output and writes it whole.
    """
    out = out.absolute()
    suffix = f"{_TMP}{os.getpid()}"
    written: list[tuple[Path, Path]] = []
    made: set[Path] = {out}
    created: list[Path] = []
    try:
        for rel, data in sorted(files.items()):
            check_inside(out, rel)
            target = out / rel
            if target.parent not in made and not target.parent.is_dir():
                created.append(target.parent)
            mkdirs(target.parent, made)
            tmp = target.with_name(target.name + suffix)
            write_bytes(tmp, data)
            written.append((tmp, target))
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            _prune(out, folder)
        raise
    _mark(out)
    for tmp, target in written:
        os.replace(tmp, target)
    for rel in sorted(removed, reverse=True):
        check_inside(out, rel)
        (out / rel).unlink(missing_ok=True)
        _prune(out, (out / rel).parent)
    _mark(out)


def spare_name(out: Path) -> str:
    """The name of ``out``'s spare output in a folder that several outputs' spares share
    (the cache folder): the output's name and a digest of where it is, so that
    ``a/public`` and ``b/public``, built side by side, never replace each other's."""
    where = out.absolute().parent.resolve() / out.absolute().name
    return f"spare-{out.name}-{hashlib.sha256(os.fsencode(where)).hexdigest()[:12]}"


def _ours(folder: Path) -> bool:
    """A spare folder may be replaced only when absent or written by a build."""
    return not folder.exists() or (folder / MARKER).exists() or (folder / SPARE_MARKER).exists()


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty by a removed file, up to ``root``."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _mark(folder: Path) -> None:
    """A new marker file, so the folder's identity changes (see ``output_identity``)."""
    tmp = folder / f"{MARKER}{_TMP}{os.getpid()}"
    write_bytes(tmp, b"Written by briefing; the next build replaces this folder.\n")
    os.replace(tmp, folder / MARKER)


def output_identity(out: Path) -> tuple[int, ...] | None:
    """Identifies the output folder as a build left it: a later build trusts the files
    it did not re-render only while this is unchanged (each build swaps in a new folder
    or writes a new marker)."""
    try:
        st, marker = out.stat(), (out / MARKER).stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, marker.st_ino, marker.st_mtime_ns)


def _link_kept(out: Path, tmp: Path, rel: str, made: set[Path]) -> None:
    src, dest = out / rel, tmp / rel
    check_inside(tmp, rel)
    mkdirs(dest.parent, made)
    try:
        os.link(src, dest)
    except OSError:  # another file system, or links not allowed: copy instead
        shutil.copy2(src, dest)
