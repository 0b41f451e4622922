"""Ids from titles, transliterating other scripts (``Путин`` -> ``putin``)."""

from __future__ import annotations

from slugify import slugify as _slugify


def slugify(title: str, max_length: int = 60) -> str:
    """A contract-valid id: lower-case ASCII, digits and single hyphens."""
    return str(_slugify(title, max_length=max_length, word_boundary=True, lowercase=True))
