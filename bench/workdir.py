"""The benchmark's working folder (bench/work/, git-ignored): the corpora, written once per
shape and size, and the outputs that cold runs move aside.

Shapes: ``linked`` (``corpus.py``: links in the prose, nothing listed in front matter)
and ``cited`` (``corpus_cited.py``: records listed in front matter, citations with
locators, typographic prose, sources with their full text and verbatim quotes).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus
import corpus_cited_write
import peers

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
TRASH = WORK / "trash"

# shape -> (its writer, the files whose bytes decide whether a written corpus is current)
SHAPES: dict[str, tuple[Callable[[int, Path, int], Any], tuple[str, ...]]] = {
    "linked": (corpus.write_all, ("corpus.py",)),
    "cited": (corpus_cited_write.write_all, ("corpus_cited.py", "corpus_cited_write.py")),
}
LAYOUT_FILES = tuple(sorted(str(p.relative_to(BENCH)) for p in peers.LAYOUTS.rglob("*.html")))


def write(shape: str, n: int, root: Path, seed: int = 1) -> None:
    """The corpus of ``shape`` for ``n`` briefs under ``root``: briefing/, hugo/ (with both
    themes), pelican/."""
    writer, _ = SHAPES[shape]
    writer(n, root, seed)
    peers.write_themes(root / "hugo")


def prepare(shape: str, n: int) -> Path:
    """The corpus, written again only when its generator (or Hugo's templates) changed."""
    root = WORK / shape / str(n)
    stamp = root / "stamp"
    digest = hashlib.sha256(f"{shape} {n}".encode())
    for name in SHAPES[shape][1] + ("peers.py", *LAYOUT_FILES):
        digest.update((BENCH / name).read_bytes())
    key = digest.hexdigest()
    if stamp.exists() and stamp.read_text() == key:
        return root
    shutil.rmtree(root, ignore_errors=True)
    write(shape, n, root)
    stamp.write_text(key)
    return root


def html_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def indexed_pages(public: Path) -> int | None:
    """How many pages the Pagefind bundles under ``public`` hold (their entry files say):
    the bundle in ``pagefind/`` and, when briefing splits its index, each shard's."""
    import json

    shards = sorted(public.glob("pagefind/shard-*/pagefind-entry.json"))
    entries = [public / "pagefind" / "pagefind-entry.json", *shards]
    try:
        found = [json.loads(entry.read_text())["languages"] for entry in entries]
    except (OSError, ValueError, KeyError):
        return None
    return sum(int(lang.get("page_count", 0)) for languages in found for lang in languages.values())


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\n{text}\n")


def settle(site: Path) -> float:
    """Wait until the last build's forked child has saved its cache (it holds the cache's
    lock until then); return the seconds waited. A timed run starts after this, so no run
    shares the machine with the one before it, as no Hugo run does."""
    lock = site / ".briefing-cache" / "lock"
    started = time.perf_counter()
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return 0.0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
    return time.perf_counter() - started


def clear(path: Path) -> None:
    """Move the last run's output out of the way, to be deleted when the benchmark ends.

    Deleted just before a build, 15,000 files made the next build's file creations
    slow: ext4 without a journal (this machine's disk) passes over each inode freed in
    the last minutes before it reuses one, a scan that grew with every deleted output
    (2 to 9 s of kernel time in a 10,000-brief cold build, for any generator). A cold
    build in a fresh clone or a CI job meets no such inodes; moved aside, none are freed."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{time.time_ns()}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def wait_for_freed_inodes() -> None:
    """After ``empty_trash``: ext4 passes over freed inodes for 60 s once written back."""
    os.sync()
    time.sleep(65)


class Restored:
    """Files put back as they were when the block ends: edits made while measuring do
    not change the corpus the next run starts from."""

    def __init__(self, *paths: Path) -> None:
        self.saved = {p: p.read_bytes() for p in paths}

    def __enter__(self) -> Restored:
        return self

    def __exit__(self, *exc: object) -> None:
        for path, data in self.saved.items():
            path.write_bytes(data)
