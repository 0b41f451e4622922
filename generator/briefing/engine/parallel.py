"""Render across the machine's cores.

Python-Markdown and Jinja2 are pure Python, so threads would take turns; worker
processes do not. Each worker builds its own ``Renderer`` (one Markdown
instance, reset between documents) from the site and the library, lists the
pages in the same order as the parent, and renders the ones it is handed by
index, returning bytes, recorded dependencies and diagnostics. Work is split
only when there is enough of it to pay for starting the workers. Parsing a
large site is shared the same way (``shared``), with one forked process.

A page reads about 300 keys, most of them read by other pages too. A worker
numbers the keys it has seen and sends each one once, then pages as arrays of
numbers, which the parent keeps as they are (``deps.NumberedKeys``): the cache
state, made after the command returns, translates each worker's list of keys
once. Sent as tuples, a 10,000-brief site's keys were 4 million objects
unpickled in the parent and kept there until the cache state was made.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from array import array
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from itertools import groupby
from multiprocessing.pool import Pool
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.engine.ahead import AheadMarkup, Converted
from briefing.engine.deps import Key, NumberedKeys
from briefing.engine.recording import RecordingEnvironment, RecordingRenderer
from briefing.library.records import Library
from briefing.output.files import digest, write_new
from briefing.render.templates import make_env

MIN_PAGES = 300  # fewer pages than this render faster in one process
CHUNK = 40
T = TypeVar("T")
R = TypeVar("R")


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def can_fork_helper() -> bool:
    """Whether a forked helper process can run beside this one: a core to spare, and
    fork available and safe (no other threads, such as the dev server's)."""
    return workers() > 1 and threading.active_count() == 1 and hasattr(os, "fork")


def _context() -> Any:
    # fork shares the parent's memory and starts fast, but is unsafe once other
    # threads run (the dev server's watcher and HTTP server): then forkserver.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    return multiprocessing.get_context(method)


class _Worker:
    """What one worker process holds; made by ``_init`` in each worker (the pool's
    initializer is the only way to give a worker state that outlives one task)."""

    renderer: ClassVar[RecordingRenderer | None] = None
    pages: ClassVar[list[Any]] = []
    extras: ClassVar[list[Any]] = []
    sent: ClassVar[int] = 0  # how many of its recorder's numbered keys it has sent


def _init(site: Path, lib: Library, bytecode: Path | None, ahead: dict[str, Converted]) -> None:
    """A worker's own renderer, made from the site and the library (a forkserver's
    workers, which inherit nothing)."""
    env = make_env(site, bytecode, RecordingEnvironment)
    _adopt(RecordingRenderer(site, lib, Diagnostics(), env=env), ahead)  # type: ignore[arg-type]


def _adopt(renderer: RecordingRenderer, ahead: dict[str, Converted]) -> None:
    """Render with ``renderer``: a forked worker's copy of the parent's, whose pages the
    parent has listed (each worker would otherwise make and list them again)."""
    # rendering leaves a few cycles: a render worker collects them even when its parent,
    # busy receiving results, has the collector paused (``cache.paused_gc``). What outlives
    # a chunk is mostly the renderer's memos, frozen after each one (see ``_render``).
    # A page makes thousands of short-lived objects, nearly all freed by their counts:
    # collecting the young every 10,000 new objects rather than every 700 costs less
    # (bench/RESULTS.md); the young are collected before each
    # freeze, so no cycle of the last page is frozen with the memos.
    gc.enable()
    gc.set_threshold(10_000, 10, 10)
    # a worker lives for one build, whose theme is what it was when the build began:
    # Jinja need not look at each template file's time again for every page (a stat
    # call for each template a page uses)
    renderer.env.auto_reload = False
    assert isinstance(renderer.markup, AheadMarkup)
    renderer.markup.ahead = ahead
    _Worker.renderer = renderer
    _Worker.pages = renderer.pages()
    if not renderer.pages_known:
        renderer.set_pages(renderer.page_list.outputs())
    _Worker.extras = renderer.extra_pages()
    renderer.rec.number_keys()
    _Worker.sent = 0


class Rendered(NamedTuple):
    path: str  # the output path
    data: bytes | None  # None when there is no page, or when a worker wrote it (see ``render``)
    digest: bytes | None  # of the bytes; None when there is no page
    deps: Collection[Key]  # what the page read
    diags: list[Diagnostic]


# what a worker sends for a chunk: its pid, the keys it numbered for this chunk, and
# each page as (output path, bytes, digest, numbers of the keys it read, diagnostics)
_Sent = tuple[int, list[Key], list[tuple[str, bytes | None, bytes | None, "array[int]", list[Diagnostic]]]]


def _render(tasks: list[tuple[str, int]], into: Path | None) -> _Sent:
    renderer = _Worker.renderer
    assert renderer is not None
    rec = renderer.rec
    keys = rec.numbered  # the worker's recorder numbers the keys as they are read
    assert keys is not None
    known = _Worker.sent
    out = []

    def send(page: Any, data: bytes | None, numbers: Collection[Any], diags: list[Diagnostic]) -> None:
        found = digest(data) if data is not None else None
        if into is not None and data is not None:
            write_new(into, page.output, data)
            data = None
        out.append((page.output, data, found, array("i", numbers), diags))

    for kind, group in groupby(tasks, key=itemgetter(0)):
        if kind == "page":  # the chunk's pages together (``Renderer.render_batch``)
            pages = [_Worker.pages[index] for _, index in group]
            for page, (data, numbers, diags) in zip(pages, renderer.render_batch(pages), strict=True):
                send(page, data, numbers, diags)
            continue
        for _, index in group:
            page = _Worker.extras[index]
            before = len(renderer.diags.items)
            data, deps = renderer.render_extra_recorded(page)  # site.json declares its reads as keys
            send(
                page,
                data,
                frozenset(k if type(k) is int else rec.number(k) for k in deps),
                renderer.diags.items[before:],
            )
    # the survivors (memos, numbered keys) live as long as the worker: out of the
    # collector's sight, its full collections no longer walk them again and again
    # (bench/RESULTS.md); the chunk's young cycles are collected first
    gc.collect(0)
    gc.freeze()
    _Worker.sent = len(keys)
    return os.getpid(), keys[known:], out


def render(
    renderer: RecordingRenderer,
    bytecode: Path | None,
    tasks: list[tuple[str, int]],
    into: Path | None = None,
    ahead: dict[str, Converted] | None = None,
) -> Iterator[Rendered]:
    """Render ``tasks`` ("page" or "extra", index in ``renderer``'s lists) in worker processes.

    Forked workers render with their copy of ``renderer``; others make their own from
    its site and library. ``ahead``: Markdown converted already (``Ahead``).

    With ``into`` (a whole new output folder), the workers write the pages there
    themselves and send no bytes back: the writing is spread over the cores, and
    the parent neither copies nor holds every page's bytes. A page's
    dependencies come as numbers into its worker's list of keys (``NumberedKeys``),
    each key one object shared by every page of that worker that read it (making the
    two workers' equal keys one object here would take this process's time while the
    workers need the cores; the cache state, made later, translates them all)."""
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    numbered: dict[int, list[Key]] = {}  # worker pid -> its keys by number
    ctx = _context()
    init, args = (
        (_adopt, (renderer, ahead or {}))
        if ctx.get_start_method() == "fork"
        else (_init, (renderer.site, renderer.lib, bytecode, ahead or {}))
    )
    with _pool(ctx, init, args) as pool:
        for pid, new_keys, results in pool.imap_unordered(partial(_render, into=into), chunks):
            # a worker's chunks arrive in the order it sent them, so it never names a key before sending it
            keys = numbered.setdefault(pid, [])
            keys.extend(new_keys)
            for path, data, found, ids, diags in results:
                yield Rendered(path, data, found, NumberedKeys(keys, ids), diags)


MIN_SHARE = 2000  # fewer items than this are not worth a process of their own
# This process's share of the items: the other process's part must also be pickled
# there and unpickled here, so this process takes more, and both are done at about
# the same time (the split is measured in bench/RESULTS.md).
MINE = 0.58


def shared(work: Callable[[list[T]], list[R]], items: list[T]) -> list[R]:
    """``work(items)``, with part of it done by a forked process meanwhile.

    For parsing: the part a worker sends back pickles and unpickles in much less
    time than parsing it took. Only where fork is safe (no other threads); elsewhere, and for
    few items, all in this process."""
    if len(items) < MIN_SHARE or not can_fork_helper():
        return work(items)
    cut = int(len(items) * MINE)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        theirs = pool.apply_async(work, (items[cut:],))
        mine = work(items[:cut])
        return mine + theirs.get()


class Ahead(Generic[R]):
    """``work(stopped)`` in a forked process while this one goes on, until ``stop``.

    Resolving a site runs in one process, leaving the other cores idle; a process
    forked before it converts Markdown the render workers would convert later. The
    work checks ``stopped()`` between items and returns what it has done. Whatever
    goes wrong there loses only that head start: ``stop`` then returns None."""

    def __init__(self, work: Callable[[Callable[[], bool]], R]) -> None:
        ctx = multiprocessing.get_context("fork")
        self._flag = ctx.RawValue("b", 0)  # shared memory: set here, read there
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_ahead, args=(work, self._flag, send, self._receive), daemon=True)
        self._process.start()
        send.close()
        self._done = False

    def stop(self) -> R | None:
        """Stop the work and return what it has done."""
        if self._done:
            return None
        self._flag.value = 1
        try:
            return self._receive.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):  # it died: nothing to show for it
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the work and drop it (a build that fails before rendering)."""
        if self._done:
            return
        self._done = True
        self._flag.value = 1
        self._receive.close()  # a result on its way is dropped: its sender gets an error and ends
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _ahead(work: Callable[[Callable[[], bool]], Any], flag: Any, send: Any, receive: Any) -> None:
    receive.close()  # its copy of the reading end: once the parent closes its own, a send fails at once
    try:
        result = work(lambda: bool(flag.value))
    except Exception:  # the render workers will do the work, and report what is wrong with it
        result = None
    with suppress(OSError):  # ``close`` before ``stop``: nobody wants it
        send.send(result)
    send.close()


@contextmanager
def _pool(ctx: Any, init: Any, args: tuple[Any, ...]) -> Iterator[Pool]:
    """Workers forked with the parent's objects frozen: the collector in a worker then
    never visits them, so it neither spends time on them nor writes to (and so copies)
    the memory pages the parent shares with it (the advice of ``gc.freeze``'s docs)."""
    frozen_before = gc.get_freeze_count() > 0  # a loaded cache freezes its state for good
    gc.freeze()
    try:
        with ctx.Pool(workers(), initializer=init, initargs=args) as pool:
            yield pool
    finally:
        if not frozen_before:
            gc.unfreeze()
