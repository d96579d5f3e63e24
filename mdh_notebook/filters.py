"""Python filter keywords → the API's query parameters, checked before any request.

One encoder per parameter type, in one registry (:data:`ENCODERS`):

* ``str``: a non-empty string;
* ``list``: a string or an iterable of strings, sent as ONE comma-joined value with ``\\`` and
  ``,`` escaped (``a,b`` → ``a\\,b``), as the SDKs send them;
* ``guid``: a ``uuid.UUID`` or its text in any case (``3f2504e0-4f89-41d3-9a0c-0305e82c3301``, 32
  hex digits without the dashes, or in braces), sent lower-case with dashes. An id the API takes only
  as a GUID is refused here, naming the frame column it comes from, rather than by the server's
  400 (a query) or 404 (a path); ``guids``: one GUID or several, each checked, sent like a ``list``;
* ``datetime``: a ``datetime``, ``date``, ``pandas.Timestamp`` or ISO-8601 string, sent as UTC
  ``...Z``. **One rule for values without a time zone: they are UTC**, as the frames show times
  by default. A calendar date (a ``date``, or ``'2026-10-01'``) is that day's midnight UTC, silently;
  a date-time without an offset (a naive ``datetime``/``Timestamp``, or ``'2026-10-01T08:00'``) is
  taken as UTC too, and a :class:`~mdh_notebook.errors.NaiveDatetimeWarning` says so — once per
  call, naming the filters — with how to be explicit (an aware ``datetime``, or an offset in the
  string: ``'2026-10-01T08:00:00-05:00'``, ``'...Z'`` for UTC);
* ``date``: a calendar date (``date``, a midnight date-time, or ``'2026-10-01'``), sent as
  ``YYYY-MM-DD``;
* ``int``: an integer (or a string of ASCII digits with an optional sign, as the command line gives it);
* ``bool``: ``True``/``False`` (or the strings ``"true"``/``"false"``), sent as ``true``/``false``.

Then, for every kind: an unknown keyword is refused naming the ones it takes; a ``required``
filter that is missing is refused naming it; a value outside ``choices`` is refused with the
nearest choice (a case-insensitive match is corrected to the canonical spelling); a ``prefix``
filter takes a mapping ``{key: value}`` sent as ``<wire>.<key>=<value>`` (a ``list`` one escapes
each value as a list, as the JS SDK escapes them); a filter left out is sent with its ``default``
when it has one; a path filter (``in_path``) fills the kind's path (:func:`encode_path`), not the query.

A time range given the wrong way round is refused naming both values: the kind's timeline pair
(``after``/``before``, ``start``/``end``, …) and every ``<x>_after``/``<x>_before`` pair, when
the lower bound is later than the upper one (equal bounds are sent as given).
"""

from __future__ import annotations

import difflib
import numbers
import re
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InvalidArgumentError, NaiveDatetimeWarning
from .kinds import Kind, Operation, Param, ParamType

__all__ = ["ENCODERS", "as_guid", "as_integer", "encode_params", "encode_path", "escape_list_item", "format_date",
           "format_instant"]


def escape_list_item(item: str) -> str:
    return item.replace("\\", "\\\\").replace(",", "\\,")


