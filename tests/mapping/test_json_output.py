"""The commands' JSON printer writes exactly what json.dumps(…, ensure_ascii=False, indent=2) writes."""

from __future__ import annotations

import enum
import json

import pytest

from recovery_desk.cli.commands import _json


class Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize("value", [
    {}, [], (), "", 0, -7, 2.5, 1e300, float("nan"), float("inf"), True, False, None, Colour.RED,
    {"cells": [{"municipality_code": "172022", "municipality": "七尾市", "district": None, "unmet": 3,
                "capacity_left": None, "gap": "over_capacity"}], "empty": [], "nothing": {},
     "nested": [[1, [2, []]], {"a": {"b": ("c", "d")}}], "escapes": "tab\t \"quote\" back\\slash \n \x01 \u2028 😀"},
    ["一", ["二", {"三": [None, True, 0.1]}]],
])
def test_the_same_text_as_json_dumps(value) -> None:
    assert _json.dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)
    assert _json.dumps(value, indent=1) == json.dumps(value, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("value", [{1: "a"}, {"a": object()}, {1, 2}])
def test_what_json_cannot_write_raises_type_error(value) -> None:
    with pytest.raises(TypeError):
        _json.dumps(value)
