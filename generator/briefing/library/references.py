"""Cross-record checks: every reference names a record of the right kind, and every
quotation a citation vouches for stands in the cited source's text.

Called by ``resolve`` with every record (drafts too); suggestions use what the site
knows: ids, names and aliases.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import PurePosixPath

from briefing.content import verbatim
from briefing.content.model import CitedQuote, Record, RecordId, Ref
from briefing.content.yamlpos import Pos
from briefing.diagnostics import Diagnostics
from briefing.library.moved import old_ids

# id -> (the file that failed to load, where its first error is): references to these ids
# are counted at the file instead of being reported one by one as unknown
Unparsed = Mapping[str, tuple[str, Pos]]


class _Names:
    """Ids, names and aliases, made at the first reference that needs a suggestion."""

    def __init__(self, every: dict[RecordId, Record]) -> None:
        self.ids = sorted(every)
        self.by_name = {_fold(name): rid for rid, rec in every.items() for name in _names(rec)}
        self.moved = dict(old_ids(every))  # old id -> the record renamed from it

    def named(self, text: str) -> RecordId | None:
        """The record whose name or alias ``text`` is (hyphens read as spaces)."""
        return self.by_name.get(_fold(text)) or self.by_name.get(_fold(text.replace("-", " ")))

    def close(self, target: str) -> str | None:
        found = difflib.get_close_matches(target, self.ids, n=1, cutoff=0.75)
        return found[0] if found else None


def check_references(every: dict[RecordId, Record], diags: Diagnostics, unparsed: Unparsed | None = None) -> None:
    """Report references to no record, or to a record of the wrong kind."""
    names: _Names | None = None
    waiting: dict[str, list[str]] = defaultdict(list)  # an id of a file that failed to load -> who names it
    for r in every.values():
        for ref in r.refs:
            target = every.get(RecordId(ref.target))
            if ref.via == "author" and (target is None or target.kind != "actor"):
                continue  # a plain name, not an id
            if target is None and unparsed and ref.target in unparsed:
                waiting[ref.target].append(r.path)
                continue
            if target is None:
                names = names or _Names(every)
                if ref.via.startswith("name-"):
                    _not_an_id(r, ref, every, names, diags)
                else:
                    hint = _suggest(ref.target, names)
                    diags.error(r.path, ref.pos, "unknown-id", f"{_shown(ref.via, ref.target)} names no record{hint}")
            else:
                _check_kind(r, ref, target, diags)
    for rid, paths in sorted(waiting.items()):
        path, pos = unparsed[rid]  # type: ignore[index]
        many = len(paths) > 1
        diags.note(
            path,
            pos,
            "unchecked-references",
            f"{_plural(len(paths), 'reference')} to '{rid}' in {_plural(len(set(paths)), 'file')} "
            f"{'are' if many else 'is'} not checked until this file parses",
        )


def _check_kind(r: Record, ref: Ref, target: Record, diags: Diagnostics) -> None:
    shown = _shown(ref.via, ref.target)
    if ref.kinds and target.kind not in ref.kinds and ref.via == "cite":
        diags.error(
            r.path,
            ref.pos,
            "wrong-kind",
            f"{shown} is {_a(target.kind)}; [@id] cites a source, so link it with [[{ref.target}]] instead",
        )
    elif ref.kinds and target.kind not in ref.kinds:
        diags.error(
            r.path,
            ref.pos,
            "wrong-kind",
            f"{shown} is {_a(target.kind)}; '{ref.field}' takes {' or '.join(_a(k) for k in ref.kinds)}",
        )
    elif ref.field == "country" and target.fields.get("kind") != "state":
        diags.error(
            r.path,
            ref.pos,
            "wrong-kind",
            f"country '{ref.target}' is not a state actor (its kind is {target.fields.get('kind')})",
        )
    elif ref.field == "relays" and target.fields.get("kind") != "media":
        diags.error(
            r.path,
            ref.pos,
            "wrong-kind",
            f"relays '{ref.target}' is not a media actor (its kind is {target.fields.get('kind')}); "
            "'relays' names the outlet whose reporting the source passes on",
        )


def _not_an_id(r: Record, ref: Ref, every: dict[RecordId, Record], names: _Names, diags: Diagnostics) -> None:
    """``[[SCO]]``, ``[[Vladimir-Putin]]``: not an id; suggest the record it most likely means."""
    cite = ref.via == "name-cite"
    shown = f"[@{ref.target}]" if cite else f"[[{ref.target}]]"
    message = f"{shown} does not name an id (lower-case letters, digits, hyphens)" + ("" if cite else " or a date")
    lower = ref.target.strip().casefold()
    named = names.named(ref.target)
    if lower in every:
        message += f"; did you mean {'[@' if cite else '[['}{lower}{']' if cite else ']]'}?"
    elif named is not None:
        link = f"[@{named}]" if cite else f"[[{named}|{ref.target.strip()}]]"
        message += f"; '{ref.target.strip()}' is a name of '{named}', so write {link}"
    else:
        from briefing.content.slug import slugify  # local import: only needed on error

        close = names.close(slugify(ref.target))
        if close:
            message += f"; did you mean '{close}'?"
    diags.error(r.path, ref.pos, "bad-link", message)


def check_cited_quotes(every: dict[RecordId, Record], diags: Diagnostics) -> None:
    """Every quotation that citations vouch for stands verbatim in one of the cited
    sources' texts; a source without a text (a ``.yaml`` file) cannot vouch, and says so."""
    texts: dict[RecordId, str] = {}
    for r in every.values():
        for quote in r.cited_quotes:
            sources = [every.get(RecordId(s)) for s in quote.sources]
            if not all(s is not None and s.kind == "source" for s in sources):
                continue  # check_references reports it
            _check_quote(r, quote, sources, texts, diags)  # type: ignore[arg-type]


