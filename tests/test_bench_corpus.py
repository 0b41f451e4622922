"""The benchmark's corpus: the same seed gives the same bytes, in the contract's format."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from briefing.library import related
from briefing.pipeline import Options, check
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import corpus


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    corpus.write_all(100, tmp_path / "a", seed=7)
    corpus.write_all(100, tmp_path / "b", seed=7)
    corpus.write_all(100, tmp_path / "c", seed=8)
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


def test_hugo_and_pelican_sites_hold_the_same_briefs(tmp_path: Path) -> None:
    c = corpus.write_all(50, tmp_path, seed=5)
    hugo = sorted(p.stem for p in (tmp_path / "hugo/content/briefs").glob("brief-*.md"))
    pelican = sorted(p.stem for p in (tmp_path / "pelican/content").glob("*.md"))
    assert hugo == pelican == sorted(b.id for b in c.briefs)
    assert (tmp_path / "hugo/layouts/term.html").is_file()
    actor = c.actors[0]
    assert (tmp_path / f"hugo/content/actors/{actor.id}/_index.md").is_file()


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
