"""``data/site.json`` after an edit: the last build's lines for the records that kept their inputs.

``site.json`` has a line per record; after a one-file edit a few of 12,000 lines change.
A record's line is taken from the last build's file (checked by its digest, see
``Builder``) when the record's inputs are the very objects the last library held: a
library is never changed in place, so the same object means the same value. Its reads
are declared (``reads``) rather than recorded: reading every record through the
recording library would cost more than the lines it saves. ``tests/test_site_json.py`` checks them against a recorded
run, and the bytes against the plain ``render.feeds.site_json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from briefing.content.model import RecordId
from briefing.engine.deps import Key
from briefing.library.records import Library
from briefing.render import feeds
from briefing.render.urls import Urls


def site_json(lib: Library, urls: Urls, reuse: Callable[[str, feeds.LineInputs], str | None] | None) -> bytes:
    """``feeds.site_json``, with the lines ``reuse`` gives where it gives one."""
    lines = []
    for rid in lib.records:
        inputs = feeds.line_inputs(lib, urls, rid)
        line = reuse(rid, inputs) if reuse is not None else None
        lines.append(line if line is not None else feeds.site_json_line(rid, inputs))
    return feeds.site_json_document(lib, lines)


def reads(lib: Library) -> Iterator[Key]:
    """The keys ``site_json`` reads (see ``deps``)."""
    yield ("IX", "records")
    yield ("IX", "as_of")
    for rid in lib.records:
        yield from (("r", rid, "kind"), ("r", rid, "data"), ("ix", "mentions", rid), ("ix", "mentioned_by", rid))
        yield ("f", rid, "moved_from")  # the redirects (``feeds.redirects``)


class SiteJsonLines:
    """The last build's ``site.json`` lines, for ``site_json`` to reuse (see above)."""

    PREFIX = '{"id": "'

    def __init__(self, lib: Library, text: str) -> None:
        self._lib = lib
        self._lines: dict[str, str] = {}
        for line in text.split("\n"):
            if line.startswith(self.PREFIX):
                end = line.index('"', len(self.PREFIX))  # ids are checked: no quotes or escapes
                self._lines[line[len(self.PREFIX) : end]] = line.removesuffix(",")

    def __call__(self, rid: str, inputs: feeds.LineInputs) -> str | None:
        lib, key = self._lib, RecordId(rid)
        old = lib.records.get(key)
        kind, data, mentions, mentioned_by, _url = inputs
        if (
            old is None
            or old.kind != kind
            or old.data is not data
            or lib.mentions.get(key) is not mentions
            or lib.mentioned_by.get(key) is not mentioned_by
        ):  # same kind, same config: same URL
            return None
        return self._lines.get(rid)
