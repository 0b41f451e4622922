"""The serve loop: rebuild when the sources go quiet, and keep the last good site.

Follows MkDocs' livereload design: the file watcher only marks a rebuild as
wanted under one condition variable; a single build thread waits until
changes stop for ``debounce`` seconds, then builds. Changes during a build
mark it wanted again, so exactly one more build follows however many there
were. Requests wait while a build is in flight, and a failed build keeps the
previous site while its errors are published for the terminal and the page.

The loop knows the builder only as ``rebuild(changed) -> Result``, where ``changed``
is every file the watcher named since the last build began (None: look at everything),
so a full build and an incremental one are interchangeable. Work that may follow a good build
without holding up the page (the search index, ``after``) runs on the same thread once
the build is published, while requests are served; a change stops it, and the build
that change sets off goes first.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.pipeline import Result

Changed = frozenset[str] | None  # the site's files the watcher named; None: it cannot say
Rebuild = Callable[[Changed], Result]
# how long the sources must stay quiet before a build: one save's events come within
# milliseconds of each other (an atomic save: write a temp file, rename it over)
DEBOUNCE = 0.05
# what follows a good build: given "should I stop?", True once it is all done
After = Callable[[Callable[[], bool]], bool]


@dataclass(frozen=True)
class Status:
    """What the open pages need to know; ``generation`` changes with every good build."""

    generation: str
    building: bool
    ok: bool
    problems: tuple[Diagnostic, ...] = ()
    seq: int = 0
    behind: bool = False  # the work ``after`` a build (the search index) is not done yet

    def as_json(self) -> dict[str, object]:
        return {
            "generation": self.generation,
            "building": self.building,
            "ok": self.ok,
            "seq": self.seq,
            "search_behind": self.behind,
            "problems": [
                {
                    "path": d.path,
                    "line": d.line,
                    "col": d.col,
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "text": d.text(),
                }
                for d in self.problems
            ],
        }


@dataclass
class _State:
    wanted: bool = False
    building: bool = False
    stopping: bool = False
    last_change: float = 0.0
    changed: Changed = frozenset()  # named since the last build began
    good_builds: int = 0
    seq: int = 0  # every finished build, good or not
    last: Result | None = None
    good: Result | None = None
    problems: tuple[Diagnostic, ...] = field(default_factory=tuple)
    behind: bool = False  # a good build's ``after`` work is still to do


class BuildLoop:
    """Owns the rebuild flag, the build thread and the published status.

    ``report`` is called on the build thread after every build with the result
    and the seconds it took (the CLI prints it). ``clock`` is injectable so the
    debounce can be tested without sleeping.
    """

    def __init__(
        self,
        rebuild: Rebuild,
        *,
        strict: bool = False,
        debounce: float = DEBOUNCE,
        report: Callable[[Result, float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        after: After | None = None,
    ) -> None:
        self._rebuild = rebuild
        self._after = after
        self._strict = strict
        self._debounce = debounce
        self._report = report
        self._clock = clock
        self._cond = threading.Condition()
        self._state = _State()
        self._boot = secrets.token_hex(4)
        self._thread: threading.Thread | None = None

    # -- called by the watcher -------------------------------------------------
    def mark(self, changed: Changed = None) -> None:
        """Sources changed (``changed``, or ones the watcher cannot name): ask for a build
        (cheap; safe from any thread)."""
        with self._cond:
            s = self._state
            s.changed = None if changed is None or s.changed is None else s.changed | changed
            s.wanted = True
            s.last_change = self._clock()
            self._cond.notify_all()

    # -- lifecycle -------------------------------------------------------------
    def build_now(self) -> Result:
        """Build once on the caller's thread (the first build, before serving)."""
        with self._cond:
            self._state.building = True
            self._state.changed = frozenset()
        return self._build_and_publish(None)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="briefing-build", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        with self._cond:
            self._state.stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- called by request handlers --------------------------------------------
    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block while a build is in flight, so no request sees a half-swapped site."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._state.building or self._state.stopping, timeout)

    def status(self) -> Status:
        with self._cond:
            return self._status()

    def wait_status(self, seen: int, timeout: float) -> Status | None:
        """The status once a build newer than ``seen`` has finished, or None on timeout/stop."""
        with self._cond:
            done = self._cond.wait_for(lambda: self._state.seq != seen or self._state.stopping, timeout)
            if not done or self._state.stopping:
                return None
            return self._status()

    @property
    def good(self) -> Result | None:
        with self._cond:
            return self._state.good

    @property
    def stopping(self) -> bool:
        with self._cond:
            return self._state.stopping

    # -- the build thread -----------------------------------------------------
    def _status(self) -> Status:
        s = self._state
        generation = f"{self._boot}-{s.good_builds}"
        ok = not s.problems and s.last is not None
        return Status(generation, s.building, ok, s.problems, s.seq, s.behind)

    def _run(self) -> None:
        s = self._state
        while True:
            with self._cond:
                self._cond.wait_for(lambda: s.wanted or s.stopping or s.behind)
                if s.stopping:
                    return
                build = s.wanted
                changed: Changed = None
                if build:
                    if not self._wait_quiet():
                        return
                    changed = s.changed  # every file named, also while it went quiet
                    s.wanted, s.changed = False, frozenset()
                    s.building = True
            if build:
                self._build_and_publish(changed)
            else:
                self._catch_up()

    def _catch_up(self) -> None:
        """The ``after`` work of the last good build, stopped by a change (and resumed
        after the build it sets off); a failure is reported and not tried again until
        the next build."""
        assert self._after is not None
        done = False
        try:
            done = self._after(lambda: self._state.wanted or self._state.stopping)
        except Exception as exc:
            done = True
            traceback.print_exc()
            print(f"briefing: the search index was not brought up to date: {exc}", file=sys.stderr, flush=True)
        with self._cond:
            self._state.behind = not done
            self._cond.notify_all()

    def _wait_quiet(self) -> bool:
        """With the lock held: wait until no change came for ``debounce``; False if stopping."""
        while not self._state.stopping:
            remaining = self._state.last_change + self._debounce - self._clock()
            if remaining <= 0:
                return True
            self._cond.wait(min(remaining, 0.05))  # re-read the clock often: it may be a test's
        return False

    def _build_and_publish(self, changed: Changed) -> Result:
        started = time.monotonic()
        try:
            result = self._rebuild(changed)
        except Exception as exc:  # a bug must not stop the preview; show it like a content error
            diags = Diagnostics()
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            at = f" (at {where.filename}:{where.lineno})" if where else ""
            diags.error("briefing", (1, 1), "internal", f"internal error: {type(exc).__name__}: {exc}{at}")
            result = Result(diags)
        elapsed = time.monotonic() - started
        failed = result.diags.failed(self._strict)
        with self._cond:
            s = self._state
            s.building = False
            s.seq += 1
            s.last = result
            if failed:
                s.problems = tuple(d for d in result.diags.sorted() if d.severity != "warning" or self._strict)
            else:
                s.problems = ()
                s.good = result
                s.good_builds += 1
                s.behind = self._after is not None
            self._cond.notify_all()
        if self._report is not None:
            self._report(result, elapsed)
        return result
