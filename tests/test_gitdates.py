"""A brief's ``updated`` date from its last commit, when the site is a git checkout whose
settings ask for it (``[dates] updated_from_git = true``), and never otherwise."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.content.dates import PartialDate
from briefing.engine.builder import Builder
from briefing.pipeline import Options, render


def _git(site: Path, *args: str, date: str = "2026-01-01T12:00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
    }
    subprocess.run(["git", "-C", str(site), *args], check=True, capture_output=True, env=env)


def _opt_in(site: Path) -> None:
    with (site / "site.toml").open("a") as f:
        f.write("\n[dates]\nupdated_from_git = true\n")


def test_a_kept_builder_takes_a_briefs_date_from_its_latest_commit(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    _opt_in(site)
    _git(site, "init", "-q", "-b", "main")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "first", date="2026-01-05T12:00:00")
    builder = Builder(site, tmp_path / "out", Options())  # kept, as the dev server keeps it

    def updated() -> object:
        result = builder.build()
        assert result.ok and result.library is not None
        return result.library.records["fund-explained"].fields.get("updated")  # type: ignore[index]

    assert updated() == PartialDate(2026, 1, 5)
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text() + "\nAn edit not yet committed.\n")
    assert updated() == PartialDate(2026, 1, 5)  # dates come from commits only
    _git(site, "commit", "-q", "-am", "second", date="2026-02-07T12:00:00")
    assert updated() == PartialDate(2026, 2, 7)
    assert b"2026-02-07" in (tmp_path / "out/briefs/fund-explained/index.html").read_bytes()


def test_an_unchanged_brief_keeps_its_dated_record_from_build_to_build(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    # Later stages find what an edit changed by identity (resolve updates only the link
    # indexes of changed records); a fresh copy of every dated brief would defeat that.
    site = site_copy("valid")
    _opt_in(site)
    _git(site, "init", "-q", "-b", "main")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "first")
    builder = Builder(site, tmp_path / "out", Options())
    first = builder.build().library
    other = site / "content/briefs/summit-at-a-glance.md"
    other.write_text(other.read_text() + "\nSee also [[karl-ode]].\n")
    second = builder.build().library
    assert first is not None and second is not None
    kept, edited = "fund-explained", "summit-at-a-glance"
    assert "updated" in second.records[kept].fields  # dated from git
    assert second.records[kept] is first.records[kept]
    assert second.records[edited] is not first.records[edited]


@pytest.mark.parametrize("build", ["reference", "engine"])
def test_without_the_setting_a_commit_dates_no_brief(
    site_copy: Callable[[str], Path], tmp_path: Path, build: str
) -> None:
    """The commit that added the files is no review: "Updated" stays off the page."""
    site = site_copy("valid")
    _git(site, "init", "-q", "-b", "main")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "first", date="2026-11-23T12:00:00")
    if build == "reference":
        result = render(site, Options())
        page = result.files["briefs/fund-explained/index.html"]
    else:
        result = Builder(site, tmp_path / "out", Options()).build()
        page = (tmp_path / "out/briefs/fund-explained/index.html").read_bytes()
    assert result.ok and result.library is not None
    assert "updated" not in result.library.records["fund-explained"].fields  # type: ignore[index]
    assert b"Updated" not in page and b"2026" not in page.split(b'<div class="layout">')[0]
