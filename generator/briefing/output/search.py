"""Search: a Pagefind index of the rendered pages.

It runs after render and before write, on the pages write will produce, so the index
describes exactly the pages being written. Only pages that mark their content with
``data-pagefind-body`` are indexed (the record pages); a draft reaches this step only
when the build includes drafts, so a normal build never indexes one.

A large site's index is split into shards: each is a Pagefind bundle of its own, made
by one Pagefind process fed that shard's pages in path order (``pagefind_api``; with an
untested pagefind, one run of its command line over a folder of them), and the
search page merges them in the browser (Pagefind's ``mergeIndex``; ``shards.js`` lists
them). A page's shard follows from its output path alone, so an edit changes the bundle
of the shard its page is in and no other: the incremental engine indexes only those
shards again. A site of up to ``SHARD_PAGES`` indexed pages has one shard, in
``pagefind/`` as Pagefind writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.service import get_executable

from briefing.content.config import SiteConfig
from briefing.output import pagefind_api

BUNDLE = "pagefind/"  # where the bundle goes below the site root
MARKER = b"data-pagefind-body"
SHARDS_SCRIPT = BUNDLE + "shards.js"  # what the search page loads to merge the shards
# indexed pages per shard, at most (up to MAX_SHARDS): more cost an edit more, fewer a search more requests
SHARD_PAGES = 500
PROCESSES = (os.cpu_count() or 1) + 1  # Pagefind processes at a time: one more than the cores keeps them busy
MAX_SHARDS = 32  # past this the shards grow instead: each is a few requests on a reader's first search
# A merged bundle is read by the first bundle's code: Pagefind loads neither its scripts,
# its styles nor its WebAssembly (``mergeIndex`` starts it with ``load_wasm: false``).
_MERGED_LEAVES_OUT = (".js", ".css")

Source = bytes | Path  # a page's bytes, or the file that holds them


class SearchError(Exception):
    """Pagefind could not index the pages; the message says what it printed."""


def shard_count(pages: int) -> int:
    """How many shards ``pages`` indexed pages are split into: one up to ``SHARD_PAGES``,
    then a power of two (a site that grows by a page seldom changes the count, and
    every page's shard with it)."""
    count = 1
    while count * SHARD_PAGES < pages and count < MAX_SHARDS:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard a page's output path falls in: a digest of the path, never of the page's
    bytes or its neighbours, so a page stays in its shard while the site changes."""
    if count == 1:
        return 0
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") % count


def shard_folder(shard: int) -> str:
    """A shard's bundle below the site root: the first is ``pagefind/`` itself."""
    return BUNDLE if shard == 0 else f"{BUNDLE}shard-{shard}/"


def file_shard(path: str) -> int | None:
    """The shard whose bundle holds the output file ``path``; None for ``shards.js`` and
    files outside the bundle."""
    if not path.startswith(BUNDLE) or path == SHARDS_SCRIPT:
        return None
    rest = path[len(BUNDLE) :]
    if rest.startswith("shard-") and "/" in rest:
        number = rest[len("shard-") : rest.index("/")]
        if number.isdigit():
            return int(number)
    return 0


def is_indexed(data: bytes) -> bool:
    return MARKER in data


def indexed_pages(files: Mapping[str, bytes]) -> list[str]:
    """The HTML files Pagefind should index, in a stable order."""
    return [p for p in sorted(files) if p.endswith(".html") and is_indexed(files[p])]


def by_shard(paths: Iterable[str], count: int) -> dict[int, list[str]]:
    """Pages grouped by shard, each group in path order."""
    groups: dict[int, list[str]] = {}
    for path in sorted(paths):
        groups.setdefault(shard_of(path, count), []).append(path)
    return groups


def shards_script(shards: Iterable[int]) -> bytes:
    """``shards.js``: the search page loads it right after Pagefind's component script, at
    the end of the page (the components read their result templates when they start, so
    they start after the search box is parsed), and it tells the page's Pagefind instance
    to merge ``shards`` past the first when it loads the index, at the first search."""
    folders = [shard_folder(s)[len(BUNDLE) :] for s in sorted(shards) if s != 0]
    if not folders:
        return b"// The search index is one Pagefind bundle: nothing to merge.\n"
    return (
        "// The search index is split into shards, Pagefind bundles merged here (briefing's search step).\n"
        "(function (shards) {\n"
        "  var here = document.currentScript.src, components = window.PagefindComponents;\n"
        "  var merge = shards.map(function (s) { return { bundlePath: new URL(s, here).pathname }; });\n"
        "  if (!components) return;\n"
        "  var instances = components.getInstanceManager();\n"
        '  if (!instances.hasInstance("default")) {\n'
        '    components.configureInstance("default", { mergeIndex: merge });\n'
        "  } else {  // the search box has started: its instance reads this when it loads the index\n"
        '    instances.getInstance("default").options.mergeIndex = merge;\n'
        "  }\n"
        f"}})({json.dumps(folders)});\n"
    ).encode()


def language(config: SiteConfig) -> str:
    """One index in the site's language, whatever a page's parts are marked as."""
    return config.language.split("-")[0].lower()


def search_files(files: Mapping[str, bytes], config: SiteConfig) -> dict[str, bytes]:
    """The Pagefind bundles for ``files``, keyed by output path (``pagefind/...``)."""
    paths = indexed_pages(files)
    groups = by_shard(paths, shard_count(len(paths)))
    out = {SHARDS_SCRIPT: shards_script(groups)}
    with tempfile.TemporaryDirectory(prefix="briefing-search-") as work:
        done = index_shards(
            {s: {p: files[p] for p in pages} for s, pages in groups.items()}, language(config), Path(work)
        )
    for shard in sorted(done):
        out.update(done[shard])
    return out


def index_shards(
    shards: Mapping[int, Mapping[str, Source]],
    lang: str,
    work: Path,
    cancelled: Callable[[], bool] | None = None,
) -> dict[int, dict[str, bytes]]:
    """Each shard's bundle, keyed by output path, made ``PROCESSES`` at a time (a Pagefind
    process waits on its pages, and makes its bundle on one core). ``cancelled`` stops the
    runs still going (the dev server, when a new edit comes): the shards finished by then
    are returned."""

    def one(shard: int) -> tuple[int, dict[str, bytes] | None]:
        return shard, index_shard(shard, shards[shard], lang, work / str(shard), cancelled)

    with ThreadPoolExecutor(min(PROCESSES, max(1, len(shards)))) as pool:
        results = list(pool.map(one, sorted(shards)))
    return {shard: files for shard, files in results if files is not None}


def index_shard(
    shard: int, pages: Mapping[str, Source], lang: str, work: Path, cancelled: Callable[[], bool] | None = None
) -> dict[str, bytes] | None:
    """One shard's bundle: its pages fed to Pagefind's API in path order, the same index
    on every machine (``pagefind_api``); with a pagefind that layer was not tested with,
    put in a folder of their own (linked where they are files) and indexed by the
    ``pagefind`` binary. None when cancelled. The caller removes ``work``."""
    if cancelled is not None and cancelled():  # a new edit came before this shard began
        return None
    prefix, merged = shard_folder(shard), shard != 0
    if pagefind_api.supported():
        try:
            bundle = pagefind_api.index_pages(pages, lang, cancelled)
        except RuntimeError as exc:
            raise SearchError(str(exc)) from exc
        if bundle is None:
            return None
        return {prefix + name: data for name, data in bundle.items() if not (merged and _left_out(name))}
    site, bundle_dir = work / "site", work / "bundle"
    _mirror(site, pages)
    if not _run(site, bundle_dir, lang, cancelled):
        return None
    return _read_bundle(bundle_dir, prefix, merged)


def _left_out(name: str) -> bool:
    """Whether a merged shard leaves out the bundle file ``name`` (see ``_MERGED_LEAVES_OUT``)."""
    return name.endswith(_MERGED_LEAVES_OUT) or name.rsplit("/", 1)[-1].startswith("wasm.")


def _mirror(site: Path, pages: Mapping[str, Source]) -> None:
    made: set[str] = set()
    for rel in sorted(pages):
        target = os.path.join(site, rel)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        source = pages[rel]
        if isinstance(source, bytes):
            Path(target).write_bytes(source)
            continue
        try:
            os.link(source, target)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, target)


