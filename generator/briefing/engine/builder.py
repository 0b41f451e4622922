"""The pipeline: load -> validate -> resolve -> render -> write.

Each stage collects diagnostics; nothing is written unless every stage
before ``write`` finished without errors.

``Builder`` runs the pipeline again and again (the dev server, ``briefing
build`` with its cache) and does only the work a change needs: files whose
bytes are unchanged are not parsed again, and a page is rendered again only
when something it read while rendering (see ``deps``) has a new value. The
output always equals a clean build's, byte for byte: the property test in
``tests/test_incremental.py`` checks that over random edits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from briefing.content.config import CONFIG_FILE, SiteConfig, load_config
from briefing.content.gitdates import CommitDates, last_commit_dates
from briefing.content.load import CONTENT_DIR, content_files, load_site, note_failed, parse_record
from briefing.content.model import Record
from briefing.content.validate import validate
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.engine import cache, parallel
from briefing.engine.cache import Deps, Head, Listing, PageState, Parsed, Stat, State
from briefing.engine.deps import INDEX_TAGS, Snapshot, fingerprint
from briefing.library.records import INDEX_FIELDS, Library, same_indexes, share_unchanged
from briefing.library.references import Unparsed, check_cited_quotes, check_references
from briefing.library.resolve import resolve
from briefing.markdown.convert import Converted
from briefing.output import search
from briefing.output.write import (
    Staging,
    check_output,
    digest,
    link_copy,
    output_identity,
    update_in_place,
    update_site,
    write_site,
)
from briefing.render import feeds
from briefing.render.renderer import Page, RecordingEnvironment, Renderer, bodies_ahead, convert_bodies, make_env
from briefing.render.theme import theme_dirs

RACY_NS = 2_000_000_000  # a file changed this close to the last scan may share its mtime
SPECIAL = "\0special"  # a scan entry saying a symlink or a special file was seen
# A smaller site's state saves in milliseconds: not worth a child process that
# outlives the command (and races a script that deletes the site right after).
BACKGROUND_SAVE_FILES = 3000
# Fewer briefs than this resolve in less time than forking a process to convert them takes.
AHEAD_BRIEFS = 1000


@dataclass
class Options:
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False


@dataclass
class Result:
    diags: Diagnostics
    library: Library | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # output paths rendered by this build
    written: list[str] = field(default_factory=list)  # output paths whose bytes changed (or are new)
    removed: list[str] = field(default_factory=list)  # output paths that no longer exist
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    @property
    def ok(self) -> bool:
        return not self.diags.errors


# A step that turns the rendered files into more files (a search index): it gets
# every output file and the paths that changed in this build, and returns the
# files to add. Steps run after render and before write; see ``Builder.steps``.
Step = Callable[[Mapping[str, bytes], frozenset[str]], dict[str, bytes]]


def check(site: Path, options: Options) -> Result:
    """Validate and link the whole site; write nothing."""
    diags = Diagnostics()
    config = load_config(site, diags)
    raws, unparsed = load_site(site, diags)
    records = [validate(raw, diags) for raw in raws]
    if config is None:  # no library without settings, but every reference is still checked
        every = {r.id: r for r in reversed(records)}
        check_references(every, diags, unparsed)
        check_cited_quotes(every, diags)
        return Result(diags)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    records = _apply_git_dates(site, records)
    lib = resolve(records, config, diags, drafts=options.drafts, unparsed=unparsed)
    return Result(diags, lib)


def _apply_git_dates(
    site: Path,
    records: list[Record],
    dates: dict[str, Any] | None = None,
    copies: dict[str, tuple[Record, Any, Record]] | None = None,
) -> list[Record]:
    """Briefs without ``updated`` get their last commit's date (copies: parsed records are cached).

    ``copies`` (path -> record, date, its copy) keeps a copy from one build to the next
    while its record and date are unchanged: a later build then sees an unchanged
    brief as the same object, as it sees every other unchanged record."""
    if dates is not None and not dates:
        return records
    briefs = [r for r in records if r.kind == "brief" and "updated" not in r.fields]
    if not briefs:
        return records
    dates = last_commit_dates(site) if dates is None else dates
    if not dates:
        return records
    out = []
    for r in records:
        if r.kind == "brief" and "updated" not in r.fields and r.path in dates:
            kept = copies.get(r.path) if copies is not None else None
            if kept is not None and kept[0] is r and kept[1] == dates[r.path]:
                copy = kept[2]
            else:
                copy = dataclasses.replace(r, fields={**r.fields, "updated": dates[r.path]})
                if copies is not None:
                    copies[r.path] = (r, dates[r.path], copy)
            r = copy
        out.append(r)
    if copies is not None:
        for gone in copies.keys() - dates.keys():
            del copies[gone]
    return out


def render(site: Path, options: Options) -> Result:
    """Check, then render every file in memory (nothing written)."""
    result = check(site, options)
    if result.library is None or result.diags.failed(options.strict):
        return result
    result.files = Renderer(site, result.library, result.diags).render_all()
    result.rendered = sorted(result.files)
    return result


def build(
    site: Path,
    out: Path,
    options: Options,
    *,
    use_cache: bool = False,
    clean: bool = False,
    save_in_background: bool = False,
) -> Result:
    """Check, render and write the site to ``out`` atomically.

    With ``use_cache`` the state is kept in ``.briefing-cache/`` so the next build
    does only what changed; ``clean`` ignores the saved state (and replaces it).
    ``save_in_background`` returns once the output is written and saves the
    state from a child process (the command line: the next build waits for it).
    """
    builder = Builder(site, out, options, use_cache=use_cache, clean=clean)
    builder.background_save = save_in_background
    return builder.build()


class OutputFiles(Mapping[str, bytes]):
    """Every output file: the ones rendered in memory, the ones written to ``staging``
    (read from there until it is swapped in), the rest read from ``out``."""

    def __init__(self, out: Path, paths: list[str], fresh: Mapping[str, bytes], staging: Staging | None = None) -> None:
        self._out, self._paths, self._fresh, self._staging = out, paths, fresh, staging

    def __getitem__(self, path: str) -> bytes:
        if path in self._fresh:
            return self._fresh[path]
        if path not in self._set:
            raise KeyError(path)
        staging = self._staging
        if staging is not None and staging.folder is not None and path in staging.staged:
            return (staging.folder / path).read_bytes()
        return (self._out / path).read_bytes()

    @property
    def _set(self) -> set[str]:
        found: set[str] | None = getattr(self, "_cached_set", None)
        if found is None:
            found = self._cached_set = set(self._paths)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


class Builder:
    """Builds ``site`` into ``out`` as often as asked, re-doing only what changed.

    Keeps its state in memory between calls (the dev server); with ``use_cache``
    also on disk, so a separate ``briefing build`` process starts warm.
    """

    def __init__(
        self, site: Path, out: Path, options: Options, *, use_cache: bool = False, clean: bool = False
    ) -> None:
        self.site, self.out, self.options = site, out, options
        self.use_cache, self.clean = use_cache, clean
        # the command line: a forked child makes and saves the state; none is kept here
        self.background_save = False
        # Kept in memory (the dev server): change the output file by file, not by a
        # folder swap; only the builder's own server reads it, and it waits for builds.
        self.in_place = not use_cache
        self.state: State | None = None
        self.parsed: dict[str, Parsed] = {}  # survives failed builds, unlike ``state``
        self.steps: list[Step] = [self._search]  # run after render, before write
        self._config: SiteConfig | None = None
        self._search_files: dict[str, bytes] = {}
        self._env: RecordingEnvironment | None = None
        self._last_renderer: Renderer | None = None
        self._renderer_state: State | None = None
        self._theme: dict[str, Stat] = {}
        self._theme_scan: dict[str, Stat] = {}  # the theme's part of the last scan
        self._last_listing: Listing | None = None
        self._content: _Content | None = None
        self._loaded = False
        self._staging: Staging | None = None  # a whole write's new output, filled as pages render
        self._ahead: tuple[parallel.Ahead[list[Converted]], list[str]] | None = None  # see ``_start_ahead``
        self._git_dates = CommitDates()
        self._dated: dict[str, tuple[Record, Any, Record]] = {}  # see ``_apply_git_dates``

    # -- the build ---------------------------------------------------------------
    def build(self) -> Result:
        check_output(self.site, self.out)
        with cache.paused_gc():  # see ``cache.paused_gc``: most of a build's objects die with it
            try:
                return self._build()
            finally:
                if self._ahead is not None:  # a build that failed before rendering
                    self._ahead[0].close()
                    self._ahead = None
                if self._staging is not None:  # a failed build's half-filled new output
                    self._staging.discard()
                    self._staging = None

    def _build(self) -> Result:
        started = time.time_ns()
        diags = Diagnostics()
        config = load_config(self.site, diags)
        if config is None:
            return Result(diags)
        if self.options.base_url:
            config = config.with_base_url(self.options.base_url)
        self._config = config
        scan = self._scan()
        git = self._git_dates(self.site)
        key = fingerprint((self.options.drafts, config, sorted(git.items()), [str(d) for d in theme_dirs(self.site)]))
        out_id = output_identity(self.out)
        head = self._head()
        if (
            head is not None
            and head.key == key
            and head.scan == scan
            and head.out_identity == out_id
            and not _racy(scan, head.scanned_at)
        ):
            diags.items.extend(head.diags)
            library = self.state.library if self.state is not None else None
            return Result(diags, library, OutputFiles(self.out, head.paths, {}))
        state = self._previous()

        clock = _Clock()
        records, parsed = self._parse(scan, state, diags)
        clock.lap("parse")
        self.parsed = parsed
        records = _apply_git_dates(self.site, records, git, self._dated)
        # whether the last build's output and pages can be kept: if not, every page is rendered
        trusted = state is not None and state.key == key and state.out_identity == out_id and out_id is not None
        if not trusted:
            self._start_ahead(records, config)
        identities: dict[str, tuple[Any, ...]] = {r.id: (r.path, r.digest, r.fields.get("updated")) for r in records}
        changed_ids = _changed(identities, state.identities if state is not None else {})
        broken = frozenset(d.path for d in diags.errors)  # resolve keeps their fields out of its indexes
        lib, resolve_diags = self._resolve(
            records,
            config,
            state if state and state.key == key else None,
            identities,
            changed_ids,
            _unparsed(parsed),
            broken,
        )
        diags.items.extend(resolve_diags)
        clock.lap("resolve")
        if diags.failed(self.options.strict):
            return Result(diags, lib)

        renderer = self._renderer(lib, diags, self._environment(), state if trusted else None, changed_ids)
        renderer.last_site_json = partial(self._last_site_json, state) if trusted and state else None
        self._staging = None if trusted else Staging(self.out)
        fresh, pages_state, rendered = self._render(renderer, state if trusted else None, changed_ids, self._staging)
        clock.lap("render")
        if diags.failed(self.options.strict):
            return Result(diags, lib)
        old_pages = state.pages if trusted and state is not None else {}
        changed = {p for p, data in fresh.items() if p not in old_pages or old_pages[p].digest != pages_state[p].digest}
        staging = self._staging
        if staging is not None:  # a whole write: every staged page is new
            changed |= staging.staged
        paths = sorted(pages_state)
        files = OutputFiles(self.out, paths, fresh, staging)
        for step in self.steps:  # the place for steps that add files, e.g. a search index
            for path, data in step(files, frozenset(changed)).items():
                fresh[path] = data
                pages_state[path] = PageState(frozenset(), digest(data))
                if path not in old_pages or old_pages[path].digest != pages_state[path].digest:
                    changed.add(path)
            paths = sorted(pages_state)
            files = OutputFiles(self.out, paths, fresh, staging)
        removed = sorted(old_pages.keys() - pages_state.keys())
        clock.lap("steps")
        spare_id, spare_digests = self._write(
            state, trusted, out_id, fresh, changed, removed, pages_state, paths, staging
        )
        files = OutputFiles(self.out, paths, fresh)  # the staged pages are in ``out`` now
        clock.lap("write")

        background = self.use_cache and self.background_save and len(pages_state) >= BACKGROUND_SAVE_FILES

        def next_state() -> State:
            made = self._next_state(
                state if trusted else None,
                key,
                scan,
                started,
                parsed,
                lib,
                identities,
                resolve_diags,
                diags,
                pages_state,
                renderer,
                rendered,
            )
            made.spare_identity, made.spare_digests = spare_id, spare_digests
            if background and spare_digests is None:  # (a builder with a cache swaps whole folders)
                self._fresh_spare(made, paths)
            return made

        if background:
            # the state is made, not only saved, by the child: this builder keeps none, and
            # a later build of it loads what the child saved (waiting for it on the lock)
            cache.save_in_background(self.site, next_state)
            self.state, self._loaded, self._renderer_state = None, False, None
            clock.lap("save")
        else:
            self.state = next_state()
            self._renderer_state = self.state  # the state that ``_last_renderer`` rendered
            clock.lap("state")
            if self.use_cache:
                cache.save(self.site, self.state)
                clock.lap("save")
        return Result(
            diags, lib, files, rendered=sorted(rendered), written=sorted(changed), removed=removed, timings=clock.laps
        )

    def _write(
        self,
        state: State | None,
        trusted: bool,
        out_id: tuple[int, ...] | None,
        fresh: dict[str, bytes],
        changed: set[str],
        removed: list[str],
        pages_state: dict[str, PageState],
        paths: list[str],
        staging: Staging | None,
    ) -> tuple[tuple[int, ...] | None, dict[str, bytes] | None]:
        """Put the changed files in place; return the spare output's identity and digests.

        A builder kept in memory (``in_place``) replaces the changed files of a
        trusted output one by one; otherwise the output is swapped whole, from the
        spare folder brought up to date, or from a new folder of links."""
        spare_id, spare_digests = (state.spare_identity, state.spare_digests) if state else (None, None)
        if not (changed or removed or not trusted):
            return spare_id, spare_digests
        if trusted and self.in_place:
            update_in_place(self.out, {p: fresh[p] for p in changed}, removed)
            return None, None
        spare = None if self.in_place else self._spare_dir()
        if (
            trusted
            and spare is not None
            and spare_digests is not None
            and spare_id is not None
            and output_identity(spare) == spare_id
        ):
            digests = {p: s.digest for p, s in pages_state.items()}
            update_site(self.out, {p: fresh[p] for p in changed}, digests, spare, spare_digests)
        else:
            write_site(
                self.out,
                {p: fresh[p] for p in changed if p in fresh},
                keep=[p for p in paths if p not in changed],
                spare=spare,
                staging=staging,
            )
        known = state is not None and out_id is not None and state.out_identity == out_id
        spare_id = output_identity(spare) if spare is not None else None
        spare_digests = {p: s.digest for p, s in state.pages.items()} if known and state else None
        return spare_id, spare_digests

    def _fresh_spare(self, state: State, paths: list[str]) -> None:
        """A spare the next write can update, when this build left none it could: made by
        the child that saves a large site's state, not by the next edit (a small site's
        next edit links its few files quickly enough)."""
        spare = self._spare_dir()
        found = link_copy(self.out, spare, paths) if spare is not None else None
        if found is not None:
            state.spare_identity = found
            state.spare_digests = {p: s.digest for p, s in state.pages.items()}

    def _last_site_json(self, state: State) -> feeds.SiteJsonLines | None:
        """The lines of ``site.json`` as the last build wrote them (checked by digest); a
        trusted state was made with this build's settings, so its URLs are this build's."""
        entry = state.pages.get(feeds.SITE_JSON)
        try:
            data = (self.out / feeds.SITE_JSON).read_bytes()
        except OSError:
            return None
        if entry is None or digest(data) != entry.digest:
            return None
        return feeds.SiteJsonLines(state.library, data.decode())

    def _search(self, files: Mapping[str, bytes], changed: frozenset[str]) -> dict[str, bytes]:
        """The Pagefind bundle; indexed again only when an HTML page changed."""
        if self._search_files and not any(p.endswith(".html") for p in changed):
            return self._search_files
        assert self._config is not None
        self._search_files = search.search_files(files, self._config)
        return self._search_files

    def _head(self) -> Head | None:
        if self.state is not None:
            return Head.of(self.state)
        if self.use_cache and not self.clean and not self._loaded:
            return cache.load_head(self.site)
        return None

    def _previous(self) -> State | None:
        if self.state is None and self.use_cache and not self.clean and not self._loaded:
            self._loaded = True
            self.state = cache.load(self.site)
            if self.state is not None:
                self.parsed = self.state.parsed
        return self.state

    def _spare_dir(self) -> Path | None:
        """Where the previous output is kept for the next write: in the cache folder when
        it is on the output's file system (a swap cannot cross file systems), else
        hidden beside the output."""
        out = self.out.absolute()
        if self.use_cache:
            folder = self.site / cache.CACHE_DIR
            try:
                folder.mkdir(exist_ok=True)
                if folder.stat().st_dev == out.parent.stat().st_dev:
                    return folder.absolute() / f"spare-{out.name}"
            except OSError:
                pass
        return out.parent / f".{out.name}.spare"

    def _bytecode(self) -> Path | None:
        return self.site / cache.CACHE_DIR / "templates" if self.use_cache else None

    def _environment(self) -> RecordingEnvironment:
        """Jinja's environment, kept while the theme's files are unchanged: its cache would
        not notice a template added to a theme folder that comes first (an override)."""
        theme = self._theme_scan
        if theme != self._theme:
            self._env, self._theme = None, theme
        if self._env is None:
            folder = self._bytecode()
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            self._env = make_env(self.site, folder)
        return self._env

    def _renderer(
        self, lib: Library, diags: Diagnostics, env: RecordingEnvironment, state: State | None, changed_ids: set[str]
    ) -> Renderer:
        """The last build's renderer when its pages, link targets and date pages still hold
        (see ``_same_pages``) and the theme is unchanged; else a new one, made from the
        last build's derived inputs when only those hold."""
        last = self._last_renderer
        same = state is not None and _same_pages(state.library, lib, changed_ids)
        if same and last is not None and last.env is env and self._renderer_state is state:
            last.refresh(lib, diags)
            return last
        known = state.virtual if same and state is not None else None
        self._last_renderer = Renderer(self.site, lib, diags, env=env, known=known)
        return self._last_renderer

    # -- inputs ------------------------------------------------------------------
    def _scan(self) -> dict[str, Stat]:
        """Stat every input file: a build with the same stats has nothing to do."""
        out: dict[str, Stat] = {}
        _stat_into(out, self.site / CONFIG_FILE, CONFIG_FILE)
        _walk(out, str(self.site / CONTENT_DIR), CONTENT_DIR)
        theme: dict[str, Stat] = {}
        for i, folder in enumerate(theme_dirs(self.site)):
            _walk(theme, str(folder), f"theme{i}")
        self._theme_scan = theme
        out.update(theme)
        return out

    def _listing(self, scan: dict[str, Stat], state: State | None, diags: Diagnostics) -> list[tuple[str, str]]:
        """The content files (kind, path in the site), as ``load.content_files`` lists them; its
        answer depends only on the names and types of the entries, so it is asked again only
        when those change."""
        last = state.listing if state is not None else self._last_listing
        if last is not None and state is not None and scan.keys() == state.scan.keys():
            names = last[0]  # the same names as when ``last`` was listed
        else:
            names = frozenset(k for k in scan if k.startswith(CONTENT_DIR + "/"))
        if last is not None and last[0] == names and SPECIAL not in scan:
            entries, found = last[1], last[2]
        else:
            local = Diagnostics()
            entries = [(kind, path.relative_to(self.site).as_posix()) for kind, path in content_files(self.site, local)]
            found = local.items
        self._last_listing = (names, entries, found)
        diags.items.extend(found)
        return entries

    def _parse(
        self, scan: dict[str, Stat], state: State | None, diags: Diagnostics
    ) -> tuple[list[Record], dict[str, Parsed]]:
        """Every content file's record; a file whose bytes are unchanged is not parsed again."""
        previous = self.parsed
        since = state.scanned_at if state is not None else 0
        listed = self._listing(scan, state, diags)
        limit = since - RACY_NS
        last = self._content
        if last is not None and last.listed is listed and last.parsed is previous:
            quick = self._parse_changed(scan, last, limit)
            if quick is not None:
                diags.items.extend(last.diags)
                self._content = dataclasses.replace(last, scan=scan, parsed=quick[1], records=quick[0])
                return quick
        parsed: dict[str, Parsed] = {}
        records: list[Record] = []
        stale = []
        for kind, rel in listed:
            st = scan.get(rel) or _stat(self.site / rel)
            old = previous.get(rel)
            if old is not None and old.stat == st and st[1] < limit and old.kind == kind:
                parsed[rel] = old
            else:
                stale.append((rel, kind, str(self.site / rel), st))
        reads = [(rel, kind, path_text, st, previous.get(rel)) for rel, kind, path_text, st in stale]
        for (rel, *_), entry in zip(reads, parallel.shared(_read_files, reads), strict=True):
            parsed[rel] = entry  # type: ignore[assignment]
        found: list[Diagnostic] = []
        where: dict[str, int] = {}
        for _kind, rel in listed:
            entry = parsed.get(rel)
            if entry is None:
                parsed.pop(rel, None)
                diags.error(rel, (1, 1), "unreadable", "cannot read file")
                continue
            found.extend(entry.diags)
            if entry.record is not None:
                where[rel] = len(records)
                records.append(entry.record)
        diags.items.extend(found)
        complete = len(parsed) == len(listed) and all(rel in scan for _kind, rel in listed)
        kinds = {rel: kind for kind, rel in listed}
        self._content = _Content(scan, listed, kinds, parsed, records, where, found) if complete else None
        return records, parsed

    def _parse_changed(
        self, scan: dict[str, Stat], last: _Content, limit: int
    ) -> tuple[list[Record], dict[str, Parsed]] | None:
        """``_parse`` for a kept builder when content's names are unchanged: only the files
        whose stat changed since the last parse, or that changed too recently to trust
        their stat, are looked at. None when the change is more than a few files whose
        diagnostics and presence stay as they were: then everything is looked at."""
        recent = {rel for rel, _ in scan.items() ^ last.scan.items()}
        recent.update(rel for rel, st in scan.items() if st[1] >= limit)
        stale = [rel for rel in recent if rel in last.kinds]
        if len(stale) > QUICK_FILES or any(rel not in scan for rel in stale):
            return None
        parsed, records = last.parsed, last.records
        for rel in stale:
            kind, st, old = last.kinds[rel], scan[rel], last.parsed.get(rel)
            if old is None:
                return None
            if old.stat == st and st[1] < limit:
                continue
            entry = read_file(self.site / rel, rel, kind, st, old)
            if entry is None or entry.diags or old.diags or (entry.record is None) != (old.record is None):
                return None
            if parsed is last.parsed:
                parsed = dict(last.parsed)
            parsed[rel] = entry
            if entry.record is not old.record:
                if records is last.records:
                    records = list(last.records)
                records[last.where[rel]] = entry.record  # type: ignore[assignment]
        return records, parsed

    def _resolve(
        self,
        records: list[Record],
        config: SiteConfig,
        state: State | None,
        identities: dict[str, tuple[Any, ...]],
        changed_ids: set[str],
        unparsed: Unparsed | None = None,
        broken: frozenset[str] = frozenset(),
    ) -> tuple[Library, list[Diagnostic]]:
        """The library; when only Markdown prose changed, the last one with the new records in it.
        (A state is saved only by a good build, so the last library never knew a file that
        failed to load, nor referred to one: ``unparsed`` matters only to a new resolve.)"""
        if state is not None and state.library.config == config:
            reused = _reuse_library(state, records, identities, changed_ids)
            if reused is not None:
                return reused, list(state.resolve_diags)
        local = Diagnostics()
        previous = state.library if state is not None and state.library.config == config else None
        lib = resolve(
            records, config, local, drafts=self.options.drafts, previous=previous, unparsed=unparsed, broken=broken
        )
        if previous is not None:
            lib = share_unchanged(previous, lib)
        return lib, local.items

    # -- render ------------------------------------------------------------------
    def _render(
        self, renderer: Renderer, state: State | None, changed_ids: set[str], staging: Staging | None
    ) -> tuple[dict[str, bytes], dict[str, PageState], set[str]]:
        """Render the pages whose inputs changed; the rest keep their last output. With
        ``staging`` (a whole write ahead), each page goes to the new output as it comes,
        and only there (not in the files returned)."""
        if renderer.pages_known:  # the last build's pages: none need listing, a few are made
            html = list(renderer.virtual["pages"])
            extras = renderer.extra_pages(None)
        else:
            html = renderer.outputs()
            renderer.set_pages(html)
            extras = renderer.extra_pages(html)
        dirty = self._dirty(renderer, state, changed_ids)
        pages_state: dict[str, PageState] = {}
        todo: list[str] = []
        todo_extras: list[int] = []
        old = state.pages if state is not None else {}
        for path in html:
            entry = old.get(path)
            if entry is None or path in dirty:
                todo.append(path)
            else:
                pages_state[path] = entry
        for i, page in enumerate(extras):
            entry = old.get(page.output)
            if entry is None or page.output in dirty:
                todo_extras.append(i)
            else:
                pages_state[page.output] = entry
        fresh: dict[str, bytes] = {}
        rendered: set[str] = set()
        results: Iterable[parallel.Rendered]
        if len(todo) + len(todo_extras) >= parallel.MIN_PAGES and parallel.workers() > 1:
            position = {path: i for i, path in enumerate(renderer.outputs())}
            pages = renderer.pages()
            # the slowest pages first: site.json, the feed, and pages that list many records
            # (indexes, tags, search); one of them last would leave the other worker idle
            listing = [position[path] for path in todo]
            tasks = (
                [("extra", i) for i in todo_extras]
                + [("page", i) for i in listing if _lists(pages[i])]
                + [("page", i) for i in listing if not _lists(pages[i])]
            )
            into = staging.open() if staging is not None else None  # the workers write the pages there
            results = parallel.render(renderer, self._bytecode(), tasks, into, self._stop_ahead())
        else:
            renderer.markup.ahead = self._stop_ahead()  # dropped below: valid for this build only
            results = _render_here(renderer, todo, extras, todo_extras)
        for path, data, found, deps, diags in results:
            rendered.add(path)
            renderer.diags.items.extend(diags)
            if found is None:
                continue
            pages_state[path] = PageState(deps, found)
            if data is None:  # a worker wrote it into ``staging``
                assert staging is not None
                staging.written(path)
            elif staging is not None:
                staging.add(path, data)  # and not kept: see ``Staging``
            else:
                fresh[path] = data
        renderer.markup.ahead = {}
        for path, data in renderer.asset_files().items():
            pages_state[path] = PageState(frozenset(), digest(data))
            if state is None or path not in state.pages or state.pages[path].digest != pages_state[path].digest:
                fresh[path] = data
        return fresh, pages_state, rendered

    def _start_ahead(self, records: list[Record], config: SiteConfig) -> None:
        """Convert the briefs' Markdown in a forked process while this one resolves (one
        core) and lists the pages: at 10,000 briefs, a quarter of them before rendering starts."""
        texts = bodies_ahead(records, self.options.drafts)
        if parallel.can_fork_helper() and len(texts) >= AHEAD_BRIEFS:
            work = partial(convert_bodies, records, config, self.options.drafts)
            self._ahead = (parallel.Ahead(work), texts)

    def _stop_ahead(self) -> dict[str, Converted]:
        """What ``_start_ahead`` converted so far, by text."""
        if self._ahead is None:
            return {}
        ahead, texts = self._ahead
        self._ahead = None
        done = ahead.stop() or []
        return dict(zip(texts, done, strict=False))

    def _dirty(self, renderer: Renderer, state: State | None, changed_ids: set[str]) -> set[str]:
        """Output paths that read a key whose value changed since the last build."""
        if state is None:
            return set()
        old = Snapshot(state.library, state.virtual, lambda name: state.templates.get(name, b""))
        new = renderer.snapshot()
        dirty: set[str] = set()
        before, after = state.library, renderer.lib
        same_ids = before.records.keys() == after.records.keys()

        def unowned(tag: str, index: str) -> bool:
            """Keys of indexes that ``share_unchanged`` (or reuse) kept are unchanged."""
            if tag not in INDEX_TAGS:
                return True
            if index == "records":
                return not same_ids
            return index not in INDEX_FIELDS or getattr(before, index) is not getattr(after, index)

        debug = bool(os.environ.get("BRIEFING_DEBUG_DEPS"))
        deps = state.deps
        # only keys of changed records, of indexes that changed, and the few others can differ
        for key, readers in deps.keys_of(changed_ids, unowned):
            if old.value(key) != new.value(key):
                paths = {deps.path(pid) for pid in readers}
                if debug:
                    print("changed", key, sorted(paths), file=sys.stderr)
                dirty |= paths
        return dirty

    def _next_state(
        self,
        state: State | None,
        key: bytes,
        scan: dict[str, Stat],
        started: int,
        parsed: dict[str, Parsed],
        lib: Library,
        identities: dict[str, tuple[Any, ...]],
        resolve_diags: list[Diagnostic],
        diags: Diagnostics,
        pages: dict[str, PageState],
        renderer: Renderer,
        rendered: set[str],
    ) -> State:
        if state is None:  # every page was rendered: made in one pass, not page by page
            read = sorted(path for path in rendered if path in pages)
            deps = Deps.of((path, pages[path].deps) for path in read)
            for path in read:
                pages[path] = PageState(frozenset(), pages[path].digest)  # the deps live in ``deps`` now
            rendered = set()
        else:
            deps = state.deps
            for path in set(state.pages) - set(pages):
                deps.remove(path)
        for path in rendered:
            entry = pages.get(path)
            if entry is not None:
                deps.set(path, entry.deps)
                pages[path] = PageState(frozenset(), entry.digest)  # the deps live in ``deps`` now
            else:
                deps.remove(path)
        snapshot = renderer.snapshot()
        templates = {k[1]: snapshot.value(k) for k, _ in deps.keys_of((), lambda tag, _index: tag == "tpl")}
        return State(
            key,
            scan,
            started,
            parsed,
            lib,
            identities,
            resolve_diags,
            list(diags.items),
            pages,
            dict(renderer.virtual),
            templates,
            deps,
            output_identity(self.out),
            listing=self._last_listing,
            records_base=self.state.records_base if self.state is not None else None,
        )


