"""Markdown to HTML: Python-Markdown plus our links, dates and citations.

One ``Markup`` instance is made per process and reset between documents
(building a Markdown instance costs more than converting a short text).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import Treeprocessor

from briefing.content.dates import parse_date
from briefing.content.links import CITE_RE, WIKI_RE
from briefing.markdown.quick.inline import PlainInline, QuickInline, holds, pass_triggers
from briefing.markdown.quick.tree import HeadingIds, remember_block_levels, serialize_html

SAFE_SCHEMES = ("http", "https", "mailto")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


@dataclass(frozen=True)
class Target:
    """What a link to a record shows: where it goes, its text, its kind."""

    url: str
    text: str
    kind: str


@dataclass
class Links:
    """What the renderer may link to; plain data so it can go to worker processes."""

    targets: dict[str, Target]
    date_prefix: str  # e.g. "/briefing/dates/"


@dataclass
class Citations:
    """Citation numbers on one page: a source keeps its number across fields."""

    order: list[str] = field(default_factory=list)
    locators: dict[str, list[str]] = field(default_factory=dict)

    def number(self, source: str, locator: str | None) -> int:
        if source not in self.order:
            self.order.append(source)
        if locator:
            seen = self.locators.setdefault(source, [])
            if locator not in seen:
                seen.append(locator)
        return self.order.index(source) + 1


def safe_url(url: str) -> bool:
    """False for javascript:, data:, vbscript: and any other non-web scheme."""
    plain = _CONTROL_RE.sub("", html.unescape(url)).lower()
    head = re.split(r"[/?#]", plain, maxsplit=1)[0]
    if ":" not in head:
        return True  # relative URL or fragment
    return head.split(":", 1)[0] in SAFE_SCHEMES


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


class _State:
    def __init__(self, links: Links) -> None:
        self.links = links
        self.citations = Citations()


class _WikiLink(InlineProcessor):
    def __init__(self, state: _State) -> None:
        super().__init__(WIKI_RE.pattern)
        self.state = state

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]  # noqa: N802
        target, text = m[1].strip(), m[2]
        date = parse_date(target) if re.match(r"^\d{4}", target) else None
        if date is not None:
            el = etree.Element("a", {"href": f"{self.state.links.date_prefix}{date}/", "class": "date"})
            time = etree.SubElement(el, "time", {"datetime": str(date)})
            time.text = text.strip() if text else date.human()
            return el, m.start(0), m.end(0)
        found = self.state.links.targets.get(target)
        if found is None:  # a draft or an unknown id: text only (check reports unknown ids)
            el = etree.Element("span", {"class": "missing"})
            el.text = (text or target).strip()
            return el, m.start(0), m.end(0)
        el = etree.Element("a", {"href": found.url, "class": f"ref ref-{found.kind}"})
        el.text = (text or found.text).strip()
        return el, m.start(0), m.end(0)


class _Cite(InlineProcessor):
    def __init__(self, state: _State) -> None:
        super().__init__(CITE_RE.pattern)
        self.state = state

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]  # noqa: N802
        source, locator = m[1].strip(), m[2]
        found = self.state.links.targets.get(source)
        number = self.state.citations.number(source, locator)
        label = found.text if found else source
        tip = f"{label}: “{locator}”" if locator else label
        sup = etree.Element("sup", {"class": "cite"})
        a = etree.SubElement(
            sup, "a", {"href": f"#source-{number}", "data-source": tip, "aria-label": f"Source {number}: {tip}"}
        )
        a.text = f"[{number}]"
        return sup, m.start(0), m.end(0)


class _SafeUrls(Treeprocessor):
    """Drop any href or src whose scheme could run script."""

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not safe_url(value):
                    del el.attrib[attr]
                    el.set("class", (el.get("class", "") + " unsafe-url").strip())


_URL_ATTR_RE = re.compile(
    r"""(?i)(?<=[\s"'/])(href|src|action|formaction|xlink:href|poster|background)(\s*=\s*)"""
    r"""("[^"]*"|'[^']*'|[^\s"'>]+)"""
)


class _SafeRawUrls(Postprocessor):
    """With raw HTML allowed, still drop script URLs from it: the contract says
    they are never emitted, and raw HTML never reaches the tree ``_SafeUrls`` sees."""

    def run(self, text: str) -> str:
        def fix(m: re.Match[str]) -> str:
            value = m[3][1:-1] if m[3][:1] in "\"'" else m[3]
            return m[0] if safe_url(value) else f'data-unsafe-url{m[2]}""'

        return _URL_ATTR_RE.sub(fix, text)


# What a block must contain for each block processor to take it, by the name the
# processor is registered under. Most blocks are paragraphs, which every one of these
# tests with a regex over the whole block (a fifth of a brief's block parsing);
# a substring test answers first. tests/test_markup.py checks that a processor
# takes no block without its triggers.
BLOCK_TRIGGERS: dict[str, tuple[str, ...]] = {
    "hashheader": ("#",),
    "setextheader": ("\n=", "\n-"),
    "quote": (">",),
    "table": ("|",),
    "reference": ("]:",),
    "footnote": ("[^",),
}


def gate_block_tests(parser: Any) -> None:
    """Parse blocks as the stock parser does, asking a processor's test only of a block
    that holds one of its ``BLOCK_TRIGGERS``. The stock loop also lists the processors
    again for every block: with the tests, a fifth of a brief's Markdown."""
    parser.parseBlocks = partial(_parse_blocks, parser, [])


def _parse_blocks(
    parser: Any, plan: list[tuple[Any, Any, tuple[str, ...]]], parent: etree.Element, blocks: list[str]
) -> None:
    """``BlockParser.parseBlocks``: each block goes to the first processor whose test takes
    it and whose run does not return False, the processors tried in the registry's order."""
    processors = parser.blockprocessors
    if len(plan) != len(processors):  # the first document (processors are registered before)
        gated = {id(processors[name]): triggers for name, triggers in BLOCK_TRIGGERS.items() if name in processors}
        plan[:] = [(p.test, p.run, gated.get(id(p), ())) for p in processors]
    while blocks:
        block = blocks[0]
        for test, run, triggers in plan:
            if triggers:
                for trigger in triggers:
                    if trigger in block:
                        break
                else:
                    continue
            if test(parent, block):
                if run(parent, blocks) is not False:
                    break
                block = blocks[0]


_SPACE_LINES = re.compile(r"(?<=\n) +\n")


class _QuickNormalize(NormalizeWhitespace):
    """The stock pass, searching for lines of spaces (to empty them) only in a text that
    has a space before a line break: its regex, which tries every character, was a
    fourteenth of a brief's Markdown."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines).replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = _SPACE_LINES.sub("\n", source)
        return source.split("\n")


def gate_whole_text_passes(md: markdown.Markdown) -> None:
    """Skip the fenced-code pass over a text without a fence, and the pass that restores
    backslash-escaped characters over one without a backslash: either leaves such a
    text as it is (a tenth of a brief's Markdown between them)."""
    if "normalize_whitespace" in md.preprocessors:
        md.preprocessors.register(_QuickNormalize(md), "normalize_whitespace", 30)
    if "fenced_code_block" in md.preprocessors:
        fences: Any = md.preprocessors["fenced_code_block"]
        fences.run = partial(_run_if_held, fences.run, ("```", "~~~"), None)
    if "unescape" in md.treeprocessors:
        unescape: Any = md.treeprocessors["unescape"]
        unescape.run = partial(_run_if_held, unescape.run, ("\\",), md)


def _run_if_held(run: Any, triggers: tuple[str, ...], md: markdown.Markdown | None, arg: Any) -> Any:
    """``run(arg)`` if the text (``arg``'s lines, or else ``md``'s) holds a trigger; else
    what the pass returns for a text it leaves alone: its lines, or None for a tree."""
    if holds(md.lines if md is not None else arg, triggers):  # type: ignore[attr-defined]
        return run(arg)
    return None if md is not None else arg


class _Toc(TocExtension):
    TreeProcessorClass = HeadingIds


class BriefingExtension(Extension):
    def __init__(self, state: _State, unsafe_html: bool, quick: bool = True) -> None:
        super().__init__()
        self.state, self.unsafe_html, self.quick = state, unsafe_html, quick

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_WikiLink(self.state), "briefing-wiki", 175)
        md.inlinePatterns.register(_Cite(self.state), "briefing-cite", 174)
        md.treeprocessors.register(_SafeUrls(md), "briefing-safe-urls", 0)
        if self.quick:  # the core inline pass and smarty's own, at their own priorities
            for name, priority in (("inline", 20), ("smarty", 6)):
                if name in md.treeprocessors:
                    quick = (PlainInline if name == "inline" else QuickInline)(md)
                    quick.inlinePatterns = md.treeprocessors[name].inlinePatterns  # type: ignore[attr-defined]
                    md.treeprocessors.register(quick, name, priority)
            _link_inline_passes(md)
            remember_block_levels(md)
            gate_block_tests(md.parser)
            gate_whole_text_passes(md)
        if self.unsafe_html:
            md.postprocessors.register(_SafeRawUrls(md), "briefing-safe-raw-urls", 25)
        else:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")


# Tree passes that may run between the core inline pass and smarty's without adding
# text that smarty could change (footnotes' back-links, line breaks between blocks)
_ADD_NO_TEXT = ("footnote-duplicate", "prettify")


def _link_inline_passes(md: markdown.Markdown) -> None:
    """Let the core inline pass tell smarty's whether any text holds its triggers,
    when only passes of ``_ADD_NO_TEXT`` run between them: smarty's then need not walk
    the tree to learn it (a fourteenth of a brief's Markdown)."""
    passes = md.treeprocessors
    if "inline" not in passes or "smarty" not in passes:
        return
    plain, smarty = passes["inline"], passes["smarty"]
    first, last = passes.get_index_for_name("inline"), passes.get_index_for_name("smarty")
    harmless = {passes.get_index_for_name(name) for name in _ADD_NO_TEXT if name in passes}
    if isinstance(plain, PlainInline) and isinstance(smarty, QuickInline) and set(range(first + 1, last)) <= harmless:
        plain.later = pass_triggers(smarty.inlinePatterns)
        smarty.follows = plain


class Markup:
    """A reusable Markdown converter for one site's links."""

    def __init__(self, links: Links, unsafe_html: bool = False, quick: bool = True) -> None:
        self.state = _State(links)
        self.unsafe_html, self.quick = unsafe_html, quick
        self.md = self._converter()
        self.ahead: Mapping[str, Converted] = {}  # texts converted by another process (``convert_ahead``)
        self.batch: dict[str, Converted] = {}  # texts converted for the pages being rendered together

    def _converter(self) -> markdown.Markdown:
        md = markdown.Markdown(
            extensions=[
                "tables",
                "fenced_code",
                "footnotes",
                "smarty",
                "sane_lists",
                (_Toc if self.quick else TocExtension)(toc_depth="2-4"),
                BriefingExtension(self.state, self.unsafe_html, self.quick),
            ],
            extension_configs={"smarty": {"smart_angled_quotes": False}},
            output_format="html",
        )
        if self.quick:  # set after the output format, which sets the stock one
            md.serializer = serialize_html
        return md

    def begin_page(self) -> Citations:
        """Start a page: citations are numbered afresh."""
        self.state.citations = Citations()
        return self.state.citations

    def render(self, text: str) -> str:
        if self.ahead or self.batch:
            done = self.batch.get(text) or self.ahead.get(text)
            if done is not None and self._still_holds(done):
                self.state.citations.order = list(done.order)
                self.state.citations.locators = {k: list(v) for k, v in done.locators}
                return done.html
        self.md.reset()
        try:
            return self.md.convert(text)
        except RecursionError:
            # nesting past what Python-Markdown can take: ``check`` reports it (links.excesses);
            # should a case slip past that check, show the text rather than fail the build;
            # the converter is left half-way through, so start a new one
            self.md = self._converter()
            return plain_paragraphs(text)

    def _still_holds(self, done: Converted) -> bool:
        """Whether converting here would make ``done``: the page has numbered no citation
        yet, and every target the conversion looked up is found the same here (looking them
        up records them, as converting would)."""
        links, citations = self.state.links, self.state.citations
        if citations.order or citations.locators or done.date_prefix != links.date_prefix:
            return False
        targets = links.targets
        return all(targets.get(key) == found for key, found in done.reads)


def plain_paragraphs(text: str) -> str:
    """A source's own text as escaped paragraphs: it is not our Markdown."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(f"<p>{html.escape(p)}</p>".replace("\n", "<br>\n") for p in paras)
