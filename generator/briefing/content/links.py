"""Find wiki-links, date links and citations in raw Markdown, with positions.

Python-Markdown cannot map its output back to source lines, so references are
found here, in the source text, before rendering; the Markdown extensions in
``markup`` use the same patterns, so what is checked is what is rendered.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from briefing.content.dates import is_date_text

WIKI_RE = re.compile(r"\[\[([^\[\]\n|]*)(?:\|([^\[\]\n]*))?\]\]")
CITE_RE = re.compile(r"\[@([^\]\s,]*)(?:\s*,\s*[\"“]([^\"”\n]*)[\"”])?\s*\]")
_NEWLINE_RE = re.compile("\n")
_OPENER_RE = re.compile(r"\[(?=[\[@])")
_MARKDOWN_LINK_RE = re.compile(r"\[\[?@?[^\]\n]*\]\(")  # [[text](url)] or [@name](url): Markdown links
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED_RE = re.compile(r"\n(?:    |\t)")  # a literal first character: the engine skips to it
_CODE_SPAN_RE = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")


class Link(NamedTuple):
    """A link found in Markdown; ``kind`` is "record", "date", "cite", or "malformed" for
    text that starts like a link and is not one (``target``: what to write instead,
    ``text``: why).
    A tuple: a build makes one per link, and a frozen dataclass costs three times as much."""

    kind: str
    target: str
    text: str | None  # the link's own text, or a citation's locator
    line: int  # 1-based, within the scanned text
    col: int
    raw: str = ""  # the link as written, e.g. "[[anna|her]]"


MAX_NESTING = 100  # lists and quotes; Python-Markdown recurses once per level (and fails near 400)
MAX_RUN = 500  # '*' or '_' in a row; emphasis parsing recurses on them (and fails near 2,000)
_CONTAINERS_RE = re.compile(r"^[ \t]*(?:(?:[-*+>]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*)+")
_MARKER_RE = re.compile(r"[-*+>]|\d{1,9}[.)]")
_RUN_RE = re.compile(rf"\*{{{MAX_RUN + 1},}}|_{{{MAX_RUN + 1},}}")
_STARS, _UNDERSCORES = "*" * (MAX_RUN + 1), "_" * (MAX_RUN + 1)
# a line whose leading characters could be that many markers: at the start, or after a
# line break (a literal '\n' lets the engine jump between lines; '^' with MULTILINE
# would try every offset of the text)
_DEEP_FIRST_RE = re.compile(rf"[ \t\-*+>\d.)]{{{MAX_NESTING + 1},}}")
_DEEP_NEXT_RE = re.compile(rf"\n[ \t\-*+>\d.)]{{{MAX_NESTING + 1},}}")


@dataclass(frozen=True)
class Excess:
    """Markdown beyond what the renderer can take, at a 1-based line and column."""

    message: str
    line: int
    col: int


def excesses(text: str) -> list[Excess]:
    """Nesting and emphasis runs deep enough to exhaust the renderer's recursion:
    the first of each kind, as one fix usually mends the rest."""
    if not _may_exceed(text):
        return []
    nesting: Excess | None = None
    run_found: Excess | None = None
    for number, line in enumerate(mask_code(text).split("\n"), 1):
        m = _CONTAINERS_RE.match(line) if nesting is None else None
        if m:
            indent = len(line) - len(line.lstrip(" \t"))
            depth = indent // 2 + len(_MARKER_RE.findall(m[0]))
            if depth > MAX_NESTING:
                nesting = Excess(
                    f"lists or quotes nested {depth} levels deep; Markdown renders at most {MAX_NESTING}", number, 1
                )
        run = _RUN_RE.search(line) if run_found is None else None
        if run:
            run_found = Excess(
                f"{len(run[0])} '{run[0][0]}' in a row; Markdown renders at most {MAX_RUN}", number, run.start() + 1
            )
    return [e for e in (nesting, run_found) if e is not None]


def _may_exceed(text: str) -> bool:
    """A cheap test that lets through every text the line-by-line check could fault:
    depth counts characters of a line's leading markers, and a run is one character."""
    return (
        _DEEP_FIRST_RE.match(text) is not None
        or _DEEP_NEXT_RE.search(text) is not None
        or _STARS in text
        or _UNDERSCORES in text
    )


class Scanned(NamedTuple):
    """What ``scan_text`` found, and the text it searched: code blanked out, and the
    offset where each line starts (for later passes over the same text)."""

    links: list[Link]
    masked: str
    line_starts: list[int]


def scan(text: str) -> list[Link]:
    """Every link and citation outside code, in order of appearance, and every text that
    starts like one (``[[`` or ``[@``) but is not: a link Markdown would leave as written."""
    return scan_text(text).links


