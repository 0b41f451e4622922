"""The reference pipeline: load -> validate -> resolve -> render -> search -> write.

Each stage takes plain data and gives plain data, and collects diagnostics instead of
printing; nothing is written unless every stage before it finished without errors.
This is the truth: ``briefing check`` runs it, tests ask it what a site should be, and
the incremental engine (``engine.builder``), which ``briefing build`` and ``serve`` run,
must give its bytes (tests/test_engine_reference.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefing.content.config import SiteConfig, load_config
from briefing.content.gitdates import last_commit_dates, with_commit_dates
from briefing.content.load import load_site
from briefing.content.validate import validate
from briefing.diagnostics import Diagnostics
from briefing.library.records import Library
from briefing.library.references import check_cited_quotes, check_references
from briefing.library.resolve import resolve
from briefing.output import search
from briefing.output.write import check_output, write_site
from briefing.render.renderer import Renderer


@dataclass
class Options:
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False
    search: bool = True  # False: no search index, whatever site.toml says (``--no-search``)


@dataclass
class Result:
    diags: Diagnostics
    library: Library | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # output paths rendered by this build
    written: list[str] = field(default_factory=list)  # output paths whose bytes changed (or are new)
    removed: list[str] = field(default_factory=list)  # output paths that no longer exist
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    @property
    def ok(self) -> bool:
        return not self.diags.errors


def settings(site: Path, options: Options, diags: Diagnostics) -> SiteConfig | None:
    """``site.toml``, with the command line's ``--base-url`` and ``--no-search`` applied."""
    config = load_config(site, diags)
    if config is not None and options.base_url:
        config = config.with_base_url(options.base_url)
    if config is not None and not options.search:
        config = config.without_search()
    return config


def check(site: Path, options: Options) -> Result:
    """Load, validate and resolve the whole site; write nothing."""
    diags = Diagnostics()
    config = settings(site, options, diags)
    raws, unparsed = load_site(site, diags)
    records = [validate(raw, diags) for raw in raws]
    if config is None:  # no library without settings, but every reference is still checked
        every = {r.id: r for r in reversed(records)}
        check_references(every, diags, unparsed)
        check_cited_quotes(every, diags)
        return Result(diags)
    if config.updated_from_git:
        records = with_commit_dates(records, last_commit_dates(site))
    return Result(diags, resolve(records, config, diags, drafts=options.drafts, unparsed=unparsed))


def render(site: Path, options: Options) -> Result:
    """Check, then render every page, feed and asset in memory (nothing written)."""
    result = check(site, options)
    if result.library is None or result.diags.failed(options.strict):
        return result
    files = Renderer(site, result.library, result.diags).render_all()
    if not result.diags.failed(options.strict):
        result.files, result.rendered = files, sorted(files)
    return result


def build(site: Path, out: Path, options: Options) -> Result:
    """Check, render, index for search (unless it is off), and write the site to ``out``,
    swapped in whole."""
    check_output(site, out)
    result = render(site, options)
    if result.library is None or not result.files:
        return result
    config = result.library.config
    files = {**result.files, **search.search_files(result.files, config)} if config.search_enabled else result.files
    write_site(out, files)
    result.files, result.written = files, sorted(files)
    return result
