"""The prose of bench/RESULTS.md (how the sides differ, what the shapes are, how to read
the figures), kept in ``notes.md`` beside this module: Markdown tables are long lines."""

from __future__ import annotations

from pathlib import Path


def parts() -> dict[str, str]:
    """``notes.md``'s parts by name: each starts at a line ``%% name``."""
    text = (Path(__file__).resolve().with_name("notes.md")).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for chunk in text.split("\n%% ")[1:]:
        name, _, body = chunk.partition("\n")
        found[name.strip()] = body.strip()
    return found