def _run(site: Path, bundle: Path, lang: str, cancelled: Callable[[], bool] | None) -> bool:
    """Pagefind's command line over ``site``; False when cancelled, SearchError when it fails."""
    exe = get_executable()
    if exe is None:
        raise SearchError("the pagefind binary was not found; install briefing with its dependencies (pagefind[bin])")
    cmd = [str(exe), "--site", str(site), "--output-path", str(bundle), "--force-language", lang, "--silent"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) as proc:
        while True:
            try:
                output, _ = proc.communicate(timeout=0.05 if cancelled is not None else None)
                break
            except subprocess.TimeoutExpired:
                if cancelled is not None and cancelled():
                    proc.kill()
                    proc.communicate()
                    return False
    if proc.returncode != 0:
        said = output.decode("utf-8", "replace").strip().splitlines()
        raise SearchError(f"pagefind failed (exit {proc.returncode}): {' '.join(said[-3:]) or 'no message'}")
    return True


def _read_bundle(bundle: Path, prefix: str, merged: bool) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for folder, _dirs, names in os.walk(bundle):
        for name in names:
            if merged and _left_out(name):
                continue
            path = os.path.join(folder, name)
            out[prefix + os.path.relpath(path, bundle).replace(os.sep, "/")] = Path(path).read_bytes()
    return dict(sorted(out.items()))
