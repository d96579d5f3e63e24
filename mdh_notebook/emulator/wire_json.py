"""The bytes of every JSON body the sandbox sends: Starlette's stdlib encoding, produced by orjson.

Starlette's ``JSONResponse`` writes ``json.dumps(value, ensure_ascii=False, allow_nan=False,
separators=(",", ":"))`` as UTF-8; encoding a page of 100 records that way took most of a page's
server time (about 0.8 ms of it). ``encode`` returns exactly those bytes, or raises exactly what
that raises, while orjson does the work wherever its output is provably the same:

- orjson writes floats below 1e-4 differently (``0.00001`` / ``1.5e-7`` where the stdlib writes
  ``1e-05`` / ``1.5e-07``): any number token that could be one of these (``0.0000…`` or one with an
  exponent) sends the value to the stdlib;
- orjson refuses what the stdlib accepts in its own way (integers past 64 bits, non-string keys,
  ``str`` / ``int`` / ``dict`` / ``list`` subclasses, dates, dataclasses, lone surrogates): the stdlib
  encodes it (or raises its own error);
- orjson accepts what the stdlib refuses or writes otherwise (NaN and infinities become ``null``,
  UUIDs and enums become their values, tuples arrays): decoding orjson's bytes must give back a
  value equal to the one encoded (in C, a fraction of the stdlib's cost), else the stdlib decides.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

__all__ = ["encode", "stdlib_encode"]

_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

#: A number token (compact JSON: it starts the document or follows ``:``, ``,`` or ``[``) that orjson
#: may write unlike the stdlib: below 1e-4 (``0.0000…``) or with an exponent. Inside a string this
#: may match too, which only costs the stdlib's encoding.
_DOUBTFUL_NUMBER = re.compile(rb"(?:^|[:,\[])-?(?:0\.0000|[0-9]+(?:\.[0-9]+)?[eE])")


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
    except orjson.JSONEncodeError:
        return stdlib_encode(value)
    if _DOUBTFUL_NUMBER.search(out) is not None or orjson.loads(out) != value:
        return stdlib_encode(value)
    return out
