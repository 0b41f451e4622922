"""Python-Markdown's inline pass, quicker, with the same HTML.

The stock pass tries every pattern on every text node through bookkeeping
(placeholders, a stash, re-scans) that costs more than the searches themselves.
``QuickInline`` skips what no pattern can match;
``PlainInline`` (the core pass) goes further for a document whose every text is
words, ``*emphasis*``, ``**strong**``, ``[[links]]`` and ``[@citations]``, the
bulk of a briefing, and builds those elements in one scan of each text. Any
other text sends the whole document through the stock pass.

Both override private parts of the pinned Python-Markdown (see pyproject.toml);
``tests/test_markup.py`` compares their HTML with the stock pass's on real and
generated Markdown, so a new release must pass those tests.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from collections import deque
from collections.abc import Iterable
from typing import Any

from markdown import treeprocessors, util
from markdown.inlinepatterns import InlineProcessor

from briefing.content.links import CITE_RE, WIKI_RE

# What a text must contain for each inline pattern to find anything, by the name the
# pattern is registered under: one of these strings. A text with none of its pass's
# triggers is left as it is, and a pattern is not tried on a text without one of its
# own. A pass with a pattern not named here gets no gate. tests/test_markup.py checks
# that a pattern finds nothing in a text without its triggers.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[",),
    "briefing-wiki": ("[",),
    "briefing-cite": ("[",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "smarty-em-dashes": ("--",),
    "smarty-en-dashes": ("--",),
    "smarty-ellipses": ("...",),
    **{f"smarty-quotes-{i}": ("'", '"') for i in range(15)},
}


def pass_triggers(patterns: util.Registry[Any]) -> tuple[str, ...] | None:
    """What a text must hold for any of ``patterns`` to match: one of these strings;
    None when a pattern is not in ``TRIGGERS``."""
    found = [name for name in TRIGGERS if name in patterns]
    if len(found) != len(patterns):
        return None  # a pattern we know nothing about
    return tuple(sorted({t for name in found for t in TRIGGERS[name]}))


def inline_gate(patterns: util.Registry[Any]) -> re.Pattern[str] | None:
    """One regex that finds something wherever any of ``patterns`` could match."""
    triggers = pass_triggers(patterns)
    return None if triggers is None else re.compile("|".join(map(re.escape, triggers)))


class QuickInline(treeprocessors.InlineProcessor):
    """The stock inline pass, leaving alone a text that no pattern can match.

    A text with none of the pass's trigger characters is returned at once (and
    a tree with none at all is not walked), and a pattern is skipped when none
    of its own triggers is in the text or its regex finds nothing; either way
    the stock pass would have returned the text unchanged.
    """

    _made_for: tuple[int, ...] = ()  # the patterns ``_patterns`` and ``_gate`` were made for
    _gate: re.Pattern[str] | None = None
    # the core pass, when this one (smarty's) follows it with nothing between that adds text
    follows: PlainInline | None = None

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self._prepare()
        if self._gate is not None:
            told = self.follows.later_finds if self.follows is not None else None
            if told is False or (told is None and not _any_match(tree, self._gate)):
                return tree  # e.g. smarty's pass over a text without quotes, dashes or ellipses
        return super().run(tree, ancestors)

    def _prepare(self) -> None:
        known = self.inlinePatterns
        if tuple(map(id, known)) != self._made_for:  # made once per converter, not per document
            triggers = {id(known[name]): TRIGGERS[name] for name in TRIGGERS if name in known}
            self._patterns = [
                (
                    p,
                    p.getCompiledRegExp() if isinstance(p, InlineProcessor) else None,
                    triggers.get(id(p), ("",)),
                )  # "" is in every text: no test
                for p in known
            ]
            self._gate = inline_gate(known)
            self._made_for = tuple(map(id, known))

    def _InlineProcessor__handleInline(self, data: str, index: int = 0) -> str:  # noqa: N802
        if isinstance(data, util.AtomicString) or (self._gate is not None and self._gate.search(data) is None):
            return data
        patterns = self._patterns
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start, count = 0, len(patterns)
        while index < count:
            pattern, regex, triggers = patterns[index]
            for trigger in triggers:  # a substring test costs far less than a regex search
                if trigger in data:
                    break
            else:
                index, start = index + 1, 0
                continue
            if regex is not None and regex.search(data, start) is None:
                index, start = index + 1, 0
                continue
            data, matched, start = apply(pattern, data, index, start)
            if not matched:
                index += 1
        return data


def _texts(node: etree.Element) -> list[str]:
    """The texts in ``node``: its own, its children's and their tails."""
    return [t for n in node.iter() for t in (n.text, n.tail) if t]


