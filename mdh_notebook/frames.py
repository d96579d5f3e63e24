"""Raw API records → typed pandas DataFrames, from the catalogue's schema.

Rules (the same for every kind, and exactly what the session returns):

* one row per API record, in the order the API gave them;
* columns are the catalogue's (snake_case of the wire key unless named), in its order, always
  present with their declared dtype — also when there are no records; two columns may read the
  same key (device data's ``value`` as sent, and ``value_number``);
* nested objects are flattened (``source.identifier`` → ``source_identifier``); lists
  (``answers``) and free-form maps (``customFields``) are kept whole in one cell;
* keys the catalogue does not know are not dropped: they become extra columns
  (flattened, snake_case, dtype ``object``) after the declared ones;
* **date-times are tz-aware UTC.** A timestamp with an offset (``Z``, ``+00:00``,
  ``-05:00``, ``-0500``) is converted to UTC. A timestamp *without* an offset is taken to
  be UTC, which is what MyDataHelps servers store and send (reference §3.2). Pass
  ``tz="America/Chicago"`` (or ``tz="local"`` on a session, for the participant's own
  ``timeZone``) to get every date-time column in that zone instead — same instants;
* a ``wallclock`` column (an interval start the API writes without a zone, in the participant's
  local calendar) stays naive, as written: an offset, if one is sent, is dropped, and ``tz`` leaves it be;
* missing keys and JSON nulls both become the dtype's missing value (``<NA>``, ``NaT``);
* what is read as what: a string column takes strings, numbers (as written) and JSON booleans
  (``true``/``false``); a number column numbers and numeric strings, never a boolean (true is
  not 1); a boolean column booleans and the strings true/false in any case; a date-time column
  ISO-8601 strings only (a number is not taken for an epoch). A date outside what
  ``datetime64[ns]`` holds (1677-09-21 to 2262-04-11, e.g. .NET's ``0001-01-01`` or a
  ``9999-12-31`` meaning "never") becomes ``NaT``;
* a value that cannot be read as its declared type becomes missing and raises a
  :class:`DataWarning` naming the column and the value — never silently (except in a column
  declared ``quiet``, a derived copy such as ``value_number``, where "not a number" is the point).

Conversion is column-wise: each column is gathered once and parsed by its dtype's converter in
:data:`CONVERTERS` with pandas' vectorised functions (``to_datetime(format="ISO8601")``, ``to_numeric``).
A column whose values are all of the expected JSON type (the usual case) is built by pyarrow in one
C-level pass; so are date-time strings (arrow's ISO-8601 cast) and numbers sent as text (device
data's ``value``) when arrow reads every one of them. Arrow's parsers take less than pandas' do, and
agree where they succeed (tests/test_frames_fast.py), so a column with anything else in it (a number
in a string column, a date pandas reads and arrow does not, a value to report) takes the pandas path
that reads it, or reports it, exactly as before.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InvalidArgumentError
from .kinds import Column, Dtype, Kind, snake_case
from .kinds import kind as lookup_kind

__all__ = ["CONVERTERS", "DTYPES", "DataWarning", "Target", "check_tz", "concat_frames", "convert_tz", "to_frame"]

DTYPES: dict[Dtype, str] = {  # the pandas dtype each catalogue dtype becomes
    "string": "string",
    "category": "category",
    "Int64": "Int64",
    "Float64": "Float64",
    "boolean": "boolean",
    "datetime": "datetime64[ns, UTC]",
    "date": "datetime64[ns]",
    "wallclock": "datetime64[ns]",
    "object": "object",
}


class DataWarning(UserWarning):
    """A value the API sent could not be read as its column's declared type."""


@dataclass(frozen=True)
class Target:
    """The column a converter fills, and where its warnings go (none for a ``quiet`` column)."""

    kind: str
    column: Column

    def warn(self, message: str) -> None:
        if not self.column.quiet:
            warnings.warn(f"{self.kind}.{self.column.name}: {message}", DataWarning, stacklevel=5)

    def lost(self, raw: pd.Series, converted: pd.Series) -> None:
        """Warn when values present in ``raw`` became missing in ``converted``."""
        if self.column.quiet:
            return
        lost = raw.notna() & converted.isna()
        if lost.any():
            example = raw[lost].iloc[0]
            self.warn(f"{int(lost.sum())} value(s) could not be read as {self.column.name!r}'s type "
                      f"({self.column.dtype}) and became missing (e.g. {example!r})")


Converter = Callable[[list[Any], Target], pd.Series]


def _to_object(values: list[Any], target: Target) -> pd.Series:
    return pd.Series(values, dtype="object")