def _timestamp(value: Any, what: str, example: str) -> pd.Timestamp:
    if isinstance(value, bool) or not isinstance(value, (str, date, datetime, pd.Timestamp)):
        raise InvalidArgumentError(
            f"{what} must be a datetime, date or ISO-8601 string like {example!r}, "
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
    return stamp


def format_instant(value: Any, *, what: str = "value") -> str:
    """An instant as the API wants it: ISO 8601, UTC, milliseconds, ``Z``."""
    stamp = _timestamp(value, what, "2026-10-01T00:00:00Z")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    # milliseconds, as the SDKs send; finer instants keep their microseconds rather than move a bound
    fraction = f"{stamp.microsecond:06d}" if stamp.microsecond % 1000 else f"{stamp.microsecond // 1000:03d}"
    return str(stamp.strftime("%Y-%m-%dT%H:%M:%S.")) + fraction + "Z"


def format_date(value: Any, *, what: str = "value") -> str:
    """A calendar date as the API wants it: ``YYYY-MM-DD`` (a date-time must be at midnight)."""
    stamp = _timestamp(value, what, "2026-10-01")
    if stamp != stamp.normalize():
        raise InvalidArgumentError(f"{what} takes a calendar date like '2026-10-01', got the date-time {value!r}")
    return str(stamp.strftime("%Y-%m-%d"))


def _choose(value: str | int, param: Param, what: str) -> str | int:
    """``value`` if it is one of the param's choices (a case-insensitive match corrected), else an error."""
    if not param.choices or value in param.choices:
        return value
    if isinstance(value, str):
        folded = {str(c).casefold(): c for c in param.choices}
        if value.casefold() in folded:
            return folded[value.casefold()]
    choices = ", ".join(repr(c) for c in param.choices)
    close = difflib.get_close_matches(str(value), [str(c) for c in param.choices], n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InvalidArgumentError(f"{what} got {value!r}; {hint}it takes one of {choices}")


def _encode_str(value: Any, param: Param, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{what} must be a non-empty string, got {value!r}")
    return str(_choose(value, param, what))


def _encode_list(value: Any, param: Param, what: str) -> str:
    items: Iterable[Any] = [value] if isinstance(value, str) else value
    try:
        items = list(items)
    except TypeError:
        raise InvalidArgumentError(f"{what} takes a string or a list of strings, got {value!r}") from None
    if not items:
        raise InvalidArgumentError(f"{what} is an empty list: leave the filter out to get everything")
    if not all(isinstance(i, str) for i in items):
        raise InvalidArgumentError(f"{what} takes strings, got {items!r}")
    return ",".join(escape_list_item(str(_choose(i, param, what))) for i in items)


_GUID = re.compile(r"(\{)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})(?(1)\})",
                   re.IGNORECASE | re.ASCII)  # .NET's Guid forms; uuid.UUID alone would drop dashes anywhere
_EXAMPLE_GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def as_guid(value: str) -> str | None:
    """``value`` as a canonical GUID (lower case, dashed) when it is one in a form .NET accepts (dashed
    or 32 hex digits, in braces or not, spaces around ignored); None when it is not a GUID. The one
    GUID check: filters, and a participant looked up by internal id, share it."""
    match = _GUID.fullmatch(value.strip())
    return str(uuid.UUID(match.group(2))) if match is not None else None


def _shown(value: Any, limit: int = 36) -> str:
    """``value`` for a message: its repr, cut to ``limit`` characters (a GUID's length) of text, so a
    pasted page — or a token in the wrong place — is never quoted whole."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def _encode_guid(value: Any, param: Param, what: str) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    guid = as_guid(value) if isinstance(value, str) else None
    if guid is None:
        sources = " or ".join(f"the {kind}() frame's {column} column" for kind, column in param.taken_from)
        got = _shown(value) if isinstance(value, str) else f"{type(value).__name__} {_shown(value)}"
        raise InvalidArgumentError(
            f"{what} must be a GUID (32 hex digits, like {_EXAMPLE_GUID!r}, or a uuid.UUID), got {got}; "
            f"take it from {sources}")
    return guid


def _encode_guids(value: Any, param: Param, what: str) -> str:
    items: Any = [value] if isinstance(value, (str, uuid.UUID)) else value
    try:
        items = list(items)
    except TypeError:
        raise InvalidArgumentError(f"{what} takes a GUID or a list of GUIDs, got {_shown(value)}") from None
    if not items:
        raise InvalidArgumentError(f"{what} is an empty list: leave the filter out to get everything")
    return ",".join(_encode_guid(item, param, f"{what}[{index}]" if len(items) > 1 else what)
                    for index, item in enumerate(items))


def _encode_datetime(value: Any, param: Param, what: str) -> str:
    return format_instant(value, what=what)


def _encode_date(value: Any, param: Param, what: str) -> str:
    return format_date(value, what=what)


_INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: not "--5", "²", "١٢" or "1_0"


def as_integer(value: Any) -> int | None:
    """``value`` as an int when it is one: an int, a numpy/pandas integer (an id taken from a
    frame), or ASCII digits with an optional sign; never a bool; else None."""
    if isinstance(value, str):
        return int(value) if _INTEGER.fullmatch(value.strip()) else None
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return None


def _encode_int(value: Any, param: Param, what: str) -> str:
    number = as_integer(value)
    if number is not None:
        value = number
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{what} must be an integer, got {value!r}")
    return str(_choose(value, param, what))


def _encode_bool(value: Any, param: Param, what: str) -> str:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{what} must be True or False, got {value!r}")
    return "true" if value else "false"


Encoder = Callable[[Any, Param, str], str]

ENCODERS: dict[ParamType, Encoder] = {
    "str": _encode_str,
    "list": _encode_list,
    "guid": _encode_guid,
    "guids": _encode_guids,
    "datetime": _encode_datetime,
    "date": _encode_date,
    "int": _encode_int,
    "bool": _encode_bool,
}


def _encode_prefixed(value: Any, param: Param, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidArgumentError(
            f"{what} takes a mapping of keys to values, e.g. {{'sourceName': 'Watch'}} "
            f"(sent as {param.wire}.<key>=<value>), got {value!r}"
        )
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or "=" in key or "&" in key:
            raise InvalidArgumentError(f"{what}: keys must be non-empty names, got {key!r}")
        out[f"{param.wire}.{key}"] = ENCODERS[param.type](item, param, f"{what}[{key!r}]")
    return out


def _needs(param: Param) -> str:
    choices = f" (one of {', '.join(repr(c) for c in param.choices)})" if param.choices else ""
    doc = f": {param.doc}" if param.doc else ""
    return f"{param.name}=...{choices}{doc}"


def _with_defaults(entry: Kind | Operation, filters: Mapping[str, Any]) -> dict[str, Any]:
    given = dict(filters)
    for param in entry.params:
        if param.default is not None and given.get(param.name) is None:
            given[param.name] = param.default
    return given


def encode_path(entry: Kind | Operation, filters: Mapping[str, Any]) -> dict[str, str]:
    """The values of ``entry``'s path filters (``in_path``), checked and encoded like query values.

    For an :class:`Operation`, ``filters`` are its path arguments and the answer holds those its
    ``path_params`` type (a GUID id checked before any request); the rest go to the path as given."""
    given = _with_defaults(entry, filters)
    params = entry.path_params if isinstance(entry, Operation) else tuple(p for p in entry.params if p.in_path)
    return {p.name: ENCODERS[p.type](given[p.name], p, f"{entry.name}({p.name}=...)")
            for p in params if given.get(p.name) is not None}


_PACKAGE = str(Path(__file__).resolve().parent)


def _warn_from_caller(message: str, category: type[Warning]) -> None:
    """Warn pointing at the first frame outside this package: the user's line, however deep the call."""
    frame = sys._getframe(0)
    level = 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)


def _without_zone(value: Any) -> bool:
    """A date-time (not a calendar date) that names no time zone: the values the warning is for."""
    if isinstance(value, datetime):  # pandas.Timestamp too
        return value.tzinfo is None
    if isinstance(value, str):
        text = value.strip()
        if ":" not in text and "T" not in text.upper():
            return False  # a calendar date ('2026-10-01'): midnight UTC, no warning
        try:
            return pd.Timestamp(text).tzinfo is None
        except (ValueError, TypeError):
            return False  # refused by its encoder, with its own message
    return False


def _warn_naive(entry: Kind | Operation, given: Mapping[str, Any]) -> None:
    naive = [(name, value) for name, value in given.items()
             if (param := entry.param(name)) is not None and param.type == "datetime" and _without_zone(value)]
    if not naive:
        return
    named = ", ".join(f"{name}={value!r}" if isinstance(value, str) else f"{name}={value}" for name, value in naive)
    _warn_from_caller(
        f"{entry.name}({named}): a date-time without a time zone is taken as UTC; to mean another zone say so — "
        "an aware datetime (datetime(..., tzinfo=ZoneInfo('America/New_York')), pd.Timestamp(..., tz=...)) or "
        "an offset in the string ('2026-10-01T08:00:00-05:00'; '...Z' for UTC)", NaiveDatetimeWarning)


def _ranges(entry: Kind | Operation) -> list[tuple[Param, Param]]:
    """The (lower, upper) bound pairs of an entry's time filters: its timeline's, and <x>_after/<x>_before."""
    timeline = getattr(entry, "timeline", None)
    names = [(timeline.after, timeline.before)] if timeline is not None and timeline.after else []
    names += [(p.name, p.name[: -len("after")] + "before") for p in entry.params if p.name.endswith("after")]
    pairs: list[tuple[Param, Param]] = []
    for low, high in dict.fromkeys(names):
        lower, upper = entry.param(low), entry.param(high) if high else None
        if lower is not None and upper is not None and {lower.type, upper.type} <= {"datetime", "date"}:
            pairs.append((lower, upper))
    return pairs


def _check_ranges(entry: Kind | Operation, given: Mapping[str, Any], params: Mapping[str, str]) -> None:
    for lower, upper in _ranges(entry):
        if lower.wire not in params or upper.wire not in params:
            continue
        low, high = pd.Timestamp(params[lower.wire]), pd.Timestamp(params[upper.wire])
        if low > high:
            def show(p: Param) -> str:
                value = given[p.name]
                text = repr(value) if isinstance(value, str) else str(value)
                return text if text.strip("'") == params[p.wire] else f"{text} (sent as {params[p.wire]})"
            raise InvalidArgumentError(
                f"{entry.name}({lower.name}=..., {upper.name}=...): {lower.name} {show(lower)} is later than "
                f"{upper.name} {show(upper)}, so nothing could match; swap them (or leave one out)")


# settings a read method does not take (they are fixed when the session or cohort is opened),
# each with where it goes — named instead of "unknown filter", which would not say the fix
_CONNECTION_SETTINGS = {
    **{name: f"mdh.connect(..., {name}=...) or mdh.cohort(..., {name}=...)"
       for name in ("parallel", "slice_above", "cache_dir", "retry", "timeout", "rate_limit_wait", "transport",
                    "base_url", "config")},
    "workers": "mdh.cohort(..., workers=...) (a single session reads one participant)",
}


def encode_params(entry: Kind | Operation, filters: Mapping[str, Any], *, warn: bool = True) -> dict[str, str]:
    """The query parameters for ``filters`` on ``entry`` (``None`` values are left out, defaults
    filled in, path filters left to :func:`encode_path`); a reversed time range is refused and
    date-times without a zone are warned about (:class:`NaiveDatetimeWarning`), once per call —
    ``warn=False`` for a caller that encodes the same filters again ahead of the fetch (the cache's
    key), so the warning is said once, without touching the process-wide warning filters."""
    for name in filters:
        if entry.param(name) is None and name in _CONNECTION_SETTINGS:
            raise InvalidArgumentError(
                f"{entry.name}() got {name}=, a connection setting, not a filter: give it when opening the "
                f"connection, {_CONNECTION_SETTINGS[name]}")
        if entry.param(name) is None:
            valid = [p.name for p in entry.params]
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidArgumentError(
                f"{entry.name}() got an unknown filter {name!r}; {hint}"
                f"it takes: {', '.join(valid) if valid else 'no filters'}"
            )
    missing = [p for p in entry.params if p.required and filters.get(p.name) is None]
    if missing:
        raise InvalidArgumentError(f"{entry.name}() needs {'; '.join(_needs(p) for p in missing)}")
    params: dict[str, str] = {}
    for name, value in _with_defaults(entry, filters).items():
        param = entry.param(name)
        if param is None or value is None:
            continue
        if param.in_path:
            encode_path(entry, {name: value})  # checked here too, before any request
            continue
        what = f"{entry.name}({name}=...)"
        if param.prefix:
            params.update(_encode_prefixed(value, param, what))
        else:
            params[param.wire] = ENCODERS[param.type](value, param, what)
    _check_ranges(entry, filters, params)
    if warn:
        _warn_naive(entry, filters)
    return params
