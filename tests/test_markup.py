"""Our quick Markdown passes render exactly what Python-Markdown's own passes render.

``inline.QuickInline`` leaves alone text that no inline pattern can match,
``inline.PlainInline`` builds plain prose's elements itself, and block processors
are skipped on blocks without their triggers; if a trigger in ``inline.TRIGGERS``
or ``markup.BLOCK_TRIGGERS`` were wrong, or a new Python-Markdown release changed
a pattern, a brief would silently lose its emphasis, links, citations' numbers or
smart quotes. These tests compare the quick and stock passes on real and
generated Markdown.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as etree  # noqa: N813 - the name Python-Markdown uses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import blockprocessors, treeprocessors

from briefing.engine.ahead import AheadMarkup
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from briefing.markdown.quick import inline
from briefing.markdown.quick.blocks import BLOCK_TRIGGERS
from briefing.markdown.quick.inline import TRIGGERS, PlainInline, QuickInline, inline_gate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

BENCH = corpus.draw(200, seed=3)
LINKS = Links(
    {
        "ann-lee": Target("/actors/ann-lee/", "Ann Lee", "actor"),
        "paper": Target("/sources/paper/", "The Paper", "source"),
        "memo": Target("/sources/memo/", "Memo", "source"),
        "odd": Target("/actors/odd/", "A&B *Co*", "actor"),
        "obrien": Target("/actors/obrien/", "Pat O'Brien -- envoy...", "actor"),
    },
    "/dates/",
)
# Markdown's and smarty's special characters, our link syntax, and plain words.
PIECES = [
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "!",
    "<",
    ">",
    "&",
    "&amp;",
    "&#8212;",
    "'",
    '"',
    "--",
    "---",
    "...",
    "  \n",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "# ",
    "[^1]",
    "[^1]: note",
    "[[ann-lee]]",
    "[[ann-lee|Ann]]",
    "[[2025-11-27]]",
    "[@paper]",
    '[@paper, "p. 2"]',
    "[x](http://a.b/)",
    "![i](/i.png)",
    "<http://a.b/>",
    "<a@b.c>",
    "<b>x</b>",
    "'90s",
    "_a_",
    "*a*",
    "__a__",
    "a--b",
    "word",
    " ",
    "Пётр",
    "é",
    "|",
    " | ",
    "=",
    "===",
    "[a]: /b",
    "[a]:/b",
    "#",
    "~~~",
    "\n~~~\n",
]
markdown_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


# What a briefing's prose is mostly made of, in blocks, with near misses: a lone or
# unmatched asterisk, a space inside emphasis, a title with a trigger in it, a line break,
# an underscore, a bracket that is no link, a reference definition, a footnote.
PLAIN_PIECES = [
    "word",
    "words",
    " ",
    " ",
    "\n",
    "Пётр",
    "*a*",
    "*a b*",
    "**a**",
    "**a b**",
    "*a\nb*",
    "**a\nb**",
    "*",
    "**",
    "* a*",
    "*a *",
    "***a***",
    "[[ann-lee]]",
    "[[ann-lee|Ann]]",
    "[[ 2025-11-27 ]]",
    "[[2025-11|then]]",
    "[[nobody]]",
    "[[odd]]",
    "[[obrien]]",
    "[[obrien|Pat]]",
    "[@paper]",
    '[@paper, "p. 2"]',
    "[@memo]",
    "[@nobody]",
    "]",
    "(",
    ")",
    "'",
    '"',
    "--",
    "...",
    "#",
    ">",
    "-",
    "  \n",
    "_",
    "&",
    "[",
    "[^1]",
]
PLAIN_BLOCKS = ["", "", "", "- ", "1. ", "> ", "## ", "### ", "    - ", "> - "]
plain_markdown = st.lists(
    st.tuples(st.sampled_from(PLAIN_BLOCKS), st.lists(st.sampled_from(PLAIN_PIECES), min_size=1, max_size=12)),
    max_size=8,
).map(
    lambda blocks: "".join(
        f"{lead}{''.join(pieces)}\n" + ("\n" if lead in ("", "## ") else "") for lead, pieces in blocks
    )
)


def both(text: str, unsafe_html: bool = False) -> tuple[str, str]:
    quick, stock = Markup(LINKS, unsafe_html), Markup(LINKS, unsafe_html, quick=False)
    quick.begin_page()
    stock.begin_page()
    return quick.render(text), stock.render(text)


def test_the_quick_pass_is_in_use() -> None:
    md = Markup(LINKS).md
    assert type(md.treeprocessors["inline"]).__name__ == "PlainInline"
    assert type(md.treeprocessors["smarty"]).__name__ == "QuickInline"


def test_an_untested_python_markdown_keeps_the_stock_passes_and_renders_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A newer Python-Markdown may change the private parts the quick passes replace: then
    they stay out (the build is slower, never wrong)."""
    from briefing.markdown import quick
    from briefing.markdown.quick.tree import HeadingIds

    monkeypatch.setattr(markdown, "__version_info__", (3, 99, 0, "final", 0))
    assert not quick.supported()
    fallback = Markup(LINKS).md
    assert not isinstance(fallback.treeprocessors["inline"], PlainInline)
    assert not isinstance(fallback.treeprocessors["smarty"], QuickInline)
    assert not isinstance(fallback.treeprocessors["toc"], HeadingIds)
    files = [*ROOT.glob("content/**/*.md"), *ROOT.glob("tests/sites/valid/content/**/*.md")]
    bench = [corpus.body_markdown(brief, corpus.BRIEFING_LINKS) for brief in BENCH.briefs[:20]]
    for text in [path.read_text() for path in files] + bench:
        tested = Markup(LINKS)
        monkeypatch.setattr(markdown, "__version_info__", (3, 11, 3, "final", 0))
        quick_html = Markup(LINKS).render(text)
        monkeypatch.setattr(markdown, "__version_info__", (3, 99, 0, "final", 0))
        assert Markup(LINKS).render(text) == quick_html == tested.render(text)


