"""Builds that overlap, as they do at a desk: an editor's build while a git hook or a
second terminal runs another. Builds of one output take turns (the second waits, or
with --no-wait refuses); builds of different outputs, and the dev server, run side by
side; none of them is told it hit a bug, and every output equals a clean build's."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.engine import output as engine_output
from briefing.output.lock import WAIT_ENV, lock_path
from briefing.pipeline import Options
from briefing.serve.server import Running, Serving, start
from conftest import REPO
from test_build import snapshot
from test_incremental import append_prose
from test_killed_build import add_briefs
from update_goldens import run

WAIT = 120.0


def start_build(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``briefing build`` in a session of its own (a kill reaches its workers too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "build", "--site", str(site), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    seen = getattr(proc, "seen", "")
    out, err = proc.communicate(timeout=WAIT)
    return proc.returncode, seen + out + err


@contextlib.contextmanager
def paused(proc: subprocess.Popen[str]) -> Iterator[None]:
    """Stop ``proc`` (and its workers) for the block, so it holds its lock however fast
    the machine is, and let it go on after."""
    os.killpg(proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGCONT)


def says_waiting(proc: subprocess.Popen[str]) -> None:
    """Read ``proc``'s stderr until it says it waits (kept for ``finish``)."""
    seen = ""
    assert proc.stderr is not None
    while "waiting for another build" not in seen:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    proc.seen = seen  # type: ignore[attr-defined]
    assert "waiting for another build" in seen, seen


