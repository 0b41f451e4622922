"""``briefing serve``: the rebuild loop, the file watcher's filter, and what the preview serves.

The loop is driven by a fake builder and a fake clock, with Barriers and
Events to order threads; nothing here sleeps to make a point.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

from briefing.diagnostics import Diagnostics
from briefing.pipeline import Options, Result
from briefing.serve.loop import BuildLoop, Changed, Status
from briefing.serve.server import Reporter, Running, Serving, start
from briefing.serve.watch import is_editor_noise, start_watching, wants_rebuild
from conftest import REPO, SITES
from update_goldens import run

WAIT = 20.0  # an upper bound for things that happen at once; never reached when all is well


class FakeClock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def ok_result() -> Result:
    return Result(Diagnostics())


def failed_result(message: str = "missing required field 'title'") -> Result:
    diags = Diagnostics()
    diags.error("content/briefs/a.md", (3, 1), "missing-field", message)
    return Result(diags)


@pytest.fixture
def make_loop() -> Iterator[Callable[..., BuildLoop]]:
    loops: list[BuildLoop] = []

    def make(rebuild: Callable[[], Result], **kwargs: object) -> BuildLoop:
        loop = BuildLoop(rebuild, **kwargs)  # type: ignore[arg-type]
        loops.append(loop)
        return loop

    yield make
    for loop in loops:
        loop.stop()


# -- the loop ------------------------------------------------------------------------------


def test_a_burst_of_changes_builds_once_after_they_go_quiet(make_loop: Callable[..., BuildLoop]) -> None:
    clock = FakeClock()
    started_at: list[float] = []
    built = threading.Event()

    def rebuild(changed: Changed = None) -> Result:
        started_at.append(clock.now)
        built.set()
        return ok_result()

    loop = make_loop(rebuild, debounce=1.0, clock=clock)
    loop.start()
    for _ in range(25):
        loop.mark()
    clock.now = 0.6
    loop.mark()  # still within the quiet window: the window starts again
    clock.now = 5.0  # quiet now
    assert built.wait(WAIT)
    loop.stop()
    assert started_at == [5.0]


def test_changes_during_a_build_cause_exactly_one_more_build(make_loop: Callable[..., BuildLoop]) -> None:
    clock = FakeClock()
    in_build = threading.Barrier(2, timeout=WAIT)
    calls: list[int] = []

    def rebuild(changed: Changed = None) -> Result:
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            in_build.wait()  # the test now knows the first build is running
            in_build.wait()  # and lets it finish after changing files
        return ok_result()

    loop = make_loop(rebuild, debounce=0.1, clock=clock)
    loop.start()
    loop.mark()
    clock.now = 1.0
    in_build.wait()
    assert not loop.wait_idle(timeout=0), "a request must wait while a build is in flight"
    for _ in range(10):
        loop.mark()
    clock.now = 2.0
    in_build.wait()
    assert loop.wait_status(seen=1, timeout=WAIT) is not None
    loop.stop()
    assert calls == [1, 2]
    assert loop.status().seq == 2


def test_a_failed_build_keeps_the_last_good_site_and_a_fix_clears_its_errors(
    make_loop: Callable[..., BuildLoop],
) -> None:
    clock = FakeClock()
    good_1, bad, good_2 = ok_result(), failed_result(), ok_result()
    results = iter([good_1, bad, good_2])
    loop = make_loop(lambda _changed: next(results), debounce=0.1, clock=clock)

    loop.build_now()
    first = loop.status()
    assert first.ok and not first.problems

    loop.start()
    loop.mark()
    clock.now += 1
    broken = loop.wait_status(first.seq, WAIT)
    assert broken is not None and not broken.ok
    assert [d.text() for d in broken.problems] == ["content/briefs/a.md:3:1: error: missing required field 'title'"]
    assert broken.generation == first.generation, "pages must not reload onto a failed build"
    assert loop.good is good_1
    assert broken.as_json()["problems"][0]["text"].startswith("content/briefs/a.md:3:1: error:")  # type: ignore[index]

    loop.mark()
    clock.now += 1
    fixed = loop.wait_status(broken.seq, WAIT)
    assert fixed is not None and fixed.ok and not fixed.problems
    assert fixed.generation != first.generation
    assert loop.good is good_2


def test_a_crashing_builder_is_reported_and_the_loop_goes_on(make_loop: Callable[..., BuildLoop]) -> None:
    clock = FakeClock()
    outcomes: list[Callable[[], Result]] = [ok_result, lambda: 1 / 0, ok_result]  # type: ignore[list-item]
    it = iter(outcomes)
    loop = make_loop(lambda _changed: next(it)(), debounce=0.1, clock=clock)
    loop.build_now()
    loop.start()
    loop.mark()
    clock.now += 1
    crashed = loop.wait_status(1, WAIT)
    assert crashed is not None and not crashed.ok
    assert "internal error: ZeroDivisionError" in crashed.problems[0].message
    loop.mark()
    clock.now += 1
    recovered = loop.wait_status(2, WAIT)
    assert recovered is not None and recovered.ok


def test_work_after_a_build_blocks_no_request_and_a_change_stops_it(make_loop: Callable[..., BuildLoop]) -> None:
    """The search index catches up after the page is shown: requests are answered
    meanwhile, and a new save stops it so that its build goes first; it resumes after."""
    clock = FakeClock()
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []
    builds: list[int] = []

    def after(cancelled: Callable[[], bool]) -> bool:
        runs.append("start")
        started.set()
        assert release.wait(WAIT)
        if cancelled():
            runs.append("stopped")
            return False
        runs.append("done")
        return True

    def rebuild(changed: Changed = None) -> Result:
        builds.append(len(builds) + 1)
        return ok_result()

    loop = make_loop(rebuild, debounce=0.1, clock=clock, after=after)
    loop.build_now()
    assert loop.status().behind
    loop.start()
    assert started.wait(WAIT)
    assert loop.wait_idle(timeout=0), "requests must not wait for the search index"
    loop.mark()  # an edit while the index catches up
    started.clear()
    release.set()
    clock.now = 1.0
    assert loop.wait_status(seen=1, timeout=WAIT) is not None  # the edit's build
    assert started.wait(WAIT)  # and the index catches up after it
    deadline = threading.Event()
    for _ in range(200):
        if not loop.status().behind:
            break
        deadline.wait(0.05)
    assert runs == ["start", "stopped", "start", "done"] and builds == [1, 2]
    assert not loop.status().behind and loop.status().as_json()["search_behind"] is False


def test_strict_mode_treats_warnings_as_a_failed_build(make_loop: Callable[..., BuildLoop]) -> None:
    diags = Diagnostics()
    diags.warning("content/actors/x.yaml", (2, 3), "unused", "never mentioned")
    loop = make_loop(lambda _changed: Result(diags), strict=True)
    loop.build_now()
    status = loop.status()
    assert not status.ok and loop.good is None
    assert status.problems[0].text() == "content/actors/x.yaml:2:3: warning: never mentioned"


def test_the_terminal_report_uses_path_line_col_lines() -> None:
    out = io.StringIO()
    report = Reporter(strict=False, stream=out)
    report(Result(Diagnostics(), files={"index.html": b"", "404.html": b""}), 0.25)
    report(Result(Diagnostics(), files={"index.html": b""}, written=["index.html"], removed=["404.html"]), 0.05)
    report(failed_result(), 0.1)
    text = out.getvalue()
    assert "built 2 files in 0.25 s" in text
    assert "rebuilt in 0.05 s: 1 of 1 files changed: index.html; 1 removed: 404.html" in text
    assert "content/briefs/a.md:3:1: error: missing required field 'title'\n1 error in 1 file\n" in text
    assert text.rstrip().endswith("build failed; still serving the last good site")


# -- the watcher's filter ----------------------------------------------------------------

SITE = Path("/srv/site")


@pytest.mark.parametrize(
    "name",
    [
        ".brief.md.swp",
        ".brief.md.swx",
        "brief.md~",
        ".#brief.md",
        "4913",
        "brief.md___jb_tmp___",
        "brief.md___jb_old___",
        "#brief.md#",
        ".DS_Store",
    ],
)
def test_editor_temp_files_are_ignored(name: str) -> None:
    assert is_editor_noise(name)
    assert not wants_rebuild(SITE, FileModifiedEvent(f"/srv/site/content/briefs/{name}"))


@pytest.mark.parametrize(
    "event",
    [
        FileModifiedEvent("/srv/site/content/briefs/a.md"),
        FileCreatedEvent("/srv/site/content/actors/new.yaml"),
        FileDeletedEvent("/srv/site/content/actors/old.yaml"),
        FileClosedEvent("/srv/site/theme/templates/base.html"),
        FileModifiedEvent("/srv/site/site.toml"),
        # an atomic save: written to a hidden temp file, renamed over the real one
        FileMovedEvent("/srv/site/content/briefs/.a.md.tmp1234", "/srv/site/content/briefs/a.md"),
        # a file moved out of the content folder is a deletion
        FileMovedEvent("/srv/site/content/briefs/a.md", "/srv/site/attic/a.md"),
    ],
)
def test_source_changes_want_a_rebuild(event: FileSystemEvent) -> None:
    assert wants_rebuild(SITE, event)


@pytest.mark.parametrize(
    "event",
    [
        FileOpenedEvent("/srv/site/content/briefs/a.md"),
        FileClosedNoWriteEvent("/srv/site/content/briefs/a.md"),
        DirModifiedEvent("/srv/site/content/briefs"),
        FileModifiedEvent("/srv/site/public/index.html"),
        FileModifiedEvent("/srv/site/README.md"),
        FileModifiedEvent("/srv/site/content/.git/index"),
        FileMovedEvent("/srv/site/content/briefs/.a.md.swp", "/srv/site/content/briefs/.a.md.swx"),
    ],
)
def test_reads_output_and_other_files_do_not(event: FileSystemEvent) -> None:
    assert not wants_rebuild(SITE, event)


@pytest.mark.parametrize("poll", [False, True])
def test_a_saved_file_is_noticed(site_copy: Callable[[str], Path], poll: bool) -> None:
    site = site_copy("valid")
    noticed = threading.Event()
    observer = start_watching(site, lambda _changed: noticed.set(), poll=poll)
    try:
        brief = site / "content/briefs/fund-explained.md"
        brief.write_text(brief.read_text() + "\nOne more line.\n")
        assert noticed.wait(WAIT)
    finally:
        observer.stop()
        observer.join(WAIT)


# -- what the preview serves -------------------------------------------------------------


def _serve(site: Path) -> Running:
    running = start(site, Options(), Serving(port=0))
    running.serve_in_thread()
    return running


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One preview for the tests that only read from it."""
    site = tmp_path_factory.mktemp("serve") / "valid"
    shutil.copytree(SITES / "valid", site)
    running = _serve(site)
    yield running
    running.stop()


