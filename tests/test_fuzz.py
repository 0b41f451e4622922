"""Property tests: whatever an editor types, the generator answers with content
errors, never a traceback, and Markdown never renders into something executable."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.content import links, load, yamlpos
from briefing.content.config import SiteConfig, load_config
from briefing.content.schema import FOLDERS, KINDS, SCHEMA
from briefing.content.validate import validate
from briefing.diagnostics import Diagnostics
from briefing.library.resolve import resolve
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links, Target
from test_hostile import audit

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

YAML_BITS = st.sampled_from(
    [
        ":",
        ": ",
        "-",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a",
        "*a",
        "!",
        "!!str",
        "!!python/name:os.system",
        "|",
        ">",
        "'",
        '"',
        "#",
        "%",
        "@",
        "`",
        "?",
        "\n",
        "\n  ",
        "\t",
        "---",
        "...",
        "\\",
        "2025-02-30",
        "1e999",
        "~",
        "\ufeff",
        "\x00",
        "\u202e",
        "name",
        "kind",
        "title",
        "date",
        "<<",
        "true",
        "null",
        "é",
        "🚀",
        " ",
    ]
)
yamlish = st.lists(YAML_BITS | st.text(max_size=4), max_size=40).map("".join)
MD_BITS = st.sampled_from(
    [
        "[[",
        "]]",
        "[[a]]",
        "[[a|b]]",
        "[[2025]]",
        "[[2025-13]]",
        "[@s]",
        '[@s, "p"]',
        "[@",
        "|",
        "`",
        "```",
        "~~~",
        "\n",
        "\n\n",
        "    ",
        "\t",
        "<",
        ">",
        "&",
        "&#106;",
        "javascript:",
        "[x](",
        ")",
        "](",
        "![i](",
        "<script>",
        "onclick=",
        '"',
        "'",
        "*",
        "_",
        "#",
        "> ",
        "- ",
        "1. ",
        "[^1]",
        "[^1]: ",
        "|---|",
        "{{ 7*7 }}",
        "\u202e",
        " ",
    ]
)
markdownish = st.lists(MD_BITS | st.text(max_size=4), max_size=60).map("".join)
SAFE_TARGETS = Links({"a": Target("/a/", "A <b>", "actor"), "s": Target("/s/", "S", "source")}, "/dates/")


@FUZZ
@given(yamlish)
def test_yaml_parsing_raises_only_content_errors(text: str) -> None:
    try:
        yamlpos.parse(text)
    except yamlpos.YamlError as exc:
        assert exc.pos[0] >= 1 and exc.pos[1] >= 1


@FUZZ
@given(
    st.binary(max_size=300) | yamlish.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from(KINDS),
    st.booleans(),
)
def test_any_file_becomes_a_record_or_diagnostics(raw: bytes, kind: str, markdown: bool) -> None:
    diags = Diagnostics()
    rel = f"content/{FOLDERS[kind]}/x.{'md' if markdown else 'yaml'}"
    record = load.parse_record(rel, kind, "x", (b"---\n" + raw if markdown else raw), diags)
    assert (record is None) == bool(diags.errors)
    if record is not None:
        validate(record, diags)
    assert all(d.line >= 1 and d.col >= 1 and d.path == rel for d in diags.items)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.dates(min_value=dt.date(1, 1, 1))
    | st.sampled_from(["x", "2025", "2025-11", "[[x]]", "[@x]"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["actor", "speaker", "text", "label", "url", "date", "status", "x"]), inner, max_size=3
        )
    ),
    max_leaves=12,
)


@st.composite
def records(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    """A record of some kind whose fields are present or not, of the right type or not."""
    kind = draw(st.sampled_from(KINDS))
    fields = {f.name: draw(values) for f in SCHEMA[kind] if draw(st.booleans())}
    return kind, draw(st.sampled_from(["x", "y", "z", "a", "s"])), fields


@FUZZ
@given(st.lists(records(), max_size=6))
def test_any_fields_in_any_records_never_crash_check(site: list[tuple[str, str, dict[str, Any]]]) -> None:
    diags = Diagnostics()
    checked = []
    for kind, rid, fields in site:
        text = yaml.safe_dump(fields, allow_unicode=True)
        suffix = "md" if kind == "brief" else "yaml"
        raw = (f"---\n{text}---\nBody [[x]] [@s]\n" if kind == "brief" else text).encode()
        record = load.parse_record(f"content/{FOLDERS[kind]}/{rid}.{suffix}", kind, rid, raw, diags)
        if record is not None:
            checked.append(validate(record, diags))
    resolve(checked, SiteConfig("T", "https://example.org/"), diags)


TOML_BITS = st.sampled_from(
    [
        "title",
        "base_url",
        "language",
        "feed_limit",
        "[markdown]",
        "unsafe_html",
        "[",
        "]",
        "=",
        " = ",
        '"',
        "'",
        "\n",
        "https://example.org/",
        "true",
        "1",
        "-1",
        "1e9",
        "{",
        "}",
        ",",
        "#",
        "\\u202e",
        "\ufeff",
        "é",
        " ",
    ]
)


@FUZZ
@given(st.lists(TOML_BITS | st.text(max_size=4), max_size=40).map("".join))
def test_any_site_toml_gives_a_config_or_diagnostics(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "site.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        diags = Diagnostics()
        config = load_config(Path(tmp), diags)
    assert (config is None) == bool(diags.errors)
    assert all(d.line >= 1 and d.col >= 1 for d in diags.items)


@FUZZ
@given(markdownish)
def test_links_are_found_where_they_stand(text: str) -> None:
    lines = text.split("\n")
    for link in links.scan(text):  # a citation may go on over a line break: `[@id,\n "p. 4"]`
        start = sum(len(line) + 1 for line in lines[: link.line - 1]) + link.col - 1
        assert text[start:].startswith(link.raw)


@FUZZ
@given(markdownish, st.booleans())
def test_markdown_never_renders_anything_executable(text: str, unsafe_html: bool) -> None:
    markup = Markup(SAFE_TARGETS, unsafe_html=unsafe_html)
    markup.begin_page()
    out = markup.render(text)
    problems = audit(out, "/").problems
    if unsafe_html:  # the site chose raw HTML, scripts included; script URLs stay out all the same
        problems = [p for p in problems if " href=" in p or " src=" in p]
    assert problems == []


@FUZZ
@given(
    st.lists(st.text(alphabet="abc ,.", max_size=8), min_size=1, max_size=4),
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.integers(0, 3),
)
def test_a_link_in_a_yaml_string_is_reported_where_it_stands(words: list[str], style: str | None, at: int) -> None:
    words.insert(min(at, len(words)), "[[nowhere]]")
    words.insert(0, "See")  # four leading spaces would make the line Markdown code
    summary = "\n".join(words) if style in ("|", ">") else " ".join(words)
    text = yaml.safe_dump(
        {"name": "N", "kind": "person", "summary": summary}, default_style=style, width=10_000, allow_unicode=True
    )
    diags = Diagnostics()
    record = load.parse_record("content/actors/n.yaml", "actor", "n", text.encode(), diags)
    assert record is not None
    record = validate(record, diags)
    [ref] = [r for r in record.refs if r.target == "nowhere"]
    line, col = ref.pos
    assert text.split("\n")[line - 1][col - 1 :].startswith("[[nowhere]]"), (text, ref.pos)