def _text(value: Any) -> str | None:
    """A scalar as text: a string as is, a number as written, a JSON boolean as ``true``/``false``;
    None for an object or a list (not text: reported by the caller)."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


_ARROW_REFUSED = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


def _all_text(values: list[Any]) -> pa.Array | None:
    """``values`` as an arrow string array when every one is a string or None (else None: a number,
    a boolean, an object, even bytes, is for the per-value path to read or report)."""
    try:
        inferred = pa.array(values)  # inferred, not cast: a cast to string would take bytes too
    except _ARROW_REFUSED:
        return None
    if pa.types.is_string(inferred.type):
        return inferred
    return inferred.cast(pa.string()) if pa.types.is_null(inferred.type) else None


def _to_string(values: list[Any], target: Target) -> pd.Series:
    text = _all_text(values)
    if text is not None:  # nothing to read or report: one C-level pass
        if _ARROW_STRINGS:  # the declared "string" dtype is arrow-backed: wrap the array as it is
            return pd.Series(pd.arrays.ArrowStringArray(text))
        return pd.Series(text.to_pandas(types_mapper=_STRING_TYPES.get), dtype="string")
    converted = pd.Series([_text(v) for v in values], dtype="string")
    target.lost(pd.Series(values, dtype="object"), converted)
    return converted


_STRING_TYPES = {pa.string(): pd.StringDtype()}
_ARROW_STRINGS = pd.StringDtype() == pd.StringDtype("pyarrow")  # pandas 3 with pyarrow; python storage before


def _to_category(values: list[Any], target: Target) -> pd.Series:
    return _to_string(values, target).astype("category")


def _numbers(values: list[Any], target: Target) -> pd.Series:
    """Numbers and numeric strings as float64; anything else (a JSON boolean too: true is not 1)
    missing, and reported."""
    try:  # all numbers (no boolean, no string) or None: arrow reads them in one pass
        inferred = pa.array(values)
    except _ARROW_REFUSED:
        inferred = None
    if inferred is not None and (pa.types.is_null(inferred.type) or pa.types.is_int64(inferred.type)
                                 or pa.types.is_float64(inferred.type)):
        if pa.types.is_null(inferred.type):
            return pd.Series(np.full(len(values), np.nan))
        return pd.Series(inferred.to_numpy(zero_copy_only=False))
    if inferred is not None and pa.types.is_string(inferred.type):  # numbers as text (device data's value)
        read = _read_numbers(inferred)
        if read is not None:
            return pd.Series(read)
    raw = pd.Series(values, dtype="object")
    numeric = pd.Series([None if isinstance(v, (bool, dict, list)) else v for v in values], dtype="object")
    numbers = pd.to_numeric(numeric, errors="coerce")
    target.lost(raw, numbers)
    return numbers


def _read_numbers(text: pa.Array) -> np.ndarray[Any, Any] | None:
    """Numeric strings read by arrow's float cast in one pass, or None for ``to_numeric`` to read them when
    any is not a plain decimal number arrow takes (spaces around, ``"n/a"``, ``"nan"``, which must be
    reported), or is beyond 2**53, where only ``to_numeric``'s whole numbers keep every digit. (Not the
    integer cast: it takes hexadecimal ``"0x10"``, which is no number here.)"""
    try:
        numbers: np.ndarray[Any, Any] = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except _ARROW_REFUSED:
        return None
    present = numbers[~np.isnan(numbers)]
    if len(present) < len(text) - text.null_count or np.any(np.abs(present) >= 2.0**53):
        return None
    return numbers


def _to_float(values: list[Any], target: Target) -> pd.Series:
    return _numbers(values, target).astype("Float64")


def _to_int(values: list[Any], target: Target) -> pd.Series:
    numbers = _numbers(values, target)
    whole = numbers.dropna()
    if not np.all(np.mod(whole.to_numpy(dtype="float64"), 1) == 0):
        target.warn("fractional values in an integer column; kept as Float64")
        return numbers.astype("Float64")
    return numbers.astype("Int64")


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def _to_boolean(values: list[Any], target: Target) -> pd.Series:
    try:
        inferred = pa.array(values)
    except _ARROW_REFUSED:
        inferred = None
    if inferred is not None and pa.types.is_boolean(inferred.type):
        return pd.Series(inferred.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get), dtype="boolean")
    converted = pd.Series([_boolean(v) for v in values], dtype="boolean")
    target.lost(pd.Series(values, dtype="object"), converted)
    return converted


# what datetime64[ns] holds; a date outside (a .NET DateTime.MinValue "0001-01-01", a "9999-12-31"
# meaning "never") is parsed at a coarser unit and must not reach astype(), which would raise
_NS_RANGE = (pd.Timestamp.min.ceil("us"), pd.Timestamp.max.floor("us"))


def _fit(raw: pd.Series, parsed: pd.Series, target: Target, dtype: str) -> pd.Series:
    """``parsed`` as ``dtype``: values outside its range become NaT (reported), and so do values
    of ``raw`` that could not be parsed (reported too)."""
    low, high = (t.tz_localize("UTC") for t in _NS_RANGE) if parsed.dt.tz is not None else _NS_RANGE
    outside = parsed.notna() & ((parsed < low) | (parsed > high))
    if outside.any():
        target.warn(f"{int(outside.sum())} value(s) outside the dates pandas holds ({low:%Y-%m-%d} to "
                    f"{high:%Y-%m-%d}) became missing (e.g. {raw[outside].iloc[0]!r})")
        parsed, raw = parsed.mask(outside), raw.mask(outside)
    target.lost(raw, parsed)
    return parsed.astype(dtype)


def _strings(values: list[Any], cut: Callable[[str], str] | None = None) -> pd.Series:
    """Only strings are read as dates (a number is no date-time here, not an epoch): others None."""
    if cut is None:
        if _all_text(values) is not None:
            return pd.Series(values, dtype="object")
        cut = str
    return pd.Series([cut(v) if type(v) is str else None for v in values], dtype="object")


_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"  # an offset at the end of an ISO-8601 date-time
_ZONED = re.compile(_ZONE)


def _arrow_times(values: list[Any], read: Callable[[pa.Array], pa.Array]) -> pd.Series | None:
    """The fast path of the date converters: every value a string (or None) and every string read by
    arrow's ISO-8601 cast (``read``), in one C-level pass; None otherwise, for pandas to read as before.

    Arrow's parser takes a strict subset of what ``to_datetime(format="ISO8601")`` takes (no lone date,
    no spaces around, at most 9 fraction digits, nothing outside ``datetime64[ns]``) and gives the same
    instant where it succeeds (tests/test_frames_fast.py holds the two against each other); whatever it
    refuses, and so every value that must become missing and be reported, goes the per-column pandas way.
    """
    text = _all_text(values)
    if text is None:
        return None
    try:
        stamps = read(text)
    except _ARROW_REFUSED:
        return None
    zone = stamps.type.tz
    values = stamps.to_numpy(zero_copy_only=False)  # datetime64[ns], nulls as NaT
    return pd.Series(pd.DatetimeIndex(values).tz_localize(zone) if zone else values)


def _read_instants(text: pa.Array) -> pa.Array:
    """Instants in UTC; a string without an offset is taken as UTC (module docstring)."""
    step = max(1, len(text) // 16)
    sample = [v for v in text[::step].to_pylist() if v is not None]
    if all(map(_ZONED.search, sample)):  # all with an offset, it seems (most kinds): try without the search
        try:
            return pc.cast(text, _INSTANT)
        except _ARROW_REFUSED:
            pass
    zoned = pc.match_substring_regex(text, _ZONE)
    return pc.cast(pc.if_else(zoned, text, pc.binary_join_element_wise(text, "Z", "")), _INSTANT)


def _read_wallclock(text: pa.Array) -> pa.Array:
    return pc.cast(pc.replace_substring_regex(text, _ZONE, ""), _NAIVE)


def _read_date(text: pa.Array) -> pa.Array:
    return pc.cast(pc.cast(pc.utf8_slice_codeunits(text, 0, 10), pa.date32()), _NAIVE)


_INSTANT, _NAIVE = pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")


def _to_datetime(values: list[Any], target: Target) -> pd.Series:
    fast = _arrow_times(values, _read_instants)
    if fast is not None:
        return fast
    # naive strings are taken as UTC (module docstring); format="ISO8601" reads every ISO form
    parsed = pd.to_datetime(_strings(values), utc=True, format="ISO8601", errors="coerce")
    return _fit(pd.Series(values, dtype="object"), parsed, target, DTYPES["datetime"])


def _to_date(values: list[Any], target: Target) -> pd.Series:
    fast = _arrow_times(values, _read_date)
    if fast is not None:
        return fast
    parsed = pd.to_datetime(_strings(values, lambda v: v[:10]), format="%Y-%m-%d", errors="coerce")
    return _fit(pd.Series(values, dtype="object"), parsed, target, DTYPES["date"])


def _to_wallclock(values: list[Any], target: Target) -> pd.Series:
    fast = _arrow_times(values, _read_wallclock)
    if fast is not None:
        return fast
    # the wall clock as written: an offset, if any, is dropped rather than applied
    text = _strings(values).str.strip().str.replace(_ZONE, "", regex=True)  # spaces around: still an offset
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    return _fit(pd.Series(values, dtype="object"), parsed, target, DTYPES["wallclock"])


CONVERTERS: dict[Dtype, Converter] = {
    "string": _to_string,
    "category": _to_category,
    "Int64": _to_int,
    "Float64": _to_float,
    "boolean": _to_boolean,
    "datetime": _to_datetime,
    "date": _to_date,
    "wallclock": _to_wallclock,
    "object": _to_object,
}
"""One converter per catalogue dtype: wire values (None for missing) → a Series of that dtype."""


def _extra_paths(gather: _Gather, columns: Sequence[Column]) -> list[tuple[str, ...]]:
    """Leaf paths present in the records that no declared column covers, in first-seen order."""
    declared = {tuple(c.wire.split(".")) for c in columns}
    prefixes = {p[:i] for p in declared for i in range(1, len(p))}
    found: dict[tuple[str, ...], None] = {}

    def walk(objs: Sequence[Mapping[str, Any]], prefix: tuple[str, ...]) -> None:
        keys: set[str] = set().union(*objs)  # C-speed union; order restored below only if needed
        candidates = [k for k in keys if (*prefix, k) not in declared]
        if not candidates:
            return
        if len(candidates) > 1:
            order = {k: i for i, k in enumerate(dict.fromkeys(chain.from_iterable(objs)))}  # first seen
            candidates.sort(key=order.__getitem__)
        for key in candidates:
            path = (*prefix, str(key))
            if path in prefixes:  # a declared object (``schedule``): its values are gathered already
                values = gather(path)
                if set(map(type, values)) <= _OBJECT_OR_NULL:
                    walk(list(filter(None, values)), path)
                    continue
                present = [v for v in values if v is not None]
            else:
                present = [obj[key] for obj in objs if key in obj]
            nested = [v for v in present if isinstance(v, dict) and v]
            if nested:
                walk(nested, path)
            if path not in prefixes:
                if len(nested) < len(present):
                    found.setdefault(path)  # a scalar/list/null at an unknown key: keep it as it came
            elif any(v is not None and not isinstance(v, dict) for v in present):
                # a declared object arrived as something else: keep it whole, and say so
                found.setdefault(path)
                warnings.warn(f"{snake_case('.'.join(path))}: expected an object, got other values; "
                              "kept whole in that column", DataWarning, stacklevel=4)

    walk(gather.rows if gather.plain else [r for r in gather.rows if isinstance(r, dict)], ())
    return list(found)


_OBJECT_OR_NULL = {dict, type(None)}
_NO_FIELDS: dict[str, Any] = {}  # read (never written) for a parent that is missing or not an object


class _Gather:
    """Column values by path, each parent gathered once (``schedule`` once for all ``schedule.*``)."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.cache: dict[tuple[str, ...], list[Any]] = {}
        self.parents: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        self.plain = set(map(type, rows)) <= {dict}  # then dict.get over map(): no bytecode per record

    def __call__(self, path: tuple[str, ...]) -> list[Any]:
        values = self.cache.get(path)
        if values is None:
            if len(path) == 1:
                if self.plain:
                    values = list(map(dict.get, self.rows, repeat(path[0])))  # type: ignore[arg-type]
                else:
                    values = [row.get(path[0]) for row in self.rows]
            else:
                values = list(map(dict.get, self._parents(path[:-1]), repeat(path[-1])))
            self.cache[path] = values
        return values

    def _parents(self, path: tuple[str, ...]) -> list[dict[str, Any]]:
        """The values at ``path``, each one that is not an object as an empty one (made once per parent,
        so that each child is gathered at C speed)."""
        parents = self.parents.get(path)
        if parents is None:
            values = self(path)
            types = set(map(type, values))
            if types <= {dict}:
                parents = values
            elif types <= _OBJECT_OR_NULL:
                parents = [v or _NO_FIELDS for v in values]
            else:
                parents = [v if isinstance(v, dict) else _NO_FIELDS for v in values]
            self.parents[path] = parents
        return parents


