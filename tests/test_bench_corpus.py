"""The benchmark's corpora: the same seed gives the same bytes, in the contract's format,
with the shape each promises, and the peers get the same briefs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from briefing.library import related
from briefing.pipeline import Options, check
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import corpus
import workdir


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def front(path: Path) -> tuple[dict[str, object], str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


@pytest.mark.parametrize("shape", sorted(workdir.SHAPES))
def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, shape: str) -> None:
    workdir.write(shape, 100, tmp_path / "a", seed=7)
    workdir.write(shape, 100, tmp_path / "b", seed=7)
    workdir.write(shape, 100, tmp_path / "c", seed=8)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_the_briefing_site_is_valid_and_has_the_promised_shape(tmp_path: Path) -> None:
    corpus.write_all(200, tmp_path, seed=3)
    site = tmp_path / "briefing"
    result = check(site, Options())
    assert result.diags.errors == []
    lib = result.library
    assert lib is not None
    kinds = {k: len(v) for k, v in lib.by_kind.items()}
    assert kinds["brief"] == 200 and kinds["actor"] == 10 and kinds["event"] == 4 and kinds["source"] == 20
    assert 4 <= kinds["outcome"] <= 16
    for path in (site / "content/briefs").glob("*.md"):
        body = path.read_text().split("---\n", 2)[2]
        assert 400 <= len(re.sub(r"\[\[[^\]]*\]\]|\[@[^\]]*\]", "", body).split()) <= 700, path
        assert 3 <= len({m for m in re.findall(r"\[\[([a-z][a-z0-9-]*)\]\]", body)} - {"x"}) <= 7
        assert 2 <= len(set(re.findall(r"\[@([a-z0-9-]+)\]", body))) <= 3
        assert "\n## " in body and "\n> " in body and "\n- " in body and "*" in body


def test_the_cited_site_passes_check_and_has_the_promised_shape(tmp_path: Path) -> None:
    workdir.write("cited", 50, tmp_path, seed=4)
    site = tmp_path / "briefing"
    result = check(site, Options())
    assert result.diags.items == []  # no errors, and no warnings either
    lib = result.library
    assert lib is not None and len(lib.by_kind["brief"]) == 50
    located = 0
    for path in sorted((site / "content/briefs").glob("*.md")):
        meta, body = front(path)
        assert 3 <= len(meta["actors"]) <= 6 and 1 <= len(meta["events"]) <= 2, path  # type: ignore[arg-type]
        assert 1 <= len(meta["sources"]) <= 3, path  # type: ignore[arg-type]
        cites = re.findall(r"\[@([a-z0-9-]+)(, \"[^\"]+\")?\]", body)
        assert 2 <= len(cites) <= 6 and {c[0] for c in cites} <= set(meta["sources"]), path  # type: ignore[arg-type]
        located += sum(1 for c in cites if c[1])
        assert all(mark in body for mark in ("’", "—")) and "“" in body + str(meta), path
        assert 380 <= len(re.sub(r"\[\[[^\]]*\]\]|\[@[^\]]*\]", "", body).split()) <= 700, path
        assert "\n## " in body and "\n- " in body and "\n> " in body
    assert located > 50  # most citations carry a locator


def test_the_cited_sources_hold_their_quotes_verbatim(tmp_path: Path) -> None:
    workdir.write("cited", 50, tmp_path, seed=4)
    sources = sorted((tmp_path / "briefing/content/sources").iterdir())
    assert sources and all(p.suffix == ".md" for p in sources)
    quoted = 0
    for path in sources:
        meta, body = front(path)
        for quote in meta["quotes"]:  # type: ignore[attr-defined]
            assert quote["text"] in body, path  # the exact characters, not only what check forgives
            quoted += 1
        assert len(body.split()) > 150
    assert quoted >= len(sources)
    # the check that keeps them so: a changed quote is reported
    path = sources[0]
    text = path.read_text(encoding="utf-8")
    first = front(path)[0]["quotes"][0]["text"]  # type: ignore[index]
    path.write_text(text.replace(first, first.replace(" ", " not ", 1), 1), encoding="utf-8")
    codes = [d.code for d in check(tmp_path / "briefing", Options()).diags.errors]
    assert codes == ["quote-not-in-source"]


@pytest.mark.parametrize("shape", sorted(workdir.SHAPES))
def test_hugo_and_pelican_sites_hold_the_same_briefs(tmp_path: Path, shape: str) -> None:
    workdir.write(shape, 50, tmp_path, seed=5)
    mine = sorted(p.stem for p in (tmp_path / "briefing/content/briefs").glob("*.md"))
    hugo = sorted(p.stem for p in (tmp_path / "hugo/content/briefs").glob("brief-*.md"))
    pelican = sorted(p.stem for p in (tmp_path / "pelican/content").glob("*.md"))
    assert hugo == pelican == mine and len(mine) == 50
    actors = sorted(p.stem for p in (tmp_path / "briefing/content/actors").iterdir())
    assert actors == sorted(p.name for p in (tmp_path / "hugo/content/actors").iterdir() if p.is_dir())
    for site in ("hugo/content/briefs", "pelican/content"):  # links and citations spelt the peers' way
        body = (tmp_path / site / "brief-7.md").read_text(encoding="utf-8")
        assert not re.search(r"\[\[[a-z][a-z0-9-]*[|\]]|\[@", body) and "](/" in body


def test_hugo_gets_a_plain_theme_and_one_with_related_briefs(tmp_path: Path) -> None:
    workdir.write("cited", 20, tmp_path, seed=5)
    themes = tmp_path / "hugo/themes"
    plain, related = tree(themes / "plain"), tree(themes / "related")
    assert plain.keys() == related.keys() and "layouts/term.html" in plain
    differ = [k for k in plain if plain[k] != related[k]]
    assert differ == ["layouts/single.html"]
    assert b".Related" in related["layouts/single.html"] and b".Related" not in plain["layouts/single.html"]


def test_related_briefs_are_those_sharing_the_most_records_newest_first(tmp_path: Path) -> None:
    """The index's shortcut (only briefs on two or more lists are counted one by one)
    must rank as counting every brief's shared actors, events and outcomes would."""
    corpus.write_all(400, tmp_path, seed=5)
    lib = check(tmp_path / "briefing", Options()).library
    assert lib is not None
    briefs = lib.by_kind["brief"]  # newest first
    linked = {b: {t for t in lib.mentions[b] if lib.records[t].kind in ("actor", "event", "outcome")} for b in briefs}
    ties = 0
    for b in briefs:
        scores = {o: len(linked[b] & linked[o]) for o in briefs if o != b}
        ranked = sorted((o for o in briefs if o != b and scores[o]), key=lambda o: -scores[o])  # stable: newest first
        assert lib.related[b] == ranked[: related.RELATED_LIMIT], b
        last = related.RELATED_LIMIT
        ties += len(ranked) > last and scores[ranked[last - 1]] == scores[ranked[last]]
    assert ties > 50  # the order among equals is tested, not only the counts
