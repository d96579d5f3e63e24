"""The bytes of every JSON body the sandbox sends: Starlette's stdlib encoding, produced by orjson.

Starlette's ``JSONResponse`` writes ``json.dumps(value, ensure_ascii=False, allow_nan=False,
separators=(",", ":"))`` as UTF-8; encoding a page of 100 records that way took most of a page's
server time (0.6-0.8 ms of it). ``encode`` returns exactly those bytes, or raises exactly what that
raises, while orjson does the work wherever its output is provably the same. orjson writes
otherwise, or accepts what the stdlib refuses, only for:

- floats below 1e-4 (``0.00001`` / ``1.5e-7`` where the stdlib writes ``1e-05`` / ``1.5e-07``; all
  other finite floats alike), NaN and the infinities (``null``; the stdlib raises);
- values other than ``str`` / ``int`` / ``float`` / ``bool`` / ``None`` / ``dict`` / ``list`` / ``tuple``,
  subclasses included (UUIDs, enums, dates, dataclasses: values or refusals of its own);
- integers past 64 bits, non-string keys, lone surrogates, nesting past 255 levels (it refuses them).

A value holding any of these goes to the stdlib, whole: orjson refuses the last kind itself, and
``_plain`` (a walk over the value, a fifth of the stdlib's cost) finds the others. (Scanning
orjson's bytes for doubtful numbers instead cost more than the stdlib's encoding.)
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

__all__ = ["encode", "stdlib_encode"]

_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

_SCALARS = frozenset({str, int, bool, type(None)})
_SMALLEST = 1e-4  # orjson writes nonzero floats below this unlike the stdlib


def _plain(value: Any) -> bool:
    """Whether every part of ``value`` (finite: orjson has encoded it) is one orjson writes exactly as
    the stdlib does: exact ``dict`` / ``list`` / ``tuple`` containers, ``str`` / ``int`` / ``bool`` /
    ``None``, floats that are zero or finite and at least 1e-4 across."""
    stack = [value]
    pop, push_all = stack.pop, stack.extend
    while stack:
        part = pop()
        kind = type(part)
        if kind in _SCALARS:
            continue
        if kind is dict:
            push_all(part.values())
        elif kind is list or kind is tuple:
            push_all(part)
        elif kind is not float or not (part == 0.0 or (math.isfinite(part) and abs(part) >= _SMALLEST)):
            return False
    return True


class _Refused(Exception):
    """A value orjson hands back (``default``): the stdlib encodes it."""


def _refuse(value: Any) -> Any:
    raise _Refused


def stdlib_encode(value: Any) -> bytes:
    """Starlette's ``JSONResponse.render``: the bytes ``encode`` must reproduce."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


def encode(value: Any) -> bytes:
    """``stdlib_encode(value)``, byte for byte (and the same exception when it raises), faster."""
    try:
        out = orjson.dumps(value, default=_refuse, option=_OPTIONS)
    except orjson.JSONEncodeError:  # what orjson refuses (cycles included, before ``_plain`` walks them)
        return stdlib_encode(value)
    return out if _plain(value) else stdlib_encode(value)
