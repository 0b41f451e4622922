"""Build the bundled site (the repository root) into a folder, search index included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def build_site(out: Path, base_url: str | None = None, site: Path = REPO) -> Path:
    """Run ``briefing build`` as a user would; returns ``out``."""
    args = [sys.executable, "-m", "generator", "build", "--site", str(site), "--out", str(out)]
    if base_url:
        args += ["--base-url", base_url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the build failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    if not (out / "pagefind" / "pagefind-entry.json").exists():
        _add_search(out, site, base_url)
    return out


def _add_search(out: Path, site: Path, base_url: str | None) -> None:
    """Index the written pages when the build does not run the search step itself."""
    from generator.config import load_config
    from generator.diagnostics import Diagnostics
    from generator.search import search_files

    config = load_config(site, Diagnostics())
    assert config is not None
    if base_url:
        config = config.with_base_url(base_url)
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    for path, data in search_files(files, config).items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
