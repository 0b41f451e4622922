"""Key pages of the valid fixture site, compared with stored goldens.

``tests/goldens/valid/`` holds one page of each kind plus the machine-readable
files; ``make goldens`` rewrites them after an intended change (review the diff).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from update_goldens import GOLDEN_PAGES, GOLDENS, build_valid, normalise

MAX_DIFF_LINES = 80


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "public"
    build_valid(out)
    return out


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_page_matches_its_golden(built: Path, page: str) -> None:
    expected = (GOLDENS / page).read_text(encoding="utf-8")
    actual = normalise((built / page).read_text(encoding="utf-8"))
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), f"goldens/valid/{page}", f"built/{page}"
            )
        )
        shown = "".join(diff[:MAX_DIFF_LINES])
        more = f"... {len(diff) - MAX_DIFF_LINES} more diff lines\n" if len(diff) > MAX_DIFF_LINES else ""
        pytest.fail(
            f"{page} differs from its golden; if the change is intended, run `make goldens` "
            f"and review `git diff tests/goldens`:\n{shown}{more}"
        )
