"""Content diagnostics: collected by every stage, printed only by the CLI.

Library code never exits or prints; it appends to a ``Diagnostics`` list so an
editor sees every mistake in one run (unlike generators that stop at the first).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]


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

    def note(self, path: str, pos: tuple[int, int], code: str, message: str) -> None:
        """Context for an error printed just before it (same path and position): never fails a build."""
        self.items.append(Diagnostic(path, pos[0], pos[1], "note", code, message))

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
    """Render diagnostics one per line, then a summary: ``N errors in M files``, with the
    warnings that ``--strict`` fails on counted as warnings, not as errors."""
    lines = [d.text() for d in diags]
    errors = [d for d in diags if d.severity == "error"]
    warnings = [d for d in diags if d.severity == "warning"]
    if errors:
        files = len({d.path for d in errors})
        summary = f"{_plural(len(errors), 'error')} in {_plural(files, 'file')}"
        if strict and warnings:
            summary += f", and {_plural(len(warnings), 'warning')} (fails with --strict)"
        lines.append(summary)
    elif warnings:
        fails = " (fails with --strict)" if strict else ""
        lines.append(f"{_plural(len(warnings), 'warning')}{fails}, no errors")
    return "\n".join(lines) + ("\n" if lines else "")


def format_ok(records: int, files: int) -> str:
    """The one line ``check`` prints when there is nothing to report."""
    return f"ok: {_plural(records, 'record')} in {_plural(files, 'file')}, no errors, no warnings\n"


def format_json(diags: list[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diags], indent=2, ensure_ascii=False) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