def test_bundled_and_fixture_markdown_renders_the_same_both_ways() -> None:
    files = [
        *ROOT.glob("content/**/*.md"),
        *ROOT.glob("tests/sites/*/content/**/*.md"),
        ROOT / "README.md",
        *ROOT.glob("docs/*.md"),
    ]
    assert len(files) > 20
    for path in files:
        quick, stock = both(path.read_text(encoding="utf-8", errors="replace"))
        assert quick == stock, path


@settings(max_examples=300, deadline=None)
@given(markdown_text, st.booleans())
def test_any_markdown_renders_the_same_both_ways(text: str, unsafe_html: bool) -> None:
    quick, stock = both(text, unsafe_html)
    assert quick == stock


@dataclass
class Handed:
    stock: int = 0  # documents the core pass handed to the stock pass


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Handed:
    """Counts the documents the core inline pass hands to the stock pass."""
    handed = Handed()
    stock_run = QuickInline.run

    def run(self: QuickInline, tree: Any, ancestors: Any = None) -> Any:
        if isinstance(self, PlainInline):
            handed.stock += 1
        return stock_run(self, tree, ancestors)

    monkeypatch.setattr(QuickInline, "run", run)
    return handed


@settings(max_examples=400, deadline=None)
@given(plain_markdown, st.booleans())
def test_plain_prose_renders_the_same_as_the_stock_pass(text: str, unsafe_html: bool) -> None:
    """Emphasis, links and citations in lists, quotes and headings: same HTML, same citation numbers."""
    quick, stock = both(text, unsafe_html)
    assert quick == stock


def test_plain_prose_is_rendered_by_the_plain_pass(counted: Handed) -> None:
    text = (
        "Said *a b* and **c** to [[ann-lee]] on [[2025-11-27]] [@paper].\n\n"
        '- one [@memo]\n- two [[ann-lee|Ann]] [@paper, "p. 2"]\n\n> quoted [@memo] *x*\n\n## Head [@paper]\n'
    )
    quick, stock = both(text)
    assert quick == stock and counted.stock == 0
    # numbered in the stock pass's order: top-level texts first, then the list's, then the quote's
    assert quick.index('href="#source-1"') < quick.index("<ul>") and 'href="#source-2"' in quick.split("<ul>")[1]


