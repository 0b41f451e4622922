"""The renderer with its reads recorded: what the engine renders with.

``RecordingRenderer`` is ``render.Renderer`` whose view models read the library, the
link targets, the date pages' children, the assets and the templates through the
recording wrappers of ``deps``; the renderer and the view models do not know. Every page
then comes with the keys it read, and the next build renders again exactly the pages
whose keys' values changed. The bytes are the plain renderer's:
tests/test_engine_reference.py compares them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from briefing.content.dates import PartialDate
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.engine import sitejson
from briefing.engine.ahead import AheadConverter, AheadMarkup, first_markdown
from briefing.engine.deps import Key, Recorder, RecordingLibrary, RecordingMapping, Snapshot
from briefing.library.records import Library
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from briefing.render import feeds, templates
from briefing.render.pages import Page
from briefing.render.renderer import Renderer
from briefing.render.templates import make_env
from briefing.render.theme import theme_dirs

_T = TypeVar("_T")
Virtual = dict[str, dict[str, Any]]  # the renderer's derived inputs, by name (see ``deps``)


class RecordingEnvironment(templates.Environment):
    """Records every template a page asks for, found or not, even from Jinja's cache.

    A name that was not found is recorded too, so adding a theme override later
    re-renders the pages that looked for it (as Lektor does). ``{% extends %}``,
    ``{% include %}`` and ``{% import %}`` all ask through these public methods."""

    recorder: Recorder | None = None

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if self.recorder is not None and isinstance(name, str):
            self.recorder.add(("tpl", self.join_path(name, parent) if parent is not None else name))
        return super().get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if self.recorder is not None and not isinstance(names, jinja2.runtime.Undefined):
            for name in names:
                if isinstance(name, str):
                    self.recorder.add(("tpl", self.join_path(name, parent) if parent is not None else name))
        return super().select_template(names, parent, globals)


class ReplayShare:
    """How the engine's views share a value many pages show: made once per build, and
    every later caller gets the reads made while making it replayed, so a page records
    what it shows however often it is shown."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def __call__(self, table: dict[Any, Any], key: Hashable, make: Callable[[Any], Any], arg: Any) -> Any:
        rec = self.rec
        found = table.get(key)
        if found is None:
            outer, rec.keys = rec.keys, set()
            try:
                found = table[key] = (make(arg), rec.keys)
            finally:
                rec.keys = outer
        if rec.keys is not None:
            rec.keys |= found[1]
        return found[0]


def listing_keys(page: Page) -> tuple[Key, ...]:
    """What a page shows that was read while the pages were listed, not while it rendered:
    a record page's title, a tag page's name."""
    if page.record is not None:
        return (("r", page.record, "title"),)
    if page.template == "tag.html":
        return (("ix", "tags", page.path.split("/")[1]),)
    return ()


def template_fingerprint(site: Path, name: str) -> bytes:
    """Which theme folder provides ``name`` and its bytes; ``missing`` when none does."""
    for i, d in enumerate(theme_dirs(site)):
        path = d / "templates" / name
        if path.is_file():
            return hashlib.blake2b(f"{i}:".encode() + path.read_bytes(), digest_size=12).digest()
    return b"missing"