@pytest.fixture
def own_preview(site_copy: Callable[[str], Path]) -> Iterator[Running]:
    """A preview whose sources the test may change."""
    running = _serve(site_copy("valid"))
    yield running
    running.stop()


def get(running: Running, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=WAIT)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_the_site_is_served_under_its_base_url_path(preview: Running) -> None:
    assert preview.url == f"http://127.0.0.1:{preview.port}/briefing/"
    code, headers, body = get(preview, "/")
    assert (code, headers["location"]) == (302, "/briefing/")
    code, headers, _ = get(preview, "/briefing")
    assert (code, headers["location"]) == (302, "/briefing/")
    code, headers, _ = get(preview, "/briefing/actors")
    assert (code, headers["location"]) == (302, "/briefing/actors/")
    code, headers, _ = get(preview, "/actors/anna-berg/?x=1")
    assert (code, headers["location"]) == (302, "/briefing/actors/anna-berg/?x=1")
    code, headers, body = get(preview, "/briefing/")
    assert code == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"Fixture Briefing" in body


def test_html_gets_the_reload_script_and_nothing_else_changes(preview: Running) -> None:
    _, _, page = get(preview, "/briefing/briefs/summit-at-a-glance/")
    tags = re.findall(rb'<script src="/__briefing/reload.js" data-generation="[^"]+" defer></script>\n</body>', page)
    assert len(tags) == 1
    on_disk = (preview.out / "briefs/summit-at-a-glance/index.html").read_bytes()
    assert b"__briefing" not in on_disk, "the build output must never carry the reload script"
    css = next((preview.out / "static").glob("style.*.css"))
    code, headers, body = get(preview, f"/briefing/static/{css.name}")
    assert code == 200 and headers["content-type"] == "text/css; charset=utf-8" and body == css.read_bytes()
    code, headers, body = get(preview, "/__briefing/reload.js")
    assert code == 200 and headers["content-type"].startswith("text/javascript") and b"EventSource" in body


