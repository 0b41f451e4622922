"""The pipeline: load -> validate -> resolve -> render -> write.

Each stage collects diagnostics; nothing is written unless every stage
before ``write`` finished without errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig, load_config
from generator.diagnostics import Diagnostics
from generator.gitdates import last_commit_dates
from generator.library import Library
from generator.load import load_all
from generator.model import Record
from generator.render import Renderer
from generator.resolve import resolve
from generator.validate import validate
from generator.write import check_output, write_site


@dataclass
class Options:
    drafts: bool = False
    base_url: str | None = None
    strict: bool = False


@dataclass
class Result:
    diags: Diagnostics
    library: Library | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.diags.errors


def check(site: Path, options: Options) -> Result:
    """Validate and link the whole site; write nothing."""
    diags = Diagnostics()
    config = load_config(site, diags)
    raws = load_all(site, diags)
    records = [validate(raw, diags) for raw in raws]
    if config is None:
        return Result(diags)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    _apply_git_dates(site, records)
    lib = resolve(records, config, diags, drafts=options.drafts)
    return Result(diags, lib)


def _apply_git_dates(site: Path, records: list[Record]) -> None:
    briefs = [r for r in records if r.kind == "brief" and "updated" not in r.fields]
    if not briefs:
        return
    dates = last_commit_dates(site)
    for r in briefs:
        if r.path in dates:
            r.fields["updated"] = dates[r.path]


def render(site: Path, options: Options) -> Result:
    """Check, then render every file in memory (nothing written)."""
    result = check(site, options)
    if result.library is None or result.diags.failed(options.strict):
        return result
    result.files = Renderer(site, result.library, result.diags).render_all()
    return result


def build(site: Path, out: Path, options: Options) -> Result:
    """Check, render and write the site to ``out`` atomically."""
    check_output(site, out)
    result = render(site, options)
    if result.diags.failed(options.strict) or not result.files:
        return result
    write_site(out, result.files)
    return result


__all__ = ["Options", "Result", "SiteConfig", "build", "check", "render"]
