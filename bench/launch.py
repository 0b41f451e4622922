"""Run a command as a fresh process and report its wall time and peak memory.

``python launch.py FD CMD...`` forks, runs CMD in the child, waits for it and
writes "seconds maxrss_kb status" to file descriptor FD.

Why a launcher: Linux keeps, as a process's peak resident size (``ru_maxrss``),
the peak of the memory it had before ``exec`` as well. A command started
straight from the benchmark (Python's ``subprocess`` uses vfork) inherits the
benchmark's own peak, some 430 MB once the 10,000-brief corpus has been drawn,
so every tool's "largest process" read at least that much. Forked from this
small process instead, a command starts from about 10 MB.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    fd, cmd = int(sys.argv[1]), sys.argv[2:]
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
    os.write(fd, f"{seconds} {usage.ru_maxrss} {status}".encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
