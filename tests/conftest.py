"""Shared test helpers: fixture sites copied to a temporary folder, and the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SITES = TESTS / "sites"


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m briefing`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def site_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/sites/<name>`` to a temporary folder and return its path."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        # a build of the fixture in place leaves its cache there; copies start without it
        shutil.copytree(SITES / name, dest, ignore=shutil.ignore_patterns(".briefing-cache"))
        return dest

    return copy
