"""Python-Markdown's block parser and whole-text passes, quicker, with the same HTML.

The block parser asks each block processor's test of every block (a regex over the
whole block, for most blocks paragraphs), and lists the processors again for every
block; a fenced-code pass and an unescape pass look at every text. Here a processor
is asked only about a block holding one of its triggers, and a pass runs only on a
text holding one of its own. These replace methods of parts of the converter
(``BlockParser.parseBlocks``, preprocessors' and tree processors' ``run``): private
parts, installed only for a tested version (see ``__init__``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from functools import partial
from typing import Any

import markdown
from markdown import util
from markdown.preprocessors import NormalizeWhitespace

from briefing.markdown.quick.inline import PlainInline, QuickInline, holds, pass_triggers

# What a block must contain for each block processor to take it, by the name the
# processor is registered under. Most blocks are paragraphs, which every one of these
# tests with a regex over the whole block; a substring test answers first. tests/test_markup.py checks that a processor
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
    again for every block, which this loop does once per converter."""
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
    has a space before a line break: its regex tries every character of every text."""

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
    text as it is, and most briefs hold neither."""
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


# Tree passes that may run between the core inline pass and smarty's without adding
# text that smarty could change (footnotes' back-links, line breaks between blocks)
_ADD_NO_TEXT = ("footnote-duplicate", "prettify")


def link_inline_passes(md: markdown.Markdown) -> None:
    """Let the core inline pass tell smarty's whether any text holds its triggers,
    when only passes of ``_ADD_NO_TEXT`` run between them: smarty's then need not walk
    the tree again to learn it."""
    passes = md.treeprocessors
    if "inline" not in passes or "smarty" not in passes:
        return
    plain, smarty = passes["inline"], passes["smarty"]
    first, last = passes.get_index_for_name("inline"), passes.get_index_for_name("smarty")
    harmless = {passes.get_index_for_name(name) for name in _ADD_NO_TEXT if name in passes}
    if isinstance(plain, PlainInline) and isinstance(smarty, QuickInline) and set(range(first + 1, last)) <= harmless:
        plain.later = pass_triggers(smarty.inlinePatterns)
        smarty.follows = plain
