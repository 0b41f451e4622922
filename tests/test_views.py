"""A record's link is made once per build and shared: pages must still record
every read it made, or an edit to that record would leave them stale."""

from __future__ import annotations

from pathlib import Path

from briefing.engine.recording import RecordingRenderer
from briefing.pipeline import Options, check
from briefing.render.views import made_anew

ROOT = Path(__file__).resolve().parent.parent


def test_shared_links_record_the_same_reads_as_links_made_afresh() -> None:
    result = check(ROOT, Options())
    assert result.library is not None and not result.diags.errors
    shared = RecordingRenderer(ROOT, result.library, result.diags)
    fresh = RecordingRenderer(ROOT, result.library, result.diags)
    fresh.share = made_anew  # type: ignore[assignment]  # every value made for its page: no sharing
    fresh.use(result.library, result.diags)
    pages = list(zip(shared.pages(), fresh.pages(), strict=True))
    assert len(pages) > 50
    for a, b in pages:
        assert shared.render_recorded(a) == fresh.render_recorded(b), a.path


def test_a_link_can_be_added_to_without_changing_the_next_one() -> None:
    result = check(ROOT, Options())
    assert result.library is not None
    renderer = RecordingRenderer(ROOT, result.library, result.diags)
    first = renderer.views.link("csto")
    first["role"] = "changed"
    assert "role" not in renderer.views.link("csto")
