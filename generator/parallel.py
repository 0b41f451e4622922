"""Render across the machine's cores.

Python-Markdown and Jinja2 are pure Python, so threads would take turns; worker
processes do not. Each worker builds its own ``Renderer`` (one Markdown
instance, reset between documents) from the site and the library, lists the
pages in the same order as the parent, and renders the ones it is handed by
index, returning bytes, recorded dependencies and diagnostics. Work is split
only when there is enough of it to pay for starting the workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any, ClassVar

from generator.deps import Key
from generator.diagnostics import Diagnostic, Diagnostics
from generator.library import Library
from generator.render import Renderer, make_env

MIN_PAGES = 300  # fewer pages than this render faster in one process
CHUNK = 40


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _context() -> Any:
    # fork shares the parent's memory and starts fast, but is unsafe once other
    # threads run (the dev server's watcher and HTTP server): then forkserver.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    return multiprocessing.get_context(method)


class _Worker:
    """What one worker process holds; made by ``_init`` in each worker (the pool's
    initializer is the only way to give a worker state that outlives one task)."""

    renderer: ClassVar[Renderer | None] = None
    pages: ClassVar[list[Any]] = []
    extras: ClassVar[list[Any]] = []


def _init(site: Path, lib: Library, bytecode: Path | None) -> None:
    # rendering thousands of pages leaves cycles: a render worker collects them even when
    # its parent, busy receiving results, has the collector paused (``cache.paused_gc``)
    gc.enable()
    renderer = Renderer(site, lib, Diagnostics(), env=make_env(site, bytecode))
    _Worker.renderer = renderer
    _Worker.pages = list(renderer.pages())
    _Worker.extras = renderer.extra_pages([p.output for p in _Worker.pages])


Rendered = tuple[str, bytes | None, frozenset[Key], list[Diagnostic]]


def _render(tasks: list[tuple[str, int]]) -> list[Rendered]:
    renderer = _Worker.renderer
    assert renderer is not None
    out = []
    for kind, index in tasks:
        before = len(renderer.diags.items)
        if kind == "page":
            page = _Worker.pages[index]
            data, deps = renderer.render_recorded(page)
        else:
            page = _Worker.extras[index]
            data, deps = renderer.render_extra(page)
        out.append((page.output, data, deps, renderer.diags.items[before:]))
    return out


def render(site: Path, lib: Library, bytecode: Path | None, tasks: list[tuple[str, int]]) -> Iterator[Rendered]:
    """Render ``tasks`` ("page" or "extra", index in the renderer's lists) in worker processes."""
    chunks = [tasks[i:i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    with _pool(_init, (site, lib, bytecode)) as pool:
        for results in pool.imap_unordered(_render, chunks):
            yield from results


@contextmanager
def _pool(init: Any, args: tuple[Any, ...]) -> Iterator[Pool]:
    """Workers forked with the parent's objects frozen: the collector in a worker then
    never visits them, so it neither spends time on them nor writes to (and so copies)
    the memory pages the parent shares with it (the advice of ``gc.freeze``'s docs)."""
    frozen_before = gc.get_freeze_count() > 0  # a loaded cache freezes its state for good
    gc.freeze()
    try:
        with _context().Pool(workers(), initializer=init, initargs=args) as pool:
            yield pool
    finally:
        if not frozen_before:
            gc.unfreeze()
