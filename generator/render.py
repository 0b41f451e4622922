"""Stage 3, render: every page of the site as bytes, keyed by output path.

Nothing is written here; ``write`` takes the finished mapping. Templates get
view models from ``views``, never the library itself.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator import feeds
from generator.dates import PartialDate
from generator.diagnostics import Diagnostics
from generator.library import Library
from generator.markup import Links, Markup, Target
from generator.schema import FOLDERS, KINDS
from generator.theme import assets, theme_dirs
from generator.urls import Urls, output_file
from generator.views import PLURAL, Views

SECTIONS = [("briefs/", "Briefs"), ("actors/", "Actors"), ("events/", "Events"),
            ("outcomes/", "Outcomes"), ("timeline/", "Timeline"), ("sources/", "Sources"),
            ("search/", "Search")]


@dataclass(frozen=True)
class Page:
    """One output file: its path below the root, its template and how to fill it."""

    path: str
    template: str
    title: str
    context: Callable[[], dict[str, Any]]
    record: str | None = None
    crumbs: tuple[tuple[str, str], ...] = ()


def make_env(site: Path) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(site)])
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "xml"]),
                             trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.tests["cyrillic"] = lambda text: any("\u0400" <= ch <= "\u04ff" for ch in str(text))
    return env


def link_targets(lib: Library, urls: Urls) -> Links:
    targets = {rid: Target(urls.page(lib.path_of(rid)), r.title, r.kind) for rid, r in lib.records.items()}
    return Links(targets, urls.page("dates/"))


class Renderer:
    def __init__(self, site: Path, lib: Library, diags: Diagnostics) -> None:
        self.site, self.lib, self.diags = site, lib, diags
        self.urls = Urls(lib.config)
        self.env = make_env(site)
        self.assets = assets(site)
        self.views = Views(lib, Markup(link_targets(lib, self.urls), lib.config.unsafe_html), self.urls)
        self.env.globals.update(site=lib.config, url=self.urls.page, abs_url=self.urls.absolute,
                                asset=self.asset, sections=SECTIONS, plural=PLURAL)

    def asset(self, name: str) -> str:
        return self.urls.page(self.assets[name].output)

    def pages(self) -> Iterator[Page]:
        lib, v = self.lib, self.views
        yield Page("", "home.html", lib.config.title, v.home)
        for kind in KINDS:
            folder = FOLDERS[kind]
            crumb = ((f"{folder}/", PLURAL[kind]),)
            if kind == "outcome":
                yield Page("outcomes/", "outcomes.html", "Outcome tracker", v.tracker, crumbs=crumb)
            else:
                yield Page(f"{folder}/", "index.html", PLURAL[kind], _bind(v.index, kind), crumbs=crumb)
            for rid in lib.by_kind[kind]:
                yield Page(lib.path_of(rid), f"{kind}.html", lib.records[rid].title,
                           _bind(v.record, rid), rid, crumbs=crumb)
        yield Page("timeline/", "timeline.html", "Timeline",
                   lambda: {"years": v.timeline(lib.timeline)}, crumbs=(("timeline/", "Timeline"),))
        yield from self._date_pages()
        yield Page("tags/", "tags.html", "Tags", self._tags, crumbs=(("tags/", "Tags"),))
        for slug, (name, ids) in lib.tags.items():
            yield Page(f"tags/{slug}/", "tag.html", f"Tag: {name}",
                       _bind(lambda n, i: {"name": n, "briefs": v.links(i)}, name, ids),
                       crumbs=(("tags/", "Tags"), (f"tags/{slug}/", name)))
        yield Page("search/", "search.html", "Search", lambda: {"letters": v.az()},
                   crumbs=(("search/", "Search"),))
        yield Page("404.html", "404.html", "Page not found", dict)

    def _date_pages(self) -> Iterator[Page]:
        v, lib = self.views, self.lib
        yield Page("dates/", "dates.html", "Dates", self._dates, crumbs=(("dates/", "Dates"),))
        for key, entries in lib.dates.items():
            date = PartialDate(*[int(p) for p in key.split("-")])
            crumbs = [("dates/", "Dates")] + [(f"dates/{d}/", d.human()) for d in reversed(date.parents())]

            def ctx(date: PartialDate = date, entries: list[Any] = entries, key: str = key) -> dict[str, Any]:
                return {"date": v.date(date), "years": v.timeline(entries),
                        "linked_from": v.links(lib.date_mentions.get(key, [])),
                        "children": self._children(date)}
            yield Page(f"dates/{key}/", "date.html", date.human(), ctx, crumbs=tuple(crumbs))

    def _children(self, date: PartialDate) -> list[dict[str, Any]]:
        if date.day:
            return []
        prefix = f"{date}-"
        return [self.views.date(PartialDate(*[int(p) for p in k.split("-")]))  # type: ignore[misc]
                for k in self.lib.dates if k.startswith(prefix) and k.count("-") == str(date).count("-") + 1]

    def _dates(self) -> dict[str, Any]:
        years = [k for k in self.lib.dates if "-" not in k]
        return {"years": [{"date": self.views.date(PartialDate(int(y))),
                           "count": len(self.lib.dates[y]),
                           "months": [{"date": self.views.date(PartialDate(int(y), int(m[5:]))),
                                       "count": len(self.lib.dates[m])}
                                      for m in self.lib.dates if m.startswith(y + "-") and m.count("-") == 1]}
                          for y in years]}

    def _tags(self) -> dict[str, Any]:
        return {"tags": [{"name": name, "count": len(ids), "url": self.urls.page(f"tags/{slug}/")}
                         for slug, (name, ids) in self.lib.tags.items()]}

    def render_page(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        ctx = page.context()
        ld = feeds.jsonld(self.lib, self.urls, page.record, page.path, page.title)
        meta = {"title": page.title, "path": page.path, "url": self.urls.page(page.path),
                "canonical": self.urls.absolute(page.path), "jsonld": feeds.script_json(ld),
                "crumbs": [{"url": self.urls.page(p), "title": t} for p, t in page.crumbs],
                "section": page.path.split("/", 1)[0] + "/" if page.path else "",
                "description": _description(ctx, self.lib.config.description)}
        return template.render(page=meta, **ctx).encode()

    def render_all(self) -> dict[str, bytes]:
        """Every output file: pages, feed, sitemap, robots.txt, site.json, assets."""
        out: dict[str, bytes] = {}
        for page in self.pages():
            try:
                out[output_file(page.path)] = self.render_page(page)
            except jinja2.TemplateError as exc:
                self._template_error(exc, page)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
                self._theme_bug(exc, page)
        out.update(self.extras(list(out)))
        for asset in self.assets.values():
            out[asset.output] = asset.source.read_bytes()
        return out

    def extras(self, html_files: list[str]) -> dict[str, bytes]:
        lib, v = self.lib, self.views
        briefs = lib.by_kind["brief"][: lib.config.feed_limit]
        entries = []
        for rid in briefs:
            view = v.record(rid)
            r = lib.records[rid]
            entries.append({**view["r"], "abs": self.urls.absolute(lib.path_of(rid)), "body": view["body"],
                            "published": r.fields["date"].iso_datetime(),
                            "updated": (r.fields.get("updated") or r.fields["date"]).iso_datetime()})
        updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
        pages = sorted(p[: -len("index.html")] for p in html_files if p.endswith("index.html"))
        out = {
            "feed.xml": self.env.get_template("feed.xml").render(entries=entries, updated=updated).encode(),
            "sitemap.xml": self.env.get_template("sitemap.xml").render(
                urls=[self.urls.absolute(p) for p in pages]).encode(),
            "robots.txt": feeds.robots(self.urls),
            "data/site.json": feeds.site_json(lib, self.urls),
        }
        return out

    def _theme_bug(self, exc: Exception, page: Page) -> None:
        where = _template_frame(exc)
        if where is None:
            raise exc
        name, line = where
        self.diags.error(self._rel(name, page), (line, 1), "template",
                         f"template failed while rendering /{page.path}: {type(exc).__name__}: {exc}")

    def _rel(self, name: str, page: Page) -> str:
        try:
            return Path(name).resolve().relative_to(self.site.resolve()).as_posix()
        except ValueError:
            return name

    def _template_error(self, exc: jinja2.TemplateError, page: Page) -> None:
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or page.template
        line = getattr(exc, "lineno", None) or 1
        frame = _template_frame(exc)
        if frame and not getattr(exc, "lineno", None):
            name, line = frame
        self.diags.error(self._rel(name, page), (line, 1), "template", f"template error while rendering /{page.path}: {exc}")


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in a traceback: where a theme's bug is."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".html", ".xml")):
            found = (name, line)
    return found


def _bind(fn: Callable[..., dict[str, Any]], *args: Any) -> Callable[[], dict[str, Any]]:
    return lambda: fn(*args)


def _description(ctx: dict[str, Any], default: str) -> str:
    summary = ctx.get("summary")
    if isinstance(summary, str) and summary and "<" not in summary:
        return summary
    return default
