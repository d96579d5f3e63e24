"""One converter per catalogue dtype: wire values → a pandas Series of that dtype (the rules are in
:mod:`mdh_notebook.frames`' docstring: what is read as what, what becomes missing, what is reported).

Each converter takes the values of one column as Python objects, tries one C-level pass first (pyarrow
builds the column, or parses its date-times or numbers sent as text) and, when that pass refuses any
value, reads the column with pandas value by value, reporting what it cannot read. :data:`TEXT_READERS`
holds the same fast passes for a column that is already an arrow string array, a part at a time.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .kinds import Column, Dtype

__all__ = ["ARROW_REFUSED", "CONVERTERS", "DTYPES", "TEXT_DTYPES", "TEXT_READERS", "Converter", "DataWarning", "Target",
           "TextReader"]

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
    return pd.Series(np.fromiter(values, dtype=object, count=len(values)))  # lists stay cells, not a 2-D array


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


ARROW_REFUSED = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


def _all_text(values: list[Any]) -> pa.Array | None:
    """``values`` as an arrow string array when every one is a string or None (else None: a number,
    a boolean, an object, even bytes, is for the per-value path to read or report)."""
    try:
        inferred = pa.array(values)  # inferred, not cast: a cast to string would take bytes too
    except ARROW_REFUSED:
        return None
    if pa.types.is_string(inferred.type):
        return inferred
    return inferred.cast(pa.string()) if pa.types.is_null(inferred.type) else None


def _to_string(values: list[Any], target: Target) -> pd.Series:
    text = _all_text(values)
    if text is not None:  # nothing to read or report: one C-level pass
        return _text_series(text)
    converted = pd.Series([_text(v) for v in values], dtype="string")
    target.lost(pd.Series(values, dtype="object"), converted)
    return converted


def _text_series(text: pa.Array) -> pd.Series:
    if _ARROW_STRINGS:  # the declared "string" dtype is arrow-backed: wrap the array as it is
        return pd.Series(pd.arrays.ArrowStringArray(text))
    return pd.Series(text.to_pandas(types_mapper=_STRING_TYPES.get), dtype="string")


_STRING_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
_ARROW_STRINGS = pd.StringDtype() == pd.StringDtype("pyarrow")  # pandas 3 with pyarrow; python storage before


def _to_category(values: list[Any], target: Target) -> pd.Series:
    text = _all_text(values)
    if text is not None:
        return _categories(text)
    return _to_string(values, target).astype("category")


def _categories(text: pa.Array) -> pd.Series:
    """Strings as a categorical in one arrow pass (``dictionary_encode``), its categories sorted as
    ``astype("category")`` sorts them (code point order) and of dtype ``string`` as there: the same
    Series without pandas hashing every value again."""
    encoded = pc.dictionary_encode(text)
    order = pc.array_sort_indices(encoded.dictionary)
    rank = pc.array_sort_indices(order).cast(pa.int32())  # the inverse permutation: old code -> sorted code
    codes = pc.take(rank, encoded.indices).fill_null(-1).to_numpy(zero_copy_only=False)
    categories = pd.Index(_text_series(pc.take(encoded.dictionary, order)).array)
    dtype = pd.CategoricalDtype(categories, ordered=False)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False))


def _numbers(values: list[Any], target: Target) -> pd.Series:
    """Numbers and numeric strings as float64; anything else (a JSON boolean too: true is not 1)
    missing, and reported."""
    try:  # all numbers (no boolean, no string) or None: arrow reads them in one pass
        inferred = pa.array(values)
    except ARROW_REFUSED:
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
    except ARROW_REFUSED:
        return None
    present = numbers[~np.isnan(numbers)]
    if len(present) < len(text) - text.null_count or np.any(np.abs(present) >= 2.0**53):
        return None
    return numbers


def _to_float(values: list[Any], target: Target) -> pd.Series:
    return _numbers(values, target).astype("Float64")


def _to_int(values: list[Any], target: Target) -> pd.Series:
    try:  # JSON integers (or None): straight from arrow, every digit kept, no float Series in between
        inferred = pa.array(values)
    except ARROW_REFUSED:
        inferred = None
    if inferred is not None and (pa.types.is_null(inferred.type) or pa.types.is_int64(inferred.type)):
        return pd.Series(_INT64.__from_arrow__(inferred.cast(pa.int64())))
    numbers = _numbers(values, target)
    whole = numbers.dropna()
    if not np.all(np.mod(whole.to_numpy(dtype="float64"), 1) == 0):
        target.warn("fractional values in an integer column; kept as Float64")
        return numbers.astype("Float64")
    return numbers.astype("Int64")


_INT64 = pd.Int64Dtype()


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def _to_boolean(values: list[Any], target: Target) -> pd.Series:
    try:
        inferred = pa.array(values)
    except ARROW_REFUSED:
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
    return None if text is None else _times(text, read)


def _times(text: pa.Array, read: Callable[[pa.Array], pa.Array]) -> pd.Series | None:
    """Strings (or nulls) ``read`` by arrow as date-times, or None when arrow refuses any."""
    stamps = _parse(read, text)
    return None if stamps is None else _stamps(stamps)


def _parse(read: Callable[[pa.Array], pa.Array], text: pa.Array) -> pa.Array | None:
    try:
        return read(text)
    except ARROW_REFUSED:
        return None


def _stamps(stamps: pa.Array) -> pd.Series:
    """Arrow timestamps as a Series: tz-aware at once when they have a zone (no tz_localize of a naive
    index), else datetime64[ns] with nulls as NaT."""
    zone = stamps.type.tz
    if zone:
        return pd.Series(pd.DatetimeTZDtype("ns", zone).__from_arrow__(stamps))
    return pd.Series(stamps.to_numpy(zero_copy_only=False))


def _read_instants(text: pa.Array) -> pa.Array:
    """Instants in UTC; a string without an offset is taken as UTC (module docstring)."""
    step = max(1, len(text) // 16)
    sample = [v for v in text[::step].to_pylist() if v is not None]
    if all(map(_ZONED.search, sample)):  # all with an offset, it seems (most kinds): try without the search
        try:
            return pc.cast(text, _INSTANT)
        except ARROW_REFUSED:
            pass
    # an offset is at most 6 characters ("+05:30"): searched for in each string's last 6 only
    zoned = pc.match_substring_regex(pc.utf8_slice_codeunits(text, -6, 2**31 - 1), _ZONE)
    with_z = pc.binary_join_element_wise(text, pa.scalar("Z", text.type), pa.scalar("", text.type))
    return pc.cast(pc.if_else(zoned, text, with_z), _INSTANT)


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


def _parse_numbers(text: pa.Array, whole: bool) -> pa.Array | None:
    numbers = _read_numbers(text)
    if numbers is None or (whole and not np.all(np.mod(numbers[~np.isnan(numbers)], 1) == 0)):
        return None  # the converter reads them, and reports what it must
    return pa.array(numbers)


def _number_series(dtype: str) -> Callable[[pa.Array], pd.Series]:
    return lambda parsed: pd.Series(parsed.to_numpy(zero_copy_only=False)).astype(dtype)


@dataclass(frozen=True)
class TextReader:
    """How a column of one dtype is read from an arrow string array whose every value is a string or
    missing (what :class:`~mdh_notebook.frames.FrameBuilder` reads out of the records): ``parse`` a part
    of the column (a page) at a time — arrow only, no pandas, nothing reported; None when arrow refuses
    any value, and the converter then reads the whole column and reports what it must — then
    ``finish`` the parsed parts, joined, as the column's Series: the result of the converter's own fast
    path."""

    parse: Callable[[pa.Array], pa.Array | None]
    finish: Callable[[pa.Array], pd.Series]


def _as_is(text: pa.Array) -> pa.Array:
    return text


TEXT_READERS: dict[Dtype, TextReader] = {
    "string": TextReader(_as_is, _text_series),
    "category": TextReader(_as_is, _categories),
    "datetime": TextReader(lambda text: _parse(_read_instants, text), _stamps),
    "date": TextReader(lambda text: _parse(_read_date, text), _stamps),
    "wallclock": TextReader(lambda text: _parse(_read_wallclock, text), _stamps),
    "Float64": TextReader(lambda text: _parse_numbers(text, whole=False), _number_series("Float64")),
    "Int64": TextReader(lambda text: _parse_numbers(text, whole=True), _number_series("Int64")),
}
"""The dtypes read straight from an arrow string array when every value of the column is a string or
missing (what :class:`~mdh_notebook.frames.FrameBuilder` gives)."""
TEXT_DTYPES = frozenset({"string", "category", "datetime", "date", "wallclock"})
