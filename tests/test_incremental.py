"""Incremental builds equal clean ones, byte for byte, and redo only what changed."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.content.load import load_all
from briefing.content.validate import validate
from briefing.diagnostics import Diagnostics
from briefing.engine import builder as build_module
from briefing.engine import cache, parallel, rendering
from briefing.engine import output as engine_output
from briefing.engine.ahead import AheadMarkup
from briefing.engine.builder import Builder, build
from briefing.engine.recording import listing_keys
from briefing.engine.reresolve import Inputs, resolve_again
from briefing.library.resolve import resolve
from briefing.output import files, write
from briefing.pipeline import Options, Result, check, render
from briefing.render import feeds
from briefing.render.renderer import Renderer
from conftest import SITES, run_cli

IDS = [
    "alliance",
    "anna-berg",
    "daily-news",
    "karl-ode",
    "ruritania",
    "summit-2025",
    "forum-2026",
    "declaration",
    "fund",
    "daily-report",
    "wire",
    "fund-explained",
    "summit-at-a-glance",
]
WORDS = st.text(alphabet="abcdefghij ", min_size=1, max_size=20).map(lambda s: s.strip() or "word")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def diag_lines(result: Result) -> list[str]:
    return [d.text() for d in result.diags.sorted()]


# -- edits: each takes the site folder and changes its content ---------------------


def append_prose(name: str, text: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        path = site / "content/briefs" / f"{name}.md"
        if path.exists():
            path.write_text(path.read_text() + f"\n{text}\n")

    return edit


def add_link(name: str, target: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        path = site / "content/briefs" / f"{name}.md"
        if path.exists():
            path.write_text(path.read_text() + f"\nSee also [[{target}]].\n")

    return edit


def unlink(name: str, target: str) -> Callable[[Path], None]:
    """A link made plain text: the record no longer mentions the target."""

    def edit(site: Path) -> None:
        path = site / "content/briefs" / f"{name}.md"
        path.write_text(path.read_text().replace(f"[[{target}]]", "it"))

    return edit


def cite_first(name: str, source: str) -> Callable[[Path], None]:
    """A citation before the brief's others: its sources change order, its fields do not."""

    def edit(site: Path) -> None:
        path = site / "content/briefs" / f"{name}.md"
        head, _, body = path.read_text().partition("\n---\n")
        path.write_text(f"{head}\n---\nAs cited [@{source}].\n\n{body}")

    return edit


def quote(name: str, words: str) -> Callable[[Path], None]:
    """A quotation citing the daily report: a resolve check that reads the source's text."""

    def edit(site: Path) -> None:
        path = site / "content/briefs" / f"{name}.md"
        if path.exists():
            path.write_text(path.read_text() + f'\nThe report: "{words}" [@daily-report].\n')

    return edit


def reword_source(words: str) -> Callable[[Path], None]:
    """The daily report's first sentence, which no source quote holds but a brief may."""

    def edit(site: Path) -> None:
        path = site / "content/sources/daily-report.md"
        path.write_text(re.sub(r"^Leaders met [^.]*\.", f"Leaders met {words}.", path.read_text(), flags=re.M))

    return edit


