"""One build at a time for each output folder.

A build holds an exclusive lock on a small file beside its output (``.public.briefing-lock``
for ``public/``) from before it looks at the previous output until the new one is in place,
so a second build of the same folder waits for the first and then starts from what it
left, rather than both replacing the folder at once. Builds of different folders take
different locks and run side by side.

The lock is a POSIX record lock (``lockf``): the kernel drops it when its process ends,
however it ends (a SIGKILL too), so a lock is never left behind by a dead build; and a
forked child (a render worker, the process that saves the cache after the command has
returned) does not inherit it. The file holds the holder's pid, only to say who is waited
for. Within one process, a lock per folder keeps two threads apart too (record locks
belong to the process).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_SUFFIX = ".briefing-lock"
WAIT_ENV = "BRIEFING_LOCK_WAIT"  # seconds to wait for another build before giving up
DEFAULT_WAIT = 600.0
POLL = 0.05  # seconds between attempts while waiting
_BUSY = (errno.EACCES, errno.EAGAIN)
_UNSUPPORTED = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)

_guards: dict[Path, threading.Lock] = {}
_guards_lock = threading.Lock()


class OutputBusyError(Exception):
    """Another build holds the output's lock and this one will not wait (longer)."""


def lock_path(out: Path) -> Path:
    """The lock file of the output folder ``out``: hidden, beside it."""
    out = out.absolute()
    return out.parent / f".{out.name}{LOCK_SUFFIX}"


def default_wait() -> float:
    """How long a build waits for another one: ``BRIEFING_LOCK_WAIT`` seconds, else ten minutes."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


@contextmanager
def output_lock(
    out: Path,
    *,
    wait: bool = True,
    timeout: float | None = None,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold ``out``'s lock for the ``with`` block.

    When another build holds it: with ``wait``, call ``waiting`` once with a line saying
    so and wait up to ``timeout`` seconds (``default_wait()`` when None); without, or
    once the time is up, raise ``OutputBusyError``. Raises ``OSError`` when the lock file
    cannot be made (a read-only folder, for one)."""
    path = lock_path(out)
    shown = f"{out}/" if not str(out).endswith("/") else str(out)
    limit = default_wait() if timeout is None else timeout
    deadline = time.monotonic() + limit
    guard = _guard(path)
    if not guard.acquire(blocking=False):
        _wait_for(lambda: guard.acquire(timeout=POLL), deadline, _Busy(shown, os.getpid(), wait, limit, waiting))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not _try_lock(fd):
                busy = _Busy(shown, _holder(path), wait, limit, waiting)
                _wait_for(lambda: _try_lock(fd, pause=POLL), deadline, busy)
        except BaseException:
            os.close(fd)
            raise
        try:
            _note_pid(fd)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no stale pid for the next reader to name
            os.close(fd)  # and with it the lock
    finally:
        guard.release()


class _Busy:
    """What to say, and whether to wait, when the lock is taken."""

    def __init__(
        self, shown: str, pid: int | None, wait: bool, limit: float, waiting: Callable[[str], None] | None
    ) -> None:
        self.who = f"another build of {shown}" + (f" (pid {pid})" if pid else "")
        self.wait, self.limit, self.waiting = wait, limit, waiting

    def refuse(self) -> OutputBusyError:
        return OutputBusyError(f"{self.who} has not finished; not waiting for it (--no-wait)")

    def give_up(self) -> OutputBusyError:
        return OutputBusyError(
            f"gave up after waiting {_duration(self.limit)} for {self.who} to finish; "
            "if that build is stuck, stop it and build again"
        )


def _wait_for(attempt: Callable[[], bool], deadline: float, busy: _Busy) -> None:
    if not busy.wait:
        raise busy.refuse()
    if busy.waiting is not None:
        busy.waiting(f"waiting for {busy.who} to finish")
    while time.monotonic() < deadline:
        if attempt():
            return
    raise busy.give_up()


def _guard(path: Path) -> threading.Lock:
    with _guards_lock:
        return _guards.setdefault(path, threading.Lock())


def _try_lock(fd: int, pause: float = 0.0) -> bool:
    """Take the lock if it is free; True when taken (or when the file system has no locks)."""
    if pause:
        time.sleep(pause)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _BUSY:
            return False
        if exc.errno in _UNSUPPORTED:  # a file system without locks: build as before
            return True
        raise
    return True


def _note_pid(fd: int) -> None:
    """Write our pid for whoever waits; a full disk only costs them the number."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _holder(path: Path) -> int | None:
    """The pid the holder wrote, if it is alive (it may not have written it yet)."""
    for _ in range(10):
        try:
            pid = int(path.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid > 0 and _alive(pid):
            return pid
        time.sleep(0.01)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:g} second{'s' if seconds != 1 else ''}"
