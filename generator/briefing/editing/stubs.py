"""The text of a new record: its title, the facts to fill in left empty, and the
optional fields as comments.

A stub never guesses a fact. A field the editor must supply is written empty
(``date:``), so that ``briefing check`` asks for it at its own line until it is
filled in; a guess (today's date, ``kind: other``) would pass the check and be
published.
"""

from __future__ import annotations

import json

from briefing.content.schema import MOVED_FROM, SCHEMA, TITLE_FIELD, Field

# What goes in a field, shown beside it in the stub.
HINTS = {
    ("event", "date"): "the date the event started: 2025-11-27, 2025-11 or 2025",
    ("event", "end"): "the last day, for an event over several days",
    ("outcome", "event"): "the id of the event that produced it",
    ("source", "publisher"): "the id of the actor that published it",
    ("source", "author"): "an actor's id, or a plain name",
    ("source", "published"): "2025-11-27, 2025-11 or 2025",
    ("source", "publish_text"): "true shows the text below on the source's page",
    ("actor", "country"): "the id of a state actor",
    ("actor", "role"): 'a short descriptor, e.g. "President of Belarus"',
    ("brief", "weight"): "of briefs with the same date, the lowest weight comes first",
    ("event", "location"): "the place, as reported",
    ("event", "country"): "the id of the state actor it was held in",
    ("event", "not_reported"): "the facts the sources leave open, e.g. [host, chair]",
    ("event", "series"): 'e.g. "CSTO summits": events of one series link the one before and after',
    ("event", "part_of"): "the id of the event this one took place within",
    ("event", "context"): "background the event did not produce: - title: ...",
    ("outcome", "status"): "as of the latest source; announced: one side said it, adopted: the members agreed",
    ("source", "relays"): "the id of the media actor whose reporting it passes on",
    ("source", "attribution"): 'how it is attributed, e.g. "byline: A. Writer" or "unattributed"',
    ("actor", "ownership"): "for a media actor: who owns it, with its source under cite:",
}
# Fields every kind may carry, with the same hint.
HINTS.update(
    {
        (kind, name): hint
        for kind in ("actor", "source", "event", "outcome", "brief")
        for name, hint in (
            ("short_name", "what [[id]] shows in running text, e.g. the fund"),
            ("cite", "field: [source-id] for each fact that needs a source"),
            ("watch", "what to watch: - what: ..., due: (a date), sources: [source-id]"),
        )
    }
)
SOURCE_PLACEHOLDER = (
    "Paste the article's full text here, in place of this paragraph. Every quote under\n"
    "`quotes:` above must appear in it word for word, and `briefing check` verifies that.\n"
)
BRIEF_BODY = (
    "Write the brief here. Link records with `[[id]]`, dates with `[[2025-11-27]]`, and cite\n"
    'sources with `[@source-id]` or `[@source-id, "paragraph 4"]`.\n'
)
QUOTES_EXAMPLE = (
    '# quotes:\n#   - speaker: actor-id\n#     text: "the words, exactly as they stand in the text below"\n'
)


def stub(kind: str, title: str, today: str, text: str | None = None) -> str:
    """The new file's text. ``today`` is used for a brief's date only: the day it is
    written is a brief's date, but never a fact about the world."""
    lines = [f"{TITLE_FIELD.get(kind, 'title')}: {json.dumps(title, ensure_ascii=False)}"]
    for f in SCHEMA[kind][1:]:
        if f is not MOVED_FROM:  # ``briefing rename`` fills it in
            lines.append(_line(kind, f, today))
    yaml_text = "\n".join(lines) + "\n"
    if kind == "source":
        yaml_text = yaml_text.replace("# quotes:\n", QUOTES_EXAMPLE)
        body = SOURCE_PLACEHOLDER if text is None else _body(text)
        return f"---\n{yaml_text}---\n\n{body}"
    if kind == "brief":
        # the hints sit in code spans so that, left in place, they are not links to check
        return f"---\n{yaml_text}---\n\n{BRIEF_BODY}"
    return yaml_text


def _line(kind: str, f: Field, today: str) -> str:
    """One field: empty when required, filled when it is the brief's own, else a comment."""
    if kind == "brief" and f.name == "date":
        return f"date: {today}"
    if kind == "brief" and f.name == "draft":
        return "draft: true  # remove when it is ready to publish"
    if kind == "brief" and f.name == "summary":
        return "summary:  # one paragraph, shown first and in lists and the feed"
    hint = " | ".join(f.choices) if f.choices else HINTS.get((kind, f.name), "")
    if f.required:
        return f"{f.name}:  # {hint}" if hint else f"{f.name}:"
    return f"# {f.name}:  # {hint}" if hint else f"# {f.name}:"


def _body(text: str) -> str:
    """An article's text as a source's body: Unix line ends, one final line break."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip("\n") + "\n"
