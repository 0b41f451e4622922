"""The benchmark runs the installed `briefing` as a user does, and finds out what it offers."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import sides
import workdir
from edit_to_page import Server, briefing_serve, free_port

HELP = "usage: briefing build [-h] [--site DIR]{extra}\n"


def fake_briefing(folder: Path, extra: str) -> Path:
    """A ``briefing`` whose ``build --help`` lists ``extra``, beside a ``python``."""
    folder.mkdir()
    exe = folder / "briefing"
    exe.write_text(f"#!/bin/sh\necho '{HELP.format(extra=extra)}'\n")
    exe.chmod(0o755)
    os.symlink(sys.executable, folder / "python")
    return exe


def test_the_build_without_search_uses_no_search_once_the_command_offers_it(tmp_path: Path) -> None:
    without = sides.Briefing(fake_briefing(tmp_path / "old", ""))
    offered = sides.Briefing(fake_briefing(tmp_path / "new", " [--no-search]"))
    assert without.build() == [str(without.exe), "build"] == [str(tmp_path / "old/briefing"), "build"]
    assert without.build_no_search()[1].endswith("bench/briefing_build.py") and not without.has_no_search
    assert "briefing_build.py" in without.no_search_label
    assert offered.build_no_search() == [str(offered.exe), "build", "--no-search"]
    assert offered.no_search_label == "`briefing build --no-search`"


@pytest.mark.skipif(shutil.which("briefing", path=str(Path(sys.executable).parent)) is None, reason="needs the venv")
def test_edit_to_page_runs_the_installed_serve_and_sees_the_edit(tmp_path: Path) -> None:
    workdir.write("cited", 12, tmp_path, seed=2)
    site = tmp_path / "briefing"
    brief = site / "content/briefs/brief-5.md"
    before = brief.read_bytes()
    port = free_port()
    with Server(briefing_serve(str(Path(sys.executable).parent / "briefing"), port), site, port, "brief-5") as server:
        seconds = server.edit(pause=0)
        assert "serve-edit-" in brief.read_text(encoding="utf-8")
        assert server.first_build > 0 and 0 < seconds < 60
        assert b"serve-edit-" in server._get()
    assert brief.read_bytes() == before  # the corpus is left as drawn
    assert not (site / "public").exists()  # serve built into its own folder, with its defaults
