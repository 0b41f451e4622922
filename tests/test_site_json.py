"""data/site.json: the contract's structure, one record per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from briefing.engine import sitejson
from briefing.engine.deps import Recorder, RecordingLibrary
from briefing.library.records import Library
from briefing.pipeline import Options, render
from briefing.render import feeds
from briefing.render.urls import Urls
from conftest import SITES


def test_site_json_holds_every_record_one_per_line() -> None:
    result = render(SITES / "valid", Options())
    assert result.library is not None
    text = result.files["data/site.json"].decode("utf-8")
    data = json.loads(text)
    assert data["site"]["title"] == result.library.config.title
    ids = [r["id"] for r in data["records"]]
    assert ids == list(result.library.records)
    lines = text.splitlines()
    assert [json.loads(line.rstrip(","))["id"] for line in lines[2:-1]] == ids  # a diff names the records
    alliance = data["records"][ids.index("alliance")]
    assert alliance["fields"]["aliases"] == ["NA", "Северный альянс"]  # written as UTF-8, not escaped
    assert "summit-2025" in alliance["mentions"] and "anna-berg" in alliance["mentioned_by"]


def test_a_site_with_no_records_still_writes_valid_json(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text('title = "Empty"\nbase_url = "https://example.org/"\n')
    result = render(tmp_path, Options())
    assert json.loads(result.files["data/site.json"])["records"] == []


def test_site_json_declares_exactly_what_it_reads() -> None:
    # site.json's reads are declared, not recorded; were they fewer than it reads, an
    # edit could leave it stale, were they more, it would be rendered for nothing
    result = render(SITES / "valid", Options())
    lib = result.library
    assert lib is not None
    recorder = Recorder()
    recorder.keys = set()
    recording = cast(Library, RecordingLibrary(lib, recorder))
    assert feeds.site_json(recording, Urls(lib.config)) == result.files["data/site.json"]
    assert recorder.keys == set(sitejson.reads(lib))
