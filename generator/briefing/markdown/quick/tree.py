"""Python-Markdown's last steps, quicker, with the same HTML: the block-level test, the
heading ids of the toc pass and the serializer.

Each does what the stock code does with less bookkeeping (prettify asks the block-level
test of every element): the block-level test looks a tag up once per converter
instead of scanning a list of 59 names for every element; the heading ids skip
serializing, unescaping and post-processing a heading whose text is plain words;
the serializer writes each element with one call instead of a queue of pieces.
Anything unusual (a comment, a namespaced tag, nesting too deep to recurse) goes
to the stock code. Like ``inline``, these lean on private parts of the pinned
Python-Markdown; ``tests/test_markup.py`` compares the HTML with the stock passes'.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections.abc import Callable
from typing import Any

import markdown
from markdown import serializers, util
from markdown.extensions.toc import TocTreeprocessor, remove_fnrefs, render_inner_html, strip_tags, unique

# the stock serializer's own parts (not in the type stubs): the same escaping, and the
# stock loop for whatever the quick writer leaves to it
_escape_cdata: Callable[[str], str] = serializers._escape_cdata  # type: ignore[attr-defined]
_escape_attrib_html: Callable[[str], str] = serializers._escape_attrib_html  # type: ignore[attr-defined]
_serialize_html: Callable[..., None] = serializers._serialize_html  # type: ignore[attr-defined]
_BOOLEAN: frozenset[str] = serializers.BOOLEAN_ATTRIBUTES["html"]  # type: ignore[attr-defined]
_EMPTY = etree.HTML_EMPTY  # type: ignore[attr-defined]
_RAW_TEXT = frozenset({"script", "style"})
_MARKED = ("&", "<", ">", util.STX, util.ETX)  # what a heading's text may not hold for the quick id


def remember_block_levels(md: markdown.Markdown) -> None:
    """``md.is_block_level`` answered from a table made once per tag.

    Prettify, the block parser and the inline pass ask it of every element; the stock
    test lowers the tag and scans the list of block-level names each time."""
    known: dict[Any, bool] = {}
    stock = md.is_block_level

    def is_block_level(tag: Any) -> bool:
        try:
            return known[tag]
        except KeyError:
            known[tag] = found = stock(tag)
            return found
        except TypeError:  # an unhashable tag: only the stock test knows
            return stock(tag)

    md.is_block_level = is_block_level  # type: ignore[method-assign]


class HeadingIds(TocTreeprocessor):
    """The toc pass: the headings' ids always, the table only for a text that asks for one.

    We use the pass for the headings' ids. Its table of contents, built, serialized
    and post-processed for every document and then searched for a ``[TOC]`` marker
    to replace, is shown only where a paragraph is that marker, which needs the
    marker in the text: without one, only the ids are made, as the stock pass makes
    them, and ``md.toc`` and ``md.toc_tokens`` are left empty."""

    def run(self, doc: etree.Element) -> None:
        marker = self.marker
        if marker:
            for line in self.md.lines:  # type: ignore[attr-defined]
                if marker in line:
                    super().run(doc)
                    return
        used_ids: set[str] = set()
        headings = []
        match = self.header_rgx.match
        for el in doc.iter():
            found = el.get("id")  # not ``el.attrib``, which makes a dict for an element without one
            if found is not None:
                used_ids.add(found)
            tag = el.tag
            if tag in _HEADINGS or (tag not in _NOT_HEADINGS and isinstance(tag, str) and match(tag)):
                headings.append(el)
        counters: dict[str, int] = {}
        for el in headings:
            self.set_level(el)
            if "id" not in el.attrib:
                name = _plain_name(el)
                if name is None:
                    name = strip_tags(render_inner_html(remove_fnrefs(el), self.md))
                el.attrib["id"] = unique(
                    self.slugify(html.unescape(name), self.sep),
                    used_ids,  # type: ignore[call-arg]
                    counters,
                )
            el.attrib.pop("data-toc-label", None)  # read only for the table's label
            if self.use_anchors:
                self.add_anchor(el, el.attrib["id"])
            if self.use_permalinks not in (False, None):
                self.add_permalink(el, el.attrib["id"])
        self.md.toc_tokens = []  # type: ignore[attr-defined]
        self.md.toc = ""  # type: ignore[attr-defined]


# tags the stock pass's ``header_rgx`` takes, and the commonest it does not, known without it
_HEADINGS = frozenset(f"{h}{n}" for h in "hH" for n in "123456")
_NOT_HEADINGS = frozenset(("p", "em", "strong", "a", "li", "ul", "ol", "sup", "blockquote", "time", "span", "div"))


def _plain_name(el: etree.Element) -> str | None:
    """A heading's name as the stock pass finds it (its inner HTML, rendered, without
    tags, spaces collapsed) when its text is plain words; None when it is not."""
    if len(el):
        return None
    text = el.text or ""
    for mark in _MARKED:
        if mark in text:
            return None
    return " ".join(text.split())


def serialize_html(root: etree.Element) -> str:
    """``markdown.serializers.to_html_string``: the same HTML, a third quicker."""
    out: list[str] = []
    try:
        _element(root, out.append)
    except RecursionError:  # nesting deeper than Python recurses: the stock loop has no limit
        out = []
        _serialize_html(out.append, root, "html")
    return "".join(out)


def _element(el: etree.Element, write: Callable[[str], None]) -> None:
    tag = el.tag
    if tag.__class__ is not str:  # a comment, an instruction, a QName or no tag: as the stock code
        _serialize_html(write, el, "html")
        return
    if el.attrib:
        parts = [f"<{tag}"]
        for k, v in sorted(el.items()):
            if k.__class__ is not str or (v is not None and v.__class__ is not str):
                _serialize_html(write, el, "html")  # a QName key or value
                return
            if v is None:
                parts.append(f" {k}")
            else:
                v = _escape_attrib_html(v)
                parts.append(f" {v}" if k == v and k in _BOOLEAN else f' {k}="{v}"')
        parts.append(">")
        write("".join(parts))
    else:
        write(f"<{tag}>")
    text, lower = el.text, tag.lower()
    if text:
        write(text if lower in _RAW_TEXT else _escape_cdata(text))
    for child in el:
        if len(child) or child.attrib or child.tag.__class__ is not str:
            _element(child, write)
            continue
        # a leaf without attributes (most of them: emphasis, a plain paragraph or item), here
        leaf = child.tag
        low, text, tail = leaf.lower(), child.text, child.tail
        body = (text if low in _RAW_TEXT else _escape_cdata(text)) if text else ""
        write(f"<{leaf}>{body}{'' if low in _EMPTY else f'</{leaf}>'}{_escape_cdata(tail) if tail else ''}")
    if lower not in _EMPTY:
        write(f"</{tag}>")
    if el.tail:
        write(_escape_cdata(el.tail))
