"""The engine's side of stage 3: render only the pages whose recorded reads changed.

A page is rendered again when it is new, or when a key it read last time (see ``deps``)
has another value now: only keys of the records that changed, of the indexes that are
not the last build's objects, and a few others can. Many pages are rendered in worker
processes (``parallel``). The renderer is kept from one build to the next while the
theme and the page list hold, and the briefs' Markdown may be converted ahead, while
the library is resolved, by a forked process (``ahead``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

from briefing.content.config import SiteConfig
from briefing.content.model import Record
from briefing.engine import cache, parallel
from briefing.engine.ahead import AheadMarkup, Converted, bodies_ahead, convert_bodies
from briefing.engine.build import Build
from briefing.engine.cache import PageState, State
from briefing.engine.deps import INDEX_TAGS, Snapshot
from briefing.engine.inputs import Stat
from briefing.engine.recording import RecordingEnvironment, RecordingRenderer
from briefing.engine.reresolve import same_pages
from briefing.library.records import INDEX_FIELDS
from briefing.output.files import digest
from briefing.render.pages import Page
from briefing.render.templates import make_env

# Fewer briefs than this resolve in less time than forking a process to convert them takes.
AHEAD_BRIEFS = 1000


class Rendering:
    """Renders a build's pages, keeping the renderer and Jinja's environment between builds."""

    def __init__(self, site: Path, use_cache: bool) -> None:
        self.site, self.use_cache = site, use_cache
        self._env: RecordingEnvironment | None = None
        self._theme: dict[str, Stat] = {}
        self._last: RecordingRenderer | None = None
        self._last_state: State | None = None  # the state ``_last`` rendered
        self._ahead: tuple[parallel.Ahead[list[Converted]], list[str]] | None = None

    def start_ahead(self, records: list[Record], config: SiteConfig, drafts: bool) -> None:
        """Convert the briefs' Markdown in a forked process while this one resolves (one
        core) and lists the pages."""
        texts = bodies_ahead(records, drafts)
        if parallel.can_fork_helper() and len(texts) >= AHEAD_BRIEFS:
            self._ahead = (parallel.Ahead(partial(convert_bodies, records, config, drafts)), texts)

    def stop_ahead(self) -> dict[str, Converted]:
        """What ``start_ahead`` converted so far, by text (and the helper process is gone)."""
        if self._ahead is None:
            return {}
        ahead, texts = self._ahead
        self._ahead = None
        done = ahead.stop() or []
        return dict(zip(texts, done, strict=False))

    def close(self) -> None:
        """Drop the work done ahead (a build that failed before rendering)."""
        if self._ahead is not None:
            self._ahead[0].close()
            self._ahead = None

    def kept(self, state: State | None) -> None:
        """The state the last renderer rendered (None: the next build makes a new one)."""
        self._last_state = state
        if state is None:
            self._last = None

    def renderer(self, b: Build, theme: dict[str, Stat]) -> RecordingRenderer:
        """The last build's renderer when its pages, link targets and date pages still hold
        (see ``reresolve.same_pages``) and the theme is unchanged; else a new one, made from
        the last build's derived inputs when only those hold."""
        assert b.lib is not None
        env = self._environment(theme)
        state = b.last if b.trusted else None
        last = self._last
        same = state is not None and same_pages(state.library, b.lib, b.changed_ids)
        if same and last is not None and last.env is env and self._last_state is state:
            last.refresh(b.lib, b.diags)
            return last
        known = state.virtual if same and state is not None else None
        self._last = RecordingRenderer(self.site, b.lib, b.diags, env=env, known=known)
        return self._last

    def _environment(self, theme: dict[str, Stat]) -> RecordingEnvironment:
        """Jinja's environment, kept while the theme's files are unchanged: its cache would
        not notice a template added to a theme folder that comes first (an override)."""
        if theme != self._theme:
            self._env, self._theme = None, theme
        if self._env is None:
            folder = self.bytecode()
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            self._env = make_env(self.site, folder, RecordingEnvironment)  # type: ignore[assignment]
        assert self._env is not None
        return self._env

    def bytecode(self) -> Path | None:
        return self.site / cache.CACHE_DIR / "templates" if self.use_cache else None

    def render(self, b: Build) -> None:
        """Render the pages whose inputs changed into ``b``; the rest keep their last output.
        With ``b.staging`` (a whole write ahead), each page goes to the new output as it
        comes, and only there (not into ``b.fresh``)."""
        renderer = b.renderer
        assert renderer is not None
        if renderer.pages_known:  # the last build's pages: none need listing, a few are made
            html = list(renderer.virtual["pages"])
        else:
            html = renderer.page_list.outputs()
            renderer.set_pages(html)
        extras = renderer.extra_pages()
        dirty = self._dirty(b)
        old = b.old_pages
        todo = [path for path in html if path not in old or path in dirty]
        todo_extras = [i for i, page in enumerate(extras) if page.output not in old or page.output in dirty]
        redo, redo_extras = set(todo), set(todo_extras)  # (a list's ``in`` made this quadratic)
        kept = [path for path in html if path not in redo]
        kept += [page.output for i, page in enumerate(extras) if i not in redo_extras]
        b.pages.update((path, old[path]) for path in kept)
        for path, data, found, deps, diags in self._results(b, todo, extras, todo_extras):
            b.rendered.add(path)
            renderer.diags.items.extend(diags)
            if found is None:
                continue
            b.pages[path] = PageState(deps, found)
            if data is None:  # a worker wrote it into ``staging``
                assert b.staging is not None
                b.staging.written(path)
            elif b.staging is not None:
                b.staging.add(path, data)  # and not kept: see ``Staging``
            else:
                b.fresh[path] = data
        for path, data in renderer.asset_files().items():
            b.pages[path] = PageState(frozenset(), digest(data))
            if path not in old or old[path].digest != b.pages[path].digest:
                b.fresh[path] = data

    def _results(
        self, b: Build, todo: list[str], extras: list[Page], todo_extras: list[int]
    ) -> Iterable[parallel.Rendered]:
        renderer = b.renderer
        assert renderer is not None and isinstance(renderer.markup, AheadMarkup)
        if len(todo) + len(todo_extras) >= parallel.MIN_PAGES and parallel.workers() > 1:
            position = {path: i for i, path in enumerate(renderer.page_list.outputs())}
            pages = renderer.pages()
            # the slowest pages first: site.json, the feed, and pages that list many records
            # (indexes, tags, search); one of them last would leave the other worker idle
            listing = [position[path] for path in todo]
            tasks = (
                [("extra", i) for i in todo_extras]
                + [("page", i) for i in listing if _lists(pages[i])]
                + [("page", i) for i in listing if not _lists(pages[i])]
            )
            into = b.staging.open() if b.staging is not None else None  # the workers write the pages there
            yield from parallel.render(renderer, self.bytecode(), tasks, into, self.stop_ahead())
        else:
            renderer.markup.ahead = self.stop_ahead()
            try:
                yield from _render_here(renderer, todo, extras, todo_extras)
            finally:
                renderer.markup.ahead = {}  # valid for this build only

    def _dirty(self, b: Build) -> set[str]:
        """Output paths that read a key whose value changed since the last build."""
        state, renderer = b.last, b.renderer
        if state is None or not b.trusted:
            return set()
        assert renderer is not None
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
        for key, readers in deps.keys_of(b.changed_ids, unowned):
            if old.value(key) != new.value(key):
                paths = {deps.path(pid) for pid in readers}
                if debug:
                    print("changed", key, sorted(paths), file=sys.stderr)
                dirty |= paths
        return dirty


def _render_here(
    renderer: RecordingRenderer, todo: list[str], extras: list[Page], todo_extras: list[int]
) -> Iterator[parallel.Rendered]:
    for path in todo:
        page = renderer.page_list.find(path)
        assert page is not None, path
        data, deps = renderer.render_recorded(page)
        yield parallel.Rendered(path, data, digest(data) if data is not None else None, deps, [])
    for index in todo_extras:
        data, deps = renderer.render_extra_recorded(extras[index])
        yield parallel.Rendered(extras[index].output, data, digest(data) if data is not None else None, deps, [])


def _lists(page: Page) -> bool:
    """Whether a page lists records of many kinds or many days: not a record's or a day's."""
    return page.record is None and (page.path == "dates/" or not page.path.startswith("dates/"))
