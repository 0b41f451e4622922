"""The parse stage's shortcuts find exactly what the long way finds: Markdown past the
renderer's limits, links and their places, front matter, and YAML strings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.content import links, load, yamlpos
from briefing.diagnostics import Diagnostics


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("*" * 500, []),
        ("_" * 500 + " " + "*" * 500, []),
        ("x\n" + "*" * 501, [("501 '*' in a row; Markdown renders at most 500", 2, 1)]),
        ("a " + "_" * 600, [("600 '_' in a row; Markdown renders at most 500", 1, 3)]),
        ("```\n" + "*" * 600 + "\n```\n", []),  # code renders as it stands
        ("> " * 100 + "x", []),
        ("> " * 101 + "x", [("lists or quotes nested 101 levels deep; Markdown renders at most 100", 1, 1)]),
        (
            "Intro\n\n" + "- " * 102 + "x",
            [("lists or quotes nested 102 levels deep; Markdown renders at most 100", 3, 1)],
        ),
        ("1. " * 40 + "\n" + "x" * 600, []),  # many marker characters, but under a hundred markers
    ],
)
def test_markdown_past_the_renderers_limits_is_found_where_it_starts(
    text: str, found: list[tuple[str, int, int]]
) -> None:
    assert [(e.message, e.line, e.col) for e in links.excesses(text)] == found


MARKER_RUNS = st.lists(
    st.tuples(
        st.sampled_from([" ", "\t", "-", "*", "+", ">", "7", ".", ")", "_", "\n", "x"]),
        st.sampled_from([1, 2, 100, 101, 500, 501]),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(MARKER_RUNS)
def test_the_quick_test_lets_through_every_line_the_check_must_read(runs: list[tuple[str, int]]) -> None:
    text = "".join(ch * n for ch, n in runs)
    deep = any(re.match(r"[ \t\-*+>\d.)]{101,}", line) for line in text.split("\n"))
    long_run = re.search(r"\*{501,}|_{501,}", text) is not None
    assert links._may_exceed(text) == (deep or long_run)


def test_links_come_in_reading_order_with_their_lines_and_columns() -> None:
    text = 'See [@src, "p. 4"] and\n  [[anna|her]] on [[2025-01]].\n`[[code]]` [@s2]'
    assert [(link.kind, link.target, link.text, link.line, link.col, link.raw) for link in links.scan(text)] == [
        ("cite", "src", "p. 4", 1, 5, '[@src, "p. 4"]'),
        ("record", "anna", "her", 2, 3, "[[anna|her]]"),
        ("date", "2025-01", None, 2, 19, "[[2025-01]]"),
        ("cite", "s2", None, 3, 12, "[@s2]"),
    ]


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("---\ntitle: T\n---\nBody\n", ("title: T\n", "Body\n", 4)),
        ("---\ntitle: T\n...  \n\nBody", ("title: T\n", "\nBody", 4)),
        ("---\n---\n", ("", "", 3)),
        ("---\n----\n---", ("----\n", "", 3)),
        ("---", None),
        ("---\ntitle: T\n", None),
    ],
)
def test_front_matter_is_split_at_its_closing_line(text: str, split: tuple[str, str, int] | None) -> None:
    assert load._split_front_matter(text) == split


def test_yaml_strings_keep_their_text_and_places() -> None:
    data = yamlpos.parse('a: !!str 12\nb: "see [[x]]"\nc: 2025-02-30\nd: plain\n', 1)
    assert data == {"a": "12", "b": "see [[x]]", "c": "2025-02-30", "d": "plain"}
    assert [data.where(key) for key in "abcd"] == [(2, 4), (3, 4), (4, 4), (5, 4)]
    assert data.source("b") == '"see [[x]]"'


def test_a_body_link_is_reported_at_its_line_in_the_file() -> None:
    diags = Diagnostics()
    raw = load.parse_record(
        "content/briefs/b.md", "brief", "b", b"---\ntitle: T\ndate: 2025\n---\n\nA [[Bad Id]].\n", diags
    )
    assert raw is not None and raw.body_line == 5
    from briefing.content.validate import validate

    record = validate(raw, diags)
    # not an id: resolve reports it, with the id it most likely means
    assert [(ref.target, ref.via, ref.pos) for ref in record.refs] == [("Bad Id", "name-link", (6, 3))]
