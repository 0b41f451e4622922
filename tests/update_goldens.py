"""Regenerate what the golden tests compare against (``make goldens``).

- ``tests/goldens/valid/<page>``: key pages of ``tests/sites/valid``, built afresh;
- ``tests/sites/invalid-*/expected.txt``: the exact text ``briefing check`` prints;
- the output under each command of README's tutorial and docs/start.md.

A golden is only as right as the eye that checked it: read ``git diff tests/``
before committing, and check by hand that every line:col points at the value
it names.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS.parent))

from briefing.cli import main  # noqa: E402 - needs the path above when run as a script

SITES = TESTS / "sites"
GOLDENS = TESTS / "goldens" / "valid"

# One page of each kind a reader meets, and every machine-readable file.
GOLDEN_PAGES = (
    "index.html",
    "briefs/summit-at-a-glance/index.html",
    "actors/anna-berg/index.html",
    "events/summit-2025/index.html",  # with its infobox, decisions table and watch items
    "watch/index.html",
    "outcomes/fund/index.html",
    "sources/daily-report/index.html",
    "outcomes/index.html",
    "dates/2025-11/index.html",
    "data/site.json",
    "feed.xml",
    "sitemap.xml",
)

# Fingerprinted asset names change with every style edit, which says nothing about the
# pages; the determinism test still compares them byte for byte.
_FINGERPRINT = re.compile(r"\.[0-9a-f]{10}\.(css|js)\b")


def normalise(text: str) -> str:
    return _FINGERPRINT.sub(r".FINGERPRINT.\1", text)


def run(*args: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def build_valid(out: Path) -> None:
    """Build a fresh copy of the valid site, so no cache from an earlier build takes part."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "valid"
        shutil.copytree(SITES / "valid", site, ignore=shutil.ignore_patterns(".*"))
        code, _, err = run("build", "--site", str(site), "--out", str(out))
    if code != 0:
        raise SystemExit(f"the valid fixture site does not build:\n{err}")


def invalid_sites() -> list[Path]:
    return sorted(p for p in SITES.glob("invalid-*") if p.is_dir())


def diagnostics(site: Path) -> str:
    """What ``briefing check`` prints for a site, as compared with expected.txt."""
    return run("check", "--site", str(site))[2]


def update() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "public"
        build_valid(out)
        shutil.rmtree(GOLDENS, ignore_errors=True)
        for page in GOLDEN_PAGES:
            target = GOLDENS / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(normalise((out / page).read_text(encoding="utf-8")), encoding="utf-8")
    for site in invalid_sites():
        (site / "expected.txt").write_text(diagnostics(site), encoding="utf-8")
    print(
        f"updated {len(GOLDEN_PAGES)} pages in {GOLDENS.relative_to(TESTS.parent)} and "
        f"{len(invalid_sites())} expected.txt files; review them with: git diff tests/"
    )
    from test_docs_tutorials import update_pages  # the tutorials' outputs, in their pages

    changed = update_pages()
    print(
        f"updated the commands' output in {', '.join(changed)}; review: git diff" if changed else "tutorials: unchanged"
    )


if __name__ == "__main__":
    update()
