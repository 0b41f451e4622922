"""Machine-readable output: ``data/site.json`` and robots.txt (JSON-LD: ``jsonld``).

The Atom feed and the sitemap are templates (``feed.xml``, ``sitemap.xml``) so
a theme can change them; their data is gathered here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from briefing.content.dates import PartialDate, parse_date
from briefing.content.model import RecordId
from briefing.content.schema import SCHEMA, Field
from briefing.content.yamlpos import PosDict, PosList
from briefing.library.moved import old_ids
from briefing.library.records import Library
from briefing.render.urls import Urls


def to_json_safe(value: Any) -> Any:
    """Fields as written, with dates as ISO text."""
    if isinstance(value, PosDict | dict):
        return {str(k): to_json_safe(v) for k, v in value.items()}
    if isinstance(value, PosList | list):
        return [to_json_safe(v) for v in value]
    if isinstance(value, dt.date | PartialDate):
        return str(value) if isinstance(value, PartialDate) else value.isoformat()
    return value


def as_written(data: Any, fields: tuple[Field, ...]) -> dict[str, Any]:
    """A record's fields as its file has them, but every date as ISO text: YAML hands
    ``2026`` over as a number and ``2026-01-31`` as a date, and readers of JSON should
    not have to care."""
    known = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for key, value in data.items():
        f = known.get(str(key))
        if f is not None and f.type == "date" and (date := parse_date(value)) is not None:
            out[str(key)] = str(date)
        elif f is not None and f.type == "records" and isinstance(value, list):
            out[str(key)] = [
                as_written(item, f.fields) if isinstance(item, dict) else to_json_safe(item) for item in value
            ]
        else:
            out[str(key)] = to_json_safe(value)
    return out


SITE_JSON = "data/site.json"  # its output path

# what a record's line in ``site.json`` is made of: its kind, its data, its mentions
# entry, its mentioned-by entry and its URL
LineInputs = tuple[str, Any, Any, Any, str]


def site_json(lib: Library, urls: Urls) -> bytes:
    """Every published record with its fields as written, and its links both ways.

    One record per line: a diff of two builds shows which records changed, and the
    json module writes each line with its C encoder (it has none for indented JSON,
    whose pure-Python writer is much slower)."""
    return site_json_document(lib, [site_json_line(rid, line_inputs(lib, urls, rid)) for rid in lib.records])


def line_inputs(lib: Library, urls: Urls, rid: RecordId) -> LineInputs:
    r = lib.records[rid]
    return (r.kind, r.data, lib.mentions.get(rid), lib.mentioned_by.get(rid), urls.absolute(lib.path_of(rid)))


def site_json_line(rid: str, inputs: LineInputs) -> str:
    kind, data, mentions, mentioned_by, url = inputs
    by = sorted({i for ids in (mentioned_by or {}).values() for i in ids})
    return json.dumps(
        {
            "id": rid,
            "kind": kind,
            "url": url,
            "fields": as_written(data, SCHEMA[kind]),
            "mentions": mentions or [],
            "mentioned_by": by,
        },
        ensure_ascii=False,
    )


def site_json_document(lib: Library, lines: list[str]) -> bytes:
    site = {"title": lib.config.title, "base_url": lib.config.base_url, "language": lib.config.language}
    if lib.as_of is not None:  # the date what to watch is counted against (``library.watch``)
        site["as_of"] = str(lib.as_of)
    records = "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"
    # the renamed records' old URLs, on the first line: the records keep a line each below
    moved = json.dumps(redirects(lib), ensure_ascii=False)
    head = f'{{"site": {json.dumps(site, ensure_ascii=False)}, "redirects": {moved},\n'
    return f'{head}"records": {records}}}\n'.encode()


def redirects(lib: Library) -> list[dict[str, str]]:
    """Each old URL of a renamed record (``moved_from``) and the URL it redirects to."""
    urls = Urls(lib.config)
    return [
        {
            "from": urls.absolute(urls.record_path(lib.records[rid].kind, old)),
            "to": urls.absolute(lib.path_of(rid)),
            "id": rid,
        }
        for old, rid in old_ids(lib.records)
    ]


def robots(urls: Urls) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode()