def holds(texts: Iterable[str], triggers: tuple[str, ...]) -> bool:
    """Whether any of ``texts`` holds any of ``triggers``."""
    for text in texts:  # loops, not ``any()`` of a generator: this runs for every block
        for trigger in triggers:
            if trigger in text:
                return True
    return False


def _any_match(tree: etree.Element, gate: re.Pattern[str]) -> bool:
    """Whether any text the inline pass would look at holds a trigger: when none does,
    the pass changes nothing, and walking the tree through its bookkeeping costs a
    tenth of a brief's Markdown."""
    search = gate.search
    for element in tree.iter():
        for text in (element.text, element.tail):
            if text and not isinstance(text, util.AtomicString) and search(text) is not None:
                return True
    return False


# The tokens of plain text. Emphasis: text holding no trigger of the core pass, neither
# starting nor ending with a space, between runs of one or two asterisks with no
# asterisk before them (one after a run is caught by counting, in
# ``PlainInline._tokens``): Python-Markdown's delimiter rules pair such runs with each
# other and nothing else. Links and citations: our patterns. Each token's first
# character stands outside any group, so that the regex engine skips to it instead of
# trying every alternative at every character.
_PLAIN = r"[^\s*_\[\]\\`<&](?:[^*_\[\]\\`<&]*[^\s*_\[\]\\`<&])?"
assert WIKI_RE.pattern.startswith(r"\[") and CITE_RE.pattern.startswith(r"\[")
_TOKEN_RE = re.compile(
    rf"[*\[](?:(?<=\*)(?<!\*\*)\*(?P<strong>{_PLAIN})\*\*|(?<=\*)(?<!\*\*)(?P<em>{_PLAIN})\*"
    rf"|(?<=\[)(?P<wiki>{WIKI_RE.pattern[2:]})|(?<=\[)(?P<cite>{CITE_RE.pattern[2:]}))"
)
_PLAIN_PATTERNS = {
    "backtick",
    "escape",
    "footnote",
    "briefing-wiki",
    "briefing-cite",
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
    "html",
    "linebreak",
    "entity",
    "em_strong",
}
# the core pass's triggers but "*" and "[", which a plain text holds only in its tokens
_OTHER_TRIGGERS = {t for name in _PLAIN_PATTERNS for t in TRIGGERS[name]} - {"*", "["}
_OTHER_CHARS = re.compile("[" + re.escape("".join(t for t in _OTHER_TRIGGERS if len(t) == 1)) + "]")
_OTHER_STRINGS = [t for t in _OTHER_TRIGGERS if len(t) > 1]
_ASTERISKS = {"em": 2, "strong": 4}

# One text's elements: (start, end, element or None for a citation, the citation's match)
_Tokens = list[tuple[int, int, "etree.Element | None", "re.Match[str] | None"]]