def _check_quote(
    r: Record, quote: CitedQuote, sources: list[Record], texts: dict[RecordId, str], diags: Diagnostics
) -> None:
    wanted = verbatim.quotation(quote.text)
    readable = [s for s in sources if s.body is not None and s.body.strip()]
    for s in readable:
        if s.id not in texts:
            texts[s.id] = verbatim.normalise_quote(s.body or "")
        if verbatim.contains(texts[s.id], wanted):
            return
    silent = [s for s in sources if s not in readable]
    if silent:
        s = silent[0]
        md = PurePosixPath(s.path).with_suffix(".md").as_posix()
        keep = "add the article's text as its body" if s.path.endswith(".md") else f"keep it as {md}"
        keep += " with the article's text as its body" if not s.path.endswith(".md") else ""
        diags.warning(
            r.path,
            quote.pos,
            "quote-unchecked",
            f"this quotation cannot be checked: [@{s.id}] has no text to hold it against; {keep}",
        )
        return
    first = readable[0]
    cited = " or ".join(f"[@{s.id}]" for s in readable)
    diags.error(
        r.path,
        quote.pos,
        "quote-not-in-source",
        f"this quotation is not in the text of {cited} verbatim: {verbatim.difference(texts[first.id], wanted)}; "
        "copy the exact words, or paraphrase without quoting",
    )


def _shown(via: str, target: str) -> str:
    return {"link": f"[[{target}]]", "cite": f"[@{target}]"}.get(via, f"'{target}'")


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _names(r: Record) -> list[str]:
    return [r.title, *([r.fields["short_name"]] if r.fields.get("short_name") else []), *r.fields.get("aliases", [])]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _suggest(target: str, names: _Names) -> str:
    """A record's new id where it is an old one, then by name or alias (``sco`` for the actor
    called "SCO"), then by spelling."""
    if target in names.moved:
        return f"; '{target}' was renamed '{names.moved[target]}' (see moved_from); write that"
    named = names.named(target)
    if named:
        return f"; did you mean '{named}'?"
    close = names.close(target)
    if close:
        return f"; did you mean '{close}'?"
    return '; check the spelling, or create it with: briefing new KIND "Title"'
