"""Pages rendered together (``RecordingRenderer.render_batch``, as render workers do) come out as
pages rendered one at a time: the same bytes, the same recorded reads, the same errors."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing.diagnostics import Diagnostics
from briefing.engine import ahead
from briefing.engine.recording import RecordingRenderer
from briefing.pipeline import Options, check

ROOT = Path(__file__).resolve().parent.parent


def _renderer(site: Path) -> RecordingRenderer:
    result = check(site, Options())
    assert result.library is not None and not result.diags.errors
    return RecordingRenderer(site, result.library, Diagnostics())


def _both(site: Path, size: int) -> tuple[list[Any], list[Any], RecordingRenderer]:
    alone, together = _renderer(site), _renderer(site)
    one_by_one = []
    for page in alone.pages():
        before = len(alone.diags.items)
        data, keys = alone.render_recorded(page)
        one_by_one.append((page.output, data, keys, [d.message for d in alone.diags.items[before:]]))
    batched = []
    pages = together.pages()
    for i in range(0, len(pages), size):
        chunk = pages[i : i + size]
        for page, (data, keys, diags) in zip(chunk, together.render_batch(chunk), strict=True):
            batched.append((page.output, data, keys, [d.message for d in diags]))
    return one_by_one, batched, together


@pytest.mark.parametrize("size", [1, 7, 40])
def test_the_bundled_site_renders_the_same_together(size: int) -> None:
    one_by_one, batched, renderer = _both(ROOT, size)
    assert len(batched) > 50
    assert batched == one_by_one
    assert isinstance(renderer.markup, ahead.AheadMarkup)
    assert not renderer.markup.batch  # conversions are kept for their batch only


def test_failing_pages_fail_the_same_together(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    templates = site / "theme/templates"
    templates.mkdir(parents=True)
    # a template bug on one brief only, and an event template that does not compile
    brief = (ROOT / "theme/templates/brief.html").read_text()
    bug = "{% if r.id == 'fund-explained' %}{{ r.title + 1 }}{% endif %}"
    (templates / "brief.html").write_text(brief.replace("{{ r.title }}</h1>", f"{{{{ r.title }}}}{bug}</h1>"))
    (templates / "event.html").write_text("{% extends 'base.html' %}{% block main %}{% if %}{% endblock %}")
    one_by_one, batched, _ = _both(site, 40)
    assert batched == one_by_one
    failed = [(path, messages) for path, data, _, messages in batched if data is None]
    assert any(path.startswith("briefs/fund-explained/") for path, _ in failed)
    assert any(path.startswith("events/") for path, _ in failed)
    assert all(messages for _, messages in failed)


def test_the_briefs_markdown_is_converted_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    converted: list[str] = []
    convert = ahead.AheadConverter.convert
    monkeypatch.setattr(
        ahead.AheadConverter, "convert", lambda self, text: converted.append(text) or convert(self, text)
    )
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    renderer = _renderer(site)
    briefs = [p for p in renderer.pages() if p.record is not None and renderer.lib.records[p.record].kind == "brief"]
    renderer.render_batch(briefs)
    assert sorted(converted) == sorted(renderer.lib.records[p.record].body for p in briefs)  # type: ignore[index]
