"""Every page of a site: where it goes, which template shows it, and what fills it.

The list is made from the library alone, in a stable order (render workers list the
pages too, and are handed positions in it); ``PageList.find`` makes one page by its
output path without listing them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from briefing.content.dates import PartialDate, from_key
from briefing.content.schema import FOLDERS, KINDS
from briefing.library.records import Library
from briefing.render.urls import output_file
from briefing.render.views import PLURAL


@dataclass(frozen=True)
class Page:
    """One output file: its path below the root, its template and how to fill it."""

    path: str
    template: str
    title: str
    context: Callable[[], dict[str, Any]]
    record: str | None = None  # the record the page shows
    crumbs: tuple[tuple[str, str], ...] = ()

    @property
    def output(self) -> str:
        return output_file(self.path)


class Contexts(Protocol):
    """What fills each kind of page (the renderer's view models)."""

    def record_view(self, rid: str) -> dict[str, Any]: ...
    def home(self) -> dict[str, Any]: ...
    def tracker(self) -> dict[str, Any]: ...
    def index(self, kind: str) -> dict[str, Any]: ...
    def timeline(self) -> dict[str, Any]: ...
    def search(self) -> dict[str, Any]: ...
    def dates(self) -> dict[str, Any]: ...
    def date_page(self, key: str, date: PartialDate) -> dict[str, Any]: ...
    def tags(self) -> dict[str, Any]: ...
    def tag(self, slug: str) -> dict[str, Any]: ...
    def watch(self) -> dict[str, Any]: ...
    def network(self) -> dict[str, Any]: ...


class PageList:
    """The pages of one library, listed once (``all``) or found one at a time (``find``)."""

    def __init__(self, lib: Library, contexts: Contexts) -> None:
        self.lib, self.c = lib, contexts
        self._pages: list[Page] | None = None
        self._outputs: list[str] | None = None
        self._by_output: dict[str, Page] | None = None

    def all(self) -> list[Page]:
        """Every HTML page, in a stable order."""
        if self._pages is None:
            self._pages = list(self._list())
        return self._pages

    def outputs(self) -> list[str]:
        """The output file of each of ``all()``, in the same order."""
        if self._outputs is None:
            self._outputs = [page.output for page in self.all()]
        return self._outputs

    def find(self, output: str) -> Page | None:
        """The page written to ``output``, or None; made alone when the pages were not
        listed (an edit's build renders a few pages of thousands)."""
        if self._pages is not None:
            if self._by_output is None:
                self._by_output = {page.output: page for page in self._pages}
            return self._by_output.get(output)
        path = output[: -len("index.html")] if output.endswith("/index.html") or output == "index.html" else output
        fixed = self._fixed()
        if path in fixed:
            return fixed[path]
        first, _, rest = path.partition("/")
        name = rest[:-1] if rest.endswith("/") and rest.count("/") == 1 else None
        if name is None:
            return None
        if first == "dates":
            return self._date_page(name) if name in self.lib.dates else None
        if first == "tags":
            tag = self.lib.tags.get(name)
            return self._tag_page(name, tag[0]) if tag is not None else None
        record = self.lib.records.get(name)  # type: ignore[call-overload]
        if record is not None and FOLDERS[record.kind] == first:
            return self._record_page(record.kind, name)
        return None

    def _fixed(self) -> dict[str, Page]:
        """The pages that are there whatever the content, by path."""
        c = self.c
        out = {"": Page("", "home.html", self.lib.config.title, c.home)}
        for kind in KINDS:
            folder = FOLDERS[kind]
            crumb = ((f"{folder}/", PLURAL[kind]),)
            if kind == "outcome":
                out["outcomes/"] = Page("outcomes/", "outcomes.html", "Outcome tracker", c.tracker, crumbs=crumb)
            else:
                context = partial(c.index, kind)
                out[f"{folder}/"] = Page(f"{folder}/", "index.html", PLURAL[kind], context, crumbs=crumb)
        lists: tuple[tuple[str, str, str, Callable[[], dict[str, Any]]], ...] = (
            ("timeline/", "timeline.html", "Timeline", c.timeline),
            ("dates/", "dates.html", "Dates", c.dates),
            ("tags/", "tags.html", "Tags", c.tags),
            ("search/", "search.html", "Search", c.search),
            ("watch/", "watch.html", "What to watch", c.watch),
            ("network/", "network.html", "Network", c.network),
        )
        for path, template, title, make in lists:
            out[path] = Page(path, template, title, make, crumbs=((path, title),))
        out["404.html"] = Page("404.html", "404.html", "Page not found", dict)
        return out

    def _record_page(self, kind: str, rid: str) -> Page:
        folder = FOLDERS[kind]
        title = self.lib.records[rid].title  # type: ignore[index]
        context = partial(self.c.record_view, rid)
        return Page(f"{folder}/{rid}/", f"{kind}.html", title, context, rid, crumbs=((f"{folder}/", PLURAL[kind]),))

    def _date_page(self, key: str) -> Page:
        date = from_key(key)
        crumbs = [("dates/", "Dates")] + [(f"dates/{d}/", d.human()) for d in reversed(date.parents())]
        context = partial(self.c.date_page, key, date)
        return Page(f"dates/{key}/", "date.html", date.human(), context, crumbs=tuple(crumbs))

    def _tag_page(self, slug: str, name: str) -> Page:
        crumbs = (("tags/", "Tags"), (f"tags/{slug}/", name))
        return Page(f"tags/{slug}/", "tag.html", f"Tag: {name}", partial(self.c.tag, slug), crumbs=crumbs)

    def _list(self) -> Iterator[Page]:
        lib, fixed, c = self.lib, self._fixed(), self.c
        yield fixed[""]
        for kind in KINDS:
            folder = FOLDERS[kind]
            yield fixed[f"{folder}/"]
            crumb = ((f"{folder}/", PLURAL[kind]),)
            template, records = f"{kind}.html", lib.records
            for rid in lib.by_kind[kind]:
                context = partial(c.record_view, rid)
                yield Page(f"{folder}/{rid}/", template, records[rid].title, context, rid, crumbs=crumb)
        yield fixed["timeline/"]
        yield fixed["dates/"]
        for key in lib.dates:
            yield self._date_page(key)
        yield fixed["tags/"]
        for slug, (name, _ids) in lib.tags.items():
            yield self._tag_page(slug, name)
        yield fixed["search/"]
        yield fixed["watch/"]
        yield fixed["network/"]
        yield fixed["404.html"]
