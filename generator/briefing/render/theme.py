"""Themes: the bundled one and a site's own ``theme/``, which overrides it
template by template and asset by asset."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# The bundled theme is package data (the repository's top-level ``theme/``, shipped in the
# wheel as ``briefing/theme/``), found the same way in a checkout and in an installed copy.
BUNDLED = Path(str(resources.files("briefing.theme"))).resolve()
FINGERPRINTED = (".css", ".js")


def theme_dirs(site: Path) -> list[Path]:
    """Theme folders, most specific first; the bundled theme always comes last."""
    own = site / "theme"
    dirs = [own] if own.is_dir() and own.resolve() != BUNDLED else []
    return [*dirs, BUNDLED]


@dataclass(frozen=True)
class Asset:
    source: Path
    output: str  # path below the site root, fingerprinted for CSS and JS


def assets(site: Path) -> dict[str, Asset]:
    """Static files by logical name (``style.css``), the first theme winning."""
    found: dict[str, Asset] = {}
    for theme in theme_dirs(site):
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            name = path.relative_to(static).as_posix()
            if path.is_file() and name not in found and not path.name.startswith("."):
                found[name] = Asset(path, "static/" + _fingerprint(name, path))
    return found


def _fingerprint(name: str, path: Path) -> str:
    if not name.endswith(FINGERPRINTED):
        return name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    stem, _dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}"
