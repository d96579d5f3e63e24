"""Python filter keywords → the API's query parameters, checked before any request.

* list parameters take a string or an iterable of strings and go out as ONE comma-joined
  value with ``\\`` and ``,`` escaped (``a,b`` → ``a\\,b``), as the SDKs send them;
* date-time parameters take a ``datetime``, ``date``, ``pandas.Timestamp`` or ISO-8601
  string and go out as UTC ``...Z``; a value without an offset is taken as UTC, the same
  rule the frames use (a ``date`` is midnight UTC);
* an unknown keyword is refused, naming the ones the kind takes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from .catalog import Kind
from .errors import InvalidArgumentError

__all__ = ["encode_params", "escape_list_item", "format_instant"]


def escape_list_item(item: str) -> str:
    return item.replace("\\", "\\\\").replace(",", "\\,")


def format_instant(value: Any, *, what: str = "value") -> str:
    """An instant as the API wants it: ISO 8601, UTC, milliseconds, ``Z``."""
    if isinstance(value, bool) or not isinstance(value, (str, date, datetime, pd.Timestamp)):
        raise InvalidArgumentError(
            f"{what} must be a datetime, date or ISO-8601 string like '2026-10-01T00:00:00Z', "
            f"got {type(value).__name__} {value!r}"
        )
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            f"{what} {value!r} is not a date or date-time; "
            "use ISO 8601 like '2026-10-01' or '2026-10-01T08:00:00-05:00'"
        ) from None
    if stamp is pd.NaT:
        raise InvalidArgumentError(f"{what} is missing (NaT); pass a real date or leave the filter out")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    # milliseconds, as the SDKs send; finer instants keep their microseconds rather than move a bound
    fraction = f"{stamp.microsecond:06d}" if stamp.microsecond % 1000 else f"{stamp.microsecond // 1000:03d}"
    return str(stamp.strftime("%Y-%m-%dT%H:%M:%S.")) + fraction + "Z"


def _encode_list(value: Any, what: str) -> str:
    items: Iterable[Any] = [value] if isinstance(value, str) else value
    try:
        items = list(items)
    except TypeError:
        raise InvalidArgumentError(f"{what} takes a string or a list of strings, got {value!r}") from None
    if not items:
        raise InvalidArgumentError(f"{what} is an empty list: leave the filter out to get everything")
    if not all(isinstance(i, str) for i in items):
        raise InvalidArgumentError(f"{what} takes strings, got {items!r}")
    return ",".join(escape_list_item(i) for i in items)


def encode_params(kind: Kind, filters: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters for ``filters`` on ``kind`` (``None`` values are left out)."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        param = kind.param(name)
        if param is None:
            valid = [p.name for p in kind.params]
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidArgumentError(
                f"{kind.name}() got an unknown filter {name!r}; {hint}"
                f"it takes: {', '.join(valid) if valid else 'no filters'}"
            )
        if value is None:
            continue
        what = f"{kind.name}({name}=...)"
        if param.type == "list":
            params[param.wire] = _encode_list(value, what)
        elif param.type == "datetime":
            params[param.wire] = format_instant(value, what=what)
        elif param.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidArgumentError(f"{what} must be an integer, got {value!r}")
            params[param.wire] = str(value)
        else:
            if not isinstance(value, str) or not value:
                raise InvalidArgumentError(f"{what} must be a non-empty string, got {value!r}")
            params[param.wire] = value
    return params
