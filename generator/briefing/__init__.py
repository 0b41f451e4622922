"""briefing: a static site generator for curated briefing records."""

import os

__version__ = "0.1.0"

if os.name != "posix":  # pragma: no cover - the tests run on Linux
    # builds of one output take turns through POSIX file locks (fcntl), and large builds
    # fork worker processes: Linux and macOS have both, Windows has neither
    raise ImportError("briefing runs on Linux and macOS (on Windows, inside WSL): it needs POSIX file locks")
