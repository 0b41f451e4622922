"""Markdown to HTML: Python-Markdown with its stock extensions and ours.

One ``Markup`` instance is made per process and reset between documents
(building a Markdown instance costs more than converting a short text).
"""

from __future__ import annotations

import html
import re

import markdown
from markdown.extensions.toc import TocExtension

from briefing.markdown import quick
from briefing.markdown.extensions import BriefingExtension, Citations, Links, PageLinks


class Markup:
    """A reusable Markdown converter for one site's links.

    ``quick``: use the quicker versions of Python-Markdown's passes where the installed
    version is one they were tested with (``markdown.quick``); the HTML is the same.
    """

    def __init__(self, links: Links, unsafe_html: bool = False, quick: bool = True) -> None:
        self.state = PageLinks(links)
        self.unsafe_html, self.quick = unsafe_html, quick
        self.md = self._converter()

    def _converter(self) -> markdown.Markdown:
        md = markdown.Markdown(
            extensions=[
                "tables",
                "fenced_code",
                "footnotes",
                "smarty",
                "sane_lists",
                TocExtension(toc_depth="2-4"),
                BriefingExtension(self.state, self.unsafe_html),
            ],
            extension_configs={"smarty": {"smart_angled_quotes": False}},
            output_format="html",
        )
        if self.quick:
            quick.install(md)
        return md

    def begin_page(self) -> Citations:
        """Start a page: citations are numbered afresh."""
        self.state.citations = Citations()
        return self.state.citations

    def render(self, text: str) -> str:
        self.md.reset()
        try:
            return self.md.convert(text)
        except RecursionError:
            # nesting past what Python-Markdown can take: ``check`` reports it (links.excesses);
            # should a case slip past that check, show the text rather than fail the build;
            # the converter is left half-way through, so start a new one
            self.md = self._converter()
            return plain_paragraphs(text)


def plain_paragraphs(text: str) -> str:
    """A source's own text as escaped paragraphs: it is not our Markdown."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(f"<p>{html.escape(p)}</p>".replace("\n", "<br>\n") for p in paras)
