"""YAML parsing that keeps the line and column of every value.

PyYAML's composer (the C one where present) gives nodes with marks; we build
plain Python values from them ourselves so that we can keep positions, refuse
duplicate keys (PyYAML silently keeps the last), and bound alias expansion and
nesting ("billion laughs").
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

try:  # the C composer is several times faster; fall back when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Pos = tuple[int, int]

MAX_NODES = 100_000  # values built, counting each alias expansion again
MAX_DEPTH = 64
SHALLOW = 2_000  # texts that cannot nest deeper than this are composed without a depth check
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class YamlError(Exception):
    """A content error in YAML text, at a 1-based position."""

    def __init__(self, message: str, pos: Pos, code: str = "yaml") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.code = code


class PosDict(dict[str, Any]):
    """A mapping that remembers where it, each key and each value stand."""

    pos: Pos
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]
    value_src: dict[str, str]

    def where(self, key: str) -> Pos:
        return self.value_pos.get(key, self.pos)

    def source(self, key: str) -> str | None:
        """The value's text as written (quotes, indents, line breaks kept), when it
        could hold a link: quoted, block and multi-line strings lose positions on
        parsing, so links in them are found again in this text."""
        return getattr(self, "value_src", {}).get(key)


class PosList(list[Any]):
    """A sequence that remembers where it and each item stand."""

    pos: Pos
    item_pos: list[Pos]

    def where(self, index: int) -> Pos:
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def position(node: yaml.Node, line_offset: int = 0) -> Pos:
    return (node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def parse(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document into PosDict/PosList/scalars; raise YamlError."""
    try:
        if _depth_bound(text) > SHALLOW:
            _check_depth(text, line_offset)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        message, mark = _explain(exc, text)
        pos = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
        raise YamlError(f"invalid YAML: {message}", pos) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", (1 + line_offset, 1)) from None
    if node is None:
        return None
    return _Builder(line_offset, text).build(node, 0)


def _depth_bound(text: str) -> int:
    """At least the text's nesting depth: every level needs a bracket, a '-', a '?' or a new line."""
    return sum(text.count(ch) for ch in "[{-?\n") + 1


def _check_depth(text: str, line_offset: int) -> None:
    """Measure nesting with libyaml's parser, which keeps its own stack.

    The composer recurses in C once per level and crashes the interpreter (SIGSEGV)
    some 25,000 levels down, so deep nesting must be refused before composing.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the same limit as _Builder's, which counts the root as 0
                mark = event.start_mark
                pos = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
                raise YamlError(f"nested deeper than {MAX_DEPTH} levels", pos, "yaml-limit")
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, Any]:
    """PyYAML's message in an editor's words, and the mark to point at."""
    problem, context = exc.problem or exc.context or "cannot parse", exc.context
    mark, start = exc.problem_mark or exc.context_mark, exc.context_mark
    lines = text.split("\n")
    char = lines[mark.line][mark.column : mark.column + 1] if mark is not None and mark.line < len(lines) else ""
    if char == "\t":
        return "a tab character; indent YAML with spaces", mark
    if char in ("@", "`") and "cannot start any token" in problem:
        return f"a value cannot start with '{char}'; put quotes around it", mark
    if "end of stream" in problem and context == "while scanning a quoted scalar" and start is not None:
        return "this quoted text is never closed; add the closing quote", start
    if problem == "but found another document":
        return "a second YAML document starts here; a record is one document, so remove this '---'", mark
    if problem.startswith("mapping values are not allowed"):
        return f"{problem}; put quotes around a value that holds ': '", mark
    if context and start is not None and mark is not None and (start.line, start.column) != (mark.line, mark.column):
        return f"{problem} {context} that starts at line {start.line + 1}, column {start.column + 1}", mark
    return problem, mark


class _Builder:
    def __init__(self, line_offset: int, text: str) -> None:
        self.offset = line_offset
        self.lines = text.split("\n")
        self.count = 0
        self.constructor = SafeConstructor()

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                f"too many values (over {MAX_NODES}); aliases may expand without bound",
                position(node, self.offset),
                "yaml-limit",
            )
        if depth > MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels", position(node, self.offset), "yaml-limit")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag not in _COLLECTIONS:
            raise YamlError(f"the tag '{node.tag}' is not supported; remove it", position(node, self.offset))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        return self._sequence(node, depth)

    def _sequence(self, node: yaml.Node, depth: int) -> PosList:
        out = PosList()
        out.pos = position(node, self.offset)
        out.item_pos = []
        for item in node.value:
            out.append(self.build(item, depth + 1))
            out.item_pos.append(position(item, self.offset))
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> PosDict:
        out = PosDict()
        out.pos = position(node, self.offset)
        out.key_pos, out.value_pos, out.value_src = {}, {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys (<<) are not supported", position(key_node, self.offset))
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            kpos = position(key_node, self.offset)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise YamlError("a key must be a plain word", kpos)
            key = str(key)
            if key in out:
                first = out.key_pos[key]
                raise YamlError(
                    f"duplicate key '{key}' (first at line {first[0]}); keep one",
                    kpos,
                    "duplicate-key",
                )
            out[key] = value = self.build(value_node, depth + 1)
            out.key_pos[key] = kpos
            out.value_pos[key] = position(value_node, self.offset)
            if isinstance(value, str) and "[" in value and isinstance(value_node, yaml.ScalarNode):
                out.value_src[key] = self._source(value_node)
        return out

    def _source(self, node: yaml.Node) -> str:
        start, end = node.start_mark, node.end_mark
        if start.line == end.line:
            return self.lines[start.line][start.column : end.column]
        first = self.lines[start.line][start.column :]
        return "\n".join(
            [
                first,
                *self.lines[start.line + 1 : end.line],
                self.lines[end.line][: end.column] if end.line < len(self.lines) else "",
            ]
        )

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR:  # what the constructor would return, without its bookkeeping
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise YamlError(f"invalid value: {exc.problem}", position(node, self.offset)) from None
        except (ValueError, OverflowError) as exc:
            if node.tag == _TIMESTAMP and isinstance(node.value, str):
                # "2025-02-30" looks like a date but is none: hand over the text so
                # the field's own check names the field, and the file's other errors show too.
                return node.value
            raise YamlError(f"invalid value: {exc}", position(node, self.offset)) from None
