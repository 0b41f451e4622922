"""The engine's search step: only the shards whose pages changed are indexed again.

The reference (``output.search``) indexes every page, shard by shard. The engine keeps
the last build's bundles and indexes again only the shards that hold a page whose bytes
changed, or that was added or removed, and all of them when the number of shards
changed. A shard's bundle depends on its pages alone, so the output is the reference's,
byte for byte (tests/test_engine_reference.py).

The dev server shows a page before its search index catches up: with ``later`` the step
only notes which shards are out of date (``Searched.pending``), keeping their last
bundles, and ``catch_up`` indexes them after the build, file by file in place, from
the pages the build wrote. A new edit stops it; the next build adds to what is pending.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from briefing.engine.build import Build
from briefing.engine.cache import PageState, Searched, State
from briefing.engine.output import OutputFiles
from briefing.output import search
from briefing.output.files import digest
from briefing.output.write import discard, output_identity, update_in_place

ENTRY = "pagefind-entry.json"  # a bundle's table of contents: put in place after the files it names


class Searching:
    """The search step of one builder; ``later``: leave the indexing to ``catch_up``."""

    def __init__(self, out: Path, work: Callable[[], Path | None], later: bool = False) -> None:
        self.out, self.work, self.later = out, work, later

    def step(self, b: Build, files: OutputFiles) -> None:
        """Put the search index's files into ``b`` (its pages, and the changed ones into
        ``b.fresh``), indexing again the shards whose pages changed."""
        assert b.searched is None
        if not b.config.search_enabled:
            return  # the last build's index files are removed with what it wrote
        last = b.last.searched if b.trusted and b.last is not None else None
        old = b.old_pages
        changed = {p for p in b.changed if p.endswith(".html")}
        gone = {p for p in old.keys() - b.pages.keys() if p.endswith(".html")}
        now = {p for p in (changed if last is not None else _html(b.pages)) if search.is_indexed(files[p])}
        indexed = frozenset(now) if last is None else frozenset((last.indexed - changed - gone) | now)
        count = search.shard_count(len(indexed))
        if last is None or last.count != count:
            todo = set(range(count))
        else:
            touched = (changed | gone) & (last.indexed | indexed)
            todo = {search.shard_of(p, count) for p in touched} | set(last.pending)
        if self.later:  # the last bundles stay until ``catch_up`` replaces them
            _keep(b, old, lambda shard: True, script=True)
            b.searched = Searched(indexed, frozenset(todo))
            return
        _keep(b, old, lambda shard: shard not in todo and shard < count, script=False)
        groups = search.by_shard(indexed, count)
        shards = {s: {p: files.source(p) for p in groups[s]} for s in sorted(todo) if s in groups}
        done = self._index(shards, search.language(b.config))
        for bundle in done.values():
            for path, data in bundle.items():
                _add(b, old, path, data)
        _add(b, old, search.SHARDS_SCRIPT, search.shards_script(sorted(groups)))
        b.searched = Searched(indexed)

    def catch_up(self, state: State, cancelled: Callable[[], bool]) -> bool:
        """Index the shards a ``later`` step left out of date, from the pages in the
        output, and put each one's files in place; False when ``cancelled`` stopped it
        (the shards finished by then are in place, the others still pending)."""
        searched = state.searched
        if searched is None or not searched.pending:
            return True
        count, out = searched.count, self.out
        groups = search.by_shard(searched.indexed, count)
        shards: dict[int, dict[str, search.Source]] = {
            s: {p: out / p for p in groups[s]} for s in sorted(searched.pending) if s in groups
        }
        done = self._index(shards, search.language(state.library.config), cancelled)
        finished = set(done) | {s for s in searched.pending if s not in groups}
        remaining = searched.pending - finished
        new: dict[str, bytes] = {}
        for shard in finished:
            new.update(done.get(shard, {}))
        if not remaining:  # every shard is current: merge them all, and drop any past the count
            new[search.SHARDS_SCRIPT] = search.shards_script(sorted(groups))
            finished |= {s for p in state.pages if (s := search.file_shard(p)) is not None and s >= count}
        stale = [p for p in state.pages if search.file_shard(p) in finished and p not in new]
        _put_in_place(out, new, stale)
        for path in stale:
            del state.pages[path]
        for path, data in new.items():
            state.pages[path] = PageState(frozenset(), digest(data))
        state.out_identity = output_identity(out)
        state.searched = Searched(searched.indexed, frozenset(remaining))
        return not remaining

    def _index(
        self, shards: dict[int, dict[str, search.Source]], lang: str, cancelled: Callable[[], bool] | None = None
    ) -> dict[int, dict[str, bytes]]:
        """``search.index_shards`` in a folder beside the output (links, not copies, of
        the pages), deleted without waiting: a large site's folder of links is slow to delete."""
        if not shards:
            return {}
        work = Path(tempfile.mkdtemp(prefix=".briefing-search-", dir=self.work()))
        try:
            return search.index_shards(shards, lang, work, cancelled)
        finally:
            discard(work)


def _html(paths: Iterable[str]) -> set[str]:
    return {p for p in paths if p.endswith(".html")}


def _keep(b: Build, old: dict[str, PageState], keep: Callable[[int], bool], script: bool) -> None:
    """The last build's files of the shards ``keep`` says, as they are (and ``shards.js``)."""
    for path, entry in old.items():
        if not path.startswith(search.BUNDLE):  # most of them: the pages
            continue
        shard = search.file_shard(path)
        if (shard is not None and keep(shard)) or (script and path == search.SHARDS_SCRIPT):
            b.pages[path] = entry


def _add(b: Build, old: dict[str, PageState], path: str, data: bytes) -> None:
    b.fresh[path] = data
    b.pages[path] = PageState(frozenset(), digest(data))
    if path not in old or old[path].digest != b.pages[path].digest:
        b.changed.add(path)


def _put_in_place(out: Path, files: dict[str, bytes], removed: list[str]) -> None:
    """The new files, then each bundle's table of contents (which names them), then the
    stale files gone: a reader searching meanwhile finds one bundle or the other."""
    entries = {p: d for p, d in files.items() if p.endswith("/" + ENTRY)}
    update_in_place(out, {p: d for p, d in files.items() if p not in entries}, [])
    update_in_place(out, entries, removed)
