"""Quotes are verbatim: which quotations a citation vouches for, and what the comparison
with the source's text forgives (docs/content-model.md, *Quotes are verbatim*)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.content import links
from briefing.content.quotations import quotations
from briefing.content.verbatim import contains, difference, normalise_quote, quotation
from update_goldens import run

SOURCE = 'Leaders met on Thursday. "We will build the fund together," Anna said. It is a — modest — step… for now.'


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("We will build the fund together", True),
        ("We will build the\n   fund   together", True),  # white space
        ("“We will build the fund together,”", True),  # quote marks, and a comma at the end
        ("It is a - modest - step...", True),  # dashes and the spaces around them; ... for …
        ("It is a--modest--step", True),
        ("…build the fund", True),  # an ellipsis at either end marks words left out
        ("We will build the fund together!", False),  # ! and ? are the speaker's
        ("we will build the fund together", False),  # case is not forgiven
        ("We will build a fund together", False),
        ("ill build the fund", False),  # whole words only
        ("We will build ... together", False),  # words left out inside are not forgiven
    ],
)
def test_what_the_comparison_forgives(quote: str, found: bool) -> None:
    assert contains(normalise_quote(SOURCE), quotation(quote)) is found


@pytest.mark.parametrize(
    ("quote", "says"),
    [
        ("We will build a fund together", "the quote has 'build a fund' where the source has 'build the fund'"),
        (
            "We will build the fund really together",
            "the quote has 'fund really together' where the source has 'fund together'",
        ),
        ("We will the fund together", "the quote has 'will the' where the source has 'will build the'"),
        (
            "We shall build a fund",
            "the quote has 'We shall build' where the source has 'We will build' (and 1 more difference)",
        ),
        ("Nothing of the sort was said by anyone", "nothing close to it is in the source's text"),
        ("Xyzzy", "none of its words are in the source's text"),
    ],
)
def test_a_mismatch_names_the_words_that_differ(quote: str, says: str) -> None:
    assert difference(normalise_quote(SOURCE), quotation(quote)) == says


def found_in(text: str) -> list[tuple[tuple[str, ...], str, int, int]]:
    return [(q.sources, " ".join(q.text.split()), q.line, q.col) for q in quotations(links.scan_text(text))]


def test_words_in_quote_marks_before_a_citation_are_a_quotation() -> None:
    text = (
        'She said "we will build it" [@a], then “not yet”[@b, "p. 2"], and\n'
        'called it "a modest\nstep" [@c] [@d]. "Loose" words, then a citation [@e].\n'
        "\n"
        '"Across a paragraph\n\nbreak" [@f], and `"code" [@g]` is left alone.\n'
    )
    assert found_in(text) == [
        (("a",), "we will build it", 1, 10),
        (("b",), "not yet", 1, 40),
        (("c", "d"), "a modest step", 2, 11),
    ]


def test_a_blockquote_ending_in_a_citation_is_a_quotation() -> None:
    text = (
        "> We will build\n"
        "> the fund together.\n"
        ">\n"
        "> — [[anna-berg|Anna Berg]], at the summit [@a]\n"
        "\n"
        '> "We will build the fund," said [[anna-berg|Berg]]. "Together." [@b]\n'
        "\n"
        "> A blockquote without a citation at its end [@c] is not one.\n"
        "> Its last line says so.\n"
    )
    assert found_in(text) == [
        (("a",), "We will build the fund together.", 1, 3),
        (("b",), "We will build the fund,", 6, 3),
        (("b",), "Together.", 6, 54),
    ]


def test_a_quote_in_a_brief_is_checked_against_the_source_it_cites(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(
        brief.read_text(encoding="utf-8")
        + '\nBerg: "We will build the fund tomorrow" [@daily-report]. The wire: "anything" [@wire].\n',
        encoding="utf-8",
    )
    code, _, err = run("check", "--site", str(site))
    line = len(brief.read_text(encoding="utf-8").splitlines())
    assert err.splitlines() == [
        f"content/briefs/fund-explained.md:{line}:7: error: this quotation is not in the text of [@daily-report] "
        "verbatim: the quote has 'fund tomorrow' where the source has 'fund together,'; copy the exact words, "
        "or paraphrase without quoting",
        f"content/briefs/fund-explained.md:{line}:68: warning: this quotation cannot be checked: [@wire] has no "
        "text to hold it against; keep it as content/sources/wire.md with the article's text as its body",
        "1 error in 1 file",
    ]
    assert code == 1
