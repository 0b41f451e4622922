"""Running a command and measuring it: wall time (until it returns, and until every
process it started has ended), the largest process's peak resident memory
(``ru_maxrss``, taken by ``launch.py``), and, when asked, the peak of the whole
process tree's memory, sampled from ``/proc`` (a build that forks workers
spreads its memory over several processes) both as the sum of resident sizes
(which counts a page shared by a parent and its forked children once per
process) and as the sum of proportional sizes (PSS: a shared page is divided
among the processes sharing it, so the sum is the memory the tree really uses).

Sampling is not free: reading ``smaps_rollup`` walks a process's page tables
under its memory lock, every 20 ms, on a machine with two cores. It made a
10,000-brief cold build 4-5 s slower (22 s → 27 s) and Hugo's 2-4 s slower,
while single-threaded Pelican, with a core to spare, hardly noticed. So a
timed run is never sampled; memory comes from runs of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

LAUNCH = Path(__file__).resolve().with_name("launch.py")


@dataclass
class Run:
    seconds: float  # until the command returned
    maxrss_mb: float  # largest single process it started, itself included (ru_maxrss)
    tree_mb: float  # peak sum of resident sizes over the process and its descendants (0 unless sampled)
    tree_pss_mb: float  # peak sum of proportional set sizes over the same tree (0 unless sampled)
    returncode: int
    output: str
    settled: float = 0.0  # until every process it started had ended (a cache saved in the background)
    cpu: float = 0.0  # user and system time of every process it started
    parts: dict[str, float] = field(default_factory=dict)  # seconds of each command of a sequence


def sequence(runs: dict[str, Run]) -> Run:
    """Commands run one after the other, as one (``hugo`` then ``pagefind``): times add up,
    peaks are the largest, the first failure is the sequence's."""
    first = next(iter(runs.values()))
    failed = next((r for r in runs.values() if r.returncode), first)
    return Run(
        sum(r.seconds for r in runs.values()),
        max(r.maxrss_mb for r in runs.values()),
        max(r.tree_mb for r in runs.values()),
        max(r.tree_pss_mb for r in runs.values()),
        failed.returncode,
        "".join(r.output for r in runs.values()),
        sum(r.settled for r in runs.values()),
        sum(r.cpu for r in runs.values()),
        {name: r.seconds for name, r in runs.items()},
    )


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def _status_mb(path: str, field: str) -> float:
    """A ``field: N kB`` line of a /proc file, in MB (0 when the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_mb(pid: int) -> tuple[float, float]:
    """The sums of resident and of proportional sizes over ``pid`` and its descendants."""
    rss, pss, todo = 0.0, 0.0, [pid]
    while todo:
        p = todo.pop()
        rss += _status_mb(f"/proc/{p}/status", "VmRSS:")
        pss += _status_mb(f"/proc/{p}/smaps_rollup", "Pss:")
        todo += _children(p)
    return rss, pss


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, sample: bool = False) -> Run:
    """Run ``cmd`` to the end and measure it; with ``sample``, the process tree's memory
    too (which slows the run: see the module's docstring). ``cmd`` is started by
    ``launch.py``, which reports its time and peak memory (see there for why)."""
    report, write_end = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), str(write_end), *cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    peak = [0.0, 0.0]
    done = threading.Event()

    def sample_tree() -> None:
        while not done.wait(0.02):
            sizes = [tree_mb(child) for child in _children(proc.pid)]  # not the launcher itself
            rss, pss = sum(s[0] for s in sizes), sum(s[1] for s in sizes)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample_tree, daemon=True)
    if sample:
        sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    proc.wait()
    with os.fdopen(report, "rb") as fh:
        reported = fh.read().split()
    if len(reported) != 6:  # the launcher itself failed
        raise RuntimeError(f"launch.py measured nothing for {cmd[0]} ({proc.returncode}):\n{output[-2000:]}")
    seconds_text, _, status, settled_text, maxrss_kb, cpu_text = reported
    done.set()
    if sample:
        sampler.join()
    returncode = os.waitstatus_to_exitcode(int(status))
    seconds, settled, largest = float(seconds_text), float(settled_text), int(maxrss_kb) / 1024
    if not sample:
        return Run(seconds, largest, 0.0, 0.0, returncode, output, settled, float(cpu_text))
    return Run(
        seconds, largest, max(peak[0], largest), peak[1] or largest, returncode, output, settled, float(cpu_text)
    )


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