class RecordingRenderer(Renderer):
    """``Renderer`` recording what each page reads (``render_recorded``).

    ``known``: the derived inputs (``virtual``) of a renderer made for a library whose
    indexes this one shares (``reresolve.same_indexes``), so they need not be derived again.
    """

    def __init__(
        self,
        site: Path,
        lib: Library,
        diags: Diagnostics,
        env: RecordingEnvironment | None = None,
        known: Virtual | None = None,
    ) -> None:
        env = env or make_env(site, None, RecordingEnvironment)  # type: ignore[assignment]
        assert isinstance(env, RecordingEnvironment)
        self.rec = Recorder()
        self.share = ReplayShare(self.rec)  # type: ignore[assignment]
        self._known = known
        env.recorder = self.rec
        super().__init__(site, lib, diags, env)
        self.pages_known = known is not None  # and set: ``virtual["pages"]``
        self.virtual: Virtual = {
            "link": self.targets,
            "children": self.date_children,
            "asset": self.asset_urls,
            "pages": known["pages"] if known is not None else {},
        }
        self._pages_from: list[str] | None = None  # the list ``set_pages`` was last given
        self._fingerprints: dict[str, bytes] = {}
        self._batch_converter: AheadConverter | None = None  # made by the first ``render_batch``
        # the last build's site.json lines, when the builder can vouch for them
        self.last_site_json: Callable[[], sitejson.SiteJsonLines | None] | None = None

    # -- the hooks of ``Renderer``: the same data, read through recording wrappers --
    def derive(self) -> tuple[dict[str, Target], dict[str, list[PartialDate]]]:
        if self._known is not None:
            return self._known["link"], self._known["children"]
        return super().derive()

    def make_markup(self, links: Links) -> Markup:
        return AheadMarkup(links, self.lib.config.unsafe_html)

    def library_for_views(self, lib: Library) -> Library:
        return RecordingLibrary(lib, self.rec)  # type: ignore[return-value]

    def targets_for_views(self) -> Mapping[str, Target]:
        return RecordingMapping("link", self.targets, self.rec)

    def children(self, key: str) -> list[PartialDate]:
        self.rec.add(("v", "children", key))
        return super().children(key)

    def asset(self, name: str) -> str:
        self.rec.add(("v", "asset", name))
        return super().asset(name)

    def html_files(self) -> list[str]:
        self.rec.add(("V", "pages"))
        return list(self.virtual["pages"])

    # -- between builds -----------------------------------------------------------
    def refresh(self, lib: Library, diags: Diagnostics) -> None:
        """Render from ``lib`` from now on, a library that shares this one's indexes
        (``reresolve.same_indexes``): only records' prose changed, so the page list, link
        targets, date children and assets stay; per-build view models are dropped."""
        self.use(lib, diags)
        self.env.recorder = self.rec  # type: ignore[attr-defined]
        self.env.globals.update(asset=self.asset)

    def snapshot(self) -> Snapshot:
        """What pages read, as of this build."""
        return Snapshot(self.lib, self.virtual, self._template_fingerprint)

    def _template_fingerprint(self, name: str) -> bytes:
        """Read once per renderer: it lives only as long as the theme's files are unchanged."""
        found = self._fingerprints.get(name)
        if found is None:
            found = self._fingerprints[name] = template_fingerprint(self.site, name)
        return found

    def set_pages(self, html_files: list[str]) -> None:
        """The list of pages is an input of the sitemap: set it before comparing inputs."""
        if html_files is not self._pages_from:  # the same list again (``outputs()``): unchanged
            self.virtual["pages"] = {p: 1 for p in sorted(html_files)}
            self._pages_from = html_files

    # -- rendering, recorded ------------------------------------------------------
    def render_recorded(self, page: Page) -> tuple[bytes | None, frozenset[Key]]:
        """Render one page; return its bytes (None after a reported error) and what it read."""
        return self._recording(page, lambda: self.render_page(page))

    def render_extra_recorded(self, page: Page) -> tuple[bytes | None, frozenset[Key]]:
        if page.path == "robots.txt":
            return feeds.robots(self.urls), frozenset()
        if page.path == feeds.SITE_JSON:
            reuse = self.last_site_json() if self.last_site_json is not None else None
            return sitejson.site_json(self.lib, self.urls, reuse), frozenset(sitejson.reads(self.lib))
        return self._recording(page, lambda: self.render_extra(page))

    def _recording(self, page: Page, render: Callable[[], bytes | None]) -> tuple[bytes | None, frozenset[Key]]:
        self.rec.start(listing_keys(page))
        try:
            data = render()
            return (data, frozenset(self.rec.keys or ())) if data is not None else (None, frozenset())
        finally:
            self.rec.keys = None

    def _guarded(self, page: Page, work: Callable[[], _T]) -> _T | None:
        """``work()``, or None once a template's error in it is a diagnostic of ``page``."""
        try:
            return work()
        except (jinja2.TemplateError, *templates.THEME_BUGS) as exc:
            templates.report(exc, self.site, page.template, page.path, self.diags)
            return None

    def render_batch(self, pages: list[Page]) -> list[tuple[bytes | None, frozenset[Key], list[Diagnostic]]]:
        """``render_recorded`` of each of ``pages``, with the diagnostics of each, in three
        passes over them: the briefs' Markdown, then every view model, then every template.
        Each pass keeps its code and data in the processor's caches, which one page at a time
        through all three evicted. A page's reads are recorded in its own set through every pass."""
        markup = self.markup
        assert isinstance(markup, AheadMarkup)
        self._convert_bodies_first(pages, markup)
        try:
            prepared = [self._prepare_recorded(page) for page in pages]
            return [self._finish_recorded(page, *ready) for page, ready in zip(pages, prepared, strict=True)]
        finally:
            markup.batch.clear()

    def _convert_bodies_first(self, pages: list[Page], markup: AheadMarkup) -> None:
        """Each page's ``first_markdown``, converted ahead; the page uses the conversion only
        where it holds (``AheadMarkup.render``)."""
        if self._batch_converter is None:
            links = markup.state.links
            self._batch_converter = AheadConverter(
                Links(self.virtual["link"], links.date_prefix), self.lib.config.unsafe_html
            )
        records, ahead, batch = self.lib.records, markup.ahead, markup.batch
        for page in pages:
            r = records.get(page.record) if page.record is not None else None  # type: ignore[call-overload]
            text = first_markdown(r) if r is not None else None
            if text is not None and text not in ahead and text not in batch:
                batch[text] = self._batch_converter.convert(text)

    def _prepare_recorded(self, page: Page) -> tuple[Any, set[Key] | None, list[Diagnostic]]:
        before = len(self.diags.items)
        self.rec.start(listing_keys(page))
        try:
            ready = self._guarded(page, lambda: self.prepare(page))
        finally:
            keys, self.rec.keys = self.rec.keys, None
        return ready, keys, self.diags.items[before:]

    def _finish_recorded(
        self, page: Page, ready: Any, keys: set[Key] | None, diags: list[Diagnostic]
    ) -> tuple[bytes | None, frozenset[Key], list[Diagnostic]]:
        if ready is None:
            return None, frozenset(), diags
        before = len(self.diags.items)
        template, meta, ctx = ready
        self.rec.keys = keys
        try:
            data = self._guarded(page, lambda: template.render(page=meta, **ctx).encode())
            if data is not None:
                return data, frozenset(self.rec.keys or ()), diags
        finally:
            self.rec.keys = None
        return None, frozenset(), diags + self.diags.items[before:]
