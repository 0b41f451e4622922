"""Run the commands a Markdown page shows, and compare their output with the page's.

A page's ```` ```console ```` blocks hold ``$ command`` lines, each followed by the output
the command prints (standard output and standard error, as a terminal shows them).
``briefing …`` runs this checkout's package (``python -m briefing``), ``cd DIR`` moves
on, and any other command runs in the shell. A block with an info string such as
```` ```yaml title="content/actors/x.yaml" ```` is a file the reader is told to write:
it is written, whole, where it stands in the page. Other edits the page describes in
words are the test's to make, as ``Edit``s run before a given command.

``update(page, …)`` writes what the commands print back into the page, for an
intended change of output (``make goldens`` runs it); review it with ``git diff``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(?P<info>.*)$")
TITLE = re.compile(r'title="(?P<path>[^"]+)"')


@dataclass
class Step:
    """One ``$ command`` of a console block and the output the page shows for it."""

    command: str
    expected: list[str]
    line: int  # 0-based index of the "$ " line in the page
    end: int  # index after the last line of expected output


@dataclass
class FileBlock:
    """A file the page tells the reader to write, with the text it shows."""

    path: str
    text: str
    line: int


@dataclass
class Edit:
    """A change the page describes in words, made before the ``nth`` (1-based) run of
    ``before``; ``apply`` gets the folder the commands run in."""

    before: str
    nth: int
    apply: Callable[[Path], None]


@dataclass
class Outcome:
    step: Step
    actual: list[str]

    @property
    def ok(self) -> bool:
        return self.actual == self.expected_lines

    @property
    def expected_lines(self) -> list[str]:
        return [line.rstrip() for line in self.step.expected]


def parse(text: str) -> list[Step | FileBlock]:
    """The page's console steps and files to write, in page order."""
    lines = text.split("\n")
    out: list[Step | FileBlock] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m["info"].strip():
            i += 1
            continue
        info, start = m["info"].strip(), i + 1
        end = start
        while end < len(lines) and lines[end] != "```":
            end += 1
        if info == "console":
            out.extend(_steps(lines, start, end))
        elif title := TITLE.search(info):
            out.append(FileBlock(title["path"], "\n".join(lines[start:end]) + "\n", start))
        i = end + 1
    return out


def _steps(lines: list[str], start: int, end: int) -> list[Step]:
    steps: list[Step] = []
    for i in range(start, end):
        if lines[i].startswith("$ "):
            if steps:
                steps[-1].end = i
            steps.append(Step(lines[i][2:], [], i, end))
        elif steps:
            steps[-1].expected.append(lines[i])
    return steps


@dataclass
class Runner:
    """Walks a page in a folder: ``root`` is where the first command runs."""

    root: Path
    edits: list[Edit] = field(default_factory=list)
    cwd: Path = field(init=False)
    seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cwd = self.root

    def walk(self, items: list[Step | FileBlock]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for item in items:
            if isinstance(item, FileBlock):
                target = self.cwd / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(item.text, encoding="utf-8")
                continue
            self.seen[item.command] = self.seen.get(item.command, 0) + 1
            for edit in self.edits:
                if edit.before == item.command and edit.nth == self.seen[item.command]:
                    edit.apply(self.cwd)
            outcomes.append(Outcome(item, self.run(item.command)))
        unused = [e for e in self.edits if self.seen.get(e.before, 0) < e.nth]
        assert not unused, f"edits whose command the page no longer runs: {[(e.before, e.nth) for e in unused]}"
        return outcomes

    def run(self, command: str) -> list[str]:
        args = shlex.split(command)
        if args[0] == "cd":
            self.cwd = (self.cwd / args[1]).resolve()
            return []
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
        if args[0] == "briefing":
            cmd: list[str] | str = [sys.executable, "-m", "briefing", *args[1:]]
        else:
            cmd = command
        done = subprocess.run(
            cmd,
            cwd=self.cwd,
            shell=isinstance(cmd, str),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        return self.normalise(done.stdout)

    def normalise(self, output: str) -> list[str]:
        """Temporary folders read as the page's relative paths."""
        for folder in sorted({self.cwd, self.root.resolve(), self.root}, key=lambda p: -len(str(p))):
            output = output.replace(f"{folder}/", "").replace(str(folder), ".")
        return [line.rstrip() for line in output.rstrip("\n").split("\n")] if output.strip() else []


def report(page: Path, outcomes: list[Outcome]) -> str:
    """Every step whose output differs from the page, with the page's line."""
    parts = []
    for o in outcomes:
        if not o.ok:
            parts.append(
                f"{page.name}:{o.step.line + 1}: $ {o.step.command}\n"
                + "  the page shows:\n"
                + "".join(f"    {line}\n" for line in o.expected_lines)
                + "  the command printed:\n"
                + "".join(f"    {line}\n" for line in o.actual)
            )
    return "\n".join(parts)


def update(page: Path, outcomes: list[Outcome]) -> bool:
    """Write each command's actual output into the page; True when it changed."""
    lines = page.read_text(encoding="utf-8").split("\n")
    for o in sorted(outcomes, key=lambda o: -o.step.line):
        lines[o.step.line + 1 : o.step.end] = o.actual
    text = "\n".join(lines)
    changed = text != page.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    return changed