def test_missing_pages_get_the_sites_404_page(preview: Running) -> None:
    code, headers, body = get(preview, "/briefing/no/such/page/")
    assert code == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.startswith((preview.out / "404.html").read_bytes().split(b"</body>")[0])
    assert b"/__briefing/reload.js" in body
    code, _, _ = get(preview, "/elsewhere/")
    assert code == 404


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.svg", "image/svg+xml"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("data/x.json", "application/json"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("pagefind/wasm.en.pagefind", "application/octet-stream"),
        ("pagefind/pagefind.en_1a2b.pf_meta", "application/octet-stream"),
        ("pagefind/index/en_3c4d.pf_index", "application/octet-stream"),
        ("pagefind/fragment/en_5e6f.pf_fragment", "application/octet-stream"),
        ("pagefind/filter/en_7a8b.pf_filter", "application/octet-stream"),
        ("pagefind/pagefind-entry.json", "application/json"),
        ("x.wasm", "application/wasm"),
    ],
)
def test_content_types(preview: Running, name: str, kind: str) -> None:
    path = preview.out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(b"\x00\x01data")
    code, headers, body = get(preview, f"/briefing/{name}")
    assert (code, headers["content-type"]) == (200, kind)
    assert headers["x-content-type-options"] == "nosniff"
    assert body == path.read_bytes()


