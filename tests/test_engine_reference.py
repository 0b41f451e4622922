"""The incremental engine gives the reference pipeline's bytes and diagnostics.

``pipeline`` is the plain truth: load, validate, resolve, render, search, write, from
nothing. ``engine.builder`` is what ``briefing build`` and ``serve`` run: it keeps state,
records reads, renders in worker processes and converts Markdown ahead. Whatever it does
to be fast, a reader must get the same site.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing import pipeline
from briefing.engine import parallel, rendering
from briefing.engine.builder import Builder
from briefing.pipeline import Options, Result
from conftest import REPO, SITES
from test_incremental import EDITS, core_builder, tree

FIXTURES = sorted(p.name for p in SITES.iterdir() if (p / "site.toml").exists() or p.name.startswith("invalid"))
MARKER = ".briefing-output"


def diag_lines(result: Result) -> list[str]:
    return [d.text() for d in result.diags.sorted()]


def site_files(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(folder).items() if k != MARKER}


def fixture(name: str, into: Path) -> Path:
    site = into / "site"
    if name == "bundled":
        shutil.copytree(REPO / "content", site / "content")
        shutil.copy(REPO / "site.toml", site)
    else:
        shutil.copytree(SITES / name, site, ignore=shutil.ignore_patterns(".briefing-cache", "public"))
    return site


@pytest.fixture(params=["one process", "workers"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine rendering in this process, or in worker processes with Markdown converted ahead."""
    if request.param == "workers":
        monkeypatch.setattr(parallel, "MIN_PAGES", 1)
        monkeypatch.setattr(parallel, "workers", lambda: 2)
        monkeypatch.setattr(rendering, "AHEAD_BRIEFS", 1)
    return str(request.param)


@pytest.mark.parametrize("name", [*FIXTURES, "bundled"])
def test_the_engine_builds_every_fixture_site_as_the_reference_does(name: str, mode: str, tmp_path: Path) -> None:
    site = fixture(name, tmp_path)
    reference = pipeline.build(site, tmp_path / "reference", Options())
    engine = Builder(site, tmp_path / "engine", Options(), use_cache=True).build()
    assert diag_lines(engine) == diag_lines(reference)
    assert engine.ok == reference.ok == (not name.startswith("invalid"))
    if reference.ok:
        assert site_files(tmp_path / "engine") == site_files(tmp_path / "reference")
        again = Builder(site, tmp_path / "engine", Options(), use_cache=True).build()  # from the saved state
        assert again.ok and again.rendered == [] and again.written == []


@settings(max_examples=15, deadline=None)
@given(st.lists(EDITS, min_size=1, max_size=5))
def test_after_any_edits_the_engine_equals_the_reference(edits: list[Callable[[Path], None]]) -> None:
    """``memory`` is the dev server's builder, kept across edits; ``disk`` starts from the
    saved cache each time, as ``briefing build`` does. After each edit both must show what
    the reference pipeline renders from nothing, with the same diagnostics."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = fixture("valid", root)
        (site / "theme/templates").mkdir(parents=True)
        memory = core_builder(site, root / "memory")
        assert memory.build().ok
        assert core_builder(site, root / "disk", use_cache=True).build().ok
        for edit in edits:
            edit(site)
            reference = pipeline.render(site, Options(search=False))
            kept = memory.build()
            disk = core_builder(site, root / "disk", use_cache=True).build()
            expected = diag_lines(pipeline.check(site, Options())) if not reference.ok else diag_lines(reference)
            assert diag_lines(kept) == diag_lines(disk) == expected
            if reference.ok:
                assert site_files(root / "memory") == dict(reference.files)
                assert site_files(root / "disk") == dict(reference.files)


PIPELINE = ["content", "library", "markdown", "render", "output"]


@pytest.mark.parametrize("part", [*PIPELINE, "pipeline.py"])
def test_the_pipeline_imports_nothing_from_the_engine_or_the_edge(part: str) -> None:
    """Data flows one way: the stages know nothing of the engine, the dev server or the CLI."""
    root = REPO / "generator" / "briefing"
    files = [root / part] if part.endswith(".py") else sorted((root / part).rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                assert not name.startswith(("briefing.engine", "briefing.serve", "briefing.cli")), (path, name)
