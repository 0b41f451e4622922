"""Find wiki-links, date links and citations in raw Markdown, with positions.

Python-Markdown cannot map its output back to source lines, so references are
found here, in the source text, before rendering; the Markdown extensions in
``markup`` use the same patterns, so what is checked is what is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.dates import is_date_text

WIKI_RE = re.compile(r"\[\[([^\[\]\n|]*)(?:\|([^\[\]\n]*))?\]\]")
CITE_RE = re.compile(r"\[@([^\]\s,]*)(?:\s*,\s*[\"“]([^\"”\n]*)[\"”])?\s*\]")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")


@dataclass(frozen=True)
class Link:
    """A link found in Markdown; ``kind`` is "record", "date" or "cite"."""

    kind: str
    target: str
    text: str | None  # the link's own text, or a citation's locator
    line: int  # 1-based, within the scanned text
    col: int
    raw: str = ""  # the link as written, e.g. "[[anna|her]]"


def scan(text: str) -> list[Link]:
    """Every link and citation outside code, in order of appearance."""
    found: list[Link] = []
    masked = _mask_code(text)
    line_starts = [0] + [i + 1 for i, ch in enumerate(masked) if ch == "\n"]
    for m in WIKI_RE.finditer(masked):
        target = m[1].strip()
        kind = "date" if is_date_text(target) else "record"
        found.append(_link(kind, target, m[2], m.start(), m[0], line_starts))
    for m in CITE_RE.finditer(masked):
        found.append(_link("cite", m[1].strip(), m[2], m.start(), m[0], line_starts))
    found.sort(key=lambda link: (link.line, link.col))
    return found


def _link(kind: str, target: str, text: str | None, offset: int, raw: str, starts: list[int]) -> Link:
    line = _bisect(starts, offset)
    return Link(kind, target, text, line + 1, offset - starts[line] + 1, raw)


def _bisect(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _mask_code(text: str) -> str:
    """Blank out fenced blocks, indented code and code spans, keeping offsets."""
    out: list[str] = []
    fence: str | None = None
    prev_blank = True
    for line in text.split("\n"):
        m = _FENCE_RE.match(line)
        if fence is not None:
            if m and m[1][0] == fence[0] and len(m[1]) >= len(fence):
                fence = None
            out.append(" " * len(line))
        elif m:
            fence = m[1]
            out.append(" " * len(line))
        elif prev_blank and (line.startswith("    ") or line.startswith("\t")) and line.strip():
            out.append(" " * len(line))
            continue  # an indented block goes on while lines stay indented
        else:
            out.append(line)
        prev_blank = not line.strip()
    masked = "\n".join(out)
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m[0]) if "\n" not in m[0] else _blank(m[0]), masked)


def _blank(s: str) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in s)
