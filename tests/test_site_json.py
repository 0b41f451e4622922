"""site.json is written by a small JSON writer of its own: its text must be json.dumps's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.feeds import _indented, _NotPlainError

PLAIN: list[Any] = [
    {"title": "Quotes \" and \\ backslashes, <tags> & ampersands", "empty": {}, "none": [], "nested": [[], [{}]]},
    ["é, 中文, \u2028 line separator, \x00 and \x1f controls, emoji \U0001f600", 0, -1, 10**30],
    {"floats": [0.1, -0.0, 1e300, 2.5e-8], "flags": [True, False, None]},
    [{"a": {"b": {"c": ["deep"]}}}],
    "a bare string", 7, None, {}, [],
]


@pytest.mark.parametrize("value", PLAIN)
def test_plain_values_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert _indented(value, 0) == json.dumps(value, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("value", [{"x": float("nan")}, {1: "int key"}, [("a", "tuple")], {"s": {"set"}}])
def test_anything_else_is_left_to_json_dumps(value: Any) -> None:
    with pytest.raises(_NotPlainError):
        _indented(value, 0)
