"""The search step on a site larger than the bundled one."""

from __future__ import annotations

import random
import threading

from briefing.content.config import SiteConfig
from briefing.output.search import search_files

LETTERS = "bcdfgklmnprstvz" + "aeiou" * 3


def _page(i: int, rng: random.Random) -> bytes:
    body = " ".join("".join(rng.choices(LETTERS, k=7)) for _ in range(600))
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>Brief {i}</title></head><body>'
        f'<main data-pagefind-body data-pagefind-meta="kind:Brief"><h1>Brief {i}</h1>'
        f"<p>{body}</p></main></body></html>"
    ).encode()


def test_a_search_bundle_of_several_megabytes_is_written_not_hung() -> None:
    # Past 2 MiB the service could not send the bundle back in one message and
    # the build waited forever; now it must finish, with every page indexed.
    rng = random.Random(7)
    files = {f"briefs/b{i}/index.html": _page(i, rng) for i in range(500)}
    config = SiteConfig(title="Big", base_url="https://example.org/")
    done: dict[str, dict[str, bytes]] = {}
    worker = threading.Thread(target=lambda: done.setdefault("out", search_files(files, config)), daemon=True)
    worker.start()
    worker.join(timeout=240)
    assert "out" in done, "the search step did not finish"
    bundle = done["out"]
    assert sum(len(v) for v in bundle.values()) > 2 * 1024 * 1024
    assert "pagefind/pagefind-entry.json" in bundle
    assert b'"page_count":500' in bundle["pagefind/pagefind-entry.json"]


def test_the_same_pages_always_give_the_same_whole_bundle() -> None:
    # Pagefind's write_files() could reply before its files were all on disk: about
    # one indexing in fifteen read a file empty or cut short, and published it.
    rng = random.Random(3)
    files = {f"briefs/b{i}/index.html": _page(i, rng) for i in range(20)}
    config = SiteConfig(title="Small", base_url="https://example.org/")
    first = search_files(files, config)
    assert all(first.values()), [p for p, data in first.items() if not data]
    for _ in range(25):
        assert search_files(files, config) == first