def holding(out: Path, proc: subprocess.Popen[str]) -> None:
    """Wait until ``proc`` holds the lock of ``out`` (its pid is in the lock file)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if lock_path(out).read_text().strip() == str(proc.pid):
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise AssertionError(f"build {proc.pid} never took the lock (exit {proc.poll()})")


def clean_build(site: Path, out: Path) -> dict[str, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "build", "--site", str(site), "--out", str(out), "--clean"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return snapshot(out)


def assert_no_bug(text: str) -> None:
    assert "bug" not in text and "Traceback" not in text and "internal error" not in text, text


@pytest.fixture
def big_site(site_copy: Callable[[str], Path]) -> Path:
    """The valid site with enough briefs that a build takes a second or two."""
    site = site_copy("valid")
    add_briefs(site, 0)
    return site


def test_four_builds_started_together_take_turns(big_site: Path, tmp_path: Path) -> None:
    site, out = big_site, big_site / "public"
    builds = [start_build(site) for _ in range(4)]
    results = [finish(p) for p in builds]
    for code, text in results:
        assert code == 0, text
        assert_no_bug(text)
    assert snapshot(out) == clean_build(site, tmp_path / "clean")

    add_briefs(site, 1)  # an edit, then one build that holds the lock and three that wait for it
    first = start_build(site)
    holding(out, first)
    with paused(first):
        waiting = [start_build(site) for _ in range(3)]
        for proc in waiting:
            says_waiting(proc)
    code, text = finish(first)
    assert code == 0 and "wrote" in text, text
    for proc in waiting:
        code, text = finish(proc)
        assert code == 0, text
        assert_no_bug(text)
        assert f"waiting for another build of {out}/ (pid {first.pid}) to finish" in text
        assert "nothing changed" in text  # the first left the output up to date
    assert snapshot(out) == clean_build(site, tmp_path / "clean-2")


def test_no_wait_refuses_at_once_while_another_build_runs(big_site: Path, tmp_path: Path) -> None:
    site, out = big_site, big_site / "public"
    first = start_build(site)
    holding(out, first)
    with paused(first):
        refused = [start_build(site, "--no-wait") for _ in range(3)]
        results = [finish(proc) for proc in refused]
    for code, text in results:
        assert code == 2, text
        assert_no_bug(text)
        assert f"another build of {out}/ (pid {first.pid}) has not finished; not waiting for it" in text
    assert finish(first)[0] == 0
    assert snapshot(out) == clean_build(site, tmp_path / "clean")
    code, text = finish(start_build(site, "--no-wait"))  # alone, it builds as usual
    assert code == 0 and "not waiting" not in text, text


def test_a_killed_lock_holder_leaves_the_lock_to_the_next_build(big_site: Path, tmp_path: Path) -> None:
    site, out = big_site, big_site / "public"
    assert finish(start_build(site))[0] == 0
    before = snapshot(out)
    add_briefs(site, 1)
    holder = start_build(site)
    holding(out, holder)
    waiting = [start_build(site) for _ in range(3)]
    time.sleep(0.4)  # part-way through its build
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait()
    after_kill = snapshot(out)
    assert after_kill in (before, clean_build(site, tmp_path / "new")), "the kill left a mixed site"
    for proc in waiting:
        code, text = finish(proc)
        assert code == 0, text
        assert_no_bug(text)
    assert snapshot(out) == clean_build(site, tmp_path / "clean")


def test_a_build_that_waits_too_long_gives_up_clearly(big_site: Path) -> None:
    site, out = big_site, big_site / "public"
    holder = start_build(site)
    holding(out, holder)
    with paused(holder):
        code, text = finish(start_build(site, env={WAIT_ENV: "0.2"}))
    assert code == 2, text
    assert_no_bug(text)
    assert f"gave up after waiting 0.2 seconds for another build of {out}/ (pid {holder.pid}) to finish" in text
    assert finish(holder)[0] == 0


def test_a_lock_file_naming_a_dead_process_is_no_obstacle(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock_path(site / "public").write_text(dead.stdout)
    code, text = finish(start_build(site, "--no-wait"))
    assert code == 0 and "waiting" not in text, text


def test_builds_of_two_outputs_run_side_by_side(big_site: Path, tmp_path: Path) -> None:
    """Two folders named alike (their spare outputs must not be one folder) and a third
    elsewhere, built together again and again from one site and its one cache."""
    site = big_site
    outs = [tmp_path / "a" / "public", tmp_path / "b" / "public", site / "public"]
    for round_ in range(1, 3):
        add_briefs(site, round_)
        builds = [start_build(site, "--out", str(out)) for out in outs]
        for proc in builds:
            code, text = finish(proc)
            assert code == 0, text
            assert_no_bug(text)
        reference = clean_build(site, tmp_path / f"clean-{round_}")
        for out in outs:
            assert snapshot(out) == reference, f"round {round_}: {out} differs from a clean build"


def test_a_build_of_one_output_never_takes_the_spare_of_another(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache folder keeps each output's previous version (its spare) for the next
    build to update. ``a/public`` and ``b/public`` have one name: while a build of one
    brings its spare up to date, a build of the other (here, made to come in between)
    must not put its own previous output there."""
    site = site_copy("valid")
    a, b = tmp_path / "a" / "public", tmp_path / "b" / "public"
    for out in (b, b, a, a):  # b has a previous output; a has a spare and the last state
        assert run("build", "--site", str(site), "--out", str(out))[0] == 0
        append_prose("fund-explained", "One more line.")(site)
    real_update = engine_output.update_site
    between: list[tuple[int, str, str]] = []

    def slow_update(*args: Any, **kwargs: Any) -> None:
        if not between:
            between.append(run("build", "--site", str(site), "--out", str(b)))
        real_update(*args, **kwargs)

    monkeypatch.setattr(engine_output, "update_site", slow_update)
    assert run("build", "--site", str(site), "--out", str(a))[0] == 0
    assert between and between[0][0] == 0, between
    reference = clean_build(site, tmp_path / "clean")
    assert snapshot(a) == reference
    assert snapshot(b) == reference


@pytest.fixture
def served(big_site: Path) -> Iterator[Running]:
    running = start(big_site, Options(), Serving(port=0))
    running.serve_in_thread()
    yield running
    running.stop()


def test_serve_and_build_side_by_side_keep_each_others_files(served: Running, tmp_path: Path) -> None:
    site = served.site
    add_briefs(site, 1)
    builds = [start_build(site) for _ in range(2)]
    for proc in builds:
        code, text = finish(proc)
        assert code == 0, text
        assert_no_bug(text)
    expected = clean_build(site, tmp_path / "clean")
    assert snapshot(site / "public") == expected
    assert preview_becomes(served, expected), "the preview did not catch up with the edit"


def preview_becomes(running: Running, expected: dict[str, bytes]) -> bool:
    """Whether the preview's own folder comes to hold ``expected`` once it has rebuilt."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        running.loop.wait_idle()
        try:
            if snapshot(running.out) == expected:
                return True
        except OSError:  # a file replaced while it was read: look again
            pass
        time.sleep(0.2)
    return False
