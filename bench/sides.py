"""What is timed: each side of a comparison as a function that runs once and returns a
``measure.Run``, and ``paired``, which alternates the sides run by run.

briefing is always the installed command (``.venv/bin/briefing`` of a checkout) with
its default settings, run in the site's folder as a user runs it. The one exception
is the build without search while ``briefing build`` has no ``--no-search``: then it
is ``briefing_build.py``, the same Builder with its search step removed, and labelled
so (``Briefing.no_search_label``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import peers
from measure import Run, median, run, sequence
from workdir import BENCH, clear, settle

Side = Callable[[bool], Run]  # sample (the process tree's memory) -> one run


def checked(r: Run, what: str) -> Run:
    if r.returncode != 0:
        raise SystemExit(f"{what} failed ({r.returncode}):\n{r.output[-2000:]}")
    return r


@dataclass
class Briefing:
    """One checkout's installed ``briefing``."""

    exe: Path
    label: str = "briefing"

    @property
    def python(self) -> Path:
        return self.exe.parent / "python"

    @cached_property
    def has_no_search(self) -> bool:
        """Whether ``briefing build`` offers ``--no-search`` (asked, not assumed)."""
        help_text = subprocess.run([str(self.exe), "build", "--help"], capture_output=True, text=True).stdout
        return "--no-search" in help_text

    def build(self) -> list[str]:
        return [str(self.exe), "build"]

    def build_no_search(self) -> list[str]:
        if self.has_no_search:
            return [str(self.exe), "build", "--no-search"]
        return [str(self.python), str(BENCH / "briefing_build.py"), "."]

    @property
    def no_search_label(self) -> str:
        if self.has_no_search:
            return "`briefing build --no-search`"
        return (
            "`bench/briefing_build.py`: the installed package's Builder with its search step removed "
            "(`briefing build` has no `--no-search` yet)"
        )

    def cold(self, site: Path, search: bool = True) -> Side:
        """A build with no cache and no output, as in a fresh clone."""

        def once(sample: bool) -> Run:
            settle(site)
            clear(site / "public")
            clear(site / ".briefing-cache")
            cmd = self.build() if search else self.build_no_search()
            return checked(run(cmd, cwd=site, sample=sample), f"{self.label} cold build")

        return once

    def again(self, site: Path, edit: Callable[[int], None] | None = None) -> Side:
        """A build after the last one, with ``edit(i)`` made first (or nothing changed)."""
        count = [0]

        def once(sample: bool) -> Run:
            settle(site)
            if edit is not None:
                edit(count[0])
            count[0] += 1
            return checked(run(self.build(), cwd=site, sample=sample), f"{self.label} rebuild")

        return once


def hugo_cold(site: Path, theme: str, search: bool) -> Side:
    """``hugo`` with one of the two themes; with ``search``, then ``pagefind --site public``."""

    def once(sample: bool) -> Run:
        for path in peers.hugo_clear_paths(site):
            clear(path)
        h = checked(run(peers.hugo_command(site, theme, site / "public"), sample=sample), f"hugo ({theme})")
        if not search:
            return h
        p = checked(run(peers.pagefind_command(site / "public"), sample=sample), "pagefind")
        return sequence({"hugo": h, "pagefind": p})

    return once


def pelican_cold(site: Path, python: str) -> Side:
    def once(sample: bool) -> Run:
        clear(site / "output")
        return checked(run(peers.pelican_command(python), cwd=site, sample=sample), "pelican build")

    return once


@dataclass
class Stats:
    """A side's runs, summarised: medians, every value, and the peaks."""

    seconds: float
    all: list[float]
    settled: float
    settled_all: list[float]
    maxrss_mb: float
    tree_mb: float = 0.0
    tree_pss_mb: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    cpu: float = 0.0  # median CPU seconds (user and system) of all the command's processes
    cpu_all: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)  # the 1-minute load average as each run started

    @classmethod
    def of(cls, runs: list[Run], sampled: Run | None = None, loads: list[float] | None = None) -> Stats:
        everything = runs + ([sampled] if sampled else [])
        names = runs[0].parts.keys()
        return cls(
            median([r.seconds for r in runs]),
            [round(r.seconds, 3) for r in runs],
            median([r.settled for r in runs]),
            [round(r.settled, 3) for r in runs],
            max(r.maxrss_mb for r in everything),
            sampled.tree_mb if sampled else 0.0,
            sampled.tree_pss_mb if sampled else 0.0,
            {k: median([r.parts[k] for r in runs]) for k in names},
            median([r.cpu for r in runs]),
            [round(r.cpu, 3) for r in runs],
            loads or [],
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def paired(title: str, sides: dict[str, Side], runs: int, sampled: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """``runs`` rounds, each running every side once in turn (so that a change in the
    machine's load falls on all sides alike); then one run of each ``sampled`` side with
    its process tree's memory sampled (sampling slows a run: see ``measure``)."""
    results: dict[str, list[Run]] = {name: [] for name in sides}
    loads: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(runs):
        for name, side in sides.items():
            loads[name].append(round(os.getloadavg()[0], 2))
            r = side(False)
            results[name].append(r)
            print(
                f"    {title:<15} {name:<22} run {i + 1}: {r.seconds:8.2f} s, CPU {r.cpu:7.2f} s, "
                f"load {loads[name][-1]:.1f}",
                flush=True,
            )
    samples = {name: sides[name](True) for name in sampled if name in sides}
    return {name: Stats.of(results[name], samples.get(name), loads[name]).as_dict() for name in sides}
