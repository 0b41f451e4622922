"""What an editor sees when content is wrong: exact messages at exact places.

Each ``tests/sites/invalid-<class>/`` holds one class of mistake and, in
``expected.txt``, the full text ``briefing check`` must print for it. Each
line:col there was checked by hand to point at the offending value; ``make
goldens`` rewrites the files when a message changes on purpose.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import run_cli
from update_goldens import SITES, invalid_sites, run

CLASSES = [
    "invalid-dates",  # bad full and partial dates, in fields and nested records
    "invalid-duplicate-id",  # one id in several kinds and suffixes
    "invalid-duplicate-key",  # YAML keys given twice: an error, not last-wins
    "invalid-empty-field",  # required fields left empty, as `briefing new` writes them: at the key's line
    "invalid-id",  # file names that are not ids
    "invalid-malformed-yaml",  # unclosed brackets and quotes, tabs, no front matter end
    "invalid-markdown-links",  # unknown [[id]] and [@source], bad date links, names for ids, links
    # that would show as written ([@id, no quotes]), in bodies and fields
    "invalid-missing-field",  # required fields, at top level and in nested records
    "invalid-quote",  # quotes not in the source's text: in the source, and in a brief citing it
    "invalid-reference",  # unknown ids in fields, with did-you-mean by id and by name
    "invalid-site-toml",  # unknown, mistyped and invalid settings
    "invalid-status-history",  # an outcome's status that its latest dated update contradicts
    "invalid-toml-syntax",  # site.toml that is not TOML; content is still checked
    "invalid-types",  # a list for a string, a number for a title, a mapping for a list
    "invalid-unknown-field",  # a typo or another word for a field, with a did-you-mean hint
    "invalid-unparsed-reference",  # references to a file that does not parse: counted once, at it
    "invalid-url",  # script, ftp and relative URLs
    "invalid-vocabulary",  # words outside a field's list
    "invalid-wrong-kind",  # an id of the wrong kind in a field and in a citation
]


def test_every_invalid_fixture_is_listed() -> None:
    assert [p.name for p in invalid_sites()] == CLASSES


@pytest.mark.parametrize("name", CLASSES)
def test_check_prints_the_expected_diagnostics(name: str) -> None:
    site = SITES / name
    expected = (site / "expected.txt").read_text(encoding="utf-8")
    code, out, err = run("check", "--site", str(site))
    if err != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), err.splitlines(True), f"{name}/expected.txt", "briefing check"
            )
        )
        pytest.fail(f"diagnostics differ (run `make goldens` if the change is intended):\n{diff}")
    assert (code, out) == (1, "")


@pytest.mark.parametrize("name", ["invalid-types", "invalid-markdown-links", "invalid-unparsed-reference"])
def test_json_format_carries_the_same_diagnostics(name: str) -> None:
    site = SITES / name
    code, out, err = run("check", "--format", "json", "--site", str(site))
    assert (code, err) == (1, "")
    items = json.loads(out)
    assert all(set(item) == {"path", "line", "col", "severity", "code", "message"} for item in items)
    assert {item["severity"] for item in items} <= {"error", "warning", "note"}
    as_text = [f"{i['path']}:{i['line']}:{i['col']}: {i['severity']}: {i['message']}" for i in items]
    assert as_text == (site / "expected.txt").read_text(encoding="utf-8").splitlines()[:-1]


def test_json_format_of_a_clean_site_is_an_empty_list() -> None:
    assert run("check", "--format", "json", "--site", str(SITES / "valid")) == (0, "[]\n", "")


def test_a_warning_fails_only_under_strict(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    (site / "content/actors/lonely.yaml").write_text("name: Lonely\nkind: person\n")
    warning = (
        "content/actors/lonely.yaml:1:1: warning: nothing mentions actor 'lonely'; "
        "link it from a brief with [[lonely]] or delete it\n"
    )
    assert run("check", "--site", str(site)) == (0, "", warning + "1 warning, no errors\n")
    assert run("check", "--strict", "--site", str(site)) == (
        1,
        "",
        warning + "1 warning (fails with --strict), no errors\n",
    )
    (site / "content/actors/broken.yaml").write_text("name: Broken\n")
    code, _, err = run("check", "--strict", "--site", str(site))
    assert code == 1
    assert err.endswith("1 error in 1 file, and 2 warnings (fails with --strict)\n")
    assert run("build", "--strict", "--site", str(site))[0] == 1
    assert not (site / "public").exists()


def test_bom_and_crlf_are_accepted_and_positions_stay_right(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    brief = site / "content/briefs/fund-explained.md"
    text = brief.read_text(encoding="utf-8").replace("[[fund]]", "[[fnud]]")
    brief.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    actor = site / "content/actors/daily-news.yaml"
    actor.write_bytes(b"\xef\xbb\xbfname: The Daily News\r\nkind: medai\r\n")
    code, _, err = run("check", "--site", str(site))
    assert err.splitlines()[:2] == [
        "content/actors/daily-news.yaml:2:7: error: 'kind' is 'medai'; did you mean 'media'? "
        "expected one of: person, organization, state, media, other",
        "content/briefs/fund-explained.md:6:5: error: [[fnud]] names no record; did you mean 'fund'?",
    ]
    assert code == 1


def test_a_bom_on_a_clean_site_changes_nothing(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    for path in (site / "content").rglob("*.*"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert run("check", "--strict", "--site", str(site)) == (
        0,
        "",
        "ok: 17 records in 18 files, no errors, no warnings\n",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "1:1: error: file is empty; add the required fields or delete it"),
        (b"\n  \n", "1:1: error: file is empty; add the required fields or delete it"),
        (b"name: Anna\nrole: Pr\xe9sident\n", "2:9: error: byte 0xe9 is not UTF-8; save the file as UTF-8"),
        (b"name: Anna\x00\n", "1:1: error: file holds a NUL byte; is it binary?"),
        (b"just some words\n", "1:1: error: a record is a mapping of fields (name: value)"),
        (
            b"name: Anna\nkind: person\n---\nname: Bob\n",
            "3:1: error: invalid YAML: a second YAML document starts here; a record is one document, "
            "so remove this '---'",
        ),
    ],
)
def test_unreadable_files_are_content_errors(site_copy: Callable[[str], Path], content: bytes, expected: str) -> None:
    site = site_copy("valid")
    (site / "content/actors/broken.yaml").write_bytes(content)
    code, _, err = run("check", "--site", str(site))
    assert err == f"content/actors/broken.yaml:{expected}\n1 error in 1 file\n"
    assert code == 1


def test_a_missing_template_names_itself_the_page_and_where_it_was_looked_for(
    site_copy: Callable[[str], Path],
) -> None:
    site = site_copy("valid")
    (site / "theme/templates").mkdir(parents=True)
    (site / "theme/templates/event.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% include "partials/infobox.html" %}\n{% endblock %}\n'
    )
    proc = run_cli("build", "--site", site)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "infobox" in line]
    assert lines and lines[0].startswith("theme/templates/event.html:3:1: error: template 'partials/infobox.html'")
    assert "while rendering /events/" in lines[0] and "(looked in theme/templates/, the bundled theme)" in lines[0]
    assert "Traceback" not in proc.stderr and "bug" not in proc.stderr