def to_frame(kind: Kind | str, records: Iterable[Mapping[str, Any]], *, tz: str | None = None) -> pd.DataFrame:
    """Turn raw API records of ``kind`` into exactly the frame the session returns.

    ``kind`` is a catalogue name (the session method's name, e.g. ``"survey_answers"``) or
    entry; ``records`` are the JSON objects as the API sent them. ``tz`` converts the
    date-time columns to that IANA zone (default: UTC).
    """
    entry = lookup_kind(kind) if isinstance(kind, str) else kind
    rows = list(records)
    plain = set(map(type, rows)) <= {dict}  # the usual case, checked at C speed; else row by row
    bad = None if plain else next((row for row in rows if not isinstance(row, Mapping)), None)
    if bad is not None:
        raise InvalidArgumentError(
            f"to_frame({entry.name!r}, records): records must be JSON objects (dicts), got {type(bad).__name__}"
        )
    data: dict[str, pd.Series] = {}
    gather = _Gather(rows)
    for column in entry.columns:
        values = gather(tuple(column.wire.split(".")))
        data[column.name] = CONVERTERS[column.dtype](values, Target(entry.name, column))
    for path in _extra_paths(gather, entry.columns):
        name = snake_case(".".join(path))
        while name in data:
            name += "_"
        data[name] = pd.Series(gather(path), dtype="object")
    # side by side without a copy (the columns are new); a DataFrame(dict) copies and checks each one
    frame = pd.concat(data, axis=1) if data else pd.DataFrame(index=pd.RangeIndex(len(rows)))
    frame.attrs["kind"] = entry.name
    return convert_tz(frame, tz) if tz else frame


