"""The search index: Pagefind fed the pages in path order, split into shards that the
search page merges, indexed again only where pages changed; Pagefind's command line
where its API's compat layer does not apply; and the switch that turns it off."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefing import pipeline
from briefing.content.config import SiteConfig
from briefing.engine.builder import Builder
from briefing.output import pagefind_api, search
from briefing.output.search import search_files
from briefing.pipeline import Options
from conftest import REPO, run_cli
from test_incremental import tree as _tree


def tree(folder: Path) -> dict[str, bytes]:
    """A written site's files, without the marker that says a build wrote it."""
    return {p: data for p, data in _tree(folder).items() if p != ".briefing-output"}


LETTERS = "bcdfgklmnprstvz" + "aeiou" * 3
CONFIG = SiteConfig(title="Big", base_url="https://example.org/")


def _page(i: int, rng: random.Random, words: int = 600) -> bytes:
    body = " ".join("".join(rng.choices(LETTERS, k=7)) for _ in range(words))
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>Brief {i}</title></head><body>'
        f'<main data-pagefind-body data-pagefind-meta="kind:Brief"><h1>Brief {i}</h1>'
        f"<p>{body}</p></main></body></html>"
    ).encode()


def urls(bundle: dict[str, bytes], shard: int | None = None) -> list[str]:
    """The pages the bundles (or one shard's) hold, as their result URLs."""
    found = []
    for path, data in bundle.items():
        if path.endswith(".pf_fragment") and shard in (None, search.file_shard(path)):
            text = gzip.decompress(data).decode()
            found.append(json.loads(text[text.index("{") :])["url"])
    return sorted(found)


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Shards of a few pages, so that a fixture site has several."""
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    yield


def test_a_search_bundle_of_several_megabytes_is_written_not_hung() -> None:
    # Past 2 MiB Pagefind's service could not send the bundle back in one message and
    # the build waited forever; its command line writes files of any size.
    rng = random.Random(7)
    files = {f"briefs/b{i}/index.html": _page(i, rng) for i in range(500)}
    done: dict[str, dict[str, bytes]] = {}
    worker = threading.Thread(target=lambda: done.setdefault("out", search_files(files, CONFIG)), daemon=True)
    worker.start()
    worker.join(timeout=240)
    assert "out" in done, "the search step did not finish"
    bundle = done["out"]
    assert sum(len(v) for v in bundle.values()) > 2 * 1024 * 1024
    assert "pagefind/pagefind-entry.json" in bundle
    assert b'"page_count":500' in bundle["pagefind/pagefind-entry.json"]
    assert urls(bundle) == sorted(f"/briefs/b{i}/" for i in range(500))


def test_the_same_pages_always_give_the_same_whole_bundle() -> None:
    # Pagefind's write_files() could reply before its files were all on disk: about
    # one indexing in fifteen read a file empty or cut short, and published it.
    rng = random.Random(3)
    files = {f"briefs/b{i}/index.html": _page(i, rng, 60) for i in range(20)}
    first = search_files(files, CONFIG)
    assert all(first.values()), [p for p, data in first.items() if not data]
    for _ in range(5):
        assert search_files(files, CONFIG) == first


def test_the_index_does_not_depend_on_where_or_in_what_order_the_pages_were_written(tmp_path: Path) -> None:
    # Pagefind's command line numbers pages in the order it walks their folder, which
    # differs between file systems (ext4 and tmpfs gave two indexes of the same pages).
    rng = random.Random(5)
    pages = {f"briefs/b{i}/index.html": _page(i, rng, 40) for i in range(12)}
    backwards = tmp_path / "backwards"
    for path in sorted(pages, reverse=True):  # written last to first, read from files
        (backwards / path).parent.mkdir(parents=True)
        (backwards / path).write_bytes(pages[path])
    in_memory = search.index_shard(0, pages, "en", tmp_path / "a")
    shm = Path("/dev/shm")  # a tmpfs, where a folder lists its files newest first
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else tmp_path) as other:
        from_files = search.index_shard(0, {p: backwards / p for p in reversed(list(pages))}, "en", Path(other))
    assert in_memory == from_files


def test_with_an_untested_pagefind_the_command_line_indexes_the_same_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert pagefind_api.supported()  # the pinned pagefind is one the compat layer was tested with
    assert not pagefind_api.supported("2.0.0") and not pagefind_api.supported("1.4.1")
    rng = random.Random(9)
    files = {f"briefs/b{i}/index.html": _page(i, rng, 40) for i in range(8)}
    api = search_files(files, CONFIG)
    monkeypatch.setattr(pagefind_api, "supported", lambda version=None: False)
    cli = search_files(files, CONFIG)
    assert urls(cli) == urls(api) == [f"/briefs/b{i}/" for i in sorted(range(8), key=str)]
    assert api.keys() - cli.keys() <= {p for p in api if "/index/" in p or p.endswith(".pf_meta")}


def test_shards_grow_in_powers_of_two_and_a_page_keeps_its_shard() -> None:
    n = search.SHARD_PAGES
    assert [search.shard_count(k) for k in (0, 1, n, n + 1, 2 * n, 2 * n + 1, 12 * n)] == [1, 1, 1, 2, 2, 4, 16]
    assert search.shard_count(10**7) == search.MAX_SHARDS
    paths = [f"briefs/brief-{i}/index.html" for i in range(12000)]
    sizes = [0] * 16
    for path in paths:
        sizes[search.shard_of(path, 16)] += 1
    assert min(sizes) > 600 and max(sizes) < 900, sizes  # about even
    # the shard depends on the path alone: the same in another site of the same size
    assert [search.shard_of(p, 16) for p in paths[:50]] == [search.shard_of(p, 16) for p in reversed(paths[:50])][::-1]
    assert search.file_shard("pagefind/shard-3/index/en_1.pf_index") == 3
    assert search.file_shard("pagefind/fragment/x.pf_fragment") == 0
    assert search.file_shard("pagefind/shards.js") is None and search.file_shard("briefs/x/index.html") is None


def test_a_large_index_is_split_into_shards_the_search_page_merges(small_shards: None) -> None:
    rng = random.Random(5)
    files = {f"briefs/b{i}/index.html": _page(i, rng, 40) for i in range(18)}
    bundle = search_files(files, CONFIG)
    count = search.shard_count(18)
    assert count == 8
    groups = search.by_shard(files, count)
    for shard, pages in groups.items():
        prefix = search.shard_folder(shard)
        assert urls(bundle, shard) == sorted("/" + p.removesuffix("index.html") for p in pages)
        if shard:  # a merged bundle carries no scripts, styles or WebAssembly: the first one's serve
            assert not [p for p in bundle if p.startswith(prefix) and p.endswith((".js", ".css", ".pagefind"))]
    assert len(urls(bundle)) == 18  # each page once
    assert "pagefind/pagefind-component-ui.js" in bundle and "pagefind/wasm.en.pagefind" in bundle
    script = bundle[search.SHARDS_SCRIPT].decode()
    merged = json.loads(script[script.rindex("([") + 1 : script.rindex(")")])
    assert merged == [f"shard-{s}/" for s in sorted(groups) if s]
    assert "configureInstance" in script and "mergeIndex" in script


def _site(site_copy: Callable[[str], Path]) -> Path:
    site = site_copy("valid")
    shutil.rmtree(site / "public", ignore_errors=True)
    return site


def _written_shards(written: list[str]) -> set[int]:
    return {s for p in written if (s := search.file_shard(p)) is not None}


def test_an_edit_indexes_again_only_the_shard_of_the_page_it_changed(
    site_copy: Callable[[str], Path], small_shards: None, tmp_path: Path
) -> None:
    site = _site(site_copy)
    builder = Builder(site, tmp_path / "out", Options())
    assert builder.build().ok
    brief = site / "content/briefs/summit-at-a-glance.md"
    brief.write_text(brief.read_text(encoding="utf-8") + "\nA zanzibarian sentence.\n", encoding="utf-8")
    result = builder.build()
    assert result.ok
    assert builder.state is not None and builder.state.searched is not None
    count = builder.state.searched.count
    assert count > 2
    page = "briefs/summit-at-a-glance/index.html"
    assert _written_shards(result.written) == {search.shard_of(page, count)}
    reference = pipeline.build(site, tmp_path / "reference", Options())
    assert reference.ok
    assert tree(tmp_path / "out") == tree(tmp_path / "reference")


def test_the_engine_keeps_the_index_equal_to_the_reference_across_edits(
    site_copy: Callable[[str], Path], small_shards: None, tmp_path: Path
) -> None:
    """A record added, one removed, a template changed: from the saved state each time, as
    ``briefing build`` runs, the output is what the reference pipeline writes from nothing."""
    site = _site(site_copy)
    out = tmp_path / "out"

    def same() -> None:
        assert Builder(site, out, Options(), use_cache=True).build().ok
        shutil.rmtree(tmp_path / "reference", ignore_errors=True)
        assert pipeline.build(site, tmp_path / "reference", Options()).ok
        assert tree(out) == tree(tmp_path / "reference")

    same()
    (site / "content/actors/added-actor.yaml").write_text("name: Zanzibarian Council\nkind: organization\n")
    same()
    (site / "content/actors/added-actor.yaml").unlink()
    same()
    theme = site / "theme/templates"
    theme.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "theme/templates/event.html", theme / "event.html")
    (theme / "event.html").write_text((theme / "event.html").read_text().replace("<h1", "<p>Eventful</p><h1", 1))
    same()


def test_no_search_writes_no_index_and_the_search_page_says_so(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = _site(site_copy)
    out = tmp_path / "out"
    assert Builder(site, out, Options(), use_cache=True).build().ok
    assert (out / "pagefind/pagefind-entry.json").exists()
    result = run_cli("build", "--site", site, "--out", out, "--no-search")
    assert result.returncode == 0, result.stderr
    assert not (out / "pagefind").exists()
    page = (out / "search/index.html").read_text(encoding="utf-8")
    assert "Search is off" in page and "pagefind" not in page
    assert 'href="/briefs/summit-at-a-glance/"' in page or "briefs/summit-at-a-glance/" in page  # still A to Z
    assert pipeline.build(site, tmp_path / "reference", Options(search=False)).ok
    assert tree(out) == tree(tmp_path / "reference")
    # the same from site.toml, and the switch back on writes the index again
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[search]\nenabled = false\n", encoding="utf-8")
    assert run_cli("build", "--site", site, "--out", tmp_path / "toml").returncode == 0
    assert tree(tmp_path / "toml") == tree(out)
    toml.write_text(toml.read_text(encoding="utf-8").replace("enabled = false", "enabled = true"), encoding="utf-8")
    assert run_cli("build", "--site", site, "--out", out).returncode == 0
    assert (out / "pagefind/pagefind-entry.json").exists()
    assert "Search is off" not in (out / "search/index.html").read_text(encoding="utf-8")


def test_a_mistyped_search_setting_is_an_error_with_a_hint(site_copy: Callable[[str], Path]) -> None:
    site = _site(site_copy)
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[search]\nenable = false\n", encoding="utf-8")
    result = run_cli("check", "--site", site)
    assert result.returncode == 1
    assert "unknown setting 'search.enable'; did you mean 'enabled'?" in result.stderr
    toml.write_text(toml.read_text(encoding="utf-8").replace("enable = false", 'enabled = "no"'), encoding="utf-8")
    assert "'search.enabled' must be true or false" in run_cli("check", "--site", site).stderr


def test_the_dev_server_shows_the_page_first_and_the_index_catches_up(
    site_copy: Callable[[str], Path], small_shards: None, tmp_path: Path
) -> None:
    site = _site(site_copy)
    out = tmp_path / "out"
    builder = Builder(site, out, Options(), search_later=True)
    assert builder.build().ok
    assert not (out / "pagefind").exists()  # the pages are there; the index comes after
    assert builder.state is not None and builder.state.searched is not None
    assert builder.state.searched.pending
    assert builder.catch_up_search(lambda: False)
    assert not builder.state.searched.pending
    brief = site / "content/briefs/summit-at-a-glance.md"
    brief.write_text(brief.read_text(encoding="utf-8") + "\nA zanzibarian sentence.\n", encoding="utf-8")
    before = tree(out)
    result = builder.build()
    assert result.ok and not _written_shards(result.written)
    assert b"zanzibarian" in (out / "briefs/summit-at-a-glance/index.html").read_bytes()
    changed = {p for p, data in tree(out).items() if before.get(p) != data}
    assert not _written_shards(sorted(changed))  # the old index serves meanwhile
    assert not builder.catch_up_search(lambda: True)  # a new edit came: stopped, still pending
    assert builder.state.searched.pending
    assert builder.catch_up_search(lambda: False)
    assert pipeline.build(site, tmp_path / "reference", Options()).ok
    assert tree(out) == tree(tmp_path / "reference")
    assert builder.build().ok and builder.build().written == []  # the state knows the new index


def _stock_bundle(pages: dict[str, bytes], out: Path) -> dict[str, bytes]:
    """The bundle from Pagefind's Python API used as its documentation shows: one page
    at a time, each reply awaited (and the files written to ``out`` as it leaves)."""
    import asyncio

    from pagefind.index import PagefindIndex

    async def index() -> dict[str, bytes]:
        async with PagefindIndex(config={"force_language": "en", "output_path": str(out)}) as idx:
            for path in sorted(pages):
                await idx.add_html_file(content=pages[path].decode(), url=pagefind_api.page_url(path))
            files = await idx.get_files()
        return {f["path"]: f["content"] for f in files}

    return asyncio.run(index())


def test_pages_sent_without_waiting_give_the_index_pagefinds_own_api_gives(tmp_path: Path) -> None:
    rng = random.Random(11)
    pages = {f"briefs/brief-{i}/index.html": _page(i, rng, words=80) for i in range(40)}
    fast = pagefind_api.index_pages(pages, "en")
    assert fast is not None and urls(fast) == sorted(pagefind_api.page_url(p) for p in pages)
    assert fast == _stock_bundle(pages, tmp_path / "bundle")


@pytest.mark.parametrize("after", [30, 200])  # while the pages are sent; once all are, while Pagefind works
def test_indexing_stops_when_asked_and_returns_nothing(after: int) -> None:
    rng = random.Random(12)
    pages = {f"briefs/brief-{i}/index.html": _page(i, rng) for i in range(200)}
    asked = iter(range(10**6))
    assert pagefind_api.index_pages(pages, "en", cancelled=lambda: next(asked) >= after) is None
