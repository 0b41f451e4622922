"""The benchmark's measurements are of the command measured, not of the benchmark."""

from __future__ import annotations

import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import measure

# the memory is held a while: the tree is sampled every 20 ms
ALLOCATE = "import time; x = bytearray({mb} << 20); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.3)"


def test_a_commands_peak_memory_is_its_own_not_the_benchmarks() -> None:
    held = bytearray(300 << 20)  # the benchmark's own memory, as after drawing a large corpus
    held[::4096] = b"1" * len(held[::4096])
    small = measure.run([sys.executable, "-c", "pass"])
    large = measure.run([sys.executable, "-c", ALLOCATE.format(mb=120)], sample=True)
    assert small.returncode == 0 and small.maxrss_mb < 100
    assert 120 < large.maxrss_mb < 250 and 120 < large.tree_mb < 250 and large.tree_pss_mb > 100
    del held


def test_a_failing_or_missing_command_is_reported() -> None:
    assert measure.run([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3
    missing = measure.run(["no-such-command-here"])
    assert missing.returncode == 127 and "cannot run" in missing.output


# the parent returns at once; a forked child goes on working, as `briefing build`'s cache saver does
BACKGROUND = (
    "import os, time\n"
    "if os.fork() == 0:\n"
    "    os.dup2(os.open(os.devnull, os.O_RDWR), 1)\n"
    "    x = bytearray(200 << 20); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.8); os._exit(0)\n"
)


def test_a_command_is_timed_until_it_returns_and_until_what_it_left_running_ends() -> None:
    r = measure.run([sys.executable, "-c", BACKGROUND])
    assert r.returncode == 0
    assert r.seconds < 0.6 and r.settled >= 0.8 + r.seconds * 0.5
    assert r.maxrss_mb > 200  # the child's memory counts: it is the command's work too


def test_a_sequence_adds_times_and_keeps_the_largest_peak() -> None:
    small = measure.run([sys.executable, "-c", "pass"])
    large = measure.run([sys.executable, "-c", ALLOCATE.format(mb=120)])
    both = measure.sequence({"hugo": small, "pagefind": large})
    assert both.seconds == small.seconds + large.seconds and both.parts == {
        "hugo": small.seconds,
        "pagefind": large.seconds,
    }
    assert both.maxrss_mb == large.maxrss_mb and both.returncode == 0
    failed = measure.sequence({"hugo": measure.run([sys.executable, "-c", "raise SystemExit(4)"]), "pagefind": small})
    assert failed.returncode == 4


def test_a_commands_cpu_time_is_what_its_processes_used_not_the_time_it_waited() -> None:
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass\n"
    worked = measure.run([sys.executable, "-c", busy])
    waited = measure.run([sys.executable, "-c", "import time; time.sleep(0.4)"])
    assert worked.cpu >= 0.4 and waited.cpu < 0.2 and waited.seconds >= 0.4
    child = measure.run(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"]
    )
    assert child.cpu >= 0.4  # a child's work counts
