"""Search: a Pagefind index of the rendered pages, made in memory.

It runs after render and before write, on the mapping of output paths to
bytes that write will produce, so the index describes exactly the pages being
written. Only pages that mark their content with
``data-pagefind-body`` are indexed (the record pages); a draft reaches this
step only when the build includes drafts, so a normal build never indexes one.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
from collections.abc import Mapping
from typing import Any

from pagefind.service import PagefindService

from briefing.content.config import SiteConfig

BUNDLE = "pagefind/"  # where the bundle goes below the site root
MARKER = b"data-pagefind-body"


def indexed_pages(files: Mapping[str, bytes]) -> list[tuple[str, bytes]]:
    """The HTML files Pagefind should index, in a stable order, each read once."""
    pages = ((p, files[p]) for p in sorted(files) if p.endswith(".html"))
    return [(p, data) for p, data in pages if MARKER in data]


def page_url(path: str) -> str:
    """A result's URL from the site's root: ``briefs/x/index.html`` -> ``/briefs/x/``.

    The search page prefixes the base path (``<pagefind-config base-url>``), so
    the index is the same wherever the site is served.
    """
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return "/" + path


def search_files(files: Mapping[str, bytes], config: SiteConfig) -> dict[str, bytes]:
    """The Pagefind bundle for ``files``, keyed by output path (``pagefind/...``).

    Runs its own event loop; where the calling thread already runs one (an
    embedding application), the indexing runs in a worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_index(files, config))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(_index(files, config))).result()


async def _index(files: Mapping[str, bytes], config: SiteConfig) -> dict[str, bytes]:
    service = await _Service().launch()
    try:
        # One index in the site's language, whatever a page's parts are marked as.
        index = await service.create_index({"force_language": config.language.split("-")[0].lower()})
        for path, data in indexed_pages(files):
            await index.add_html_file(content=data.decode("utf-8"), url=page_url(path))
        # The bundle as Pagefind holds it in memory. Its write_files() may reply before
        # every file is on disk (1 read in 15 found a file empty or cut short).
        return {BUNDLE + f["path"]: f["content"] for f in sorted(await index.get_files(), key=lambda f: f["path"])}
    finally:
        await service.close()


class _Service(PagefindService):
    """Pagefind's service, reading replies as they come, of any length.

    The library's reader sleeps 0.1 s before each reply (pagefind 1.5.2,
    ``PagefindService._wait_for_responses``), which makes indexing cost
    0.1 s a page, and reads a reply as one line of at most 2 MiB, which the
    whole bundle of a site of a thousand pages outgrows; this reader waits on
    the pipe alone and splits what comes at the commas that end replies.
    """

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