# Near misses of plain text: each sends its document to the stock pass.
NEAR_MISSES = [
    "* a*",
    "*a *",
    "*a**b*",
    "**a****b**",
    "**a***b*",
    "***a***",
    "**a*",
    "*a**",
    "*a  \nb*",
    "a  \nb",
    "a * b",
    "a_b",
    "[x]",
    "[[odd]]",
    "[[ann-lee|*Ann*]]",
    '[@paper, "[[ann-lee]]"]',
    "&amp;",
    "`c`",
    "\\*",
    "<b>x</b>",
    "[[^9]]",
]


@pytest.mark.parametrize("miss", NEAR_MISSES)
def test_a_near_miss_goes_through_the_stock_pass(miss: str, counted: Handed) -> None:
    quick, stock = both(f"Some *a* and [[ann-lee]] [@paper] then {miss} here.\n\n[^9]: A footnote.\n")
    assert quick == stock and counted.stock == 1


def test_a_citation_label_a_reference_could_match_goes_through_the_stock_pass(counted: Handed) -> None:
    quick, stock = both("Some text [@paper].\n\n[1]: /elsewhere\n")
    assert quick == stock and counted.stock == 1


def test_generated_briefs_render_the_same_and_by_the_plain_pass(counted: Handed) -> None:
    links = Links(
        {a.id: Target(f"/actors/{a.id}/", a.name, "actor") for a in BENCH.actors}
        | {s.id: Target(f"/sources/{s.id}/", s.title, "source") for s in BENCH.sources}
        | {e.id: Target(f"/events/{e.id}/", e.title, "event") for e in BENCH.events},
        "/dates/",
    )
    quick, stock = Markup(links), Markup(links, quick=False)
    for brief in BENCH.briefs:
        text = corpus.body_markdown(brief, corpus.BRIEFING_LINKS)
        quick.begin_page()
        stock.begin_page()
        assert quick.render(text) == stock.render(text)
    assert counted.stock == 0


@settings(max_examples=300, deadline=None)
@given(markdown_text)
def test_text_the_gate_passes_over_matches_no_pattern(text: str) -> None:
    md = Markup(LINKS, unsafe_html=True).md
    for name in ("inline", "smarty"):
        patterns = md.treeprocessors[name].inlinePatterns  # type: ignore[attr-defined]
        gate = inline_gate(patterns)
        assert gate is not None
        if gate.search(text) is None:
            assert not [p for p in patterns if p.getCompiledRegExp().search(text)]
        for pattern_name, triggers in TRIGGERS.items():  # each pattern alone, as the pass tries it
            if pattern_name in patterns and not any(t in text for t in triggers):
                assert not patterns[pattern_name].getCompiledRegExp().search(text), pattern_name


@settings(max_examples=300, deadline=None)
@given(markdown_text)
def test_a_block_without_its_triggers_is_not_taken(text: str) -> None:
    """``BLOCK_TRIGGERS``: a block processor whose triggers are missing takes no block."""
    processors = Markup(LINKS, quick=False).md.parser.blockprocessors
    for name, triggers in BLOCK_TRIGGERS.items():
        if any(t in text for t in triggers):
            continue
        processor = processors[name]
        parent, blocks = etree.Element("div"), [text]
        assert not processor.test(parent, text) or processor.run(parent, blocks) is False, name
        assert blocks == [text] and len(parent) == 0


@pytest.mark.parametrize(
    "text", ["Text\n\n~~~\n*not em*\n~~~\n", "Text\n\n```\n*not em*\n```\n", "Not \\*em\\* here.\n"]
)
def test_fences_and_escapes_render_the_same_both_ways(text: str) -> None:
    quick, stock = both(text)
    assert quick == stock
    assert "*not em*" in quick or "*em*" in quick  # code and escaped asterisks stay as written


