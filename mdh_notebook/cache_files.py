"""One cache file: a typed frame as Parquet, with what it was fetched for and its watermark.

A frame goes to Parquet column by column as pyarrow writes it from pandas, except ``object``
columns (lists and free-form maps, which Parquet would turn into structs and back into something
else): those are stored as JSON text and decoded back into the same lists and dicts. Every
column's pandas dtype is written beside the data (a categorical's categories dtype too) and put
back on reading, so a frame read back is ``pd.testing.assert_frame_equal`` to the one written.

The file's key-value metadata (``mdh_notebook.cache``) holds the cache format version, a hash of
the kind's declared columns and dtypes, what the file is for (site, participant, kind, filters —
never a token) and the watermark. The data and its watermark are one file, so moving the
watermark and putting the data in place are one ``os.replace``: a temp file beside the target,
written, flushed and fsync'd, then renamed over it (and the directory fsync'd), so a reader sees
the old file or the new one, never a part of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .frames import DTYPES
from .kinds import Kind

__all__ = ["FORMAT", "META_KEY", "FileProblem", "read_frame", "schema_hash", "write_frame"]

#: The cache file format; a file of another version is rebuilt.
FORMAT = 1
META_KEY = b"mdh_notebook.cache"


class FileProblem(Exception):
    """A cache file that cannot be used as it is (unreadable, partial, another version or catalogue):
    the caller warns, naming the file, and rebuilds it. Never reaches a user."""


def schema_hash(kind: Kind, plan: object = None) -> str:
    """A hash of what a kind's frame looks like (its declared columns and their dtypes, how the
    catalogue's dtypes are made, and ``plan``: how the cache keeps it): a catalogue change makes
    every file of the kind stale."""
    spec = [kind.name, kind.path, kind.items_key, [(c.wire, c.name, c.dtype, c.quiet) for c in kind.columns],
            sorted(DTYPES.items()), repr(plan)]
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=True)


def _encode(frame: pd.DataFrame) -> tuple[pa.Table, list[dict[str, Any]]]:
    columns: dict[str, Any] = {}
    described: list[dict[str, Any]] = []
    for name in frame.columns:
        column = frame[name]
        entry: dict[str, Any] = {"name": str(name), "dtype": str(column.dtype), "json": False}
        if column.dtype == object:
            entry["json"] = True
            column = pd.Series([_json_text(v) for v in column], dtype="string")
        elif isinstance(column.dtype, pd.CategoricalDtype):
            categories = column.dtype.categories
            entry["categories"] = {"dtype": str(categories.dtype), "values": [_json_text(v) for v in categories]}
            column = column.astype(object)
        columns[str(name)] = column
        described.append(entry)
    table = pa.Table.from_pandas(pd.DataFrame(columns, index=pd.RangeIndex(len(frame))), preserve_index=False)
    return table, described


def _json_values(column: pd.Series) -> list[Any]:
    """A column of JSON texts (missing: None) as the values they hold, parsed as one array: one
    orjson call for the column, the stdlib for what orjson refuses (NaN, a very large integer)."""
    text = "[" + ",".join("null" if v is None or v is pd.NA else str(v) for v in column) + "]"
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError:
        values = json.loads(text)
    if not isinstance(values, list) or len(values) != len(column):
        raise FileProblem("a JSON column does not hold one value per row")
    return values


def _decode(table: pa.Table, described: list[dict[str, Any]]) -> pd.DataFrame:
    raw = table.to_pandas()
    if [d["name"] for d in described] != list(raw.columns):
        raise FileProblem("its columns are not the ones its metadata lists")
    out: dict[str, pd.Series] = {}
    for d in described:
        column = raw[d["name"]]
        if d["json"]:
            column = pd.Series(_json_values(column), dtype="object")
        elif d["dtype"] == "category":
            categories = pd.Index([json.loads(v) for v in d["categories"]["values"]], dtype=d["categories"]["dtype"])
            values = [None if v is None or v is pd.NA else v for v in column.astype(object)]
            column = pd.Series(pd.Categorical(values, categories=categories))
        elif str(column.dtype) != d["dtype"]:
            column = column.astype(d["dtype"])
        if str(column.dtype) != d["dtype"]:
            raise FileProblem(f"column {d['name']!r} came back as {column.dtype}, not {d['dtype']}")
        out[d["name"]] = column.reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))


def write_frame(path: Path, frame: pd.DataFrame, meta: Mapping[str, Any]) -> None:
    """Write ``frame`` and ``meta`` to ``path`` atomically (temp file beside it, fsync, ``os.replace``)."""
    table, described = _encode(frame)
    info = {**meta, "format": FORMAT, "columns": described}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(info).encode()})
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a platform that cannot open a directory skips it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_frame(path: Path, expect: Mapping[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The frame and metadata at ``path`` (None: no file). :class:`FileProblem` when the file is
    unreadable or partial, of another format, or written for something other than ``expect``
    (each of its keys must match: schema, site, participant, kind, filters)."""
    if not path.exists():
        return None
    try:
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(META_KEY)
        if raw is None:
            raise FileProblem("it has no cache metadata")
        info = json.loads(raw)
    except FileProblem:
        raise
    except (OSError, ValueError, pa.ArrowException) as exc:  # pyarrow's errors are ValueErrors/OSErrors too
        raise FileProblem(f"it cannot be read ({type(exc).__name__}: {str(exc)[:120]})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        found = info.get("format") if isinstance(info, dict) else None
        raise FileProblem(f"it is cache format {found!r}, this version writes {FORMAT}")
    for name, wanted in expect.items():
        if info.get(name) != wanted:
            what = "the kind's columns changed in the catalogue" if name == "schema" else f"its {name} differs"
            raise FileProblem(f"it was written for something else ({what})")
    try:
        frame = _decode(table, info["columns"])
    except FileProblem:
        raise
    except (KeyError, TypeError, ValueError, pa.ArrowException) as exc:
        raise FileProblem(f"its data cannot be read back ({type(exc).__name__}: {str(exc)[:120]})") from None
    return frame, info
