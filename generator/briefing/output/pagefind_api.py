"""Pagefind's Python API with a quicker reader of its replies: the compat layer for Pagefind.

The search step feeds a shard's pages to Pagefind one by one, in path order, so the index
numbers them in that order and is the same on every machine. (Pagefind's command line
numbers pages in the order it walks the folder, which differs from one file system to
another: the same pages give a different index on ext4, on tmpfs and on two ext4 disks.)

The API's own reader of replies (``PagefindService._wait_for_responses``, pagefind 1.5)
sleeps 0.1 s before each reply, which makes indexing cost 0.1 s a page, and reads a reply
as one line of at most 2 MiB, which a shard's bundle outgrows. ``_Service`` replaces that
private method: it waits on the pipe alone and splits what comes at the commas that end
replies; and its ``send`` waits for each reply before the next page goes, leaving
Pagefind idle meanwhile, which ``_Service.post`` does not. It is used only with the
versions it was tested with (``TESTED``); with any other
the search step uses Pagefind's command line (``output.search``), deterministic on one
machine but not from one file system to another. What the override earns is in
bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from pagefind.service import PagefindService

TESTED = frozenset({(1, 5)})  # pagefind versions (major, minor) whose service this reads
DRAIN_EVERY = 16  # pages sent before waiting for Pagefind's input to have room


def supported(version: str | None = None) -> bool:
    """Whether the installed pagefind (or ``version``) is one ``_Service`` was tested with."""
    found = version if version is not None else metadata.version("pagefind")
    parts = tuple(int(p) for p in found.split(".")[:2] if p.isdigit())
    return parts in TESTED


def page_url(path: str) -> str:
    """A result's URL from the site's root: ``briefs/x/index.html`` -> ``/briefs/x/``. The
    search page prefixes the base path, so the index is the same wherever the site is served."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return "/" + path


def index_pages(
    pages: Mapping[str, bytes | Path], lang: str, cancelled: Callable[[], bool] | None = None
) -> dict[str, bytes] | None:
    """The Pagefind bundle of ``pages`` (output path -> bytes, or the file holding them),
    keyed by its paths inside the bundle; None when ``cancelled`` says stop."""
    return asyncio.run(_index(pages, lang, cancelled or (lambda: False)))


Pages = Mapping[str, bytes | Path]


async def _index(pages: Pages, lang: str, cancelled: Callable[[], bool]) -> dict[str, bytes] | None:
    service = _Service()
    await service.launch()
    replies: list[asyncio.Future[Any]] = []
    try:
        index = await service.create_index({"force_language": lang})
        for i, path in enumerate(sorted(pages)):
            if cancelled():
                return None
            source = pages[path]
            data = source if isinstance(source, bytes) else source.read_bytes()
            replies.append(service.post(index._index_id, page_url(path), data.decode("utf-8")))
            if i % DRAIN_EVERY == DRAIN_EVERY - 1:
                await service.drain()
        if not await _replied(replies, cancelled):
            return None
        # the bundle as Pagefind holds it in memory (its write_files() may reply before
        # every file is on disk)
        return {f["path"]: f["content"] for f in sorted(await index.get_files(), key=lambda f: f["path"])}
    finally:
        for reply in replies:  # stopped or failed: ``close`` need not wait for the pages still sent
            if not reply.done():
                reply.set_result(None)
        await service.close()


async def _replied(replies: list[asyncio.Future[Any]], cancelled: Callable[[], bool]) -> bool:
    """Wait for every reply, raising Pagefind's error if one is; False as soon as
    ``cancelled`` says stop (looked at every 50 ms)."""
    pending = set(replies)
    while pending:
        done, pending = await asyncio.wait(pending, timeout=0.05, return_when=asyncio.FIRST_EXCEPTION)
        for reply in done:
            reply.result()  # Pagefind's error, if it sent one
        if pending and cancelled():
            return False
    return True


class _Service(PagefindService):
    """Pagefind's service, reading replies as they come, of any length, and sent pages
    one after another without waiting for each reply (``post``)."""

    def post(self, index_id: int | None, url: str, html: str) -> asyncio.Future[Any]:
        """Send one page now, after those sent before: Pagefind's service handles its
        requests one at a time, in the order they come, so the index numbers the pages in
        that order. Its reply comes in the future. (The stock ``send`` waits for each
        reply, leaving Pagefind idle while the next page is encoded, and formats every
        page into a debug message, logged or not.)"""
        assert self._backend.stdin is not None and index_id is not None
        self._message_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._responses[self._message_id] = future
        request = {"type": "AddFile", "index_id": index_id, "url": url, "file_contents": html, "file_path": None}
        message = json.dumps({"message_id": self._message_id, "payload": request}).encode()
        self._backend.stdin.write(base64.b64encode(message) + b",")
        return future

    async def drain(self) -> None:
        """Wait while Pagefind's input is full: sending runs ahead of it by a little."""
        assert self._backend.stdin is not None
        await self._backend.stdin.drain()

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        pending, scanned = bytearray(), 0
        try:
            while True:
                chunk = await stdout.read(1 << 20)
                if not chunk:
                    raise EOFError("pagefind closed its output")
                pending += chunk
                while (end := pending.find(b",", scanned)) >= 0:
                    reply: dict[str, Any] | None = json.loads(base64.b64decode(bytes(pending[:end])))
                    del pending[: end + 1]
                    scanned = 0
                    if reply is not None:
                        self._answer(reply)
                scanned = len(pending)
        except Exception as exc:  # ended, spoke nonsense, or overran the pipe's limit: fail, never hang
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(RuntimeError(f"pagefind stopped answering: {exc}"))

    def _answer(self, reply: dict[str, Any]) -> None:
        payload = reply["payload"]
        message_id = reply.get("message_id")
        if message_id is None and payload.get("original_message"):  # a request it could not parse
            message_id = json.loads(payload["original_message"]).get("message_id")
        future = self._responses.get(message_id)  # type: ignore[arg-type]
        if future is None or future.done():
            return
        if payload["type"] == "Error":
            future.set_exception(RuntimeError(f"pagefind: {payload.get('message')}"))
        else:
            future.set_result(payload)