def test_head_sends_headers_only(preview: Running) -> None:
    code, headers, body = get(preview, "/briefing/", method="HEAD")
    assert code == 200 and int(headers["content-length"]) > 1000 and body == b""


def test_a_broken_file_shows_its_errors_and_the_last_good_site_stays(own_preview: Running) -> None:
    preview = own_preview
    site = preview.loop.good.library.config  # type: ignore[union-attr]
    assert site.base_path == "/briefing/"
    status = json.loads(get(preview, "/__briefing/status")[2])
    assert status["ok"] and status["problems"] == []
    assert not preview.out.resolve().is_relative_to(preview.site.resolve()), "never builds into the site"

    source = preview.site / "content/briefs/fund-explained.md"
    good_text = source.read_text()
    source.write_text(good_text.replace("title:", "title: [unclosed", 1))
    broken = _wait_for(preview, lambda s: not s.ok)
    assert any(p.path == "content/briefs/fund-explained.md" and p.line >= 1 for p in broken.problems)
    code, _, page = get(preview, "/briefing/briefs/fund-explained/")
    assert code == 200 and b"<h1" in page, "the last good page is still served"
    status = json.loads(get(preview, "/__briefing/status")[2])
    assert status["problems"][0]["text"].startswith("content/briefs/fund-explained.md:")

    source.write_text(good_text)
    fixed = _wait_for(preview, lambda s: s.ok)
    assert fixed.problems == () and fixed.generation != broken.generation


def _wait_for(running: Running, done: Callable[[Status], bool]) -> Status:
    status = running.loop.status()
    while not done(status) or status.building:
        fresh = running.loop.wait_status(status.seq, WAIT)
        assert fresh is not None, "no build followed the change"
        status = fresh
    return status


# -- the command ---------------------------------------------------------------------------


def test_serve_command_prints_its_address_and_stops_cleanly(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "serve", "--site", str(site), "--port", "0"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("serving "):
                break
        match = re.search(r"serving (http://127\.0\.0\.1:(\d+)/briefing/)", lines[-1])
        assert match, lines
        assert re.search(r"built \d+ files in", "".join(lines))
        conn = http.client.HTTPConnection("127.0.0.1", int(match[2]), timeout=WAIT)
        conn.request("GET", "/briefing/")
        assert conn.getresponse().status == 200
        conn.close()
        # the pages come first; the terminal says when the search index has caught up
        rest: list[str] = []  # what it says next, read aside so that a silent server fails the test, not hangs it
        threading.Thread(target=lambda: rest.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
        deadline = time.monotonic() + WAIT
        while "search index up to date" not in "".join(lines + rest) and time.monotonic() < deadline:
            time.sleep(0.05)
        said = "".join(lines + rest)
        assert re.search(r"search index up to date in [\d.]+ s", said), said
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(WAIT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serving_beyond_loopback_warns(site_copy: Callable[[str], Path]) -> None:
    # 192.0.2.1 is reserved for documentation: binding fails at once and nothing is sent.
    site = site_copy("valid")
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "serve", "--site", str(site), "--host", "192.0.2.1", "--port", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "warning: --host 192.0.2.1: anyone who can reach this machine" in proc.stderr
    assert proc.returncode == 2 and "cannot listen on 192.0.2.1" in proc.stderr


def test_a_busy_port_suggests_a_free_one(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--site", str(site), "--port", str(port))
    assert code == 2
    suggested = re.search(r"briefing serve --port (\d+) \(make serve PORT=(\d+)\)\n$", err)
    assert err.startswith(f"briefing: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert suggested and suggested[1] == suggested[2] and int(suggested[1]) != port
