"""Errors from the machine (a full disk, a read-only file system, no permission) are
not bugs: the build says what happened and where, keeps the previous output, and exits
4; the dev server reports them and goes on serving the last good site."""

from __future__ import annotations

import errno
import http.client
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.output import files, write
from briefing.pipeline import Options
from briefing.serve.server import Running, Serving, start
from conftest import REPO
from test_build import snapshot
from test_incremental import append_prose
from update_goldens import run


def fail_writes(monkeypatch: pytest.MonkeyPatch, failing: Any) -> None:
    """Every write of the output, the swap's and each file's, through ``failing``."""
    monkeypatch.setattr(write, "os", failing)
    monkeypatch.setattr(files, "os", failing)


EXIT_MACHINE = 4


class FailingOs:
    """``os`` as ``write.py`` sees it, with ``write`` failing with ``error`` after ``after`` calls."""

    def __init__(self, error: int, after: int = 0) -> None:
        self.error, self.left = error, after

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: Any) -> int:
        if self.left <= 0:
            raise OSError(self.error, os.strerror(self.error))
        self.left -= 1
        return os.write(fd, data)


def debris(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f"{out.name}.tmp-"))


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (errno.ENOSPC, "free some space on that disk"),
        (errno.EDQUOT, "quota"),
        (errno.EACCES, "check the owner and permissions"),
        (errno.EPERM, "check the owner and permissions"),
        (errno.EROFS, "read-only: write somewhere else"),
        (errno.ENAMETOOLONG, "use a shorter folder path"),
        (errno.EMFILE, "ulimit -n"),
    ],
)
def test_a_failed_write_says_what_and_where_and_keeps_the_previous_output(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, error: int, advice: str
) -> None:
    site = site_copy("valid")
    out = site / "public"
    assert run("build", "--site", str(site))[0] == 0
    before = snapshot(out)
    append_prose("fund-explained", "One more line.")(site)
    fail_writes(monkeypatch, FailingOs(error, after=3))
    code, _, stderr = run("build", "--site", str(site))
    assert code == EXIT_MACHINE, stderr
    what = os.strerror(error)
    first, second = stderr.splitlines()
    assert first.startswith(f"briefing: {what[0].lower()}{what[1:]}: {out.parent}"), first
    assert second.startswith(f"the previous output in {out} is unchanged; ") and advice in second, second
    assert "bug" not in stderr and "Traceback" not in stderr
    assert snapshot(out) == before and debris(out) == []
    if error != errno.ENOSPC:
        return
    monkeypatch.undo()  # space again: the next build finishes what this one could not
    assert run("build", "--site", str(site))[0] == 0
    assert run("build", "--site", str(site), "--out", str(site.parent / "clean"), "--clean")[0] == 0
    assert snapshot(out) == snapshot(site.parent / "clean")


def test_a_first_build_on_a_full_disk_says_nothing_was_written(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    fail_writes(monkeypatch, FailingOs(errno.ENOSPC, after=10))
    code, _, stderr = run("build", "--site", str(site))
    assert code == EXIT_MACHINE
    assert "no space left on device: " in stderr and f"nothing was written to {site / 'public'}" in stderr
    assert not (site / "public").exists()
    assert debris(site / "public") == []  # the half-made folder was put aside at once


# -- a real file system: a small tmpfs ------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs, where mounting is allowed (root on Linux); else the test is skipped."""
    where = tmp_path / "disk"
    where.mkdir()
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs Linux")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def fill(disk: Path, leave: int) -> None:
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def test_a_full_disk_and_a_read_only_one_are_reported_as_such(
    site_copy: Callable[[str], Path], small_disk: Path, tmp_path: Path
) -> None:
    site = site_copy("valid")
    out = small_disk / "public"
    assert cli("build", "--site", site, "--out", out).returncode == 0
    before = snapshot(out)

    append_prose("fund-explained", "One more line.")(site)
    fill(small_disk, leave=16 * 1024)
    full = cli("build", "--site", site, "--out", out)
    assert full.returncode == EXIT_MACHINE, full.stderr
    assert full.stderr.startswith(f"briefing: no space left on device: {small_disk}/")
    assert f"the previous output in {out} is unchanged; free some space" in full.stderr
    assert "bug" not in full.stderr
    assert snapshot(out) == before

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    read_only = cli("build", "--site", site, "--out", out)
    assert read_only.returncode == EXIT_MACHINE, read_only.stderr
    assert read_only.stderr.startswith(f"briefing: read-only file system: {small_disk}/")
    assert "read-only: write somewhere else" in read_only.stderr
    assert snapshot(out) == before
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)

    (small_disk / "filler").unlink()
    assert cli("build", "--site", site, "--out", out).returncode == 0
    assert cli("build", "--site", site, "--out", tmp_path / "clean", "--clean").returncode == 0
    assert snapshot(out) == snapshot(tmp_path / "clean")


# -- the dev server ----------------------------------------------------------------------


@pytest.fixture
def served(site_copy: Callable[[str], Path]) -> Iterator[Running]:
    running = start(site_copy("valid"), Options(), Serving(port=0))
    running.serve_in_thread()
    yield running
    running.stop()


def page(running: Running, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def rebuilt(running: Running) -> Any:
    seen = running.loop.status().seq
    status = running.loop.wait_status(seen, 60)
    assert status is not None, "no build followed the edit"
    return status


def test_the_dev_server_survives_a_full_disk(served: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    brief = "/briefing/briefs/fund-explained/"
    fail_writes(monkeypatch, FailingOs(errno.ENOSPC))
    append_prose("fund-explained", "Written while the disk was full.")(served.site)
    status = rebuilt(served)
    assert not status.ok
    (problem,) = status.problems
    assert problem.message.startswith("no space left on device: ") and "free some space" in problem.message
    assert "internal error" not in problem.message
    code, body = page(served, brief)
    assert code == 200 and b"Written while the disk was full." not in body  # the last good site

    monkeypatch.undo()
    append_prose("fund-explained", "And after it was freed.")(served.site)
    assert rebuilt(served).ok
    code, body = page(served, brief)
    assert code == 200 and b"And after it was freed." in body
