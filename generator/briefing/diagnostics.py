"""Content diagnostics: collected by every stage, printed only by the CLI.

Library code never exits or prints; it appends to a ``Diagnostics`` list so an
editor sees every mistake in one run (unlike generators that stop at the first).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place; ``line`` and ``col`` are 1-based."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


@dataclass
class Diagnostics:
    """An append-only collection; sorted on output so reports are stable."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, pos: tuple[int, int], code: str, message: str) -> None:
        self.items.append(Diagnostic(path, pos[0], pos[1], "error", code, message))

    def warning(self, path: str, pos: tuple[int, int], code: str, message: str) -> None:
        self.items.append(Diagnostic(path, pos[0], pos[1], "warning", code, message))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))


def format_text(diags: list[Diagnostic], strict: bool = False) -> str:
    """Render diagnostics one per line, then the ``N errors in M files`` summary."""
    lines = [d.text() for d in diags]
    errors = [d for d in diags if d.severity == "error" or strict]
    if errors:
        files = len({d.path for d in errors})
        lines.append(f"{_plural(len(errors), 'error')} in {_plural(files, 'file')}")
    elif diags:
        lines.append(f"{_plural(len(diags), 'warning')}, no errors")
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(diags: list[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diags], indent=2, ensure_ascii=False) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
