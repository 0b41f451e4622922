"""The engine's writing: only changed files, still one atomic swap.

``output.write`` swaps a whole new folder in. After an edit the engine does the same with
less work: the previous output is kept beside the new one (the spare, in
``.briefing-cache/`` when it is on the output's file system), only the changed files are
replaced in it, and it is swapped in whole. A builder kept in memory (the dev server)
replaces changed files in place: only its own server reads that folder, and it waits
for builds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from briefing.engine import cache, sitejson
from briefing.engine.build import Build, Identity
from briefing.engine.cache import State
from briefing.output.files import digest
from briefing.output.write import (
    Staging,
    link_copy,
    output_identity,
    spare_name,
    update_in_place,
    update_site,
    write_site,
)
from briefing.render import feeds


class OutputFiles(Mapping[str, bytes]):
    """Every output file: the ones rendered in memory, the ones written to ``staging``
    (read from there until it is swapped in), the rest read from ``out``."""

    def __init__(self, out: Path, paths: list[str], fresh: Mapping[str, bytes], staging: Staging | None = None) -> None:
        self._out, self._paths, self._fresh, self._staging = out, paths, fresh, staging
        self._set: set[str] | None = None

    def __getitem__(self, path: str) -> bytes:
        if path in self._fresh:
            return self._fresh[path]
        if self._set is None:
            self._set = set(self._paths)
        if path not in self._set:
            raise KeyError(path)
        staging = self._staging
        if staging is not None and staging.folder is not None and path in staging.staged:
            return (staging.folder / path).read_bytes()
        return (self._out / path).read_bytes()

    def source(self, path: str) -> bytes | Path:
        """Where ``path``'s bytes are: in memory, or the file that holds them."""
        if path in self._fresh:
            return self._fresh[path]
        staging = self._staging
        if staging is not None and staging.folder is not None and path in staging.staged:
            return staging.folder / path
        return self._out / path

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


class Output:
    """Where a builder writes, and how (``in_place``: a dev server's private folder)."""

    def __init__(self, site: Path, out: Path, use_cache: bool, in_place: bool) -> None:
        self.site, self.out, self.use_cache, self.in_place = site, out, use_cache, in_place

    def write(self, b: Build) -> tuple[Identity | None, dict[str, bytes] | None]:
        """Put the changed files in place; return the spare output's identity and digests.

        A builder kept in memory replaces the changed files of a trusted output one by one;
        otherwise the output is swapped whole, from the spare folder brought up to date, or
        from a new folder of links."""
        state, fresh, changed = b.last, b.fresh, b.changed
        spare_id, spare_digests = (state.spare_identity, state.spare_digests) if state else (None, None)
        if not (changed or b.removed or not b.trusted):
            return spare_id, spare_digests
        if b.trusted and self.in_place:
            update_in_place(self.out, {p: fresh[p] for p in changed}, b.removed)
            return None, None
        spare = None if self.in_place else self.spare_dir()
        if b.trusted and spare is not None and spare_digests is not None and output_identity(spare) == spare_id:
            digests = {p: s.digest for p, s in b.pages.items()}
            update_site(self.out, {p: fresh[p] for p in changed}, digests, spare, spare_digests)
        else:
            keep = [p for p in sorted(b.pages) if p not in changed]
            new = {p: fresh[p] for p in changed if p in fresh}
            write_site(self.out, new, keep=keep, spare=spare, staging=b.staging)
        known = state is not None and b.out_id is not None and state.out_identity == b.out_id
        spare_id = output_identity(spare) if spare is not None else None
        spare_digests = {p: s.digest for p, s in state.pages.items()} if known and state else None
        return spare_id, spare_digests

    def fresh_spare(self, state: State, paths: list[str]) -> None:
        """A spare the next write can update, when this build left none it could: made by
        the child that saves a large site's state, not by the next edit (a small site's
        next edit links its few files quickly enough)."""
        spare = self.spare_dir()
        found = link_copy(self.out, spare, paths) if spare is not None else None
        if found is not None:
            state.spare_identity = found
            state.spare_digests = {p: s.digest for p, s in state.pages.items()}

    def last_site_json(self, state: State) -> sitejson.SiteJsonLines | None:
        """The lines of ``site.json`` as the last build wrote them (checked by digest); a
        trusted state was made with this build's settings, so its URLs are this build's."""
        entry = state.pages.get(feeds.SITE_JSON)
        try:
            data = (self.out / feeds.SITE_JSON).read_bytes()
        except OSError:
            return None
        if entry is None or digest(data) != entry.digest:
            return None
        return sitejson.SiteJsonLines(state.library, data.decode())

    def work_dir(self) -> Path | None:
        """Where a build may make a folder of its own for a while (the search step's): the
        spare's folder, on the output's file system; None: the system's temporary folder."""
        spare = self.spare_dir()
        parent = spare.parent if spare is not None else None
        return parent if parent is not None and parent.is_dir() else None

    def spare_dir(self) -> Path | None:
        """Where the previous output is kept for the next write: in the cache folder when
        it is on the output's file system (a swap cannot cross file systems), else
        hidden beside the output."""
        out = self.out.absolute()
        if self.use_cache:
            folder = self.site / cache.CACHE_DIR
            try:
                folder.mkdir(exist_ok=True)
                if folder.stat().st_dev == out.parent.stat().st_dev:
                    return folder.absolute() / spare_name(out)
            except OSError:
                pass
        return out.parent / f".{out.name}.spare"
