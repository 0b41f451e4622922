"""Our Markdown: links to records and dates, numbered citations, and safe URLs.

These are Python-Markdown extensions on its public API (inline patterns, tree and
post-processors); ``convert.Markup`` puts them together with the stock extensions.
``[[id]]``, ``[[id|text]]``, ``[[2025-11-27]]`` and ``[@source, "locator"]`` are the
same patterns ``content.links`` finds in the raw text, with positions, for ``check``.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections.abc import Mapping
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, HTML_PLACEHOLDER_RE

from briefing.content.dates import parse_date
from briefing.content.links import CITE_RE, WIKI_RE

SAFE_SCHEMES = ("http", "https", "mailto")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


@dataclass(frozen=True)
class Target:
    """What a link to a record shows: where it goes (empty for a record without a page in
    this build, a draft: its text then shows without a link), its text, its kind."""

    url: str
    text: str
    kind: str


@dataclass
class Links:
    """What the renderer may link to; plain data so it can go to worker processes."""

    targets: Mapping[str, Target]
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


class PageLinks:
    """What the link patterns of one converter read: the targets, and the page's citations."""

    def __init__(self, links: Links) -> None:
        self.links = links
        self.citations = Citations()


class _WikiLink(InlineProcessor):
    def __init__(self, state: PageLinks) -> None:
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
        if found is None:  # an unknown id: text only (check reports it)
            el = etree.Element("span", {"class": "missing"})
            el.text = (text or target).strip()
            return el, m.start(0), m.end(0)
        if not found.url:  # a draft left out of the build: its title, or the link's text, no link
            el = etree.Element("span", {"class": "unpublished"})
            el.text = (text or found.text).strip()
            return el, m.start(0), m.end(0)
        el = etree.Element("a", {"href": found.url, "class": f"ref ref-{found.kind}"})
        el.text = (text or found.text).strip()
        return el, m.start(0), m.end(0)


class _Cite(InlineProcessor):
    def __init__(self, state: PageLinks) -> None:
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


LABEL_CHARS = 120  # a table's label: its column headings, cut short
_TAG_RE = re.compile(r"<[^>]*>")


class _ScrollingTables(Treeprocessor):
    """Wrap each table in a box that scrolls sideways on its own, so a wide table never
    widens the page. A keyboard user reaches the box with Tab and scrolls it with the
    arrow keys, and a screen reader announces it by its label, the table's headings
    (the pattern of GOV.UK's and MDN's scrolling tables). Runs after ``prettify``,
    so it lays out the new box as ``prettify`` would have."""

    def run(self, root: etree.Element) -> None:
        tables = list(root.iter("table"))
        if not tables:  # most texts: nothing more to walk
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        for table in tables:
            parent = parents[table]
            box = etree.Element("div", {"class": "table-scroll", "role": "region", "tabindex": "0"})
            box.set("aria-label", self.label(table))
            box.text, box.tail, table.tail = "\n", table.tail, "\n"
            parent.insert(list(parent).index(table), box)
            parent.remove(table)
            box.append(table)

    def label(self, table: etree.Element) -> str:
        """The box's label: "Table: " and the column headings as plain text, or "Table"."""
        heads = []
        for th in table.iter("th"):
            text = HTML_PLACEHOLDER_RE.sub(self._unstash, "".join(th.itertext())).replace(AMP_SUBSTITUTE, "&")
            if text := " ".join(text.split()):
                heads.append(text)
        label = "Table: " + ", ".join(heads) if heads else "Table"
        return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip(" ,") + "…"

    def _unstash(self, m: re.Match[str]) -> str:
        """The text of what an earlier pass set aside (smart quotes, raw HTML)."""
        blocks = self.md.htmlStash.rawHtmlBlocks
        found = blocks[int(m[1])] if int(m[1]) < len(blocks) else ""
        return html.unescape(_TAG_RE.sub("", found)) if isinstance(found, str) else "".join(found.itertext())


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


class BriefingExtension(Extension):
    """Our links, citations and URL safety, on Python-Markdown's public extension API."""

    def __init__(self, state: PageLinks, unsafe_html: bool) -> None:
        super().__init__()
        self.state, self.unsafe_html = state, unsafe_html

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_WikiLink(self.state), "briefing-wiki", 175)
        md.inlinePatterns.register(_Cite(self.state), "briefing-cite", 174)
        md.treeprocessors.register(_ScrollingTables(md), "briefing-scrolling-tables", 4)
        md.treeprocessors.register(_SafeUrls(md), "briefing-safe-urls", 0)
        if self.unsafe_html:
            md.postprocessors.register(_SafeRawUrls(md), "briefing-safe-raw-urls", 25)
        else:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