class PlainInline(QuickInline):
    """The core inline pass, building the elements of plain texts itself.

    A text qualifies when it holds none of the pass's triggers but the
    asterisks and brackets of its tokens, and a link's shown text holds none; then
    no stock pattern but ours and emphasis can match in it, and each token is
    what the stock pass would make of it. A document with a text that does not
    qualify, or with reference definitions (which a citation's "[1]" could
    match), goes through the stock pass. Texts are visited in the stock pass's
    order (breadth first) so that citations get the same numbers.
    """

    _plain = False  # whether the pass's patterns are those this class knows
    # The triggers of the inline pass that follows (smarty's): whether it will find any
    # (``later_finds``; None when this pass did not build the document itself) is known
    # from the source and the links' texts, without walking the tree again.
    later: tuple[str, ...] | None = None
    later_finds: bool | None = None
    _made: list[str]  # the texts of the links ``_tokens`` made for this document
    _later_in_plan = False  # whether a text ``_plan`` saw holds a trigger of the next pass

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self._prepare()
        self.later_finds, self._made = None, []
        plan = self._plan(tree) if self._plain and not self.md.references else None  # type: ignore[attr-defined]
        if plan is None:
            return super().run(tree, ancestors)
        if self.later is not None:
            # the texts the next pass will see: those between the tokens and inside
            # emphasis (``_plan`` looked), the shown texts of links, and the citations'
            # (below); not the source's lines, whose citations hold quotes ("p. 4")
            # that the citations' elements do not
            self.later_finds = self._later_in_plan or holds(self._made, self.later)
        cite: Any = self.inlinePatterns["briefing-cite"]
        for parent, element, is_tail, text, tokens in plan:
            nodes = []
            for start, end, node, m in tokens:
                if node is None:  # a citation is numbered as the stock pass would, in this order
                    node = cite.handleMatch(m, text)[0]
                    if self.later is not None and not self.later_finds:
                        self.later_finds = holds(_texts(node), self.later)
                nodes.append((start, end, node))
            _place(parent, element, is_tail, text, nodes)
        return tree

    def _prepare(self) -> None:
        made_for = self._made_for
        super()._prepare()
        if self._made_for != made_for:
            names = {name for name in _PLAIN_PATTERNS if name in self.inlinePatterns}
            self._plain = (
                self._gate is not None
                and len(names) == len(self.inlinePatterns)
                and {"briefing-wiki", "briefing-cite"} <= names
            )

    def _plan(self, tree: etree.Element) -> list[tuple[etree.Element, etree.Element, bool, str, _Tokens]] | None:
        plan = []
        later, found = self.later, False
        queue = deque([tree])
        while queue:
            parent = queue.popleft()
            for element in parent:
                for is_tail, text in ((False, element.text), (True, element.tail)):
                    if not text or isinstance(text, util.AtomicString):
                        continue
                    tokens = self._tokens(text)
                    if tokens is None:
                        return None
                    if tokens:
                        plan.append((parent, element, is_tail, text, tokens))
                    if later is not None and not found:
                        found = holds(_outside(text, tokens), later)
                if len(element):
                    queue.append(element)
        self._later_in_plan = found
        return plan

    def _tokens(self, text: str) -> _Tokens | None:
        """The elements of ``text`` with where they stand, or None if it is not plain.

        The text is plain when it holds none of the pass's triggers, but for the
        asterisks and brackets of its tokens: counted, which is cheaper than searching
        for them between tokens."""
        if _OTHER_CHARS.search(text) is not None or any(t in text for t in _OTHER_STRINGS):
            return None
        tokens: _Tokens = []
        asterisks = brackets = 0
        for m in _TOKEN_RE.finditer(text):
            kind = m.lastgroup
            if kind == "em" or kind == "strong":
                node = etree.Element(kind)
                node.text = m[kind]
                tokens.append((m.start(), m.end(), node, None))
                asterisks += _ASTERISKS[kind]
                continue
            start, end = m.span()
            brackets += 2 if kind == "wiki" else 1
            if "^" in text[start:end]:
                return None  # a footnote's mark inside a link: its pattern could see it first
            if kind == "wiki":
                wiki: Any = self.inlinePatterns["briefing-wiki"]
                node = wiki.handleMatch(wiki.getCompiledRegExp().match(text, start), text)[0]
                made = _texts(node)
                bad = self._gate.search  # type: ignore[union-attr]
                if any(bad(t) for t in made):
                    return None  # the stock pass would go on to match in the shown text
                self._made.extend(made)
                tokens.append((start, end, node, None))
            else:
                cite: Any = self.inlinePatterns["briefing-cite"]
                tokens.append((start, end, None, cite.getCompiledRegExp().match(text, start)))
        if text.count("*") != asterisks or text.count("[") != brackets:
            return None  # an asterisk or a bracket outside the tokens
        return tokens


def _outside(text: str, tokens: _Tokens) -> list[str]:
    """What of ``text`` stays text once its tokens are elements: the parts between them,
    and the texts of emphasis (a link's and a citation's texts are looked at apart)."""
    if not tokens:
        return [text]
    parts, at = [], 0
    for start, end, node, _m in tokens:
        parts.append(text[at:start])
        if node is not None and node.tag in _ASTERISKS:
            parts.append(node.text or "")
        at = end
    parts.append(text[at:])
    return parts


def _place(
    parent: etree.Element, element: etree.Element, is_tail: bool, text: str, nodes: list[tuple[int, int, etree.Element]]
) -> None:
    """Put ``nodes`` into the tree where the stock pass would, with the text between them."""
    head = text[: nodes[0][0]] or None
    starts = [start for start, _, _ in nodes[1:]] + [len(text)]
    for (_, end, node), following in zip(nodes, starts, strict=True):
        node.tail = text[end:following] or None
    if is_tail:
        element.tail = head
        at = list(parent).index(element) + 1
        for offset, (_, _, node) in enumerate(nodes):
            parent.insert(at + offset, node)
    else:
        element.text = head
        for offset, (_, _, node) in enumerate(nodes):
            element.insert(offset, node)
