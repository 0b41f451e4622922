"""The incremental engine: the reference pipeline, again and again, doing only what changed.

``Builder.build`` runs the stages of ``pipeline`` (load, validate, resolve, render,
search, write) and keeps what they made: files whose bytes are unchanged are not
parsed again, the library is resolved from the last one, a page is rendered again only
when something it read (see ``deps``) has a new value, and only changed files are
written. The output always equals the reference pipeline's, byte for byte:
tests/test_engine_reference.py checks that, over random edits.

The state lives in memory for the dev server, and in ``.briefing-cache/`` for
``briefing build``, whose state is made and saved by a forked child once the output is
in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path

from briefing.content.config import SiteConfig
from briefing.content.dates import PartialDate
from briefing.content.gitdates import CommitDates
from briefing.diagnostics import Diagnostics
from briefing.engine import cache, reresolve
from briefing.engine.build import Build
from briefing.engine.cache import Head, PageState, State
from briefing.engine.deps import fingerprint
from briefing.engine.depstore import Deps
from briefing.engine.inputs import Inputs, racy
from briefing.engine.output import Output, OutputFiles
from briefing.engine.parse import Parser
from briefing.engine.rendering import Rendering
from briefing.engine.search import Searching
from briefing.output.write import Staging, check_output, output_identity
from briefing.pipeline import Options, Result, check, settings
from briefing.render.theme import theme_dirs

# A smaller site's state saves in milliseconds: not worth a child process that
# outlives the command (and races a script that deletes the site right after).
BACKGROUND_SAVE_FILES = 3000


def build(
    site: Path,
    out: Path,
    options: Options,
    *,
    use_cache: bool = False,
    clean: bool = False,
    save_in_background: bool = False,
) -> Result:
    """Check, render and write the site to ``out`` atomically, as ``pipeline.build`` does.

    With ``use_cache`` the state is kept in ``.briefing-cache/`` so the next build
    does only what changed; ``clean`` ignores the saved state (and replaces it).
    ``save_in_background`` returns once the output is written and saves the
    state from a child process (the command line: the next build waits for it).
    """
    builder = Builder(site, out, options, use_cache=use_cache, clean=clean)
    builder.background_save = save_in_background
    return builder.build()


class Builder:
    """Builds ``site`` into ``out`` as often as asked, re-doing only what changed.

    Keeps its state in memory between calls (the dev server); with ``use_cache``
    also on disk, so a separate ``briefing build`` process starts warm.
    """

    def __init__(
        self,
        site: Path,
        out: Path,
        options: Options,
        *,
        use_cache: bool = False,
        clean: bool = False,
        search_later: bool = False,
    ) -> None:
        self.site, self.out, self.options = site, out, options
        self.use_cache, self.clean = use_cache, clean
        # the command line: a forked child makes and saves the state; none is kept here
        self.background_save = False
        self.state: State | None = None
        self.inputs = Inputs(site)
        self.parser = Parser(site)
        self.rendering = Rendering(site, use_cache)
        # Kept in memory (the dev server): change the output file by file, not by a
        # folder swap; only the builder's own server reads it, and it waits for builds.
        self.output = Output(site, out, use_cache, in_place=not use_cache)
        # the dev server shows a page first and brings the search index up to date after
        # (``catch_up_search``); ``briefing build`` writes both at once
        self.search = Searching(out, self.output.work_dir, later=search_later)
        self._git_dates = CommitDates()
        self._loaded = False  # whether the saved state was loaded (or found missing)

    def _commit_dates(self, config: SiteConfig) -> dict[str, PartialDate]:
        """Each brief's last commit date by path, when the settings ask for them."""
        return self._git_dates(self.site) if config.updated_from_git else {}

    @property
    def in_place(self) -> bool:
        return self.output.in_place

    @in_place.setter
    def in_place(self, value: bool) -> None:
        self.output.in_place = value

    def build(self, changed: Collection[str] | None = None) -> Result:
        """Build what changed; ``changed``: the site's files a watcher saw change since the
        last build (the dev server), so that only they are looked at (``Inputs.scan``)."""
        with cache.paused_gc():  # see ``cache.paused_gc``: most of a build's objects die with it
            b: Build | Result | None = None
            try:
                check_output(self.site, self.out)
                b = self._start(changed)
                return self._build(b) if isinstance(b, Build) else b
            except BaseException:
                self.inputs.last = None  # ``changed`` may not all have been looked at: next time, every file
                raise
            finally:
                self.rendering.close()  # a build that failed before rendering
                if isinstance(b, Build) and b.staging is not None:  # a failed build's half-filled new output
                    b.staging.discard()

    def _build(self, b: Build) -> Result:
        clock = _Clock()
        self._load(b)
        clock.lap("parse")
        self._resolve(b)
        clock.lap("resolve")
        if b.diags.failed(self.options.strict):
            return Result(b.diags, b.lib)
        self._render(b)
        clock.lap("render")
        if b.diags.failed(self.options.strict):
            return Result(b.diags, b.lib)
        self._search(b)
        clock.lap("search")
        b.spare = self.output.write(b)
        b.staging = None  # swapped in: the staged pages are in ``out`` now
        clock.lap("write")
        self._keep(b, clock)
        files = OutputFiles(self.out, sorted(b.pages), b.fresh)
        rendered, written = sorted(b.rendered), sorted(b.changed)
        return Result(b.diags, b.lib, files, rendered, written, b.removed, clock.laps)

    def _start(self, changed: Collection[str] | None) -> Build | Result:
        """Settings, the scan of every input file, and the last build's state; a Result
        at once when nothing changed since the last build, or the settings are wrong."""
        started = time.time_ns()
        diags = Diagnostics()
        config = settings(self.site, self.options, diags)
        if config is None:  # nothing to build: report every problem, as ``check`` does
            self.inputs.last = None  # the next build looks at every file
            return check(self.site, self.options)
        scan = self.inputs.scan(changed)
        git = self._commit_dates(config)
        dirs = [str(d) for d in theme_dirs(self.site)]
        key = fingerprint((self.options.drafts, config, sorted(git.items()), dirs))
        out_id = output_identity(self.out)
        head = self._head()
        unchanged = head is not None and (head.key, head.scan, head.out_identity) == (key, scan, out_id)
        if unchanged and head is not None and not racy(scan, head.scanned_at):
            diags.items.extend(head.diags)
            library = self.state.library if self.state is not None else None
            return Result(diags, library, OutputFiles(self.out, head.paths, {}))
        b = Build(diags, config, key, scan, started, out_id, last=self._previous())
        b.trusted = b.last is not None and b.last.key == key and out_id is not None and b.last.out_identity == out_id
        return b

    def _load(self, b: Build) -> None:
        """Stages 1 and 2a: the records of every content file, parsed again where it changed."""
        last = b.last
        listing = last.listing if last is not None else self.inputs.listing
        same_names = last is not None and b.scan.keys() == last.scan.keys()
        listed = self.inputs.content(b.scan, listing, same_names, b.diags)
        records = self.parser.records(b.scan, listed, last.scanned_at if last else 0, b.diags)
        b.records = self.parser.dated(records, self._commit_dates(b.config))
        if not b.trusted:  # every page will be rendered: convert the briefs' Markdown meanwhile
            self.rendering.start_ahead(b.records, b.config, self.options.drafts)

    def _resolve(self, b: Build) -> None:
        """Stage 2b: the library, from the last one where that gives the same."""
        b.identities = reresolve.identities(b.records)
        last = b.last
        b.changed_ids = reresolve.changed(b.identities, last.identities if last is not None else {})
        previous = reresolve.Last(last.library, last.identities, last.resolve_diags) if last else None
        broken = frozenset(d.path for d in b.diags.errors)  # resolve keeps their fields out of its indexes
        now = reresolve.Inputs(b.records, b.config, self.options.drafts, broken, self.parser.unparsed())
        last_usable = previous if last is not None and last.key == b.key else None
        b.lib, b.resolve_diags = reresolve.resolve_library(now, last_usable, b.changed_ids)
        b.diags.items.extend(b.resolve_diags)

    def _render(self, b: Build) -> None:
        """Stage 3: the pages whose inputs changed, written ahead into a new output folder
        when every page is rendered (a whole write)."""
        b.renderer = renderer = self.rendering.renderer(b, self.inputs.theme)
        last = b.last
        renderer.last_site_json = partial(self.output.last_site_json, last) if b.trusted and last else None
        b.staging = None if b.trusted else Staging(self.out)
        self.rendering.render(b)
        old = b.old_pages
        b.changed = {p for p in b.fresh if p not in old or old[p].digest != b.pages[p].digest}
        if b.staging is not None:  # a whole write: every staged page is new
            b.changed |= b.staging.staged

    def _search(self, b: Build) -> None:
        """Stage 4: the search index (the shards whose pages changed); then what was removed."""
        self.search.step(b, OutputFiles(self.out, sorted(b.pages), b.fresh, b.staging))
        b.removed = sorted(b.old_pages.keys() - b.pages.keys())

    def missed_changes(self) -> bool:
        """Whether ``content/`` or ``site.toml`` changed in a way the watcher did not say:
        the dev server checks after a build, and builds again looking at every file."""
        return self.inputs.stale()

    def catch_up_search(self, cancelled: Callable[[], bool]) -> bool:
        """With ``search_later`` (the dev server): index what the last builds left out of
        date, after the pages are shown; False when ``cancelled`` (a new edit) stopped it."""
        if self.state is None:
            return True
        return self.search.catch_up(self.state, cancelled)

    # -- the state the next build starts from ---------------------------------------
    def _keep(self, b: Build, clock: _Clock) -> None:
        """Make the state for the next build: kept here, saved, or made and saved by a child."""
        background = self.use_cache and self.background_save and len(b.pages) >= BACKGROUND_SAVE_FILES
        make = partial(self._next_state, b, background)
        if background:
            # the state is made, not only saved, by the child: this builder keeps none, and
            # a later build of it loads what the child saved (waiting for it on the lock)
            cache.save_in_background(self.site, make)
            self.state, self._loaded = None, False
            self.rendering.kept(None)
            clock.lap("save")
            return
        self.state = make()
        self.rendering.kept(self.state)
        clock.lap("state")
        if self.use_cache:
            cache.save(self.site, self.state)
            clock.lap("save")

    def _next_state(self, b: Build, background: bool) -> State:
        assert b.lib is not None and b.renderer is not None
        deps, pages = _next_deps(b)
        snapshot = b.renderer.snapshot()
        templates = {k[1]: snapshot.value(k) for k, _ in deps.keys_of((), lambda tag, _index: tag == "tpl")}
        state = State(
            b.key,
            b.scan,
            b.started,
            self.parser.parsed,
            b.lib,
            b.identities,
            b.resolve_diags,
            list(b.diags.items),
            pages,
            dict(b.renderer.virtual),
            templates,
            deps,
            output_identity(self.out),
            listing=self.inputs.listing,
            records_base=b.last.records_base if b.last is not None else None,
            searched=b.searched,
        )
        state.spare_identity, state.spare_digests = b.spare
        if background and state.spare_digests is None:  # (a builder with a cache swaps whole folders)
            self.output.fresh_spare(state, sorted(pages))
        return state

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
                self.parser.parsed = self.state.parsed
        return self.state


def _next_deps(b: Build) -> tuple[Deps, dict[str, PageState]]:
    """Which page read which keys, for the next build: the last build's, with the pages
    rendered now set anew (or, after a whole render, made in one pass)."""
    pages, rendered = b.pages, b.rendered
    if not b.trusted or b.last is None:  # every page was rendered: made in one pass, not page by page
        read = sorted(path for path in rendered if path in pages)
        deps = Deps.of((path, pages[path].deps) for path in read)
        for path in read:
            pages[path] = PageState(frozenset(), pages[path].digest)  # the deps live in ``deps`` now
        return deps, pages
    deps = b.last.deps
    for path in set(b.last.pages) - set(pages):
        deps.remove(path)
    for path in rendered:
        entry = pages.get(path)
        if entry is not None:
            deps.set(path, entry.deps)
            pages[path] = PageState(frozenset(), entry.digest)  # the deps live in ``deps`` now
        else:
            deps.remove(path)
    return deps, pages


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


__all__ = ["Builder", "Options", "Result", "build"]
