"""The command line as a user meets it: exit codes, --version, and ``new``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import briefing
import briefing.cli
from briefing.report import describe_changes
from conftest import run_cli
from update_goldens import SITES, run


def test_python_m_briefing_prints_the_version() -> None:
    proc = run_cli("--version")
    assert (proc.returncode, proc.stdout) == (0, f"briefing {briefing.__version__}\n")


def test_check_runs_from_the_sites_folder() -> None:
    proc = run_cli("check", cwd=SITES / "valid")
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0,
        "",
        "ok: 17 records in 18 files, no errors, no warnings\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["build", "--no-such-option"],
        ["check", "--format", "xml"],
        ["build", "--base-url", "ftp://example.org/"],
        ["new", "widget", "A title"],
        ["new", "actor", "!!!"],
    ],
)
def test_usage_mistakes_exit_2(args: list[str]) -> None:
    code, _, err = run(*args, "--site", str(SITES / "valid")) if args[:1] == ["new"] else run(*args)
    assert code == 2
    assert "Traceback" not in err


def test_content_errors_exit_1_and_a_missing_site_toml_is_one(tmp_path: Path) -> None:
    code, _, err = run("check", "--site", str(tmp_path))
    assert code == 1
    assert err == (
        f"site.toml:1:1: error: no site.toml in {tmp_path}; run from the site's folder or pass "
        "--site DIR\n1 error in 1 file\n"
    )


def test_build_refuses_an_output_folder_it_did_not_write(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    stranger = site / "mine"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("keep me")
    code, _, err = run("build", "--site", str(site), "--out", str(stranger))
    assert code == 2 and "no .briefing-output marker" in err
    assert (stranger / "notes.txt").read_text() == "keep me"
    assert run("build", "--site", str(site), "--out", str(site))[0] == 2
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["content", "mine", "site.toml"]


@pytest.mark.parametrize("out", ["content", "theme", "..", "content/actors"])
def test_build_refuses_to_write_over_the_sites_own_folders(site_copy: Callable[[str], Path], out: str) -> None:
    site = site_copy("valid")
    (site / "theme").mkdir()
    before = sorted(p.relative_to(site.parent).as_posix() for p in site.parent.rglob("*"))
    code, _, err = run("build", "--site", str(site), "--out", str(site / out))
    assert code == 2 and "refusing" in err
    assert sorted(p.relative_to(site.parent).as_posix() for p in site.parent.rglob("*")) == before


def _explode(*args: object) -> None:
    raise RuntimeError("boom")


def test_an_internal_error_exits_3_with_a_short_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(briefing.cli, "check", _explode)
    code, out, err = run("check", "--site", str(SITES / "valid"))
    assert (code, out) == (3, "")
    assert err.startswith("briefing: internal error: RuntimeError: boom\n")
    assert "Traceback" not in err and "--debug" in err
    code, _, err = run("check", "--debug", "--site", str(SITES / "valid"))
    assert code == 3
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err


def test_new_transliterates_a_cyrillic_title_and_refuses_to_overwrite(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, out, _ = run("new", "actor", "Александр Лукашенко", "--site", str(site))
    path = site / "content/actors/aleksandr-lukashenko.yaml"
    assert (code, out) == (0, f"{path}\n")
    written = path.read_bytes()
    assert written.startswith('name: "Александр Лукашенко"\nkind:  # person'.encode())
    code, _, err = run("new", "event", "Aleksandr Lukashenko", "--site", str(site))
    assert code == 1
    assert err == (
        "briefing: id 'aleksandr-lukashenko' is taken by content/actors/aleksandr-lukashenko.yaml; "
        "choose another title, or an id with --id\n"
    )
    assert path.read_bytes() == written
    assert not (site / "content/events/aleksandr-lukashenko.yaml").exists()


@pytest.mark.parametrize(
    ("kind", "fill"),
    [
        ("actor", {"kind:": "kind: person"}),  # the facts the template leaves blank
        ("source", {}),
        ("event", {"kind:": "kind: summit", "date:": "date: 2025-11"}),
        ("outcome", {"event:": "event: summit-2025", "kind:": "kind: pledge", "status:": "status: adopted"}),
        ("brief", {}),
    ],
)
def test_a_new_record_passes_check_once_filled_in(
    site_copy: Callable[[str], Path], kind: str, fill: dict[str, str]
) -> None:
    site = site_copy("valid")
    code, out, _ = run("new", kind, f"A new {kind}: «quoted» & more", "--site", str(site))
    assert code == 0
    path = Path(out.strip())
    assert re.fullmatch(r"a-new-\w+-quoted-more\.(yaml|md)", path.name)
    assert path.suffix == (".md" if kind in ("source", "brief") else ".yaml")
    text = path.read_text(encoding="utf-8")
    for line, filled in fill.items():
        text = re.sub(rf"^{re.escape(line)}.*$", filled, text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    code, _, err = run("check", "--site", str(site))
    assert code == 0, err
    assert ": error:" not in err


def test_a_new_brief_is_a_draft(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    run("new", "brief", "Fresh thoughts", "--site", str(site))
    assert "draft: true" in (site / "content/briefs/fresh-thoughts.md").read_text()
    assert run("build", "--site", str(site))[0] == 0
    assert not (site / "public/briefs/fresh-thoughts").exists()


OK_VALID = "ok: 17 records in 18 files, no errors, no warnings\n"


def test_site_may_be_given_before_the_command_or_after_it() -> None:
    assert run("--site", str(SITES / "valid"), "check") == (0, "", OK_VALID)
    assert run("check", "--site", str(SITES / "valid")) == (0, "", OK_VALID)


def test_the_site_is_found_from_any_folder_inside_it(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    (site / ".git").mkdir()  # the top of a checkout: the search stops here, and needs no more
    proc = run_cli("check", cwd=site / "content/briefs")
    assert (proc.returncode, proc.stderr) == (0, OK_VALID)
    (site / "content/briefs/fund-explained.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    proc = run_cli("build", cwd=site / "content")
    assert proc.returncode == 1
    assert proc.stderr.startswith("content/briefs/fund-explained.md:")  # paths stay relative to the site
    assert proc.stderr.endswith("build failed; nothing was written to ../public\n")


def test_outside_a_site_the_search_stops_at_the_top_of_a_checkout(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('title = "Not this one"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "notes").mkdir()
    for command in ("check", "build", "serve", "new"):
        proc = run_cli(command, *(["actor", "Anna"] if command == "new" else []), cwd=repo / "notes")
        assert proc.returncode == 2
        assert proc.stderr == (
            f"briefing: no site.toml in {repo / 'notes'} or any folder above it; "
            "run from the site's folder or pass --site DIR\n"
        )
    assert sorted(p.name for p in repo.iterdir()) == [".git", "notes"]


def test_a_build_without_output_says_nothing_was_written(tmp_path: Path) -> None:
    code, _, err = run("build", "--site", str(tmp_path))
    assert code == 1
    assert err.endswith(f"build failed; nothing was written to {tmp_path / 'public'}\n")


def test_a_rebuild_names_the_pages_it_changed() -> None:
    written = ["pagefind/x.pf", "data/site.json", "briefs/a/index.html", "index.html", "actors/b/index.html"]
    written += [f"dates/2025-11-{day}/index.html" for day in range(10, 14)]
    assert describe_changes(written, ["briefs/old/index.html"], 180) == (
        "9 of 180 files changed: actors/b/, briefs/a/, dates/2025-11-10/, dates/2025-11-11/, "
        "dates/2025-11-12/ and 4 more; 1 removed: briefs/old/"
    )