def test_a_block_is_tested_only_by_processors_whose_triggers_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    for cls in (blockprocessors.HashHeaderProcessor, blockprocessors.BlockQuoteProcessor):
        stock_test = cls.test

        def test(self: Any, parent: Any, block: str, _stock: Any = stock_test, _name: str = cls.__name__) -> Any:
            asked.append(_name)
            return _stock(self, parent, block)

        monkeypatch.setattr(cls, "test", test)
    text = "A paragraph.\n\nAnother one.\n\n## A heading\n\n> a quote\n"
    stock = Markup(LINKS, quick=False).render(text)
    assert asked.count("HashHeaderProcessor") == 5 and asked.count("BlockQuoteProcessor") == 4  # every block
    asked.clear()
    quick = Markup(LINKS).render(text)
    assert quick == stock and "<h2" in quick and "<blockquote>" in quick
    assert asked == ["HashHeaderProcessor", "BlockQuoteProcessor"]  # only the block with "#", the one with ">"


def test_a_pattern_the_gate_does_not_know_turns_the_gate_off() -> None:
    md = markdown.Markdown(extensions=["abbr"])
    md.inlinePatterns.register(markdown.inlinepatterns.SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "del", 65)
    assert inline_gate(md.inlinePatterns) is None


def test_a_pass_with_nothing_to_match_skips_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # smarty's pass over a brief without quotes, dashes or ellipses: nothing to walk
    walked: list[str] = []
    stock_run = treeprocessors.InlineProcessor.run

    def run(self: treeprocessors.InlineProcessor, tree: Any, ancestors: Any = None) -> Any:
        walked.append(type(self).__name__)
        return stock_run(self, tree, ancestors)

    monkeypatch.setattr(treeprocessors.InlineProcessor, "run", run)
    text = "# Title\n\nSome *emphasis* and **strong** words, [[ann-lee]] said.\n\n> a quote\n\n- one\n- two\n"
    quick, stock = both(text)
    assert quick == stock and "<em>emphasis</em>" in quick
    assert len(walked) == 2  # the stock converter's two passes: the plain text needs neither quick one
    assert both(text + "\nIt's here.\n")[0].count("&rsquo;") == 1  # a quote: smarty's pass runs


def test_smarty_s_pass_walks_the_tree_only_when_a_text_may_hold_its_triggers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core pass tells smarty's whether any text holds a quote, a dash or an ellipsis:
    the texts it leaves between its elements and in emphasis, or the shown text of a link
    (a title), which the source lacks; not a citation's locator, whose quotes go."""
    walks: list[int] = []
    stock_walk = inline._any_match
    monkeypatch.setattr(inline, "_any_match", lambda tree, gate: walks.append(1) or stock_walk(tree, gate))
    for text, curly in [
        ("Plain *words* and [[ann-lee]].\n", False),
        ("It's [[ann-lee]].\n", True),
        ("Plain words and [[obrien]].\n", True),
        ("Plain words and [[obrien|Pat]].\n", False),
        ("A dash -- and more...\n\n- in a list\n", True),
        ('Cited [@paper, "p. 2"] plainly.\n', False),  # a locator's quotes make no text
        ('*It\'s* cited [@paper, "p. 2"].\n', True),  # a quote inside emphasis does
    ]:
        quick, stock = both(text)
        assert quick == stock and (("&rsquo;" in quick or "&ndash;" in quick) == curly), text
    assert walks == []  # each answered without a walk (the stock converter has no gate to walk)
    walks.clear()
    assert both("Some `code` here, it's.\n")[0].count("&rsquo;") == 1  # the stock core pass: smarty's walks
    assert len(walks) == 2  # the stock core pass walks for its own triggers, then smarty for its


