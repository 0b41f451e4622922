"""Markdown converted ahead of its page, and checked before it is used.

Two of the engine's speed-ups convert a brief's body before its page renders: a process
forked while the parent resolves (``parallel.Ahead`` running ``convert_bodies``), and a
render worker converting a chunk's bodies before making its pages' view models
(``RecordingRenderer.render_batch``). Each conversion keeps every link target it looked
up and what it found (``Converted``). ``AheadMarkup`` uses one only where looking the
same targets up here finds the same, on a page that has numbered no citation yet: then
converting here would make the same HTML. Anything else is converted again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from briefing.content.config import SiteConfig
from briefing.content.model import Record
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from briefing.render.renderer import draft_target, record_target
from briefing.render.urls import Urls


@dataclass(frozen=True)
class Converted:
    """A text's HTML made ahead of its page, in another process (``convert_ahead``),
    with every link target the conversion looked up and what it found: where the
    renderer finds the same, the conversion would make the same HTML."""

    html: str
    reads: tuple[tuple[str, Target | None], ...]
    order: tuple[str, ...]  # the citations it numbered, on a page that had none yet
    locators: tuple[tuple[str, tuple[str, ...]], ...]
    date_prefix: str


class _Reads(Mapping[str, Target]):
    """Link targets whose lookups are kept with what they found."""

    def __init__(self, data: Mapping[str, Target]) -> None:
        self.data, self.found = data, dict[str, "Target | None"]()

    def __getitem__(self, key: str) -> Target:
        self.found[key] = self.data.get(key)
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.found[key] = self.data.get(key)
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self.found[str(key)] = self.data.get(str(key))
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a conversion ahead cannot list the link targets")

    def __len__(self) -> int:
        raise TypeError("a conversion ahead cannot count the link targets")


class AheadConverter:
    """Converts texts ahead of their pages, each as the first Markdown of its page, keeping
    with each conversion what ``Markup.render`` checks before using it (``Converted``)."""

    def __init__(self, links: Links, unsafe_html: bool) -> None:
        self._reads = _Reads(links.targets)
        self._date_prefix = links.date_prefix
        self._markup = Markup(Links(self._reads, links.date_prefix), unsafe_html)  # type: ignore[arg-type]

    def convert(self, text: str) -> Converted:
        self._reads.found = {}
        citations = self._markup.begin_page()
        html_text = self._markup.render(text)
        return Converted(
            html_text,
            tuple(self._reads.found.items()),
            tuple(citations.order),
            tuple((k, tuple(v)) for k, v in citations.locators.items()),
            self._date_prefix,
        )


def convert_ahead(links: Links, unsafe_html: bool, texts: Iterable[str], stop: Callable[[], bool]) -> list[Converted]:
    """Convert ``texts`` in turn, each as the first Markdown of its page, until ``stop()``."""
    converter = AheadConverter(links, unsafe_html)
    done = []
    for text in texts:
        if stop():
            break
        done.append(converter.convert(text))
    return done


class AheadMarkup(Markup):
    """``Markup`` that takes a text's conversion made ahead when it still holds."""

    def __init__(self, links: Links, unsafe_html: bool = False, quick: bool = True) -> None:
        super().__init__(links, unsafe_html, quick)
        self.ahead: Mapping[str, Converted] = {}  # texts converted by another process (``convert_ahead``)
        self.batch: dict[str, Converted] = {}  # texts converted for the pages being rendered together

    def render(self, text: str) -> str:
        if self.ahead or self.batch:
            done = self.batch.get(text) or self.ahead.get(text)
            if done is not None and self._still_holds(done):
                self.state.citations.order = list(done.order)
                self.state.citations.locators = {k: list(v) for k, v in done.locators}
                return done.html
        return super().render(text)

    def _still_holds(self, done: Converted) -> bool:
        """Whether converting here would make ``done``: the page has numbered no citation
        yet, and every target the conversion looked up is found the same here (looking them
        up records them, as converting would)."""
        links, citations = self.state.links, self.state.citations
        if citations.order or citations.locators or done.date_prefix != links.date_prefix:
            return False
        targets = links.targets
        return all(targets.get(key) == found for key, found in done.reads)


def bodies_ahead(records: list[Record], drafts: bool) -> list[str]:
    """The briefs' bodies, which ``convert_bodies`` converts before the library is made."""
    return [body for r in records if (drafts or not r.draft) and (body := first_markdown(r))]


def first_markdown(r: Record) -> str | None:
    """The first Markdown a record's page converts, when that is known before rendering:
    a brief's body (see ``AheadMarkup.render``, which checks a conversion made ahead of it)."""
    return r.body if r.kind == "brief" and r.body else None


def convert_bodies(
    records: list[Record], config: SiteConfig, drafts: bool, stopped: Callable[[], bool]
) -> list[Converted]:
    """``bodies_ahead`` converted in turn, until ``stopped()``, with link targets guessed
    from the records (the real ones need the library): each conversion keeps what it
    found, and is used only where the renderer finds the same (``AheadMarkup.render``)."""
    urls = Urls(config)
    targets: dict[str, Target] = {
        r.id: record_target(urls, r) if drafts or not r.draft else draft_target(r.title) for r in records
    }
    links = Links(targets, urls.page("dates/"))
    return convert_ahead(links, config.unsafe_html, bodies_ahead(records, drafts), stopped)
