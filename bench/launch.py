"""Run a command as a fresh process and report its wall time and peak memory.

``python launch.py FD CMD...`` forks, runs CMD in the child, waits for it and
writes "seconds maxrss_kb status settled_seconds settled_maxrss_kb cpu_seconds" to
file descriptor FD: the first two when CMD returns, the next two once every
process it started has ended too, and the CPU time (user and system) of all of
them.

Why a launcher: Linux keeps, as a process's peak resident size (``ru_maxrss``),
the peak of the memory it had before ``exec`` as well. A command started
straight from the benchmark (Python's ``subprocess`` uses vfork) inherits the
benchmark's own peak, some 430 MB once the 10,000-brief corpus has been drawn,
so every tool's "largest process" read at least that much. Forked from this
small process instead, a command starts from about 10 MB.

Why a CPU time: other sessions share this machine's two cores, and a run's wall
time grows with their load; the CPU time its own processes used grows much less.

Why "settled": ``briefing build`` returns once the site is written and leaves a
forked child saving its cache. This launcher makes itself the child subreaper
(``PR_SET_CHILD_SUBREAPER``), so such orphans become its children: it waits for
them as well, and their memory counts towards the peak.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
LIMIT = 3600  # seconds to wait for what a command left running before giving up on it


def _subreaper() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError


def _reap_all() -> None:
    """Wait for every remaining descendant (orphans are ours, as the subreaper)."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(LIMIT)
    try:
        while True:
            os.wait4(-1, 0)
    except (ChildProcessError, TimeoutError):
        pass
    finally:
        signal.alarm(0)


def main() -> int:
    fd, cmd = int(sys.argv[1]), sys.argv[2:]
    _subreaper()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(fd)
            os.execvp(cmd[0], cmd)
        except OSError as exc:
            print(f"launch.py: cannot run {cmd[0]}: {exc}", file=sys.stderr, flush=True)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    _reap_all()
    settled = time.perf_counter() - start
    everything = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, cpu = max(everything.ru_maxrss, usage.ru_maxrss), everything.ru_utime + everything.ru_stime
    os.write(fd, f"{seconds} {usage.ru_maxrss} {status} {settled} {peak} {cpu}".encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
