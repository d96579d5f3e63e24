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

Conversion is column-wise, and as much of it as can be is done a page at a time (:class:`FrameBuilder`;
a pull does it while the request for the next page waits for its answer, :mod:`mdh_notebook.reading`).
Every column read as text (strings, categories, date-times) comes out of each page's records in one
arrow pass (one struct array), when a sample of the first page shows them text, and is parsed there by
its dtype's reader in :data:`~mdh_notebook.converters.TEXT_READERS` (date-time strings by arrow's
ISO-8601 cast, numbers sent as text by its float cast). A page with anything but text at one of those
paths (a number, an object) leaves every column to be read value by value; a column arrow's parser
refuses anywhere (any value of a page) is read whole by its dtype's converter in :data:`CONVERTERS`
(:mod:`mdh_notebook.converters`), which tries the same arrow pass and falls back to pandas' vectorised
functions (``to_datetime(format="ISO8601")``, ``to_numeric``) for the whole column. Arrow's parsers
take less than pandas' do and agree where they succeed (tests/test_frames_fast.py), so a column with
anything else in it (a number in a string column, a date pandas reads and arrow does not, a value to
report) takes the per-value path that reads it, or reports it, exactly as before — and a frame is the
same however its records fell into pages (tests/test_frames_pages.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionDtype

from .converters import ARROW_REFUSED, CONVERTERS, DTYPES, TEXT_DTYPES, TEXT_READERS, DataWarning, Target
from .errors import InvalidArgumentError
from .kinds import Column, Kind, snake_case
from .kinds import kind as lookup_kind

__all__ = ["CONVERTERS", "DTYPES", "DataWarning", "FrameBuilder", "Target", "check_tz", "concat_frames", "convert_tz",
           "to_frame"]


def _text_type(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> pa.StructType | None:
    """The arrow struct of every path a column reads as text (:class:`FrameBuilder` reads the records
    with it in one pass: no Python list per column, no second pass to infer its type), or None when
    there is none to read so.

    Paths whose values in a sample of ``rows`` are not all text are left out beforehand, so that a
    kind that sends, say, numbers in a ``value`` column does not pay for a pass that fails every time.
    (bytes, which no JSON decoder makes, would be taken as UTF-8 text here, where the converters report
    them.)"""
    paths = list(dict.fromkeys(c.path for c in columns if c.dtype in TEXT_DTYPES))
    nested = {p[:i] for p in paths for i in range(1, len(p))}
    sample = rows[::max(1, len(rows) // 16)]
    paths = [p for p in paths if p not in nested and all(map(_is_text, _sample(sample, p)))]
    if not rows or not paths:
        return None
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = None
    return _struct(tree)


def _is_text(value: Any) -> bool:
    return value is None or type(value) is str


def _sample(rows: Sequence[Mapping[str, Any]], path: tuple[str, ...]) -> list[Any]:
    values: list[Any] = list(rows)
    for key in path:
        values = [v.get(key) if isinstance(v, dict) else None for v in values]
    return values


def _paths(struct: pa.StructType, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The leaf paths of a struct type (what :func:`_leaves` finds in an array of it)."""
    found: list[tuple[str, ...]] = []
    for field in struct:
        if pa.types.is_struct(field.type):
            found += _paths(field.type, (*prefix, field.name))
        else:
            found.append((*prefix, field.name))
    return found


def _struct(tree: dict[str, Any]) -> pa.StructType:
    # large_string: what pandas' arrow-backed strings hold (a string array would be cast to it, a copy)
    return pa.struct([(key, pa.large_string() if node is None else _struct(node)) for key, node in tree.items()])


def _leaves(array: pa.StructArray, prefix: tuple[str, ...], found: dict[tuple[str, ...], pa.Array]) -> None:
    for field, child in zip(array.type, array.flatten(), strict=True):  # flatten: a missing parent, missing
        if pa.types.is_struct(field.type):
            _leaves(child, (*prefix, field.name), found)
        else:
            found[(*prefix, field.name)] = child


def _extra_paths(gather: _Gather, columns: Sequence[Column], keys: set[str] | None = None) -> list[tuple[str, ...]]:
    """Leaf paths present in the records that no declared column covers, in first-seen order; ``keys``:
    the records' own keys, when they are known already."""
    declared = {c.path for c in columns}
    prefixes = {p[:i] for p in declared for i in range(1, len(p))}
    found: dict[tuple[str, ...], None] = {}

    def walk(objs: Sequence[Mapping[str, Any]], prefix: tuple[str, ...]) -> None:
        found_keys: set[str] = keys if keys is not None and not prefix else set().union(*objs)  # C speed; order
        # restored below only if needed
        candidates = [k for k in found_keys if (*prefix, k) not in declared]
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


class FrameBuilder:
    """One frame of ``kind`` built from its records page by page: :meth:`add` each page as it arrives,
    then :meth:`frame` once, with every record in order — exactly what :func:`to_frame` of those records
    returns (it is one builder given every record at once).

    ``add`` does what can be done a page at a time, so that a pull can do it while it waits for the next
    page (:mod:`mdh_notebook.reading`): the text columns read out of the records by arrow and parsed by their dtype's
    :data:`~mdh_notebook.converters.TEXT_READERS` (date-times, numbers sent as text), the values of the
    other columns gathered, and the keys present. ``frame`` does the rest: each column's parts joined,
    the other columns converted, the extra columns, every :class:`DataWarning`.

    The text columns' paths are chosen on the first page given. A later page with anything else at one of
    them (a number, an object) leaves every column to be read value by value; a page that arrow's parser
    refuses in a column, that column. ``add`` and ``frame`` are called one after the other (one thread at
    a time), ``frame`` last."""

    def __init__(self, kind: Kind | str) -> None:
        self.kind = lookup_kind(kind) if isinstance(kind, str) else kind
        self._type: pa.StructType | None = None
        # each text column's parsed parts, a page each; None: a page refused, the column is read value by value
        self._parts: dict[str, list[pa.Array] | None] | None = {}  # None: every column is read value by value
        self._keys: set[str] | None = set()  # the records' keys (for the extra columns); None: not known
        # the values of the columns not read as text (numbers, booleans, objects), gathered a page at a time;
        # None with the keys: read from the records at the end
        self._values: dict[str, list[Any]] | None = {}
        self._gathered: list[Column] | None = None  # which: chosen with the text paths, on the first page
        self._gather: _Gather | None = None  # the first page's, while it is every record
        self._rows = 0

    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Read one page of records (JSON objects, as the pager gives them) for the frame. The page
        must not change afterwards (it is read again by :meth:`frame`, as part of every record)."""
        self._rows += len(rows)
        if self._keys is None or not rows:
            return
        if not set(map(type, rows)) <= {dict}:  # another Mapping: read value by value, as before
            self.read_whole()
            return
        self._keys.update(set().union(*rows))
        gather = _Gather(rows)
        self._gather = gather if self._rows == len(rows) else None  # the records all at once: frame() reuses it
        if self._gathered is None:
            self._type = _text_type(rows, self.kind.columns)
            as_text = set(_paths(self._type)) if self._type is not None else set()
            self._gathered = [c for c in self.kind.columns  # not read by a text reader
                              if c.dtype not in TEXT_DTYPES and not (c.path in as_text and c.dtype in TEXT_READERS)]
        if self._values is not None:
            for column in self._gathered:
                values = self._values.get(column.name)
                if values is None:
                    self._values[column.name] = list(gather(column.path))
                else:
                    values.extend(gather(column.path))
        if self._parts is None:
            return
        if self._type is None:  # no column is read as text
            self._parts = None
            return
        try:
            records = pa.array(rows, type=self._type)
        except ARROW_REFUSED:
            self._parts = None
            return
        text: dict[tuple[str, ...], pa.Array] = {}
        _leaves(records, (), text)
        for column in self.kind.columns:
            path = column.path
            reader = TEXT_READERS.get(column.dtype) if path in text else None
            parts = self._parts.setdefault(column.name, []) if reader is not None else None
            if reader is None or parts is None:
                continue
            parsed = reader.parse(text[path])
            if parsed is None:
                self._parts[column.name] = None
            else:
                parts.append(parsed)

    def read_whole(self) -> None:
        """Leave every column to be read value by value, from the records, by :meth:`frame` (what a
        page that could not be read leaves to do; :meth:`add` reads nothing more)."""
        self._parts = self._keys = self._values = None

    def frame(self, rows: Sequence[Mapping[str, Any]], *, tz: str | None = None) -> pd.DataFrame:
        """The typed frame of ``rows``: the records of every page given to :meth:`add`, in order."""
        entry = self.kind
        parts = [p for p in (self._parts or {}).values() if p is not None]
        if self._rows != len(rows) or any(sum(map(len, p)) != len(rows) for p in parts):
            again = FrameBuilder(entry)  # pages not (all) given, or not as read: read the records whole
            again.add(rows)
            return again.frame(rows, tz=tz)
        data: dict[str, pd.Series] = {}
        gather = self._gather if self._gather is not None and self._gather.rows is rows else _Gather(rows)
        parsed, gathered = self._parts or {}, self._values or {}
        for column in entry.columns:
            read = parsed.get(column.name)
            series = None
            if read:
                series = TEXT_READERS[column.dtype].finish(read[0] if len(read) == 1 else pa.concat_arrays(read))
            if series is None:
                values = gathered.get(column.name)
                if values is None or len(values) != len(rows):
                    values = gather(column.path)
                series = CONVERTERS[column.dtype](values, Target(entry.name, column))
            data[column.name] = series
        for path in _extra_paths(gather, entry.columns, self._keys):
            name = snake_case(".".join(path))
            while name in data:
                name += "_"
            data[name] = pd.Series(gather(path), dtype="object")
        # the columns' arrays side by side, once, without a copy (each is new and of its final dtype already); an
        # object column stays a Series, which keeps its dtype (an object array alone would be inferred as strings)
        frame = pd.DataFrame({name: series if series.dtype == object else series.array
                              for name, series in data.items()}, index=pd.RangeIndex(len(rows)), copy=False)
        frame.attrs["kind"] = entry.name
        return convert_tz(frame, tz) if tz else frame


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
    builder = FrameBuilder(entry)
    builder.add(rows)
    return builder.frame(rows, tz=tz)


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
    sizes = [len(frame) for frame in frames]
    bare = [frame.copy(deep=False) for frame in frames]  # no copy of the data; without attrs, which pandas
    for frame in bare:  # would otherwise deep-copy into every column taken out below
        frame.attrs = {}
    columns: dict[str, Any] = {}
    for name in order:  # column by column: each part's array joined once, no frame per part
        parts = [frame[name] if name in frame.columns else None for frame in bare]
        columns[name] = _join_column(parts, sizes, declared.get(name))
    # arrays as they are (an object column as a Series: alone, its array would be inferred as strings)
    out = pd.DataFrame(columns, index=pd.RangeIndex(sum(sizes)), copy=False)
    out.attrs = dict(frames[0].attrs)
    return out


def _join_column(parts: list[pd.Series | None], sizes: list[int], declared: str | None) -> Any:
    """One column of every part (None where a part lacks it) as one array of the first part's dtype (a
    category's categories unioned), or a Series where pandas must find the dtype the parts share."""
    present = [p for p in parts if p is not None]
    dtype = present[0].dtype if present else pd.api.types.pandas_dtype(declared or "object")
    if any(isinstance(p.dtype, pd.CategoricalDtype) for p in present):
        return _join_categories(parts, sizes, present)
    if isinstance(dtype, pd.DatetimeTZDtype):  # a part in another zone: the first part's (same instants)
        parts = [p.dt.tz_convert(dtype.tz) if p is not None and isinstance(p.dtype, pd.DatetimeTZDtype)
                 else p for p in parts]
    filled = [p if p is not None else pd.Series([None] * size, dtype=dtype)
              for p, size in zip(parts, sizes, strict=True)]
    if any(p.dtype != dtype for p in filled):  # e.g. Int64 here, Float64 (fractions) there: pandas' common type
        return pd.concat(filled, ignore_index=True)
    if pd.api.types.is_object_dtype(dtype):
        return pd.Series(np.concatenate([p.to_numpy() for p in filled]) if filled else [], dtype=object)
    arrays = [p.array for p in filled]
    if isinstance(dtype, ExtensionDtype):
        return type(arrays[0])._concat_same_type(arrays)
    return np.concatenate([np.asarray(a) for a in arrays])


def _join_categories(parts: list[pd.Series | None], sizes: list[int], present: list[pd.Series]) -> pd.Categorical:
    """Each part's codes mapped into the union of the categories (sorted as :func:`to_frame` sorts them),
    once per part: no value compared again, never decayed to strings."""
    dtype = _union_categories(present)
    codes = []
    for part, size in zip(parts, sizes, strict=True):
        if part is None:
            codes.append(np.full(size, -1, dtype=np.int64))
        elif isinstance(part.dtype, pd.CategoricalDtype):
            recode = np.append(dtype.categories.get_indexer(part.cat.categories), -1)  # code -1 stays -1
            codes.append(recode[part.cat.codes.to_numpy()])
        else:
            codes.append(dtype.categories.get_indexer(part.to_numpy()))  # missing: -1
    return pd.Categorical.from_codes(np.concatenate(codes), dtype=dtype, validate=False)


def _union_categories(columns: Sequence[pd.Series]) -> pd.CategoricalDtype:
    """One categorical dtype holding every category (or value, in a column that is not categorical)
    of ``columns``, sorted; string categories stay strings. (Parts that already share sorted string
    categories, the usual case, keep them as they are.)"""
    first = columns[0].dtype
    if (isinstance(first, pd.CategoricalDtype) and first.categories.dtype == "string" and not first.ordered
            and first.categories.is_monotonic_increasing
            and all(c.dtype == first for c in columns[1:])):
        return first
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
