"""Quicker versions of Python-Markdown's own passes, with the same HTML: the compat layer.

A brief's Markdown takes a fraction of the stock passes' time with these (the figures
are in bench/RESULTS.md): the inline passes skip texts none of their patterns can match and
build plain texts' elements in one scan (``inline``), the block parser and the
whole-text passes skip blocks and texts without their triggers (``blocks``), and the
last steps (heading ids, the block-level test, the serializer) do less bookkeeping
(``tree``). Each replaces private parts of Python-Markdown, so ``install`` puts them in
place only for the version they were tested with (``TESTED``); with any other version
the converter keeps the stock passes: a build is then slower, never wrong.
``tests/test_markup.py`` compares the HTML with the stock passes' and runs the fallback.

This is one package rather than one module because it is three separate overrides,
each of a different part of the library; this file is the only door to them.
"""

from __future__ import annotations

import markdown
from markdown.extensions.toc import TocExtension

from briefing.markdown.quick.blocks import gate_block_tests, gate_whole_text_passes, link_inline_passes
from briefing.markdown.quick.inline import PlainInline, QuickInline
from briefing.markdown.quick.tree import HeadingIds, remember_block_levels, serialize_html

# Python-Markdown versions (major, minor) whose private parts these were written against
# and tested with; constraints.txt pins one of them.
TESTED = frozenset({(3, 11)})
# The priorities the stock extensions register these passes at (markdown/treeprocessors.py,
# extensions/smarty.py, extensions/toc.py): replaced, they keep their places.
_PRIORITIES = {"inline": 20, "smarty": 6, "toc": 5}


def supported(version: tuple[int, ...] | None = None) -> bool:
    """Whether the installed Python-Markdown (or ``version``) is one these were tested with."""
    found = version if version is not None else tuple(markdown.__version_info__[:2])
    return tuple(found[:2]) in TESTED


def install(md: markdown.Markdown) -> bool:
    """Put the quick passes in ``md`` (made with all its extensions); False, leaving it
    as it is, when the installed Python-Markdown is not a tested version."""
    if not supported():
        return False
    passes = md.treeprocessors
    for name, kind in (("inline", PlainInline), ("smarty", QuickInline)):
        if name in passes:
            quick = kind(md)
            quick.inlinePatterns = passes[name].inlinePatterns  # type: ignore[attr-defined]
            passes.register(quick, name, _PRIORITIES[name])
    toc = next((e for e in md.registeredExtensions if isinstance(e, TocExtension)), None)
    if toc is not None and "toc" in passes:
        passes.register(HeadingIds(md, toc.getConfigs()), "toc", _PRIORITIES["toc"])
    link_inline_passes(md)
    remember_block_levels(md)
    gate_block_tests(md.parser)
    gate_whole_text_passes(md)
    md.serializer = serialize_html
    return True


__all__ = ["TESTED", "install", "supported"]
