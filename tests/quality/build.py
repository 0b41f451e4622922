"""Build the bundled site (the repository root) into a folder, search index included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Records that exist to be hard to lay out (a wide table, a long word, a long link), added to
# a copy of the bundled site for the browser tests and never to the bundled content itself.
EXTRA = Path(__file__).resolve().parent / "extra"


def bundled_with_extra(folder: Path) -> Path:
    """A copy of the bundled site's settings and content in ``folder``, with ``EXTRA``'s
    records added to its ``content/``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "site.toml", folder / "site.toml")
    shutil.copytree(REPO / "content", folder / "content", dirs_exist_ok=True)
    shutil.copytree(EXTRA, folder / "content", dirs_exist_ok=True)
    return folder


# ``briefing build`` with the search index split into shards of a few pages, as a site of
# thousands of record pages has it
SHARDED = "import sys; from briefing.output import search; search.SHARD_PAGES = {}; from briefing.cli import main; "
SHARDED += "sys.exit(main(sys.argv[1:]))"


def build_site(out: Path, base_url: str | None = None, site: Path = REPO, shard_pages: int = 0) -> Path:
    """Run ``briefing build`` as a user would (with ``shard_pages``, the index in shards of
    that many pages); returns ``out``."""
    command = ["-c", SHARDED.format(shard_pages)] if shard_pages else ["-m", "briefing"]
    args = [sys.executable, *command, "build", "--site", str(site), "--out", str(out)]
    if base_url:
        args += ["--base-url", base_url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the build failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    if not (out / "pagefind" / "pagefind-entry.json").exists():
        raise RuntimeError("the build wrote no search index (pagefind/pagefind-entry.json)")
    return out