def retitle(record: str, title: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        for path in (site / "content").glob(f"*/{record}.*"):
            text = re.sub(
                r"^(name|title): .*$", lambda m: f"{m[1]}: {title.title()}", path.read_text(), count=1, flags=re.M
            )
            path.write_text(text)

    return edit


def add_brief(n: int, targets: list[str], date: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        links = " and ".join(f"[[{t}]]" for t in targets) or "nothing"
        (site / "content/briefs" / f"added-{n}.md").write_text(
            f"---\ntitle: Added {n}\ndate: {date}\ntags: [added, t{n % 2}]\n---\nIt mentions {links} on [[{date}]].\n"
        )

    return edit


def short_name(record: str, words: str) -> Callable[[Path], None]:
    """A record's short name: what links to it show in running text, its title unchanged."""

    def edit(site: Path) -> None:
        for path in (site / "content").glob(f"*/{record}.*"):
            text = re.sub(r"^short_name: .*\n", "", path.read_text(), flags=re.M)
            path.write_text(re.sub(r"^((?:name|title): .*\n)", rf"\1short_name: {words}\n", text, count=1, flags=re.M))

    return edit


def watched_brief(n: int, date: str) -> Callable[[Path], None]:
    """A brief with a watch item, raised by the wire: the watch lists, the date the site is
    written as of and where the wire (known only to its year) stands may all move."""

    def edit(site: Path) -> None:
        (site / "content/briefs" / f"watched-{n}.md").write_text(
            f"---\ntitle: Watched {n}\ndate: {date}\nwatch:\n  - what: The [[fund]] by {date}\n"
            f"    due: {date}\n    sources: [wire]\n---\nOn the [[fund]].\n"
        )

    return edit


def delete(name: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        for path in (site / "content").glob(f"*/{name}.*"):
            path.unlink()

    return edit


def rename(old: str, new: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        for path in (site / "content").glob(f"*/{old}.*"):
            path.rename(path.with_name(new + path.suffix))

    return edit


def override_template(marker: str) -> Callable[[Path], None]:
    """A site's own tag.html, added later: pages that looked for it must change."""

    def edit(site: Path) -> None:
        source = (Path(__file__).parent.parent / "theme/templates/tag.html").read_text()
        (site / "theme/templates/tag.html").write_text(
            source.replace("{% block main %}", f"{{% block main %}}<!-- {marker} -->", 1)
        )

    return edit


def restyle(marker: str) -> Callable[[Path], None]:
    """A site's own style.css: its fingerprinted URL, and so every page, changes."""

    def edit(site: Path) -> None:
        source = (Path(__file__).parent.parent / "theme/static/style.css").read_text()
        (site / "theme/static").mkdir(parents=True, exist_ok=True)
        (site / "theme/static/style.css").write_text(f"/* {marker} */\n{source}")

    return edit


def drop_theme_file(name: str) -> Callable[[Path], None]:
    """Remove an override again: the bundled file is used once more."""

    def edit(site: Path) -> None:
        (site / "theme" / name).unlink(missing_ok=True)

    return edit


def retitle_site(title: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        path = site / "site.toml"
        path.write_text(re.sub(r'^title = ".*"$', f'title = "{title.title()}"', path.read_text(), count=1, flags=re.M))

    return edit


ADDED = st.integers(min_value=1, max_value=3).map(lambda n: f"added-{n}")
EDITS = st.one_of(
    st.builds(append_prose, st.sampled_from(["fund-explained", "summit-at-a-glance", "added-1"]), WORDS),
    st.builds(
        add_link,
        st.sampled_from(["fund-explained", "summit-at-a-glance", "added-2"]),
        st.sampled_from([*IDS, "added-1", "secret-draft"]),
    ),
    st.builds(
        retitle, st.sampled_from(["karl-ode", "anna-berg", "summit-2025", "fund", "fund-explained", "added-1"]), WORDS
    ),
    st.builds(
        add_brief,
        st.integers(min_value=1, max_value=3),
        st.lists(st.sampled_from([*IDS, "added-1"]), max_size=3),
        st.sampled_from(["2025-11-27", "2025-12", "2026", "2024-02-03"]),
    ),
    st.builds(delete, st.sampled_from(["added-1", "added-2", "added-3", "fund-explained", "karl-ode", "watched-1"])),
    st.builds(short_name, st.sampled_from(["fund", "wire", "summit-2025", "anna-berg"]), WORDS),
    st.builds(
        watched_brief, st.integers(min_value=1, max_value=2), st.sampled_from(["2025-03-01", "2025-12-24", "2026-02"])
    ),
    st.builds(rename, ADDED, ADDED),
    st.builds(override_template, WORDS),
    st.builds(restyle, WORDS),
    st.builds(drop_theme_file, st.sampled_from(["templates/tag.html", "static/style.css"])),
    st.builds(retitle_site, WORDS),
    st.builds(
        quote, st.sampled_from(["fund-explained", "added-1"]), st.sampled_from(["Leaders met on Thursday", "met"])
    ),
    st.builds(reword_source, st.sampled_from(["on Thursday", "on Friday"])),
)


def core_builder(site: Path, out: Path, use_cache: bool = False) -> Builder:
    """A builder without the search index (tests/test_search.py tests its shards)."""
    return Builder(site, out, Options(search=False), use_cache=use_cache)


@settings(max_examples=12, deadline=None)
@given(st.lists(EDITS, min_size=1, max_size=5))
def test_incremental_builds_equal_clean_builds(edits: list[Callable[[Path], None]]) -> None:
    """``memory`` is the dev server's builder: one kept across edits, reusing its renderer
    and page list while the library keeps its indexes and changing files in place;
    ``disk`` starts from the saved cache each time, as ``briefing build`` does."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "site"
        shutil.copytree(SITES / "valid", site)
        (site / "theme/templates").mkdir(parents=True)
        memory = core_builder(site, root / "memory")
        first = memory.build()
        assert first.ok
        core_builder(site, root / "disk", use_cache=True).build()
        for edit in edits:
            edit(site)
            clean = core_builder(site, root / "clean").build()
            kept = memory.build()
            disk = core_builder(site, root / "disk", use_cache=True).build()
            assert diag_lines(kept) == diag_lines(clean) == diag_lines(disk)
            if clean.ok:
                expected = tree(root / "clean")
                assert tree(root / "memory") == expected
                assert tree(root / "disk") == expected


def test_a_quote_is_checked_again_when_only_its_sources_text_changes(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    quote("fund-explained", "Leaders met on Thursday")(site)
    kept = core_builder(site, tmp_path / "out")
    assert kept.build().ok
    reword_source("on Friday")(site)
    assert [d.code for d in kept.build().diags.errors] == ["quote-not-in-source"]
    reword_source("on Thursday")(site)
    assert kept.build().ok


def test_a_second_build_renders_and_writes_nothing(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("valid")
    builder = Builder(site, tmp_path / "out", Options())
    first = builder.build()
    assert first.ok and first.rendered and first.written
    second = builder.build()
    assert second.ok
    assert second.rendered == [] and second.written == [] and second.removed == []
    on_disk = tree(tmp_path / "out")
    assert on_disk == dict(second.files) | {".briefing-output": on_disk[".briefing-output"]}


def test_touching_an_actor_rerenders_its_page_and_the_pages_that_show_it(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    builder = Builder(site, tmp_path / "out", Options())
    assert builder.build().ok
    retitle("karl-ode", "Karl Renamed")(site)
    result = builder.build()
    assert result.ok
    link = b'href="/briefing/actors/karl-ode/"'
    shows = {p for p, data in tree(tmp_path / "out").items() if p.endswith(".html") and link in data}
    assert len(shows) > 3
    expected = shows | {"actors/karl-ode/index.html"}
    assert {p for p in result.rendered if p.endswith(".html")} == expected
    assert {p for p in result.written if p.endswith(".html")} == expected


def test_a_new_link_rerenders_the_target_and_a_deleted_brief_disappears(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    out = tmp_path / "out"
    builder = Builder(site, out, Options())
    assert builder.build().ok
    add_link("fund-explained", "karl-ode")(site)
    result = builder.build()
    assert "actors/karl-ode/index.html" in result.written
    assert b"/briefing/briefs/fund-explained/" in (out / "actors/karl-ode/index.html").read_bytes()
    delete("fund-explained")(site)
    result = builder.build()
    assert result.ok
    assert "briefs/fund-explained/index.html" in result.removed
    assert not (out / "briefs/fund-explained").exists()
    for path, data in tree(out).items():
        assert b"/briefing/briefs/fund-explained/" not in data, path


def test_the_command_line_keeps_a_cache_and_writes_only_what_changed(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    assert run_cli("build", "--site", site).returncode == 0
    assert cache.load(site) is not None  # saved in the background: loading waits for it
    marker = (site / "public/index.html").stat().st_ino
    second = run_cli("build", "--site", site)
    assert second.returncode == 0
    assert "nothing changed" in second.stderr
    assert (site / "public/index.html").stat().st_ino == marker
    append_prose("fund-explained", "One more line.")(site)
    third = run_cli("build", "--site", site)
    assert "files changed: briefs/fund-explained/" in third.stderr  # the edited page, named
    assert b"One more line." in (site / "public/briefs/fund-explained/index.html").read_bytes()
    assert (site / "public/index.html").stat().st_ino == marker  # unchanged files are kept, not rewritten


def test_the_first_edit_after_a_clean_build_updates_a_spare_made_for_it(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean build of a large site leaves a spare output behind (made by the child
    that saves the state), so the next edit brings that up to date instead of
    linking every file of the site into a new folder."""
    site = site_copy("valid")
    shutil.rmtree(site / "public", ignore_errors=True)
    monkeypatch.setattr(build_module, "BACKGROUND_SAVE_FILES", 1)
    killed = site / cache.CACHE_DIR / f"{write.spare_name(site / 'public')}.tmp-1"  # what a killed save left
    killed.mkdir(parents=True)
    (killed / "index.html").write_text("half made")
    first = core_builder(site, site / "public", use_cache=True)
    first.background_save = True
    assert first.build().ok
    whole_writes: list[Path] = []

    def write_site(out: Path, *args: object, **kwargs: object) -> None:
        whole_writes.append(out)
        write.write_site(out, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_output, "write_site", write_site)
    for edit in (
        append_prose("fund-explained", "One more line."),
        add_link("daily-report", "karl-ode"),
        delete("summit-at-a-glance"),
    ):
        edit(site)
        assert core_builder(site, site / "public", use_cache=True).build().ok
        assert site / "public" not in whole_writes and not killed.exists()
        assert core_builder(site, tmp_path / "clean").build().ok
        assert tree(site / "public") == tree(tmp_path / "clean")


def test_a_corrupt_or_foreign_cache_is_ignored(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("valid")
    build(site, tmp_path / "clean", Options())
    state = site / cache.CACHE_DIR / cache.STATE_FILE
    for content in (
        b"not a cache",
        b"briefing-cache 1 0000\n" + b"\x80\x05garbage",
        cache._header() + b"\n\x80\x05garbage",
    ):
        state.parent.mkdir(exist_ok=True)
        state.write_bytes(content)
        result = build(site, site / "public", Options(), use_cache=True)
        assert result.ok
        assert set(result.rendered) == {
            p
            for p in tree(tmp_path / "clean")  # steps add pagefind/
            if not p.startswith(("static/", "pagefind/", ".briefing-output"))
        }
        assert tree(site / "public") == tree(tmp_path / "clean")
        shutil.rmtree(site / "public")


def test_clean_ignores_the_cache(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    assert run_cli("build", "--site", site).returncode == 0
    again = run_cli("build", "--site", site, "--clean")
    assert again.returncode == 0
    assert "nothing changed" not in again.stderr


def test_changing_options_between_cached_builds_gives_a_clean_build(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    build(site, tmp_path / "plain", Options())
    build(site, tmp_path / "drafts", Options(drafts=True))
    out = tmp_path / "out"
    for options, expected in (
        (Options(drafts=True), "drafts"),
        (Options(), "plain"),
        (Options(base_url="https://other.example/"), None),
    ):
        result = build(site, out, options, use_cache=True)
        assert result.ok
        if expected:
            assert tree(out) == tree(tmp_path / expected)
    assert b"https://other.example/" in (out / "sitemap.xml").read_bytes()


def test_worker_processes_give_the_same_bytes(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    build(site, tmp_path / "one", Options())
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    result = build(site, tmp_path / "many", Options())
    assert result.ok and len(result.rendered) > 30
    assert tree(tmp_path / "many") == tree(tmp_path / "one")


@pytest.mark.parametrize("name", ["valid", "invalid-types", "invalid-reference", "invalid-duplicate-id"])
def test_files_parsed_partly_in_a_second_process_give_the_same_site_and_errors(
    name: str, site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy(name)
    one = core_builder(site, tmp_path / "one").build()
    monkeypatch.setattr(parallel, "MIN_SHARE", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    shared = core_builder(site, tmp_path / "shared").build()
    assert diag_lines(shared) == diag_lines(one) and shared.ok == one.ok
    assert [r.path for r in shared.library.records.values()] == [r.path for r in one.library.records.values()]
    if one.ok:
        assert tree(tmp_path / "shared") == tree(tmp_path / "one")


def test_what_worker_rendered_pages_read_is_kept_for_the_next_build(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers send each key once and pages as numbers; the next build must still
    # know which pages read what, from memory and from the saved cache alike.
    site = site_copy("valid")
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    out = tmp_path / "out"
    kept = core_builder(site, out, use_cache=True)
    assert kept.build().ok
    monkeypatch.setattr(parallel, "MIN_PAGES", 10_000)  # the edit's few pages render here
    add_link("fund-explained", "karl-ode")(site)
    edited = kept.build()
    assert edited.ok and "actors/karl-ode/index.html" in edited.rendered
    assert len(edited.rendered) < 15
    assert core_builder(site, tmp_path / "clean").build().ok
    assert tree(out) == tree(tmp_path / "clean")
    add_link("fund-explained", "ruritania")(site)
    loaded = core_builder(site, out, use_cache=True).build()  # from the saved cache
    assert loaded.ok and "actors/ruritania/index.html" in loaded.rendered and len(loaded.rendered) < 15
    assert core_builder(site, tmp_path / "clean2").build().ok
    assert tree(out) == tree(tmp_path / "clean2")


def test_a_write_that_fails_in_place_leaves_the_output_as_it_was(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    out = tmp_path / "out"
    builder = core_builder(site, out)
    assert builder.build().ok
    before = tree(out)
    add_link("fund-explained", "karl-ode")(site)  # changes the brief's page and the actor's
    written: list[int] = []

    class FullDisk:  # ``os`` as the output's writers see it: the second file does not fit
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def write(self, fd: int, data: bytes) -> int:
            written.append(fd)
            if len(written) > 1:
                raise OSError(28, "No space left on device")
            return os.write(fd, data)

    monkeypatch.setattr(write, "os", FullDisk())
    monkeypatch.setattr(files, "os", FullDisk())
    with pytest.raises(OSError):
        builder.build()
    assert len(written) == 2
    assert tree(out) == before  # not one new file, not one left-over temporary file
    monkeypatch.undo()
    assert builder.build().ok
    assert core_builder(site, tmp_path / "clean").build().ok
    assert tree(out) == tree(tmp_path / "clean")


def test_a_page_made_alone_is_the_listed_page(site_copy: Callable[[str], Path]) -> None:
    """A build that reuses the last page list makes only the pages it renders, by path."""
    site = site_copy("valid")
    result = render(site, Options())
    assert result.library is not None
    listed = Renderer(site, result.library, Diagnostics()).pages()
    alone = Renderer(site, result.library, Diagnostics())
    assert len(listed) > 30
    for page in listed:
        made = alone.page_list.find(page.output)
        assert made is not None, page.output
        assert (made.path, made.template, made.title, made.record, made.crumbs, listing_keys(made)) == (
            page.path,
            page.template,
            page.title,
            page.record,
            page.crumbs,
            listing_keys(page),
        )
        assert alone.render_page(made) == alone.render_page(page)
    for missing in (
        "briefs/no-such-brief/index.html",
        "actors/fund-explained/index.html",
        "tags/none/index.html",
        "dates/1999-01-01/index.html",
        "nowhere/index.html",
        "briefs/index.htm",
    ):
        assert alone.page_list.find(missing) is None, missing


def test_a_missing_or_corrupt_records_file_is_ignored(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """The saved records live in a file of their own, which the state names: without it
    (or with garbage in it) the state is not used."""
    site = site_copy("valid")
    assert core_builder(site, site / "public", use_cache=True).build().ok
    records = list((site / cache.CACHE_DIR).glob("records-*.pickle"))
    assert len(records) == 1 and cache.load(site) is not None
    append_prose("fund-explained", "A line the records file does not have.")(site)
    assert core_builder(site, site / "public", use_cache=True).build().ok
    assert list((site / cache.CACHE_DIR).glob("records-*.pickle")) == records  # one record apart: kept
    for damage in (lambda path: path.write_bytes(b"garbage"), lambda path: path.unlink()):
        damage(records[0])
        assert cache.load(site) is None
        append_prose("fund-explained", "Another line.")(site)
        assert core_builder(site, site / "public", use_cache=True).build().ok
        assert core_builder(site, tmp_path / "clean").build().ok
        assert tree(site / "public") == tree(tmp_path / "clean")
        records = list((site / cache.CACHE_DIR).glob("records-*.pickle"))
        assert len(records) == 1 and cache.load(site) is not None


def test_a_second_link_to_a_linked_record_renders_only_the_linking_page(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """No index changes, so the last library is kept as after a prose edit."""
    site = site_copy("valid")
    builder = core_builder(site, tmp_path / "out")
    assert builder.build().ok
    target = re.search(r"\[\[([a-z0-9-]+)", (site / "content/briefs/fund-explained.md").read_text())
    assert target is not None
    add_link("fund-explained", target[1])(site)
    result = builder.build()
    assert result.ok
    assert [p for p in result.rendered if p.endswith(".html")] == ["briefs/fund-explained/index.html"]
    assert core_builder(site, tmp_path / "clean").build().ok
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")


def test_resolving_from_the_last_library_gives_the_same_library(site_copy: Callable[[str], Path]) -> None:
    """Indexes that cannot have changed are taken from the last library, and those a few
    changed records touch are updated: either way the library equals a fresh one."""
    site = site_copy("valid")
    before = check(site, Options()).library
    for edit in (
        add_link("fund-explained", "karl-ode"),
        add_link("summit-at-a-glance", "fund"),
        add_link("fund-explained", "2019-03-04"),
        cite_first("summit-at-a-glance", "wire"),
        unlink("summit-at-a-glance", "alliance|alliance"),
        unlink("fund-explained", "2025-12|December"),
        append_prose("fund-explained", "More prose."),
        retitle("karl-ode", "Karl Renamed"),
        add_brief(1, ["anna-berg", "karl-ode"], "2025-11-27"),
        delete("fund-explained"),
    ):
        assert before is not None
        files = {r.path: (site / r.path).read_bytes() for r in before.records.values()}
        edit(site)
        records = [validate(raw, Diagnostics()) for raw in load_all(site, Diagnostics())]
        # as in a build: a file whose bytes are unchanged keeps its record, the same object
        records = [
            before.records[r.id]
            if r.id in before.records
            and files.get(r.path) == (site / r.path).read_bytes()
            and before.records[r.id].path == r.path
            else r
            for r in records
        ]
        config = before.config
        now = Inputs(records, config, False, frozenset(), {})
        again = resolve_again(now, Diagnostics(), before)
        fresh = resolve(records, config, Diagnostics())
        assert again == fresh
        before = fresh


def test_the_state_a_saving_child_makes_serves_the_next_build(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command line leaves making the state, not only saving it, to a forked child:
    # the next build must find everything up to date, and then redo only an edit.
    monkeypatch.setattr(build_module, "BACKGROUND_SAVE_FILES", 0)
    site = site_copy("valid")
    out = site / "public"
    assert build(site, out, Options(), use_cache=True, save_in_background=True).ok
    again = Builder(site, out, Options(), use_cache=True)
    nothing = again.build()
    assert nothing.ok and nothing.rendered == [] and nothing.written == []
    append_prose("fund-explained", "A line after the saved state.")(site)
    edited = build(site, out, Options(), use_cache=True, save_in_background=True)
    assert edited.ok and "briefs/fund-explained/index.html" in edited.rendered
    assert len(edited.rendered) < len(nothing.files) / 2
    build(site, tmp_path / "clean", Options())
    assert tree(out) == tree(tmp_path / "clean")


def test_a_build_failing_after_its_pages_were_staged_leaves_the_output_as_it_was(
    site_copy: Callable[[str], Path],
) -> None:
    # A whole write fills the new output while pages render; a build that fails
    # then must drop it, and the last output must stay untouched.
    site = site_copy("valid")
    out = site / "public"
    assert build(site, out, Options()).ok
    before = tree(out)
    source = (Path(__file__).parent.parent / "theme/templates/tag.html").read_text()
    (site / "theme/templates").mkdir(parents=True, exist_ok=True)
    (site / "theme/templates/tag.html").write_text(
        source.replace("{% block main %}", "{% block main %}{{ m.no_such_macro() }}", 1)
    )
    result = build(site, out, Options())
    assert not result.ok
    assert tree(out) == before
    assert [p.name for p in out.parent.iterdir() if write._TMP in p.name and not p.name.startswith(".")] == []


def test_site_json_after_a_link_edit_makes_only_the_lines_whose_records_changed(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    out = tmp_path / "out"
    assert core_builder(site, out, use_cache=True).build().ok
    made: list[str] = []
    line = feeds.site_json_line
    monkeypatch.setattr(feeds, "site_json_line", lambda rid, inputs: made.append(rid) or line(rid, inputs))
    add_link("fund-explained", "karl-ode")(site)
    assert core_builder(site, out, use_cache=True).build().ok  # from the saved cache, as the command line
    assert sorted(made) == ["fund-explained", "karl-ode"]  # its mentions, and the actor's mentioned-by
    assert core_builder(site, tmp_path / "clean").build().ok
    assert (out / "data/site.json").read_bytes() == (tmp_path / "clean/data/site.json").read_bytes()


def test_a_site_json_changed_by_hand_is_not_trusted_for_its_lines(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    site = site_copy("valid")
    out = tmp_path / "out"
    builder = core_builder(site, out)
    assert builder.build().ok
    path = out / "data/site.json"
    path.write_text(path.read_text().replace('"Anna Berg"', '"Someone Else"'))
    add_link("fund-explained", "karl-ode")(site)
    assert builder.build().ok
    assert core_builder(site, tmp_path / "clean").build().ok
    assert path.read_bytes() == (tmp_path / "clean/data/site.json").read_bytes()


def page_reads(state: cache.State) -> set[tuple[str, Any]]:
    """Every (page, key it read) of a build that rendered every page."""
    return {(state.deps.paths[pid], key) for key, readers in state.deps.items() for pid in readers}


def finish_ahead_first(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make ``Ahead.stop`` wait until the work is done (a small site resolves before a
    forked process gets far); returns a list that gets the number of texts converted."""
    stop = parallel.Ahead.stop
    counts: list[int] = []

    def finished(self: parallel.Ahead[Any]) -> Any:
        assert self._receive.poll(60)
        done = stop(self)
        counts.append(len(done or []))
        return done

    monkeypatch.setattr(parallel.Ahead, "stop", finished)
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(rendering, "AHEAD_BRIEFS", 1)
    return counts


def test_markdown_converted_ahead_gives_the_same_site_and_reads(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The briefs' Markdown is converted in a forked process while resolve runs; the pages
    # must be the same, and so must what they read: renaming an actor a body links re-renders it.
    site = site_copy("valid")
    plain = core_builder(site, tmp_path / "plain")
    assert plain.build().ok and plain.state is not None
    counts = finish_ahead_first(monkeypatch)
    out = tmp_path / "out"
    kept = core_builder(site, out, use_cache=True)
    assert kept.build().ok and counts == [2]  # the two published briefs
    assert tree(out) == tree(tmp_path / "plain")
    assert kept.state is not None
    reads = page_reads(kept.state)
    assert reads == page_reads(plain.state)
    assert ("briefs/summit-at-a-glance/index.html", ("v", "link", "anna-berg")) in reads  # its body links her
    monkeypatch.setattr(parallel, "MIN_PAGES", 10_000)  # the edit's pages render here
    actor = site / "content/actors/anna-berg.md"
    actor.write_text(actor.read_text().replace("name: Anna Berg", "name: Anna Bergson"))
    edited = kept.build()
    assert edited.ok and "briefs/summit-at-a-glance/index.html" in edited.rendered
    assert counts == [2]  # an edit converts nothing ahead
    assert core_builder(site, tmp_path / "clean").build().ok
    assert tree(out) == tree(tmp_path / "clean")
    assert b'anna-berg/">Anna Bergson</a> hosted' in (out / "briefs/summit-at-a-glance/index.html").read_bytes()


def test_work_ahead_returns_its_result_or_nothing() -> None:
    def count(stopped: Callable[[], bool]) -> int:
        n = 0
        while not stopped():
            n += 1
        return n

    def fail(stopped: Callable[[], bool]) -> int:
        raise ValueError("broken")

    assert (parallel.Ahead(count).stop() or 0) >= 0
    assert parallel.Ahead(fail).stop() is None
    dropped = parallel.Ahead(count)
    dropped.close()
    assert not dropped._process.is_alive() and dropped.stop() is None


def test_workers_started_without_fork_give_the_same_bytes(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With another thread running (the dev server), workers start from a forkserver:
    # they inherit nothing, and make their own renderer from the site and library.
    import threading

    site = site_copy("valid")
    assert core_builder(site, tmp_path / "one").build().ok
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    done = threading.Event()
    waiting = threading.Thread(target=done.wait, daemon=True)
    waiting.start()
    try:
        assert parallel._context().get_start_method() == "forkserver"
        result = core_builder(site, tmp_path / "many").build()
    finally:
        done.set()
        waiting.join()
    assert result.ok and len(result.rendered) > 30
    assert tree(tmp_path / "many") == tree(tmp_path / "one")


def test_a_render_workers_recorder_keeps_each_key_as_one_number() -> None:
    from briefing.engine.deps import Recorder

    rec = Recorder()
    rec.number_keys()
    rec.start([("tpl", "brief.html")])
    rec.add(("f", "anna-berg", "name"))
    rec.add(("tpl", "brief.html"))
    first = frozenset(rec.keys or ())
    rec.start([])
    rec.add(("f", "anna-berg", "name"))
    assert rec.numbered is not None and len(rec.numbered) == 2
    assert {rec.numbered[n] for n in first} == {("tpl", "brief.html"), ("f", "anna-berg", "name")}
    assert rec.keys == {rec.numbered.index(("f", "anna-berg", "name"))}


def test_work_ahead_dropped_unread_ends_by_itself() -> None:
    # A build that fails before rendering drops the work unread; a result bigger than a
    # pipe holds must not leave its process waiting to send it (to be killed at the end).
    ahead = parallel.Ahead(lambda stopped: "x" * 1_000_000)
    ahead._process.join(0.5)  # it is done, and sending
    ahead.close()
    assert ahead._process.exitcode == 0


def test_a_failing_build_drops_its_work_ahead(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    brief = site / "content/briefs/fund-explained.md"
    brief.write_text(brief.read_text().replace("tags: [summit]", "tags: [summit]\nactors: [nobody-known]"))
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(rendering, "AHEAD_BRIEFS", 1)
    started: list[parallel.Ahead[Any]] = []
    made = parallel.Ahead.__init__

    def init(self: parallel.Ahead[Any], work: Any) -> None:
        made(self, work)
        started.append(self)

    monkeypatch.setattr(parallel.Ahead, "__init__", init)
    assert not core_builder(site, tmp_path / "out").build().ok
    assert len(started) == 1 and started[0]._process.exitcode == 0


def test_markdown_converted_ahead_serves_a_build_rendered_in_one_process(
    site_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_copy("valid")
    plain = core_builder(site, tmp_path / "plain")
    assert plain.build().ok and plain.state is not None
    counts = finish_ahead_first(monkeypatch)
    monkeypatch.setattr(parallel, "MIN_PAGES", 10_000)  # rendered here, with what was converted ahead
    used: list[str] = []
    holds = AheadMarkup._still_holds

    def still_holds(self: AheadMarkup, done: Any) -> bool:
        used.append(done.html)
        return holds(self, done)

    monkeypatch.setattr(AheadMarkup, "_still_holds", still_holds)
    ahead = core_builder(site, tmp_path / "ahead")
    assert ahead.build().ok and counts == [2] and len(used) >= 2
    assert tree(tmp_path / "ahead") == tree(tmp_path / "plain")
    assert ahead.state is not None and page_reads(ahead.state) == page_reads(plain.state)