def test_a_locators_quotes_do_not_send_a_brief_through_smartys_stock_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most cited briefs quote a locator (``[@src, "p. 4"]``); once the citation is an
    element its quotes are gone, and smarty's pass (the stock walk with its bookkeeping,
    a third of such a brief's Markdown) has nothing to do."""
    walked: list[str] = []
    stock_run = treeprocessors.InlineProcessor.run

    def run(self: Any, tree: Any, ancestors: Any = None) -> Any:
        walked.append(type(self).__name__)
        return stock_run(self, tree, ancestors)

    monkeypatch.setattr(treeprocessors.InlineProcessor, "run", run)
    text = 'As agreed [@paper, "p. 2"], and **again** [@memo, "§ 4"] with [[ann-lee]].\n\n- one [@paper]\n'
    quick, stock = both(text)
    assert quick == stock and "&ldquo;" not in quick
    assert walked.count("QuickInline") == 0  # the stock converter's own passes are not ours
    walked.clear()
    assert "&rsquo;" in both(text + "\nIt's so.\n")[0] and walked.count("QuickInline") == 1


def test_a_table_of_contents_is_made_where_a_text_asks_for_one() -> None:
    """Headings get their ids either way; the table is made only for a ``[TOC]`` marker."""
    headings = "## First part\n\nText.\n\n### A detail\n\nMore.\n"
    quick, stock = both("[TOC]\n\n" + headings)
    assert quick == stock
    assert '<div class="toc">' in quick and 'href="#a-detail"' in quick
    quick, stock = both(headings + "\nThe text `[TOC]` in code is no marker.\n")
    assert quick == stock and '<h2 id="first-part">' in quick and '<div class="toc">' not in quick
    converter = Markup(LINKS)
    converter.render(headings)
    assert '<div class="toc">' in converter.render("[TOC]\n\n## Again\n")  # no table left switched off


@pytest.mark.parametrize(
    "text",
    [
        "## Same\n\n## Same\n\n## Same_1\n\n##\n\n## Same\n",  # repeated names, a name that looks numbered, none
        "## A *stressed* word\n\n## [[ann-lee]] and [@paper]\n\n## Fish &amp; chips & <b>raw</b>\n",
        "## Two  spaces   here\n\n## Fish &copy chips\n\n## AT&T\n",
        "## Пётр's «report» -- 2025\n\n### Tail text [^1]\n\n[^1]: A note.\n",
    ],
)
def test_heading_ids_are_the_stock_passes(text: str) -> None:
    for unsafe_html in (False, True):
        quick, stock = both(text, unsafe_html)
        assert quick == stock


def test_the_serializer_writes_what_the_stock_one_writes() -> None:
    """Elements the Markdown of a brief never makes, as an extension might."""
    from markdown.serializers import to_html_string

    from briefing.markdown.quick.tree import serialize_html

    root = etree.Element("div", {"class": "a<b", "hidden": "hidden", "data-x": "1 & 2", "title": 'say "hi"'})
    root.text = "Fish & chips <now> &amp; "
    etree.SubElement(root, "br").tail = "after the break"
    etree.SubElement(root, "input", {"checked": "checked", "name": "checked"})
    leaf = etree.SubElement(root, "em")
    leaf.text, leaf.tail = "a < b & c", " then > d"
    etree.SubElement(root, "hr").tail = "after a rule"
    script = etree.SubElement(root, "script")
    script.text = "if (a < b && c) {}"
    root.append(etree.Comment(" a -- comment "))
    root[-1].tail = "tail"
    named = etree.QName("http://www.w3.org/1999/xhtml", "span")
    etree.SubElement(root, named, {etree.QName("lang"): "en"}).text = "named"
    etree.SubElement(root, "em", {etree.QName("lang"): "en"}).text = "a named key"
    bare = etree.SubElement(root, "p")
    bare.set("open", None)  # type: ignore[arg-type]
    assert serialize_html(root) == to_html_string(root)
    deep = etree.SubElement(root, "blockquote")
    for _ in range(sys.getrecursionlimit() * 3):  # deeper than a recursive writer can go
        deep = etree.SubElement(deep, "blockquote")
    deep.text = "bottom"
    assert serialize_html(root) == to_html_string(root)
    shallow = etree.Element("div")
    shallow.append(root[0])
    assert serialize_html(shallow) == to_html_string(shallow) == "<div><br>after the break</div>"


