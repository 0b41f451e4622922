"""Whether a quotation stands in a text word for word, and if not, where it differs.

One comparison for every quote the site holds: a source's ``quotes:`` against its
own text, and a quotation in a brief against the text of the source it cites.
What it ignores is documented in docs/content-model.md (*Quotes are verbatim*).
"""

from __future__ import annotations

import difflib
import re

_QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "−": "-",
    }
)
_DASH_RE = re.compile(r" ?-+ ?")
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_EDGES = " ,.;:…"
CONTEXT = 1  # words shown on each side of a difference
MAX_SHOWN = 12  # words of one side of a difference shown before "…"


def normalise_quote(text: str) -> str:
    """What counts as the same words: white space, quote marks, dashes (and the spaces
    around them) and the ellipsis written as three full stops aside."""
    text = " ".join(text.translate(_QUOTE_MAP).replace("...", "…").split())
    return _DASH_RE.sub("-", text) if "-" in text else text


def quotation(text: str) -> str:
    """A quotation as compared: normalised, and without the punctuation and ellipses at
    its ends, which quoting changes ("…we will build," she said)."""
    return normalise_quote(text).strip(_EDGES)


def is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def contains(text: str, quote: str) -> bool:
    """Whether the normalised ``quote`` stands in the normalised ``text`` as whole words:
    "ion" is not in "nation", though "nation" is in "a nation."."""
    if not quote:
        return True
    start = text.find(quote)
    while start >= 0:
        end = start + len(quote)
        before_ok = start == 0 or not (is_word(text[start - 1]) and is_word(quote[0]))
        after_ok = end == len(text) or not (is_word(text[end]) and is_word(quote[-1]))
        if before_ok and after_ok:
            return True
        start = text.find(quote, start + 1)
    return False


def difference(text: str, quote: str) -> str:
    """Where the normalised ``quote`` departs from the closest passage of the normalised
    ``text``, for an error message: "the quote has 'a b' where the source has 'a c'"."""
    q = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(quote)]
    s = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    qw, sw = [t[0] for t in q], [t[0] for t in s]
    longest = difflib.SequenceMatcher(None, qw, sw, autojunk=False).find_longest_match(0, len(qw), 0, len(sw))
    if longest.size == 0:
        return "none of its words are in the source's text"
    lo = max(0, longest.b - longest.a - 2)
    hi = min(len(sw), longest.b - longest.a + len(qw) + 2)
    ops = difflib.SequenceMatcher(None, qw, sw[lo:hi], autojunk=False).get_opcodes()
    while ops and ops[0][0] == "insert":  # the source's words before the quote begins
        ops.pop(0)
    while ops and ops[-1][0] == "insert":  # and after it ends
        ops.pop()
    same = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in ops if tag == "equal")
    if same * 2 < len(qw):
        return "nothing close to it is in the source's text"
    changes = [op for op in ops if op[0] != "equal"]
    if not changes:  # the same words, spaced differently around punctuation
        first, last = ops[0][3] + lo, ops[-1][4] + lo - 1
        return f"the quote has '{quote}' where the source has '{text[s[first][1] : s[last][2]]}'"
    _tag, i1, i2, j1, j2 = changes[0]
    if i1 == 0 and i2 > i1:  # the quote starts differently: as many of the source's words
        j1 = max(j1, j2 - (i2 - i1))
    if i2 == len(qw) and i2 > i1:  # it ends differently
        j2 = min(j2, j1 + (i2 - i1))
    mine = _span(quote, q, i1, i2)
    theirs = _span(text, s, j1 + lo, j2 + lo)
    more = f" (and {len(changes) - 1} more difference{'s' if len(changes) > 2 else ''})" if len(changes) > 1 else ""
    return f"the quote has '{mine}' where the source has '{theirs}'{more}"


def _span(text: str, tokens: list[tuple[str, int, int]], i1: int, i2: int) -> str:
    """Tokens ``i1:i2`` of ``text`` with a word of context each side, as written there."""
    a, b = max(0, i1 - CONTEXT), min(len(tokens), i2 + CONTEXT)
    if b - a > MAX_SHOWN:
        return text[tokens[a][1] : tokens[a + MAX_SHOWN - 1][2]] + " …"
    if a == b:
        return ""
    return text[tokens[a][1] : tokens[b - 1][2]]