def concat_frames(kind: Kind | str, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Typed frames of one ``kind`` (pages, time slices, a cache and what is new, participants) as one.

    ``pd.concat`` alone decays a categorical whose categories differ between frames to plain strings
    and fills an absent column with float NaN; here every declared column keeps its dtype (categories
    unioned, sorted as :func:`to_frame` sorts them), an extra column missing from a frame is missing
    there (``None`` in an ``object`` column, as :func:`to_frame` leaves an absent key), columns keep
    their first-seen order, the index is a fresh RangeIndex and ``attrs`` are the first frame's.
    Zero frames give ``to_frame(kind, [])``: still every declared column.
    """
    entry = lookup_kind(kind) if isinstance(kind, str) else kind
    frames = list(frames)
    if not frames:
        return to_frame(entry, [])
    declared = {c.name: DTYPES[c.dtype] for c in entry.columns}
    order = list(dict.fromkeys(name for frame in frames for name in frame.columns))
    order += [name for name in declared if name not in order]  # declared columns are always there
    sample = {name: next((f[name].dtype for f in frames if name in f.columns), declared.get(name)) for name in order}
    categories = {
        name: _union_categories([f[name] for f in frames if name in f.columns])
        for name in order if any(isinstance(f[name].dtype, pd.CategoricalDtype) for f in frames if name in f.columns)
    }
    zones = {name: dtype.tz for name, dtype in sample.items() if isinstance(dtype, pd.DatetimeTZDtype)}
    aligned = []
    for frame in frames:
        columns: dict[str, pd.Series] = {}
        for name in order:
            if name in frame.columns:
                column = frame[name].reset_index(drop=True)
                if name in categories:
                    column = column.astype(categories[name])
                elif name in zones and isinstance(column.dtype, pd.DatetimeTZDtype):
                    column = column.dt.tz_convert(zones[name])
            else:
                column = pd.Series([None] * len(frame), dtype=categories.get(name, sample[name]))
            columns[name] = column
        aligned.append(pd.DataFrame(columns, index=pd.RangeIndex(len(frame))))
    out = pd.concat(aligned, ignore_index=True) if len(aligned) > 1 else aligned[0]
    out.attrs = dict(frames[0].attrs)
    return out


def _union_categories(columns: Sequence[pd.Series]) -> pd.CategoricalDtype:
    """One categorical dtype holding every category (or value, in a column that is not categorical)
    of ``columns``, sorted; string categories stay strings."""
    found = [c.cat.categories if isinstance(c.dtype, pd.CategoricalDtype) else pd.Index(c.dropna().unique())
             for c in columns]
    values = sorted(set().union(*found), key=str)
    text = all(pd.api.types.is_string_dtype(c.dtype) or not len(c) for c in found)
    return pd.CategoricalDtype(pd.Index(values, dtype="string" if text else None))


def check_tz(tz: str) -> str:
    """``tz`` if it is an IANA zone name, else an error naming the fix (before any request)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidArgumentError(
            f"unknown time zone {tz!r}: use an IANA name such as 'America/New_York' or 'UTC'"
        ) from None
    return tz


def convert_tz(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Every tz-aware date-time column of ``frame`` shown in zone ``tz`` (same instants)."""
    check_tz(tz)
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert(tz)
    out.attrs = dict(frame.attrs, tz=tz)
    return out
