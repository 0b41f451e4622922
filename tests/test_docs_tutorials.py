"""The tutorials run as written: README's "Five minutes as an editor" on a copy of the
bundled site, and docs/start.md from an empty folder.

Each command a page shows is run, and what it prints must be what the page shows
under it (see ``tutorial.py`` for the page format). When the tool's output changes on
purpose, ``make goldens`` writes the new output into the pages: read the diff.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from tutorial import Edit, Outcome, Runner, parse, report, update

README = REPO / "README.md"
START = REPO / "docs" / "start.md"
MENTION = "[[jane-analyst]] reads the programme as a signal to the region."
BRIEF = "content/briefs/experts-side-by-side.md"
ACTOR = "content/actors/jane-analyst.yaml"


def _replace(path: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """An edit the page describes: ``old`` becomes ``new`` in the file (which must hold it)."""

    def apply(cwd: Path) -> None:
        file = cwd / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{path} does not hold {old!r}, which the page says to change"
        file.write_text(text.replace(old, new, count), encoding="utf-8")

    return apply


def _append(path: str, line: str) -> Callable[[Path], None]:
    def apply(cwd: Path) -> None:
        with open(cwd / path, "a", encoding="utf-8") as fh:
            fh.write(f"\n{line}\n")

    return apply


def _settings_from_page(page: str) -> Callable[[Path], None]:
    """Set in site.toml each ``key = value`` of the page's ```toml block."""
    block = re.search(r"^```toml\n(.*?)^```$", page, re.M | re.S)
    assert block, "the page shows no settings to change"
    settings = [line for line in block[1].splitlines() if "=" in line]

    def apply(cwd: Path) -> None:
        toml = cwd / "site.toml"
        text = toml.read_text(encoding="utf-8")
        for line in settings:
            key = line.split("=", 1)[0].strip()
            text, n = re.subn(rf"^{re.escape(key)} = .*$", line, text, count=1, flags=re.M)
            assert n == 1, f"site.toml has no {key} to change"
        toml.write_text(text, encoding="utf-8")

    return apply


def readme_tutorial(root: Path) -> list[Outcome]:
    """README's editor tutorial, in a copy of the repository's site (its folder, as the
    README says: site.toml and content/)."""
    assert MENTION in README.read_text(encoding="utf-8")
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "content", root / "content")
    # the README's set-up ran `make site`: public/ holds the bundled site
    assert run_cli("build", "--site", root).returncode == 0
    typo = MENTION.replace("jane-analyst", "jane-analsyt")
    edits = [
        # "Fill in her kind: person", then check again
        Edit("briefing check", 2, _replace(ACTOR, "kind:  #", "kind: person  #")),
        # "add a line at the end of experts-side-by-side.md"
        Edit("briefing check", 3, _append(BRIEF, MENTION)),
        # "Change the link to [[jane-analsyt]] and set kind: persn"
        Edit("briefing build", 1, _replace(BRIEF, MENTION, typo)),
        Edit("briefing build", 1, _replace(ACTOR, "kind: person", "kind: persn")),
        # "Fix both"
        Edit("briefing check", 4, _replace(BRIEF, typo, MENTION)),
        Edit("briefing check", 4, _replace(ACTOR, "kind: persn", "kind: person")),
    ]
    return Runner(root, edits).walk(parse(README.read_text(encoding="utf-8")))


def start_tutorial(root: Path) -> list[Outcome]:
    """docs/start.md, from an empty folder."""
    page = START.read_text(encoding="utf-8")
    edits = [
        # "Open site.toml and change three settings"
        Edit("briefing build", 1, lambda cwd: _settings_from_page(page)(cwd)),
        # "Copy the exact words … into the quote's text"
        Edit(
            'briefing new outcome "Monthly publication of river readings" --id shared-river-readings',
            1,
            _replace(
                "content/sources/vell-gazette-report.md",
                '"We will publish the readings every month"',
                '"We will publish our readings every month"',
            ),
        ),
    ]
    return Runner(root, edits).walk(parse(page))


PAGES = {"README.md": (README, readme_tutorial), "docs/start.md": (START, start_tutorial)}


@pytest.mark.parametrize("name", PAGES)
def test_every_command_of_the_tutorial_prints_what_the_page_shows(name: str, tmp_path: Path) -> None:
    page, tutorial = PAGES[name]
    outcomes = tutorial(tmp_path)
    assert len(outcomes) >= 5
    assert all(o.ok for o in outcomes), (
        "the page and the tool disagree (after an intended change: make goldens, then read the diff)\n"
        + report(page, outcomes)
    )


def test_the_start_page_ends_with_a_site_that_builds_the_readers_briefing(tmp_path: Path) -> None:
    start_tutorial(tmp_path)
    public = tmp_path / "rivers" / "public"
    brief = (public / "briefs/vell-summit-at-a-glance/index.html").read_text(encoding="utf-8")
    for href in ("/rivers/actors/nrc/", "/rivers/actors/mira-tallis/", "/rivers/events/rivers-summit-2025/"):
        assert f'href="{href}' in brief, href
    assert "Northern Rivers: A Briefing" in brief
    assert not (public / "briefs/welcome").exists(), "the examples are gone"
    person = (public / "actors/mira-tallis/index.html").read_text(encoding="utf-8")
    assert "We will publish our readings every month" in person and "/rivers/briefs/vell-summit-at-a-glance/" in person


def test_the_start_page_is_linked_from_the_readme() -> None:
    assert "(docs/start.md)" in README.read_text(encoding="utf-8")


def update_pages() -> list[str]:
    """Write what the tutorials' commands print into their pages (``make goldens``)."""
    changed = []
    for name, (page, tutorial) in PAGES.items():
        with tempfile.TemporaryDirectory() as tmp:
            if update(page, tutorial(Path(tmp))):
                changed.append(name)
    return changed
