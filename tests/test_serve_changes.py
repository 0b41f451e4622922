"""``briefing serve`` looks only at the files the watcher named, and still loses no edit.

A save at 10,000 briefs used to stat every input file before each build; the watcher
already says which file changed. These tests hold the shortcut to the full scan it
replaces, and check that an edit the watcher never reported still reaches the page.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.events import DirCreatedEvent, DirMovedEvent, FileModifiedEvent, FileMovedEvent

from briefing.diagnostics import Diagnostics
from briefing.engine import builder as builder_module
from briefing.engine.builder import Builder
from briefing.engine.inputs import Inputs
from briefing.pipeline import Options, Result
from briefing.serve.loop import BuildLoop, Changed
from briefing.serve.server import Running, Serving, start
from briefing.serve.watch import changed_files

WAIT = 20.0
SITE = Path("/srv/site")


def test_the_watcher_names_the_sites_files_it_saw_change() -> None:
    assert changed_files(SITE, FileModifiedEvent("/srv/site/content/briefs/a.md")) == {"content/briefs/a.md"}
    # an atomic save: the temp file is no source, the file it became is
    saved = FileMovedEvent("/srv/site/content/briefs/.a.md.tmp1234", "/srv/site/content/briefs/a.md")
    assert changed_files(SITE, saved) == {"content/briefs/a.md"}
    moved = FileMovedEvent("/srv/site/content/briefs/a.md", "/srv/site/content/briefs/b.md")
    assert changed_files(SITE, moved) == {"content/briefs/a.md", "content/briefs/b.md"}
    assert changed_files(SITE, FileModifiedEvent("/srv/site/site.toml")) == {"site.toml"}
    # a folder's event may stand for every file below it: the build looks at them all
    assert changed_files(SITE, DirCreatedEvent("/srv/site/content/briefs")) is None
    assert changed_files(SITE, DirMovedEvent("/srv/site/content/old", "/srv/site/content/briefs")) is None


def test_a_build_is_told_every_file_named_since_the_last_one_began() -> None:
    told: list[Changed] = []
    built = threading.Semaphore(0)

    def rebuild(changed: Changed) -> Result:
        told.append(changed)
        built.release()
        return Result(Diagnostics())

    loop = BuildLoop(rebuild, debounce=0.01)
    try:
        loop.build_now()
        loop.start()
        loop.mark(frozenset({"content/briefs/a.md"}))
        loop.mark(frozenset({"content/actors/b.yaml"}))
        assert built.acquire(timeout=WAIT) and built.acquire(timeout=WAIT)
        loop.mark(frozenset({"content/briefs/a.md"}))
        loop.mark(None)  # one event the watcher could not name
        assert built.acquire(timeout=WAIT)
    finally:
        loop.stop()
    assert told == [None, {"content/briefs/a.md", "content/actors/b.yaml"}, None]


def test_a_scan_of_the_named_files_equals_a_scan_of_every_file(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    inputs = Inputs(site)
    inputs.scan()
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text() + "\nOne more line.\n")
    (site / "content/actors/new-actor.yaml").write_text("id: new-actor\nname: New Actor\nkind: person\n")
    gone = next((site / "content/sources").iterdir())
    gone.unlink()
    (site / "content/briefs/.fund-explained.md.swp").write_bytes(b"vim")  # never content
    named = {
        "content/briefs/fund-explained.md",
        "content/actors/new-actor.yaml",
        gone.relative_to(site).as_posix(),
    }
    assert inputs.scan(named) == Inputs(site).scan()
    assert not inputs.stale()
    brief.write_text(brief.read_text() + "\nA line the watcher did not name.\n")
    assert inputs.stale()


@pytest.mark.parametrize("named", ["content/briefs", "theme/templates/base.html"])
def test_a_named_folder_or_template_scans_every_file(site_copy: Callable[[str], Path], named: str) -> None:
    site = site_copy("valid")
    inputs = Inputs(site)
    inputs.scan()
    missed = site / "content/briefs/fund-explained.md"
    missed.write_text(missed.read_text() + "\nOne more line.\n")
    assert inputs.scan({named}) == Inputs(site).scan()


@pytest.fixture
def unwatched(site_copy: Callable[[str], Path]) -> Iterator[Running]:
    """A preview whose file watcher has stopped: only the test says what changed."""
    running = start(site_copy("valid"), Options(), Serving(port=0))
    running.serve_in_thread()
    running.observer.stop()
    running.observer.join(WAIT)
    yield running
    running.stop()


def test_an_edit_the_watcher_did_not_name_still_reaches_the_page(unwatched: Running) -> None:
    brief = unwatched.site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text() + "\nA sentence no watcher reported.\n")
    unwatched.loop.mark(frozenset({"content/briefs/summit-at-a-glance.md"}))  # names another file
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", unwatched.port, timeout=WAIT)
        try:
            conn.request("GET", "/briefing/briefs/fund-explained/")
            page = conn.getresponse().read()
        finally:
            conn.close()
        if b"A sentence no watcher reported." in page:
            return
        time.sleep(0.05)
    pytest.fail("the edit never reached the page")


def test_after_a_build_that_failed_the_next_looks_at_every_file(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = site_copy("valid"), tmp_path / "out"
    builder = Builder(site, out, Options(), search_later=True)
    assert builder.build().ok
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text() + "\nA sentence from before the disk filled up.\n")

    def disk_full(site: Path, out: Path) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:  # the build fails before it looks at any file
        patched.setattr(builder_module, "check_output", disk_full)
        with pytest.raises(OSError):
            builder.build({"content/briefs/fund-explained.md"})
    assert builder.build(frozenset()).ok  # the next save names no file: nothing would say this one changed
    assert b"A sentence from before the disk filled up." in (out / "briefs/fund-explained/index.html").read_bytes()
