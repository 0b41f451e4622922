"""Starting a site and adding records: ``briefing init`` and ``briefing new``.

The stubs ``new`` writes never guess a fact: what the editor must supply is left
empty, and ``check`` asks for each at the line of its key.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import briefing.editing.init
from briefing.editing.new import matches
from conftest import REPO, run_cli
from update_goldens import run

ERROR_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.*)$")


def _problems(err: str) -> list[re.Match[str]]:
    return [m for line in err.splitlines() if (m := ERROR_LINE.match(line))]


# -- init -------------------------------------------------------------------------------------------
def test_init_in_an_empty_folder_gives_a_site_that_checks_clean_and_builds(tmp_path: Path) -> None:
    site = tmp_path / "desk"
    code, out, err = run("init", str(site))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (site / "content").iterdir()) == ["actors", "briefs", "events", "outcomes", "sources"]
    assert (site / ".gitignore").read_text().split("\n")[1:3] == ["public/", ".briefing-cache/"]
    git = ["git", "-C", str(site), "-c", "user.name=Desk", "-c", "user.email=desk@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    toml = (site / "site.toml").read_text()
    for setting in ("title", "base_url", "language", "description"):
        assert re.search(rf"^{setting} = ", toml, re.M), setting
        assert re.search(rf"^# .*\n{setting} = ", toml, re.M), f"{setting} has a comment that explains it"
    lines = out.splitlines()
    assert lines[0] == f"Created a new briefing in {site}:"
    assert "  site.toml" in lines and "  content/outcomes/" in lines
    nexts = lines[lines.index("Next:") + 1 :]
    assert nexts[0] == f"  cd {site}"
    assert [line.split()[1] for line in nexts[1:]] == ["serve", "new", "build"]

    proc = run_cli("check", "--strict", cwd=site)
    assert not _problems(proc.stderr), proc.stderr
    assert proc.returncode == 0
    proc = run_cli("build", cwd=site)
    assert proc.returncode == 0, proc.stderr
    # what the build wrote (the output, its cache, its lock file) stays out of git
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    public = site / "public"
    brief = (public / "briefs/welcome/index.html").read_text()
    for href in (
        "/actors/example-council/",
        "/events/example-meeting/",
        "/sources/example-report/",
        "/dates/2025-01-15/",
    ):
        assert f'href="{href}' in brief, href
    council = (public / "actors/example-council/index.html").read_text()
    assert "/briefs/welcome/" in council and "We agreed to meet again in the spring" in council


def test_init_links_every_example_record_to_every_other(tmp_path: Path) -> None:
    """One actor, one event, one source and one brief, each linked with the other three."""
    site = tmp_path / "s"
    run("init", str(site))
    assert run("build", "--site", str(site))[0] == 0
    lines = (site / "public/data/site.json").read_text().splitlines()
    records = [json.loads(line.rstrip(",")) for line in lines if line.startswith('{"id"')]
    assert sorted(r["kind"] for r in records) == ["actor", "brief", "event", "source"]
    ids = {r["id"] for r in records}
    for r in records:
        assert set(r["mentions"]) | set(r["mentioned_by"]) == ids - {r["id"]}, r["id"]


@pytest.mark.parametrize("already", ["site.toml", "notes.txt", "content"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, already: str) -> None:
    (tmp_path / already).mkdir() if already == "content" else (tmp_path / already).write_text("mine")
    code, out, err = run("init", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"briefing: {tmp_path} ") and "--force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [already]


def test_init_accepts_a_folder_holding_only_hidden_tool_folders(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".venv").mkdir()
    code, _, _ = run("init", str(tmp_path))
    assert code == 0 and (tmp_path / "site.toml").is_file()


def test_init_force_keeps_every_existing_file_and_says_which(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('title = "Mine"\nbase_url = "https://mine.example/"\n')
    (tmp_path / "content/briefs").mkdir(parents=True)
    (tmp_path / "content/briefs/welcome.md").write_text("my own")
    code, out, err = run("init", "--force", str(tmp_path))
    assert (code, err) == (0, "")
    assert (tmp_path / "site.toml").read_text().startswith('title = "Mine"')
    assert (tmp_path / "content/briefs/welcome.md").read_text() == "my own"
    assert (tmp_path / "content/actors/example-council.yaml").is_file()
    kept = out.split("Kept these files as they were:\n", 1)[1].split("\n\n", 1)[0]
    assert kept.splitlines() == ["  site.toml", "  content/briefs/welcome.md"]
    created = out.split(":\n", 1)[1].split("Kept", 1)[0]
    assert "site.toml" not in created and "welcome.md" not in created


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    code, _, err = run("init", str(tmp_path / "f"))
    assert code == 2 and "is a file" in err


def test_init_in_the_current_folder_prints_no_cd(tmp_path: Path) -> None:
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Created a new briefing in the current folder:\n")
    assert "  cd " not in proc.stdout


def test_init_reports_a_write_the_machine_refuses_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(briefing.editing.init, "open", refuse, raising=False)
    code, out, err = run("init", str(tmp_path / "s"))
    assert (code, out) == (2, "")
    assert err.startswith(f"briefing: cannot write {tmp_path}/s/") and err.endswith(": Permission denied\n")
    assert "internal error" not in err


# -- new: stubs that invent nothing --------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "empty"),
    [
        ("event", ["kind", "date"]),
        ("outcome", ["event", "kind", "status"]),
        ("actor", ["kind"]),
    ],
)
def test_new_leaves_the_facts_empty_and_check_asks_for_each_at_its_line(
    site_copy: Callable[[str], Path], kind: str, empty: list[str]
) -> None:
    site = site_copy("valid")
    code, out, _ = run("new", kind, "Something new", "--site", str(site))
    assert code == 0
    path = Path(out.strip())
    text = path.read_text()
    assert "2026" not in text and str(__import__("datetime").date.today().year) not in text
    assert not re.search(r"^(kind|status): \w", text, re.M), "no kind or status is guessed"
    code, _, err = run("check", "--site", str(site))
    assert code == 1
    rel = path.relative_to(site).as_posix()
    found = [m for m in _problems(err) if m["path"] == rel and m["severity"] == "error"]
    assert [m["message"].split("'")[1] for m in found] == empty
    lines = text.splitlines()
    for m in found:
        field = m["message"].split("'")[1]
        assert lines[int(m["line"]) - 1].startswith(f"{field}:"), f"{field} reported at line {m['line']}"
        assert m["col"] == "1"
        assert " is empty; " in m["message"]


def test_check_says_what_to_fill_in_for_an_empty_event_date(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    event = tmp_path / "content/events/example-meeting.yaml"
    event.write_text(re.sub(r"^date: .*$", "date:", event.read_text(), flags=re.M))
    line = event.read_text().splitlines().index("date:") + 1
    code, _, err = run("check", "--site", str(tmp_path))
    assert code == 1
    assert err.splitlines()[0] == (
        f"content/events/example-meeting.yaml:{line}:1: error: 'date' is empty; "
        "fill in the date the event started (2025-11-27, 2025-11 or 2025)"
    )


def test_a_new_brief_takes_todays_date_as_its_own(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, out, _ = run("new", "brief", "Fresh", "--site", str(site))
    assert code == 0
    today = __import__("datetime").date.today().isoformat()
    assert f"\ndate: {today}\n" in Path(out.strip()).read_text()


# -- new: ids, sources, duplicates ------------------------------------------------------------------
def test_new_id_chooses_the_file_name(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    title = "Xi, Putin share vision for new global order - Business Recorder"
    code, out, _ = run("new", "source", title, "--id", "recorder-report", "--site", str(site))
    assert (code, out) == (0, f"{site}/content/sources/recorder-report.md\n")
    assert f'title: "{title}"' in (site / "content/sources/recorder-report.md").read_text()


@pytest.mark.parametrize("bad", ["Recorder Report", "2025-11", "a--b", "über"])
def test_new_refuses_an_id_that_is_not_one(site_copy: Callable[[str], Path], bad: str) -> None:
    site = site_copy("valid")
    code, _, err = run("new", "actor", "Someone", "--id", bad, "--site", str(site))
    assert code == 2 and "--id" in err and "not an id" in err
    assert not list((site / "content/actors").glob("someone*"))


def test_new_id_that_is_taken_is_refused(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, _, err = run("new", "event", "Another summit", "--id", "summit-2025", "--site", str(site))
    assert code == 1
    assert err == ("briefing: id 'summit-2025' is taken by content/events/summit-2025.yaml; choose another --id\n")


def test_new_source_with_text_writes_the_article_in_place_and_its_quotes_are_verified(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    article = tmp_path / "article.txt"
    article.write_bytes("\ufeffThe leaders met in Tianjin.\r\n\r\n“We share a vision,” Karl Ode said.\r\n".encode())
    code, out, _ = run(
        "new", "source", "Leaders meet", "--id", "tianjin-report", "--text", str(article), "--site", str(site)
    )
    assert code == 0
    path = site / "content/sources/tianjin-report.md"
    assert out == f"{path}\n"
    text = path.read_text()
    assert text.endswith("\n---\n\nThe leaders met in Tianjin.\n\n“We share a vision,” Karl Ode said.\n")
    # a quote is held against the text: right words pass, wrong words are reported at the quote
    for words, ok in (("We share a vision", True), ("We share one vision", False)):
        quoted = text.replace(
            "# quotes:\n#   - speaker: actor-id\n",
            f'quotes:\n  - speaker: karl-ode\n    text: "{words}"\n#\n',
        )
        path.write_text(quoted)
        code, _, err = run("check", "--site", str(site))
        assert ("quote-not-in-source" not in err and "not in the source's text" not in err) is ok, err
        assert (code == 0) is ok, err


def test_new_source_without_text_is_markdown_with_a_placeholder_to_replace(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, out, _ = run("new", "source", "A wire story", "--site", str(site))
    assert code == 0 and out.strip().endswith("content/sources/a-wire-story.md")
    text = Path(out.strip()).read_text()
    assert text.startswith('---\ntitle: "A wire story"\n') and "Paste the article's full text here" in text
    assert run("check", "--site", str(site))[0] == 0


def test_new_text_is_for_sources_only(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text")
    code, _, err = run("new", "actor", "Someone", "--text", str(tmp_path / "a.txt"), "--site", str(site_copy("valid")))
    assert code == 2 and "--text is for a source" in err


def test_new_text_that_cannot_be_read_is_a_usage_error(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("valid")
    code, _, err = run("new", "source", "X", "--text", str(tmp_path / "missing.txt"), "--site", str(site))
    assert code == 2 and "cannot read --text" in err and "No such file" in err
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    code, _, err = run("new", "source", "X", "--text", str(tmp_path / "latin1.txt"), "--site", str(site))
    assert code == 2 and "not UTF-8" in err
    assert not (site / "content/sources/x.md").exists()


def test_new_refuses_the_readmes_own_example_an_alias_of_an_existing_actor() -> None:
    """The bundled site lists "Александр Лукашенко" as an alias of alexander-lukashenko."""
    code, out, err = run("new", "actor", "Александр Лукашенко", "--site", str(REPO))
    assert (code, out) == (1, "")
    assert err == (
        "briefing: 'Александр Лукашенко' matches the alias 'Александр Лукашенко' of actor "
        "'alexander-lukashenko' in content/actors/alexander-lukashenko.yaml\n"
        "briefing: link the existing record instead, or pass --force to create one anyway\n"
    )
    assert not (REPO / "content/actors/aleksandr-lukashenko.yaml").exists()


@pytest.mark.parametrize(
    ("kind", "title", "what"),
    [
        ("actor", "karl ODE", "the name 'Karl Ode' of actor 'karl-ode'"),
        ("actor", "  northern   alliance ", "the name 'Northern Alliance' of actor 'alliance'"),
        ("actor", "na", "the alias 'NA' of actor 'alliance'"),
        ("actor", "Alliance", "the id of actor 'alliance'"),  # with --id fresh-id: below
        ("event", "Северный Альянс", "the alias 'Северный альянс' of actor 'alliance'"),
    ],
)
def test_new_refuses_a_title_that_matches_a_name_alias_or_id(
    site_copy: Callable[[str], Path], kind: str, title: str, what: str
) -> None:
    site = site_copy("valid")
    before = sorted(p.name for p in (site / "content").rglob("*"))
    code, out, err = run("new", kind, title, "--id", "fresh-id", "--site", str(site))
    assert (code, out) == (1, "")
    assert f"matches {what} in content/actors/" in err, err
    assert sorted(p.name for p in (site / "content").rglob("*")) == before


def test_new_force_creates_it_anyway_and_warns(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, out, err = run("new", "actor", "NA", "--id", "na-party", "--force", "--site", str(site))
    assert code == 0 and out.strip().endswith("content/actors/na-party.yaml")
    assert err.startswith("briefing: warning: 'NA' matches the alias 'NA' of actor 'alliance'")
    assert err.rstrip().endswith("created anyway (--force)")


def test_new_accepts_a_title_that_only_resembles_a_name(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    code, _, err = run("new", "actor", "Karl Oden", "--site", str(site))
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    "record",
    [
        'name: "Jane  Doe"\nkind: person\n',
        "kind: person\nname: >-\n  Jane\n  Doe\n",
        "name: J. D.\nkind: person\naliases:\n  - Someone\n  - JANE DOE  # her byline\n",
        "name: J. D.\naliases:\n- jane doe\nkind: person\n",
        "\ufeffname: 'Jane Doe'\r\nkind: person\r\n",
    ],
)
def test_a_name_or_alias_is_found_however_the_yaml_writes_it(tmp_path: Path, record: str) -> None:
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (tmp_path / "content/actors").mkdir(parents=True)
    (tmp_path / "content/actors/jd.yaml").write_bytes(record.encode())
    found = matches(tmp_path, "Jane Doe", "jane-doe")
    assert len(found) == 1 and found[0].startswith("'Jane Doe' matches the ") and "of actor 'jd'" in found[0]


def test_new_source_reads_its_text_from_standard_input(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "new", "source", "Piped", "--text", "-", "--site", str(site)],
        input="Line one.\nLine two.\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (site / "content/sources/piped.md").read_text().endswith("---\n\nLine one.\nLine two.\n")
