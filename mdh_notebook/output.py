"""A frame written out as CSV, JSON, JSON lines or Parquet — the same values in every format.

* date-times are written as ISO 8601 with their offset, in the frame's zone (so ``tz="local"``
  or ``--tz`` applies to every format, Parquet included, which keeps its tz-aware type);
* lists and maps (``answers``, ``properties``, ``customFields``) are JSON text in CSV, real
  arrays/objects in JSON, and in Parquet native lists of strings or else JSON text (a map's keys
  vary from row to row, which Parquet's struct type cannot hold);
* missing values are empty in CSV and ``null`` in JSON.

Used by the CLI (``mdh-notebook fetch -o``) and by anything that saves a frame for a user.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd

__all__ = ["FORMATS", "Format", "format_for", "write_frame"]

Format = Literal["csv", "json", "jsonl", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "json", "jsonl", "parquet")


def format_for(path: str) -> Format | None:
    """The format a file name asks for by its suffix, or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    for name in FORMATS:
        if suffix == name:
            return name
    return None


def _plain(value: Any) -> Any:
    """One cell as a JSON-ready value (None for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        yield {name: _plain(value) for name, value in zip(columns, row, strict=True)}


def _text_columns(frame: pd.DataFrame, *, keep_string_lists: bool) -> pd.DataFrame:
    """Object columns holding lists or maps as JSON text (lists of strings kept if asked)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype == "datetime64[ns]":
            if not keep_string_lists:  # CSV: ISO with offset; Parquet keeps the real type
                out[name] = column.map(lambda v: None if v is pd.NaT else v.isoformat())
            continue
        if column.dtype != object:
            continue
        values = [v for v in column if v is not None]
        if keep_string_lists and all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in values):
            continue
        if any(isinstance(v, (list, tuple, dict)) for v in values):
            out[name] = column.map(lambda v: None if v is None else json.dumps(_plain(v), ensure_ascii=False))
    return out


def write_frame(frame: pd.DataFrame, target: str | Path | IO[Any], fmt: Format) -> None:
    """Write ``frame`` to a path or an open stream (binary for Parquet, text otherwise)."""
    if fmt == "csv":
        _text_columns(frame, keep_string_lists=False).to_csv(target, index=False)
    elif fmt == "parquet":
        _text_columns(frame, keep_string_lists=True).to_parquet(target, index=False)
    else:
        handle: IO[str]
        if isinstance(target, (str, Path)):
            with open(target, "w", encoding="utf-8") as handle:
                _write_json(frame, handle, fmt)
        else:
            _write_json(frame, target, fmt)


def _write_json(frame: pd.DataFrame, handle: IO[str], fmt: Format) -> None:
    if fmt == "jsonl":
        for record in _records(frame):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    handle.write("[")
    for i, record in enumerate(_records(frame)):
        handle.write(("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False))
    handle.write("\n]\n")