# -- helpers ------------------------------------------------------------------------

QUICK_FILES = 20  # changed files that ``_parse_changed`` takes on; more go the whole way


@dataclass
class _Content:
    """The last parse, for ``Builder._parse_changed``: the scan its entries were checked
    against (every listed file is in it), the listing, and what came of it."""

    scan: dict[str, Stat]
    listed: list[tuple[str, str]]
    kinds: dict[str, str]  # listed path -> kind
    parsed: dict[str, Parsed]
    records: list[Record]
    where: dict[str, int]  # listed path -> position of its record in ``records``
    diags: list[Diagnostic]  # every entry's diagnostics, in listing order


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def read_file(path: Path, rel: str, kind: str, st: Stat, old: Parsed | None) -> Parsed | None:
    """Parse and validate one content file; reuse ``old`` when its bytes are unchanged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    sha1 = hashlib.sha1(raw).hexdigest()
    if old is not None and old.digest == sha1 and old.kind == kind:
        return dataclasses.replace(old, stat=st)
    local = Diagnostics()
    stem = path.name.rsplit(".", 1)[0]
    raw_record = parse_record(rel, kind, stem, raw, local, sha1)
    record = validate(raw_record, local) if raw_record is not None else None
    return Parsed(st, sha1, kind, record, local.items)


def _read_files(reads: list[tuple[str, str, str, Stat, Parsed | None]]) -> list[Parsed | None]:
    return [read_file(Path(path_text), rel, kind, st, old) for rel, kind, path_text, st, old in reads]


def _render_here(
    renderer: Renderer, todo: list[str], extras: list[Page], todo_extras: list[int]
) -> Iterator[parallel.Rendered]:
    for path in todo:
        page = renderer.page(path)
        assert page is not None, path
        data, deps = renderer.render_recorded(page)
        yield parallel.Rendered(path, data, digest(data) if data is not None else None, deps, [])
    for index in todo_extras:
        data, deps = renderer.render_extra(extras[index])
        yield parallel.Rendered(extras[index].output, data, digest(data) if data is not None else None, deps, [])


def _lists(page: Page) -> bool:
    """Whether a page lists records of many kinds or many days: not a record's or a day's."""
    return page.record is None and (page.path == "dates/" or not page.path.startswith("dates/"))


def _stat(path: Path) -> Stat:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _stat_into(out: dict[str, Stat], path: Path, rel: str) -> None:
    st = _stat(path)
    if st[0] >= 0:
        out[rel] = st


def _walk(out: dict[str, Stat], folder: str, rel: str) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            name = f"{rel}/{entry.name}"
            try:
                if entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    out[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
                elif entry.is_dir(follow_symlinks=False):
                    _walk(out, entry.path, name)
                else:  # links and pipes: ``content_files`` must look at them every time
                    out[SPECIAL] = (1, 1, 1)
                    st = entry.stat(follow_symlinks=False)
                    out[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError:
                continue


def _unparsed(parsed: dict[str, Parsed]) -> dict[str, tuple[str, tuple[int, int]]]:
    """The files that failed to load (see ``load.note_failed``), by id."""
    failed: dict[str, tuple[str, tuple[int, int]]] = {}
    for rel, entry in parsed.items():
        if entry is not None and entry.record is None:
            note_failed(failed, rel, entry.diags)
    return failed


def _racy(scan: dict[str, Stat], since: int) -> bool:
    """True when a file changed so close to the last scan that its stat cannot be trusted."""
    limit = since - RACY_NS
    return any(st[1] >= limit for st in scan.values())


def _resolve_view(r: Record) -> tuple[Any, ...]:
    """All of a record that ``resolve`` reads: everything but the prose and positions.

    Its links and date links count as sets (a second link to a record it links to
    already changes no index), its citations in order of first citation (the order
    of its sources). Positions matter only in what resolve reports, and a record it
    reported anything about is never reused (see ``_reuse_library``)."""
    links = {(ref.target, ref.kinds, ref.field, ref.via) for ref in r.refs if ref.via != "cite"}
    cites = list(dict.fromkeys((ref.target, ref.kinds, ref.field) for ref in r.refs if ref.via == "cite"))
    # the quotations it vouches for, and a source's text: what ``check_cited_quotes`` compares
    quotes = [(q.sources, q.text) for q in r.cited_quotes]
    text = r.body if r.kind == "source" else None
    return (r.id, r.kind, r.path, r.fields, dict(r.data), links, cites, {d for d, _pos in r.date_links}, quotes, text)


def _reuse_library(
    state: State, records: list[Record], identities: dict[str, tuple[Any, ...]], changed_ids: set[str]
) -> Library | None:
    """The last library with new records swapped in, when no change can alter an index.

    That holds when the same records exist and every changed one differs only in
    its Markdown prose and positions, and the last resolve reported nothing about
    it. Otherwise None: resolve again.
    """
    old = state.library
    if not changed_ids:
        return old if identities.keys() == state.identities.keys() else None
    if len(identities) != len(state.identities) or len(records) != len(identities):
        return None  # records came or went, or duplicate ids: resolve reports them
    flagged = {d.path for d in state.resolve_diags}
    new_records = dict(old.records)
    for r in (r for r in records if r.id in changed_ids):
        before = old.records.get(r.id)
        if (
            before is None
            or r.id not in state.identities
            or r.path in flagged
            or _resolve_view(before) != _resolve_view(r)
        ):
            return None
        new_records[r.id] = r
    return dataclasses.replace(old, records=new_records)


def _same_pages(before: Library, after: Library, changed_ids: set[str]) -> bool:
    """Whether ``after`` has ``before``'s pages, link targets and date pages: the same
    indexes (objects), the same records, and every changed one with its title and kind."""
    if not same_indexes(before, after) or before.records.keys() != after.records.keys():
        return False
    for rid in changed_ids:
        old, new = before.records.get(rid), after.records.get(rid)  # type: ignore[call-overload]
        if old is not None and (old.title != new.title or old.kind != new.kind):
            return False
    return True


def _changed(identities: dict[str, tuple[Any, ...]], before: dict[str, tuple[Any, ...]]) -> set[str]:
    """The ids whose record is new, gone or different."""
    try:
        return {rid for rid, _ in identities.items() ^ before.items()}
    except TypeError:  # an unhashable value in a record's identity: compare one by one
        return {rid for rid in identities.keys() | before.keys() if identities.get(rid) != before.get(rid)}


__all__ = ["Builder", "Options", "Result", "SiteConfig", "Step", "build", "check", "render"]
