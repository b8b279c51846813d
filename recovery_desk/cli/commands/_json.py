"""The JSON the commands print: ``json.dumps(value, ensure_ascii=False, indent=2)``, byte for
byte, in about half the time.

The standard library encodes an indented document in pure Python (its C encoder serves only
``indent=None``), token by token: for the 2 MB that ``gaps --json`` prints on a 60,000-case
workspace that is a tenth of the command's time. Here the strings go through the C string
encoder and each object or array is one join of its members' texts; a test compares the two on
every kind of value.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function when the accelerator is there
from typing import Any

_SCALARS = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def dumps(value: Any, indent: int = 2) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)`` for dicts with string keys,
    lists, tuples, strings, numbers, booleans and None (anything else raises TypeError)."""
    return _encode(value, "\n", " " * indent)


def _encode(value: Any, newline: str, step: str) -> str:
    """``value`` as JSON, its members on lines that start with ``newline`` + ``step``."""
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        return scalar(value)
    if isinstance(value, str | float | int):  # floats (NaN, Infinity) and subclasses as json writes them
        return json.dumps(value, ensure_ascii=False)
    inner = newline + step
    if isinstance(value, dict):
        members = [f"{_key(k)}: {_member(v, inner, step)}" for k, v in value.items()]
        opening, closing = "{", "}"
    elif isinstance(value, list | tuple):
        members = [_member(v, inner, step) for v in value]
        opening, closing = "[", "]"
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    if not members:
        return opening + closing
    return opening + inner + ("," + inner).join(members) + newline + closing


def _member(value: Any, newline: str, step: str) -> str:
    scalar = _SCALARS.get(type(value))  # the common case without a call
    return scalar(value) if scalar is not None else _encode(value, newline, step)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"keys must be str, not {type(key).__name__}")
    return encode_basestring(key)
