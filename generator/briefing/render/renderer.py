"""Stage 3, render: every page of the site as bytes, keyed by output path.

Nothing is written here; ``write`` takes the finished mapping. Templates get view
models from ``views`` and ``lists``, never the library itself. This is the plain
renderer; the engine's (``engine.recording``) is this one with its reads recorded, and
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from briefing.content.dates import PartialDate, news_of_update
from briefing.content.model import Record
from briefing.diagnostics import Diagnostics
from briefing.library.moved import old_ids
from briefing.library.records import Library
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from briefing.render import feeds, infobox, jsonld, network, recordfeeds, records, templates
from briefing.render.lists import ListViews, date_children
from briefing.render.pages import Page, PageList
from briefing.render.theme import assets
from briefing.render.urls import Urls
from briefing.render.views import PLURAL, Share, Views, made_anew

SECTIONS = [
    ("briefs/", "Briefs"),
    ("actors/", "Actors"),
    ("events/", "Events"),
    ("outcomes/", "Outcomes"),
    ("watch/", "Watch"),
    ("timeline/", "Timeline"),
    ("sources/", "Sources"),
    ("search/", "Search"),
]
EXTRA_PAGES = ("feed.xml", "sitemap.xml", "robots.txt", feeds.SITE_JSON)


def record_target(urls: Urls, r: Record) -> Target:
    """What a link to ``r`` shows: its page, its short name (else its name or title), its kind."""
    return Target(urls.page(urls.record_path(r.kind, r.id)), r.short, r.kind)


def draft_target(title: str) -> Target:
    """What a link to a draft left out of the build shows: its title, as text (no page)."""
    return Target("", title, "brief")


def link_targets(lib: Library, urls: Urls) -> dict[str, Target]:
    """Every record's target, and the drafts' (text only), by id."""
    targets: dict[str, Target] = {rid: record_target(urls, r) for rid, r in lib.records.items()}
    targets.update((rid, draft_target(title)) for rid, title in lib.drafts.items())
    return targets


class Renderer:
    """Renders the pages of one library, one at a time or all at once (``render_all``).

    A template's error is reported in ``diags`` (the page then renders to None).
    The ``*_for_views`` hooks and ``share`` let the engine's renderer read the same
    data through its recording wrappers; here they hand over the plain data.
    """

    share: Share = staticmethod(made_anew)  # type: ignore[assignment]

    def __init__(self, site: Path, lib: Library, diags: Diagnostics, env: templates.Environment | None = None) -> None:
        self.site, self.lib, self.diags = site, lib, diags
        self.urls = Urls(lib.config)
        self.env = env or templates.make_env(site)
        self.assets = assets(site)
        self.asset_urls = {name: self.urls.page(a.output) for name, a in self.assets.items()}
        self.targets, self.date_children = self.derive()
        self.markup = self.make_markup(Links(self.targets_for_views(), self.urls.page("dates/")))
        self.page_list = PageList(lib, self)
        self._assets: dict[str, bytes] | None = None
        self.use(lib, diags)
        self.env.globals.update(
            site=lib.config,
            url=self.urls.page,
            abs_url=self.urls.absolute,
            asset=self.asset,
            sections=SECTIONS,
            plural=PLURAL,
        )

    # -- what the engine's renderer reads through its wrappers --------------------
    def derive(self) -> tuple[dict[str, Target], dict[str, list[PartialDate]]]:
        """What every page may link to, and which date pages each year and month has."""
        return link_targets(self.lib, self.urls), date_children(self.lib)

    def make_markup(self, links: Links) -> Markup:
        return Markup(links, self.lib.config.unsafe_html)

    def library_for_views(self, lib: Library) -> Library:
        return lib

    def targets_for_views(self) -> Mapping[str, Target]:
        return self.targets

    def children(self, key: str) -> list[PartialDate]:
        """The months of a year's page, or the days of a month's, that have pages."""
        return self.date_children.get(key, [])

    def asset(self, name: str) -> str:
        """The URL of the theme's asset ``name`` (fingerprinted for CSS and JS)."""
        return self.asset_urls[name]

    def html_files(self) -> list[str]:
        """Every HTML page's output path, sorted: what the sitemap lists."""
        return sorted(self.page_list.outputs())

    # -- view models --------------------------------------------------------------
    def use(self, lib: Library, diags: Diagnostics) -> None:
        """Make the view models for ``lib`` (a new library, the page list aside)."""
        self.lib, self.diags = lib, diags
        self.view_lib = self.library_for_views(lib)
        self.views = Views(self.view_lib, self.markup, self.urls, self.share)
        self.lists = ListViews(self.views, self.children)
        self._record_views: dict[str, Any] = {}

    def record_view(self, rid: str) -> dict[str, Any]:
        """A record's view model, shared by its page and the feed."""
        return self.share(self._record_views, rid, self._record_view, rid)  # type: ignore[no-any-return]

    def _record_view(self, rid: str) -> dict[str, Any]:
        return records.record(self.views, rid)

    def home(self) -> dict[str, Any]:
        return self.lists.home()

    def tracker(self) -> dict[str, Any]:
        return self.lists.tracker()

    def index(self, kind: str) -> dict[str, Any]:
        return self.lists.index(kind)

    def timeline(self) -> dict[str, Any]:
        return {"years": self.lists.timeline(self.view_lib.timeline)}

    def search(self) -> dict[str, Any]:
        return {"letters": self.lists.az()}

    def dates(self) -> dict[str, Any]:
        return self.lists.dates()

    def date_page(self, key: str, date: PartialDate) -> dict[str, Any]:
        return self.lists.date_page(key, date)

    def tags(self) -> dict[str, Any]:
        return self.lists.tags()

    def tag(self, slug: str) -> dict[str, Any]:
        return self.lists.tag(slug)

    def watch(self) -> dict[str, Any]:
        return self.lists.watch()

    def network(self) -> dict[str, Any]:
        return network.network(self.views)

    # -- pages --------------------------------------------------------------------
    def pages(self) -> list[Page]:
        return self.page_list.all()

    def prepare(self, page: Page) -> tuple[jinja2.Template, dict[str, Any], dict[str, Any]]:
        """A page's template, the page's own fields (``page`` in templates) and its view model."""
        template = self.env.get_template(page.template)
        ctx = page.context()
        ld = jsonld.page_object(self.view_lib, self.urls, page.record, page.path, page.title, self.views)
        meta = {
            "title": page.title,
            "path": page.path,
            "url": self.urls.page(page.path),
            "canonical": self.urls.absolute(page.path),
            "jsonld": jsonld.script_json(ld),
            "crumbs": [{"url": self.urls.page(p), "title": t} for p, t in page.crumbs],
            "section": page.path.split("/", 1)[0] + "/" if page.path else "",
            "description": _description(ctx, self.lib.config.description),
            # the page's own Atom feed (``recordfeeds``), linked from its head and its "Follow" link
            "feed": self.urls.page(recordfeeds.feed_path(page.path)) if page.template in recordfeeds.FEED_PAGES else "",
        }
        return template, meta, ctx

    def render_page(self, page: Page) -> bytes | None:
        """One page's bytes; None once a template's error in it is reported."""
        try:
            template, meta, ctx = self.prepare(page)
            return template.render(page=meta, **ctx).encode()
        except (jinja2.TemplateError, *templates.THEME_BUGS) as exc:
            templates.report(exc, self.site, page.template, page.path, self.diags)
            return None

    # -- the feed, the sitemap, robots.txt and site.json ---------------------------
    def extra_pages(self) -> list[Page]:
        return [
            Page("feed.xml", "feed.xml", "feed", self._feed),
            Page("sitemap.xml", "sitemap.xml", "sitemap", self._sitemap),
            Page("robots.txt", "", "robots", dict),
            Page(feeds.SITE_JSON, "", "data", dict),
            *self.record_feeds(),
            *self.redirect_pages(),
        ]

    def redirect_pages(self) -> list[Page]:
        """A page at each old URL of a renamed record (``moved_from``) that sends readers on."""
        out = []
        for old, rid in old_ids(self.lib.records):
            path = self.urls.record_path(self.lib.records[rid].kind, old)
            out.append(Page(path, "redirect.html", "redirect", partial(self.redirect, rid), rid))
        return out

    def redirect(self, rid: str) -> dict[str, Any]:
        ref = self.views.ref(rid)
        return {"title": ref["title"], "url": ref["url"], "canonical": self.urls.absolute(self.lib.path_of(rid))}

    def record_feeds(self) -> list[Page]:
        """The Atom feed of every actor, event, outcome and tag (``recordfeeds``)."""
        lib, template, out = self.lib, recordfeeds.FEED_TEMPLATE, []
        for kind in recordfeeds.FEED_KINDS:
            for rid in lib.by_kind[kind]:
                path = recordfeeds.feed_path(self.urls.record_path(kind, rid))
                out.append(Page(path, template, "feed", partial(self.record_feed, rid), rid))
        for slug in lib.tags:
            path = recordfeeds.feed_path(self.urls.tag_path(slug))
            out.append(Page(path, template, "feed", partial(self.tag_feed, slug)))
        return out

    def record_feed(self, rid: str) -> dict[str, Any]:
        return recordfeeds.record_feed(self.views, rid)

    def tag_feed(self, slug: str) -> dict[str, Any]:
        return recordfeeds.tag_feed(self.views, slug)

    def render_extra(self, page: Page) -> bytes | None:
        if page.path == "robots.txt":
            return feeds.robots(self.urls)
        if page.path == feeds.SITE_JSON:
            return feeds.site_json(self.lib, self.urls)
        try:
            return self.env.get_template(page.template).render(**page.context()).encode()
        except (jinja2.TemplateError, *templates.THEME_BUGS) as exc:
            templates.report(exc, self.site, page.template, page.path, self.diags)
            return None

    def _feed(self) -> dict[str, Any]:
        vl = self.view_lib
        entries = []
        for rid in vl.by_kind["brief"][: vl.config.feed_limit]:
            view = self.record_view(rid)
            f = vl.records[rid].fields
            entries.append(
                {
                    **view["r"],
                    "abs": self.urls.absolute(self.lib.path_of(rid)),
                    "body": view["body"],
                    "published": f["date"].iso_datetime(),
                    "updated": (news_of_update(f["date"], f.get("updated")) or f["date"]).iso_datetime(),
                }
            )
        watch = infobox.watch_entries(self.views, self.urls)
        updated = max((e["updated"] for e in [*entries, *watch]), default="1970-01-01T00:00:00Z")
        return {"entries": entries, "updated": updated, "watch_entries": watch}

    def _sitemap(self) -> dict[str, Any]:
        pages = sorted(p[: -len("index.html")] for p in self.html_files() if p.endswith("index.html"))
        return {"urls": [self.urls.absolute(p) for p in pages]}

    def asset_files(self) -> dict[str, bytes]:
        """The theme's static files, read once per renderer (it lives as long as the theme is unchanged)."""
        if self._assets is None:
            self._assets = {a.output: a.source.read_bytes() for a in self.assets.values()}
        return self._assets

    def render_all(self) -> dict[str, bytes]:
        """Every output file: pages, feed, sitemap, robots.txt, site.json, assets."""
        out: dict[str, bytes] = {}
        for page in self.pages():
            data = self.render_page(page)
            if data is not None:
                out[page.output] = data
        for page in self.extra_pages():  # redirects are HTML too, but not pages of the site
            data = self.render_extra(page)
            if data is not None:
                out[page.output] = data
        out.update(self.asset_files())
        return out


def _description(ctx: dict[str, Any], default: str) -> str:
    summary = ctx.get("summary")
    if isinstance(summary, str) and summary and "<" not in summary:
        return summary
    return default
