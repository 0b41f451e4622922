"""What a build changed, in one line an editor can read: which pages, not only how many."""

from __future__ import annotations

from collections.abc import Sequence

SHOWN = 5  # names listed before "and N more"
SEARCH_INDEX = "pagefind/"  # output.search.BUNDLE: its many files are one thing to an editor


def describe_changes(written: Sequence[str], removed: Sequence[str], total: int) -> str:
    """``3 of 180 files changed: briefs/a/, feed.xml and the search index`` and what was
    removed: pages by the folder their URL names, then other files, then the index."""
    parts = []
    if written:
        parts.append(f"{len(written)} of {total} files changed: {_named(written)}")
    if removed:
        parts.append(f"{len(removed)} removed: {_named(removed)}")
    return "; ".join(parts) if parts else f"nothing changed ({total} files)"


def _named(paths: Sequence[str]) -> str:
    pages = sorted(p.removesuffix("index.html") for p in paths if p.endswith("/index.html"))
    others = sorted(p for p in paths if not p.endswith("/index.html") and not p.startswith(SEARCH_INDEX))
    names = pages + others + (["the search index"] if any(p.startswith(SEARCH_INDEX) for p in paths) else [])
    if len(names) > SHOWN:
        return ", ".join(names[:SHOWN]) + f" and {len(names) - SHOWN} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
