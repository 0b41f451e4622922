"""``briefing serve``: build into a private folder, serve it, rebuild on change.

The pieces live beside this module: ``watch`` turns file events into
"rebuild wanted", ``serve_loop`` debounces and builds, ``serve_http`` serves
the last good build with live reload. This module wires them together and
prints what an editor needs to see in the terminal.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from watchdog.observers.api import BaseObserver

from briefing.content.config import CONFIG_FILE
from briefing.diagnostics import Diagnostics, format_text
from briefing.engine.builder import Builder
from briefing.output.failure import advice, describe, machine_error
from briefing.output.lock import OutputBusyError, output_lock
from briefing.output.write import OutputError, check_output
from briefing.pipeline import Options, Result
from briefing.report import describe_changes
from briefing.serve.http import Preview, PreviewServer, reload_script
from briefing.serve.loop import After, BuildLoop, Changed, Rebuild
from briefing.serve.watch import start_watching

EXIT_OK, EXIT_USAGE = 0, 2


@dataclass
class Running:
    """A started preview; ``stop`` ends everything ``start`` began, in order."""

    site: Path
    server: PreviewServer
    loop: BuildLoop
    observer: BaseObserver
    out: Path
    private: bool
    thread: threading.Thread | None = None
    stopped: bool = field(default=False)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server.server_address[0])
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
        shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
        return f"http://{shown}:{self.port}{self.server.preview.mount()}"

    def serve_in_thread(self) -> None:
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="briefing-http", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.observer.stop()
        self.loop.stop()
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(10)
        self.server.server_close()
        self.observer.join(10)
        if self.private:
            shutil.rmtree(self.out.parent, ignore_errors=True)


@dataclass
class Serving:
    """How to serve: the address, whether to poll for changes (Docker, network mounts),
    where to build (None: a private temporary folder) and whether to show tracebacks."""

    host: str = "127.0.0.1"
    port: int = 8000
    poll: bool = False
    out: Path | None = None
    debug: bool = False


def start(
    site: Path,
    options: Options,
    serving: Serving | None = None,
    report: Callable[[Result, float], None] | None = None,
) -> Running:
    """Build once, then listen and watch; the caller runs ``server.serve_forever`` and calls ``stop``.

    Raises ``OutputError`` for an unsafe ``out`` and ``OSError`` if the port is taken.
    """
    serving = serving or Serving()
    host, port, poll, out, debug = serving.host, serving.port, serving.poll, serving.out, serving.debug
    private = out is None
    target = Path(tempfile.mkdtemp(prefix="briefing-serve-")) / "site" if out is None else out
    try:
        check_output(site, target)
        builder = Builder(site, target, options, search_later=True)
        rebuild = _rebuilder(builder, target, debug)
        after = _after_build(builder, target, lambda: loop.mark(None))
        loop = BuildLoop(rebuild, strict=options.strict, report=report, after=after)
        # listen first: a busy port is reported at once, not after the first build
        server = PreviewServer((host, port), Preview(loop, target, reload_script(), debug, site))
        try:
            loop.build_now()
        except BaseException:
            server.server_close()
            raise
    except BaseException:
        if private:
            shutil.rmtree(target.parent, ignore_errors=True)
        raise
    observer = start_watching(site, loop.mark, poll=poll)
    loop.start()
    return Running(site, server, loop, observer, target, private)


def _rebuilder(builder: Builder, out: Path, debug: bool) -> Rebuild:
    """The one place that says how to build: one incremental ``Builder`` for the session,
    so a save re-renders only the pages that read what changed, and shows them before
    the search index catches up (``Builder.catch_up_search``, the loop's ``after``).
    Each build holds the output's lock (see ``lock``), as ``briefing build`` does. A
    full disk or a folder it may not write fails that build, with what happened, and
    the preview goes on."""

    def rebuild(changed: Changed) -> Result:
        try:
            with output_lock(out, waiting=lambda line: print(line, file=sys.stderr, flush=True)):
                return builder.build(changed)
        except OutputBusyError as exc:
            return _failed("busy", str(exc))
        except Exception as exc:
            refused = machine_error(exc)
            if refused is not None:
                hint = advice(refused)
                return _failed("machine", describe(refused) + (f"; {hint}" if hint else ""))
            if debug:
                traceback.print_exc()
            raise

    return rebuild


def _after_build(builder: Builder, out: Path, missed: Callable[[], None]) -> After:
    """What follows a good build while the page is shown: a look at every source file,
    for a change the watcher did not name (``missed`` asks for a build that looks at
    them all), then the search index brought up to date, holding the output's lock as
    builds do; a busy output leaves it for after the next build. Says when it is done."""

    def catch_up(cancelled: Callable[[], bool]) -> bool:
        if builder.missed_changes():
            missed()
            return False
        searched = builder.state.searched if builder.state is not None else None
        started = time.monotonic()
        try:
            with output_lock(out, wait=False):
                done = builder.catch_up_search(cancelled)
        except OutputBusyError:
            return True
        if done and searched is not None and searched.pending:
            seconds = time.monotonic() - started
            print(
                f"[{time.strftime('%H:%M:%S')}] search index up to date in {seconds:.2f} s", file=sys.stderr, flush=True
            )
        return done

    return catch_up


def _failed(code: str, message: str) -> Result:
    diags = Diagnostics()
    diags.error("briefing", (1, 1), code, message)
    return Result(diags)


class Reporter:
    """Prints each build's problems and outcome, as ``briefing build`` would."""

    def __init__(self, strict: bool, stream: TextIO | None = None) -> None:
        self.strict = strict
        self.stream = stream if stream is not None else sys.stderr
        self.builds = 0

    def __call__(self, result: Result, seconds: float) -> None:
        self.builds += 1
        stamp = time.strftime("%H:%M:%S")
        text = format_text(result.diags.sorted(), self.strict)
        if result.diags.failed(self.strict):
            tail = "build failed; still serving the last good site" if self.builds > 1 else "build failed"
            self.stream.write(f"{text}[{stamp}] {tail}\n")
        else:
            if self.builds == 1:
                done = f"built {len(result.files)} files in {seconds:.2f} s"
            else:
                done = (
                    f"rebuilt in {seconds:.2f} s: {describe_changes(result.written, result.removed, len(result.files))}"
                )
            self.stream.write(f"{text}[{stamp}] {done}\n")
        self.stream.flush()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _port_hint(exc: OSError, host: str, port: int) -> str:
    """For a port in use: one that is free, to pass with ``--port``."""
    if exc.errno != errno.EADDRINUSE:
        return ""
    free = next((p for p in range(port + 1, min(port + 20, 65535) + 1) if _free(host, p)), port + 1)
    return (
        f" (another program, perhaps another briefing serve, is using port {port}); "
        f"choose another port: briefing serve --port {free} (make serve PORT={free})"
    )


def _free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(args: argparse.Namespace) -> int:
    """Run the preview until Ctrl-C; returns the exit code."""
    site = Path(args.site)
    if not (site / CONFIG_FILE).is_file():
        print(f"briefing: no {CONFIG_FILE} in {site}; run from the site's folder or pass --site DIR", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(f"briefing: --port must be between 0 and 65535, got {args.port}", file=sys.stderr)
        return EXIT_USAGE
    host = args.host.strip("[]")
    if not _is_loopback(host):
        print(
            f"warning: --host {host}: anyone who can reach this machine on port {args.port} can see "
            "the preview (drafts too, with --drafts); it has no password and is not hardened for "
            "the open internet. Leave out --host to keep it on 127.0.0.1.",
            file=sys.stderr,
        )
    options = Options(drafts=args.drafts, strict=args.strict, search=args.search)
    try:
        serving = Serving(host, args.port, args.poll, args.out, args.debug)
        running = start(site, options, serving, report=Reporter(args.strict))
    except OutputError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"briefing: cannot listen on {host}:{args.port}: {exc.strerror or exc}{_port_hint(exc, host, args.port)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(
        f"serving {running.url} with live reload; watching {site.resolve()} (Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # so `kill` also removes the private build folder
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return EXIT_OK