def scan_text(text: str) -> Scanned:
    """``scan``, with the masked text and its line starts."""
    found: list[Link] = []
    masked = mask_code(text)
    line_starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(masked)]
    spans: list[tuple[int, int]] = []
    escapes = "\\" in masked
    for m in WIKI_RE.finditer(masked):
        if escapes and _escaped(masked, m.start()):
            continue
        target = m[1].strip()
        kind = "date" if is_date_text(target) else "record"
        found.append(_link(kind, target, m[2], m.start(), text[m.start() : m.end()], line_starts))  # as written
        spans.append(m.span())
    for m in CITE_RE.finditer(masked):
        if escapes and _escaped(masked, m.start()):
            continue
        found.append(_link("cite", m[1].strip(), m[2], m.start(), text[m.start() : m.end()], line_starts))
        spans.append(m.span())
    if masked.count("[[") + masked.count("[@") > len(spans) or "[[[" in masked:
        found.extend(_malformed(text, masked, sorted(spans), line_starts))
    found.sort(key=attrgetter("line", "col"))
    return Scanned(found, masked, line_starts)


def _escaped(text: str, offset: int) -> bool:
    """Whether the character at ``offset`` follows an odd number of backslashes (``\\[@``)."""
    n = 0
    while offset - n > 0 and text[offset - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _malformed(text: str, masked: str, spans: list[tuple[int, int]], line_starts: list[int]) -> list[Link]:
    """Every ``[[`` or ``[@`` outside the links found (``spans``), that is not escaped and
    not a bracket before a Markdown link (``[[text](url)]``), with the fix; ``raw`` as
    ``text`` has it (``masked`` blanks code, keeping every offset)."""
    out: list[Link] = []
    for m in _OPENER_RE.finditer(masked):
        start = m.start()
        i = bisect_right(spans, (start, len(masked) + 1)) - 1
        if (i >= 0 and spans[i][0] <= start < spans[i][1]) or _escaped(masked, start):
            continue
        end = masked.find("\n", start)
        line = masked[start : len(masked) if end < 0 else end]
        if _MARKDOWN_LINK_RE.match(line):
            continue
        raw, fix, why = _fix(line)
        out.append(_link("malformed", fix, why, start, text[start : start + len(raw)], line_starts))
    return out


def _fix(line: str) -> tuple[str, str, str]:
    """(the malformed text, what to write instead, why) for a line that starts with it."""
    if line.startswith("[@"):
        close = line.find("]")
        if close < 0:
            raw = line.split(None, 1)[0]
            return raw, f"[@{_id_like(raw[2:].rstrip(','))}]", "it is not closed with ]"
        raw = line[: close + 1]
        source, _, locator = raw[2:-1].partition(",")
        if ";" in source:
            fix = " ".join(f"[@{_id_like(s.strip().lstrip('@'))}]" for s in source.split(";"))
            return raw, fix, "it cites one source per pair of brackets"
        locator = locator.strip().strip("\"'“”‘’«»").strip()
        if locator:
            return raw, f'[@{_id_like(source)}, "{locator}"]', "a locator goes in double quotes"
        return raw, f"[@{_id_like(source)}]", "a source's id has no spaces"
    depth = 0
    for i in range(2, len(line)):
        ch = line[i]
        if ch == "[" and line.startswith(("[[", "[@"), i):
            break  # another link begins: this one was never closed
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif ch == "]" and line.startswith("]]", i):
            raw = line[: i + 2]
            return raw, f"[[{raw[2:-2].replace('[', '').replace(']', '')}]]", "a link's text cannot hold [ or ]"
        elif ch == "]":
            return line[: i + 1], f"{line[: i + 1]}]", "it is not closed with ]]"
    raw = line.split(None, 1)[0]
    return raw, f"[[{raw[2:]}]]", "it is not closed with ]]"


def _id_like(text: str) -> str:
    """A source's id as the editor probably meant it (``Izvestia report``: izvestia-report)."""
    from briefing.content.slug import slugify  # local import: only needed on error

    return slugify(text) or "source-id"


def _link(kind: str, target: str, text: str | None, offset: int, raw: str, starts: list[int]) -> Link:
    line = bisect_right(starts, offset)  # 1-based: starts[0] is 0, so at least 1
    return Link(kind, target, text, line, offset - starts[line - 1] + 1, raw)


def mask_code(text: str) -> str:
    """Blank out fenced blocks, indented code and code spans, keeping offsets."""
    if not _may_hold_code(text):
        return text
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


def _may_hold_code(text: str) -> bool:
    """False when the text has no fence, no indented line and no code span: nothing to blank."""
    return (
        "`" in text
        or ("~" in text and "~~~" in text)
        or text.startswith(("    ", "\t"))
        or _INDENTED_RE.search(text) is not None
    )


def _blank(s: str) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in s)
