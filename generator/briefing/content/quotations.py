"""Find the quotations in Markdown that a citation vouches for.

Two forms count (docs/content-model.md, *Quotes are verbatim*):

- words in quote marks followed at once by a citation: ``"…" [@src]`` or
  ``“…” [@src, "p. 4"]``; after several citations in a row, the words must be in
  one of those sources (the others may vouch for the rest of the sentence);
- a blockquote whose last line ends with citations: the words in quote marks in
  it (``> "…," said Berg. [@src]``), or all its words when it has none. A last
  line that starts with a dash (``> — Vladimir Putin [@src]``) names the speaker
  and is not part of the quotation.

Found in the raw text, like links (``links``), so a mismatch is reported at the
line and column of the quotation; code spans and code blocks are skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from briefing.content.links import Link, Scanned

# closing mark -> the opening marks it closes
_PAIRS = {'"': '"', "”": "“„", "»": "«", "“": "„"}
_BLOCKQUOTE_RE = re.compile(r" {0,3}>")  # used with match(): at a line's start
_MARKERS_RE = re.compile(r"^(?: {0,3}> ?)+")
_ATTRIBUTION_RE = re.compile(r"^(?:—|–|―|--)")
_MARKED_RE = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|„([^“”]+)[“”]')
_PARAGRAPH_END_RE = re.compile(r"\n[ \t>]*\n")
_CONTINUED_RE = re.compile(r"\n(?: {0,3}> ?)+")  # a blockquote's markers on a quote's later lines


class Quotation(NamedTuple):
    """Words a citation vouches for, at a 1-based line and column of the scanned text."""

    sources: tuple[str, ...]  # the citations in a row after it
    text: str
    line: int
    col: int


def quotations(scanned: Scanned) -> list[Quotation]:
    """The quotations in a text and the sources cited for them, from ``links.scan_text``."""
    masked, starts = scanned.masked, scanned.line_starts
    quoting: list[tuple[int, Link]] = []  # citations on a blockquote's lines
    after: list[tuple[int, int, Link]] = []  # citations after a closing mark or a citation
    for c in scanned.links:
        if c.kind != "cite":
            continue
        line_start = starts[c.line - 1]
        offset = line_start + c.col - 1
        if masked[line_start : line_start + 4].lstrip(" ").startswith(">"):
            quoting.append((offset, c))
        before = _back_over_space(masked, offset)
        if before and (masked[before - 1] in _PAIRS or masked[before - 1] == "]"):
            after.append((offset, before, c))
    if not quoting and not after:
        return []
    out, used = _blockquotes(masked, starts, quoting)
    vouched: dict[int, int] = {}  # the end of a citation that vouches for a quotation -> its index in out
    for offset, before, cite in after:
        if offset in used:
            continue
        if before in vouched:
            index = vouched[before]
            out[index] = out[index]._replace(sources=(*out[index].sources, cite.target))
        else:
            quote = _quoted(masked, before)
            if quote is None:
                continue
            index = len(out)
            line = bisect_right(starts, quote[1])
            out.append(Quotation((cite.target,), quote[0], line, quote[1] - starts[line - 1] + 1))
        vouched[offset + len(cite.raw)] = index
    out.sort(key=lambda q: (q.line, q.col))
    return out


def _quoted(masked: str, end: int) -> tuple[str, int] | None:
    """The words in quote marks that end just before ``end``, and the offset of the
    opening mark; None when ``end`` does not follow a closing mark."""
    if end == 0 or masked[end - 1] not in _PAIRS:
        return None
    start = max(masked.rfind(mark, 0, end - 1) for mark in _PAIRS[masked[end - 1]])
    if start < 0 or _PARAGRAPH_END_RE.search(masked, start, end):
        return None
    words = masked[start + 1 : end - 1]
    if "\n" in words:
        words = _CONTINUED_RE.sub("\n", words)
    return (_unmark(words), start) if words.strip() else None


def _back_over_space(masked: str, offset: int) -> int:
    """The offset after the last non-space before ``offset``, across at most one line break."""
    i, breaks = offset, 0
    while i > 0 and masked[i - 1] in " \t\n":
        breaks += masked[i - 1] == "\n"
        if breaks > 1:
            return offset  # a blank line: a new paragraph
        i -= 1
    return i


def _blockquotes(masked: str, starts: list[int], spans: list[tuple[int, Link]]) -> tuple[list[Quotation], set[int]]:
    """The quotations of blockquotes whose last line ends with citations, and the
    offsets of those citations."""
    out: list[Quotation] = []
    used: set[int] = set()
    by_line: dict[int, list[tuple[int, Link]]] = {}
    for offset, cite in spans:
        by_line.setdefault(cite.line, []).append((offset, cite))
    if not by_line:
        return out, used

    def line_at(n: int) -> str:  # 1-based, without its line break
        return masked[starts[n - 1] : starts[n] - 1] if n < len(starts) else masked[starts[n - 1] :]

    for number, cites in by_line.items():
        line = line_at(number)
        if number < len(starts) and _BLOCKQUOTE_RE.match(line_at(number + 1)):
            continue  # not the blockquote's last line
        trailing = _trailing(masked, starts[number - 1] + len(line.rstrip()), cites)
        if not trailing:
            continue
        first = number
        while first > 1 and _BLOCKQUOTE_RE.match(line_at(first - 1)):
            first -= 1
        lines = [line_at(i) for i in range(first, number + 1)]
        body = [_MARKERS_RE.sub("", text) for text in lines]
        margins = [len(text) - len(inner) for text, inner in zip(lines, body, strict=True)]
        body[-1] = body[-1][: trailing[0][0] - starts[number - 1] - margins[-1]]
        if _ATTRIBUTION_RE.match(body[-1].lstrip()):
            body.pop()
        sources = tuple(cite.target for _offset, cite in trailing)
        out.extend(_in_blockquote("\n".join(body), sources, first, margins))
        used.update(offset for offset, _cite in trailing)
    return out, used


def _in_blockquote(text: str, sources: tuple[str, ...], first: int, margins: list[int]) -> list[Quotation]:
    """The quotation in a blockquote's ``text`` (its markers removed): the words in quote
    marks, if it has any ("…," said Berg.), else all of it."""
    found = [(m.start(), m.group(1) or m.group(2) or m.group(3) or m.group(4)) for m in _MARKED_RE.finditer(text)]
    if not found and text.strip():
        stripped = text.lstrip()
        found = [(len(text) - len(stripped), stripped.rstrip())]
    out = []
    for offset, words in found:
        line = text.count("\n", 0, offset)
        col = offset - (text.rfind("\n", 0, offset) + 1) + margins[line] + 1
        out.append(Quotation(sources, _unmark(words), first + line, col))
    return out


def _trailing(masked: str, line_end: int, cites: list[tuple[int, Link]]) -> list[tuple[int, Link]]:
    """The citations in a row at the end of a line (up to ``line_end``), first to last."""
    run: list[tuple[int, Link]] = []
    end = line_end
    for offset, cite in reversed(cites):
        if offset + len(cite.raw) != end:
            break
        run.insert(0, (offset, cite))
        end = offset
        while end > 0 and masked[end - 1] in " \t":
            end -= 1
    return run


def _unmark(words: str) -> str:
    """Quoted words as a reader sees them: ``[[id|text]]`` shows its text."""
    return re.sub(r"\[\[[^\[\]\n|]*\|([^\[\]\n]*)\]\]", r"\1", words) if "[[" in words else words