def test_the_quick_last_steps_are_in_use() -> None:
    from briefing.markdown.quick.tree import HeadingIds, serialize_html

    md = Markup(LINKS).md
    assert isinstance(md.treeprocessors["toc"], HeadingIds)
    assert md.serializer is serialize_html
    stock = Markup(LINKS, quick=False).md
    assert (
        [t for t in ("div", "P", "span", "hr/", None, etree.Comment) if md.is_block_level(t)]
        == [t for t in ("div", "P", "span", "hr/", None, etree.Comment) if stock.is_block_level(t)]
        == ["div", "P", "hr/"]
    )


def ahead_of(texts: list[str]) -> dict[str, Any]:
    from briefing.engine.ahead import convert_ahead

    return dict(zip(texts, convert_ahead(LINKS, False, texts, lambda: False), strict=True))


def recorded_render(markup: Markup, text: str) -> tuple[str, set[Any], list[str], dict[str, list[str]]]:
    from briefing.engine.deps import Recorder, RecordingMapping

    rec = Recorder()
    rec.keys = set()
    links = markup.state.links
    markup.state.links = Links(RecordingMapping("link", links.targets, rec), links.date_prefix)  # type: ignore[arg-type]
    try:
        citations = markup.begin_page()
        html_text = markup.render(text)
        return html_text, rec.keys, citations.order, citations.locators
    finally:
        markup.state.links = links


BODY = 'Met [[ann-lee]] and [[nobody]] on [[2025-11-27]] [@paper, "p. 2"] [@memo] [@paper].\n\n## Ann\n'


def test_markdown_converted_ahead_is_what_converting_gives() -> None:
    """The HTML, the recorded reads (what an edit re-renders by) and the citations, as if converted here."""
    ahead = ahead_of([BODY])
    assert BODY in ahead
    here, used = Markup(LINKS), AheadMarkup(LINKS)
    used.ahead = ahead
    used.md = None  # type: ignore[assignment]  # converting would fail: the ahead HTML must be used
    assert recorded_render(used, BODY) == recorded_render(here, BODY)
    assert ("v", "link", "nobody") in recorded_render(used, BODY)[1]


def test_markdown_converted_ahead_is_not_used_where_a_target_differs() -> None:
    ahead = ahead_of([BODY])
    renamed = Links({**LINKS.targets, "ann-lee": Target("/actors/ann-lee/", "Ann Lee-Smith", "actor")}, "/dates/")
    for links in (
        renamed,
        Links(LINKS.targets, "/elsewhere/dates/"),
        Links({**LINKS.targets, "nobody": Target("/actors/nobody/", "Nobody", "actor")}, "/dates/"),
    ):
        used, here = AheadMarkup(links), Markup(links)
        used.ahead = ahead
        assert recorded_render(used, BODY) == recorded_render(here, BODY) != recorded_render(Markup(LINKS), BODY)


def test_markdown_converted_ahead_is_not_used_after_other_citations_on_the_page() -> None:
    ahead = ahead_of([BODY])
    used, here = AheadMarkup(LINKS), Markup(LINKS)
    used.ahead = ahead
    for m in (used, here):
        m.begin_page()
        m.render("First [@memo].")
    assert used.render(BODY) == here.render(BODY)
    assert used.state.citations.order == here.state.citations.order == ["memo", "paper"]


def test_converting_ahead_stops_when_asked() -> None:
    from briefing.engine.ahead import convert_ahead

    asked: list[int] = []

    def stopped() -> bool:
        asked.append(1)
        return len(asked) > 2

    done = convert_ahead(LINKS, False, ["*a*", "*b*", "*c*", "*d*"], stopped)
    assert [d.html for d in done] == ["<p><em>a</em></p>", "<p><em>b</em></p>"]


@pytest.mark.parametrize(
    "text",
    [
        "- one\n   \n- two\n",
        "Para\n \n    not code after a line of spaces\n",
        "Tabs\tand\r\nreturns\r \r\n- a\n\t\n- b\n",
    ],
)
def test_lines_of_spaces_render_the_same_both_ways(text: str) -> None:
    quick, stock = both(text)
    assert quick == stock
