"""Builds killed at random moments (SIGKILL, no chance to clean up) must leave the
previous output byte for byte as it was, and the next build must clean up after them."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from test_build import snapshot
from update_goldens import run

ROUNDS = 8
EXTRA_BRIEFS = 150  # enough pages that a kill often lands while files are being written


def add_briefs(site: Path, round_: int) -> None:
    """(Re)write the extra briefs so that each round's output differs from the last."""
    for i in range(EXTRA_BRIEFS):
        (site / f"content/briefs/extra-{i}.md").write_text(
            f"---\ntitle: Extra {i}, round {round_}\ndate: 2025-11-{1 + i % 28:02d}\ntags: [extra]\n---\n"
            f"[[anna-berg]] and [[karl-ode]] at the [[summit-2025]] [@daily-report].\n",
            encoding="utf-8",
        )


def start_build(site: Path) -> subprocess.Popen[bytes]:
    # a session of its own, so the kill reaches any worker processes too
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "build", "--site", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def clean_build(site: Path, out: Path) -> dict[str, bytes]:
    """What the site's content gives when built afresh elsewhere, with nothing left over."""
    code, _, err = run("build", "--site", str(site), "--out", str(out))
    assert code == 0, err
    return snapshot(out)


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith("public") and p.name != "public")


def test_killed_builds_leave_the_previous_output_intact(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    rng = random.Random(20251127)
    site = site_copy("valid")
    add_briefs(site, 0)
    assert run("build", "--site", str(site))[0] == 0
    current = snapshot(site / "public")
    started = time.monotonic()
    assert run("build", "--site", str(site), "--out", str(tmp_path / "timing"))[0] == 0
    span = (time.monotonic() - started) + 0.5  # allow for the interpreter's start-up
    outcomes = []
    for round_ in range(1, ROUNDS + 1):
        add_briefs(site, round_)
        debris_before = set(leftovers(site))
        proc = start_build(site)
        if round_ % 2:
            time.sleep(rng.uniform(0, span))
        else:  # aim at the narrow window where the new output is being written beside the old
            deadline = time.monotonic() + 4 * span
            while not set(leftovers(site)) - debris_before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        after = snapshot(site / "public")
        if after != current:  # the kill came after the swap: the output must be the whole new site
            assert after == clean_build(site, tmp_path / f"reference-{round_}"), f"round {round_}: a mixed site"
        killed_mid_write = bool(set(leftovers(site)) - debris_before)
        outcomes.append(("old" if after == current else "new") + (" (killed mid-write)" if killed_mid_write else ""))
        current = after
    assert run("build", "--site", str(site))[0] == 0
    assert snapshot(site / "public") == clean_build(site, tmp_path / "reference"), (
        "a build after kills differs from a clean build"
    )
    assert leftovers(site) == []
    print("killed rounds left:", outcomes)
