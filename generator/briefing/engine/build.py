"""One engine build's working data, handed from step to step (see ``Builder._build``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefing.content.config import SiteConfig
from briefing.content.model import Record
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.engine.cache import PageState, Searched, State
from briefing.engine.inputs import Stat
from briefing.engine.recording import RecordingRenderer
from briefing.engine.reresolve import Identities
from briefing.library.records import Library
from briefing.output.write import Staging

Identity = tuple[int, ...]


@dataclass
class Build:
    """What one build has found so far. ``last`` is the last build's state when there is
    one; ``trusted`` says whether its output and pages can be kept (same settings, and
    the output folder is the one it wrote): if not, every page is rendered."""

    diags: Diagnostics
    config: SiteConfig
    key: bytes  # settings, git dates and theme folders: a state made with another is not trusted
    scan: dict[str, Stat]
    started: int  # time.time_ns() when the scan began
    out_id: Identity | None  # the output folder's identity before this build
    last: State | None = None
    trusted: bool = False
    records: list[Record] = field(default_factory=list)
    identities: Identities = field(default_factory=dict)
    changed_ids: set[str] = field(default_factory=set)
    lib: Library | None = None
    resolve_diags: list[Diagnostic] = field(default_factory=list)
    renderer: RecordingRenderer | None = None
    staging: Staging | None = None  # a whole write's new output, filled as pages render
    fresh: dict[str, bytes] = field(default_factory=dict)  # output files made in memory
    pages: dict[str, PageState] = field(default_factory=dict)  # every output file's state
    rendered: set[str] = field(default_factory=set)  # output paths rendered by this build
    changed: set[str] = field(default_factory=set)  # output paths whose bytes changed (or are new)
    removed: list[str] = field(default_factory=list)  # output paths that no longer exist
    spare: tuple[Identity | None, dict[str, bytes] | None] = (None, None)  # the spare output left
    searched: Searched | None = None  # what the search index holds; None without one

    @property
    def old_pages(self) -> dict[str, PageState]:
        """The last build's pages, when they can be kept."""
        return self.last.pages if self.trusted and self.last is not None else {}
