"""``briefing rename OLD NEW``: every reference follows, nothing else changes, old URLs redirect."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing.editing import rename
from briefing.pipeline import Options, build
from conftest import REPO
from update_goldens import run

SITE_TOML = 'title = "Rename fixture"\nbase_url = "https://example.org/r/"\n'

# Anna is linked from a brief's body and fields, a YAML alias, a quote (on the timeline), a
# citation-free source, an event and an outcome; the decoys must not change.
BEFORE = {
    "content/actors/anna.yaml": "name: Anna Berg\nkind: person\naliases: [anna, Anna B.]  # anna stays: a name\n",
    "content/actors/bob.yaml": "name: Bob\nkind: person\nsummary: Works with [[anna|her]] and [[anna]].\n",
    "content/events/summit.yaml": (
        "title: Summit\nkind: summit\ndate: 2025-11-27\nhost: anna\n"
        "participants:\n  - bob\n  - 'anna'\nsummary: Hosted by [[ anna ]]; see [[annan]] (not her).\n"
    ),
    "content/actors/annan.yaml": "name: Kofi\nkind: person\n",
    "content/outcomes/fund.yaml": (
        "title: Fund\nevent: summit\nkind: pledge\nstatus: adopted\n"
        "proposed_by: &leaders [anna, bob]\nparties: *leaders\n"
    ),
    "content/sources/wire.yaml": (
        "title: Wire\nauthor: anna\nquotes:\n"
        '  - {speaker: anna, text: "We agree", date: 2025-11-27, about: [bob, anna]}\n'
    ),
    "content/briefs/note.md": (
        "---\r\ntitle: Note\r\ndate: 2025-11-28\r\nactors: [bob, anna]\r\n---\r\n"
        "[[anna]] met [[bob]] [@wire]. Write `[[anna]]` to link her; anna-like words stay.\r\n"
        "\r\n```\r\n[[anna]] in a fence stays too\r\n```\r\n"
    ),
    "content/briefs/second.md": "---\ntitle: Second\ndate: 2025-11-29\n---\nAgain [[anna|Ms Berg]] ([[anna]]).\n",
}

AFTER = {
    "content/actors/anna-berg.yaml": (
        "name: Anna Berg\nkind: person\naliases: [anna, Anna B.]  # anna stays: a name\nmoved_from: [anna]\n"
    ),
    "content/actors/bob.yaml": "name: Bob\nkind: person\nsummary: Works with [[anna-berg|her]] and [[anna-berg]].\n",
    "content/events/summit.yaml": (
        "title: Summit\nkind: summit\ndate: 2025-11-27\nhost: anna-berg\n"
        "participants:\n  - bob\n  - 'anna-berg'\nsummary: Hosted by [[ anna-berg ]]; see [[annan]] (not her).\n"
    ),
    "content/outcomes/fund.yaml": (
        "title: Fund\nevent: summit\nkind: pledge\nstatus: adopted\n"
        "proposed_by: &leaders [anna-berg, bob]\nparties: *leaders\n"
    ),
    "content/sources/wire.yaml": (
        "title: Wire\nauthor: anna-berg\nquotes:\n"
        '  - {speaker: anna-berg, text: "We agree", date: 2025-11-27, about: [bob, anna-berg]}\n'
    ),
    "content/briefs/note.md": (
        "---\r\ntitle: Note\r\ndate: 2025-11-28\r\nactors: [bob, anna-berg]\r\n---\r\n"
        "[[anna-berg]] met [[bob]] [@wire]. Write `[[anna]]` to link her; anna-like words stay.\r\n"
        "\r\n```\r\n[[anna]] in a fence stays too\r\n```\r\n"
    ),
    "content/briefs/second.md": (
        "---\ntitle: Second\ndate: 2025-11-29\n---\nAgain [[anna-berg|Ms Berg]] ([[anna-berg]]).\n"
    ),
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SITE_TOML)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(text.encode())
    return root


def content(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "content").rglob("*")) if p.is_file()
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]


def broken_links(out: Path, prefix: str) -> list[tuple[str, str]]:
    """Every site-internal href and src of every HTML file that names no file of the output."""
    broken = []
    for page in sorted(out.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            path = url.split("#")[0].split("?")[0]
            if not path.startswith(prefix):
                continue
            target = out / path[len(prefix) :]
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((str(page.relative_to(out)), url))
    return broken


def test_rename_rewrites_every_reference_and_nothing_else(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    code, out, err = run("rename", "--site", str(site), "anna", "anna-berg")
    assert code == 0, err
    assert out.splitlines() == sorted(AFTER)  # the files it changed
    assert "renamed content/actors/anna.yaml to content/actors/anna-berg.yaml" in err
    assert err.rstrip().endswith("no errors, no warnings")  # and it checked the site afterwards
    expected = {**{p: t.encode() for p, t in BEFORE.items()}, **{p: t.encode() for p, t in AFTER.items()}}
    del expected["content/actors/anna.yaml"]
    assert content(site) == expected  # byte for byte, CRLF and decoys included
    assert not list(site.rglob("*.briefing-rename")) and not (site / rename.JOURNAL).exists()

    result = build(site, tmp_path / "out", Options())
    assert result.ok, [d.text() for d in result.diags.errors]
    public = tmp_path / "out"
    assert broken_links(public, "/r/") == []
    old = (public / "actors/anna/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/r/actors/anna-berg/">' in old
    assert '<link rel="canonical" href="https://example.org/r/actors/anna-berg/">' in old
    assert "actors/anna/" not in (public / "sitemap.xml").read_text()
    # her quote stays on the timeline, and on her page's own timeline, under her new URL
    assert "Anna Berg" in (public / "timeline/index.html").read_text()
    assert "We agree" in (public / "actors/anna-berg/index.html").read_text()
    redirects = json.loads((public / "data/site.json").read_text())["redirects"]
    assert redirects == [
        {
            "from": "https://example.org/r/actors/anna/",
            "to": "https://example.org/r/actors/anna-berg/",
            "id": "anna-berg",
        }
    ]


def test_renaming_a_source_rewrites_its_citations(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        {
            **BEFORE,
            "content/briefs/cites.md": (
                "---\ntitle: Cites\ndate: 2025-11-30\nsources: [wire]\n---\n"
                'As reported [@wire, "para 2"] and [@wire].\n'
            ),
        },
    )
    code, _, err = run("rename", "--site", str(site), "wire", "wire-report")
    assert code == 0, err
    assert (site / "content/briefs/cites.md").read_text() == (
        "---\ntitle: Cites\ndate: 2025-11-30\nsources: [wire-report]\n---\n"
        'As reported [@wire-report, "para 2"] and [@wire-report].\n'
    )
    assert "[@wire-report]" in (site / "content/briefs/note.md").read_text()
    assert (site / "content/sources/wire-report.yaml").read_text().endswith("moved_from: [wire]\n")


@pytest.mark.parametrize(
    ("written", "after"),
    [
        ("moved_from: []\n", "moved_from: [anna]\n"),
        ("moved_from: [ann]  # her first id\n", "moved_from: [ann, anna]  # her first id\n"),
        ("moved_from:\n  - ann\n# the end\n", "moved_from:\n  - ann\n  - anna\n# the end\n"),
    ],
)
def test_moved_from_grows_as_it_is_written(tmp_path: Path, written: str, after: str) -> None:
    site = write_site(tmp_path / "site", {**BEFORE, "content/actors/anna.yaml": "name: Anna\nkind: person\n" + written})
    code, _, err = run("rename", "--site", str(site), "anna", "anna-berg")
    assert code == 0, err
    assert (site / "content/actors/anna-berg.yaml").read_text() == "name: Anna\nkind: person\n" + after


def test_a_second_rename_adds_to_moved_from_and_both_old_urls_redirect(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    assert run("rename", "--site", str(site), "anna", "anna-b")[0] == 0
    assert run("rename", "--site", str(site), "anna-b", "anna-berg")[0] == 0
    assert (site / "content/actors/anna-berg.yaml").read_text().endswith("moved_from: [anna, anna-b]\n")
    result = build(site, tmp_path / "out", Options())
    assert result.ok
    for old in ("anna", "anna-b"):
        assert "url=/r/actors/anna-berg/" in (tmp_path / "out" / f"actors/{old}/index.html").read_text()


@pytest.mark.parametrize(
    ("new", "code", "message"),
    [
        ("bob", 1, "'bob' is taken: content/actors/bob.yaml has that id"),
        ("Anna", 2, "'Anna' is not a valid id"),
        ("2025-11", 2, "'2025-11' is not a valid id"),
        ("anna--b", 2, "is not a valid id"),
    ],
)
def test_rename_refuses_a_taken_or_invalid_id_and_changes_nothing(
    tmp_path: Path, new: str, code: int, message: str
) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    before = content(site)
    got, out, err = run("rename", "--site", str(site), "anna", new)
    assert (got, out) == (code, "") and message in err
    assert content(site) == before


def test_rename_refuses_an_unknown_record_and_an_old_id(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    assert run("rename", "--site", str(site), "nobody", "somebody")[0] == 2
    assert run("rename", "--site", str(site), "anna", "anna-berg")[0] == 0
    before = content(site)
    code, _, err = run("rename", "--site", str(site), "bob", "anna")
    assert code == 1 and "'anna' is an old id of content/actors/anna-berg.yaml" in err
    assert content(site) == before


def test_a_record_that_takes_an_old_id_is_an_error_naming_both(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    assert run("rename", "--site", str(site), "anna", "anna-berg")[0] == 0
    (site / "content/actors/anna.yaml").write_text("name: Another Anna\nkind: person\n")
    code, _, err = run("check", "--site", str(site))
    assert code == 1
    assert (
        "content/actors/anna.yaml:1:1: error: id 'anna' is an old id of content/actors/anna-berg.yaml "
        "(its moved_from lists it)"
    ) in err


def test_a_rename_stopped_while_writing_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", BEFORE)
    before = content(site)
    calls = {"n": 0}
    real = rename.os.fsync

    def full_disk(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(rename.os, "fsync", full_disk)
    with pytest.raises(OSError):
        rename.rename_record(site, "anna", "anna-berg")
    assert content(site) == before
    assert not [p for p in site.rglob("*") if p.name.endswith(".briefing-rename")]


def test_a_rename_stopped_while_swapping_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = write_site(tmp_path / "clean", BEFORE)
    rename.rename_record(clean, "anna", "anna-berg")
    site = write_site(tmp_path / "site", BEFORE)
    calls = {"n": 0}
    real = rename.os.replace

    def power_cut(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # the journal, then two files swapped in
            raise SystemExit("the machine stopped")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(rename.os, "replace", power_cut)
    with pytest.raises(SystemExit):
        rename.rename_record(site, "anna", "anna-berg")
    monkeypatch.setattr(rename.os, "replace", real)
    assert (site / rename.JOURNAL).exists()
    assert rename.finish_interrupted(site)
    assert content(site) == content(clean)
    assert not (site / rename.JOURNAL).exists()


def test_renaming_an_actor_of_the_bundled_site_keeps_every_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.toml", site)
    code, out, err = run("rename", "--site", str(site), "vladimir-putin", "putin")
    assert code == 0, err
    assert len(out.splitlines()) > 10
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((site / "content").rglob("*.*")))
    assert "vladimir-putin" not in text.replace("moved_from: [vladimir-putin]", "")
    result = build(site, tmp_path / "out", Options())
    assert result.ok, [d.text() for d in result.diags.errors]
    assert broken_links(tmp_path / "out", "/") == []
    page = (tmp_path / "out/actors/vladimir-putin/index.html").read_text()
    assert 'url=/actors/putin/"' in page and 'href="https://briefing.example.org/actors/putin/"' in page
