"""Whole builds of the valid fixture site: reproducible, atomic, drafts kept out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from update_goldens import SITES, run

DRAFT_MARKS = (b"secret-draft", b"unannounced", b"secret-tag")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def files_mentioning(folder: Path, marks: tuple[bytes, ...]) -> set[str]:
    return {rel for rel, data in snapshot(folder).items() if any(m in data for m in marks)}


def test_the_valid_site_is_clean_even_under_strict() -> None:
    assert run("check", "--strict", "--site", str(SITES / "valid")) == (
        0,
        "",
        "ok: 17 records in 18 files, no errors, no warnings\n",
    )


def fresh_copy(tmp_path: Path, name: str) -> Path:
    """The valid site in a folder of its own, so no build shares another's cache."""
    site = tmp_path / name
    shutil.copytree(SITES / "valid", site, ignore=shutil.ignore_patterns(".*"))
    return site


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):  # a different hash seed reorders every set: output must not follow
        site = fresh_copy(tmp_path, f"site-{seed}")  # and a different folder must not show either
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-m", "briefing", "build", "--site", str(site)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(snapshot(site / "public"))
    assert list(outs[0]) == list(outs[1])
    assert [k for k in outs[0] if outs[0][k] != outs[1][k]] == []


def test_a_failing_build_leaves_the_previous_output_as_it_was(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    out = site / "public"
    assert run("build", "--site", str(site))[0] == 0
    before = snapshot(out)
    with (site / "content/outcomes/fund.yaml").open("a") as fh:
        fh.write("colour: red\n")
    code, _, err = run("build", "--site", str(site))
    assert code == 1
    assert err.endswith("1 error in 1 file\nbuild failed; the previous output is unchanged\n")
    assert snapshot(out) == before
    # no temporary folders are left; dot-folders such as the build cache are kept on purpose
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["content", "public", "site.toml"]


def test_drafts_leave_no_trace_unless_asked_for(tmp_path: Path) -> None:
    plain, drafts = tmp_path / "plain", tmp_path / "drafts"
    assert run("build", "--site", str(fresh_copy(tmp_path, "a")), "--out", str(plain))[0] == 0
    assert run("build", "--drafts", "--site", str(fresh_copy(tmp_path, "b")), "--out", str(drafts))[0] == 0
    assert files_mentioning(plain, DRAFT_MARKS) == set()
    expected = {
        "briefs/secret-draft/index.html",  # its page
        "feed.xml",
        "sitemap.xml",
        "data/site.json",
        "index.html",
        "briefs/index.html",
        "search/index.html",  # latest briefs, indexes, A-Z
        "tags/index.html",
        "tags/secret-tag/index.html",
        "actors/karl-ode/index.html",
        "actors/ruritania/index.html",  # backlinks
        "dates/2025-12-01/index.html",
        "timeline/index.html",
    }
    assert expected <= files_mentioning(drafts, DRAFT_MARKS)


def test_a_link_to_a_draft_is_a_warning_and_plain_text(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text() + "\nSee also [[secret-draft|the draft]].\n")
    code, _, err = run("build", "--site", str(site))
    assert code == 0
    assert "content/briefs/fund-explained.md:9:10: warning: 'secret-draft' is a draft" in err
    assert files_mentioning(site / "public", DRAFT_MARKS) == set()
    assert b"the draft" in (site / "public/briefs/fund-explained/index.html").read_bytes()


@pytest.mark.parametrize("base_url", ["https://example.net/", "https://example.net/deep/path/"])
def test_base_url_override_reaches_every_absolute_link(tmp_path: Path, base_url: str) -> None:
    out = tmp_path / "out"
    assert run("build", "--base-url", base_url, "--site", str(fresh_copy(tmp_path, "site")), "--out", str(out))[0] == 0
    assert files_mentioning(out, (b"example.org/briefing",)) == set()
    assert f"<loc>{base_url}</loc>".encode() in (out / "sitemap.xml").read_bytes()


def test_a_build_reports_a_missing_required_field_like_check_does(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    assert run("build", "--site", str(site))[0] == 0
    fund = site / "content/outcomes/fund.yaml"
    fund.write_text("\n".join(line for line in fund.read_text().splitlines() if not line.startswith("event:")) + "\n")
    expected = (
        "content/outcomes/fund.yaml:1:1: error: missing required field 'event' (a record id)\n1 error in 1 file\n"
    )
    assert run("check", "--site", str(site)) == (1, "", expected)
    assert run("build", "--site", str(site)) == (1, "", expected + "build failed; the previous output is unchanged\n")
