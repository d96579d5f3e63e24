"""Friendly methods of the device data family (see :mod:`mdh_notebook.writes`): one point by id as a
frame, and persisting points given as a DataFrame or as records. ``delete_device_data(id)`` is the
catalogue's generated method.

Persisting (``POST devicedata``): the points land in namespace ``Project`` and read back through
``device_data(namespace="Project")``; the server assigns their ids, ``insertedDate`` and
``modifiedDate``. A point whose natural key — type, identifier, startDate, observationDate (the iOS
SDK's "Natural Key properties") — is already stored replaces that point rather than adding one, so
persisting the same points twice changes nothing but their ``modifiedDate``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InvalidArgumentError
from ..frames import check_tz, to_frame
from ..kinds import devicedata
from ._base import SessionLike

if TYPE_CHECKING:
    from ..kinds import Kind, Operation

__all__ = ["BATCH_BYTES", "BATCH_SIZE", "DeviceDataWrites", "batches", "points_body"]

BATCH_SIZE = 500
"""Points per request by default: a body of a few hundred KB, well within what servers take."""
BATCH_BYTES = 512 * 1024
"""A batch is also cut before its JSON passes this many bytes (points with large properties)."""

_WHERE = "persist_device_data()"

# column / key -> the wire key it fills (snake_case as device_data() names them, or the wire's own)
_FIELDS: dict[str, str] = {}
for _wire in devicedata.PERSISTABLE:
    _FIELDS[_wire] = _wire
for _name, _wire in (("start_date", "startDate"), ("observation_date", "observationDate"),
                     ("source_identifier", "source.identifier"), ("source.identifier", "source.identifier"),
                     ("sourceIdentifier", "source.identifier"), ("source_properties", "source.properties"),
                     ("source.properties", "source.properties"), ("sourceProperties", "source.properties")):
    _FIELDS[_name] = _wire
# what a point read back carries that the server assigns: left out of what is sent, silently
_ASSIGNED = frozenset({"id", "namespace", "participantID", "participant_id", "participantIdentifier",
                       "participant_identifier", "deviceDataContextID", "device_data_context_id", "insertedDate",
                       "inserted_date", "modifiedDate", "modified_date", "value_number"})


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, Mapping, list, tuple)) else False
    except (TypeError, ValueError):
        return False


def _number_text(value: Any) -> str | None:
    """A number as the text the API keeps (``72``, ``70.5``); None if ``value`` is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, Real):
        number = float(value)
        if not math.isfinite(number):
            return None
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    return None


def _value_text(value: Any, label: str) -> str:
    if _missing(value):
        raise InvalidArgumentError(f"{_WHERE}: {label} has no value; every point needs one (text, or a number)")
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _number_text(value)
    if text is None:
        raise InvalidArgumentError(f"{_WHERE}: {label}: value must be text or a finite number, got {value!r}")
    return text


def _text(value: Any, key: str, label: str) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, str):
        return value
    text = None if isinstance(value, bool) else _number_text(value) if isinstance(value, Integral) else None
    if text is None:
        raise InvalidArgumentError(f"{_WHERE}: {label}: {key} must be text, got {type(value).__name__} {value!r}")
    return text


def _instant(value: Any, key: str, label: str) -> str | None:
    """ISO 8601 with the value's own offset (a value without one is UTC), to the microsecond."""
    if _missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, dt.date, pd.Timestamp)):
        raise InvalidArgumentError(f"{_WHERE}: {label}: {key} must be a date-time (datetime, Timestamp or ISO-8601 "
                                   f"text), got {type(value).__name__} {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(f"{_WHERE}: {label}: {key} {value!r} is not a date-time; use ISO 8601 like "
                                   "'2026-10-01T08:00:00-05:00'") from None
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    stamp = stamp.floor("us")
    spec = "milliseconds" if stamp.microsecond % 1000 == 0 else "microseconds"
    return str(stamp.to_pydatetime().isoformat(timespec=spec))


def _string_map(value: Any, key: str, label: str) -> dict[str, str] | None:
    if _missing(value):
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{_WHERE}: {label}: {key} must be a dict of text values, got {value!r}")
    out: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str):
            raise InvalidArgumentError(f"{_WHERE}: {label}: {key} keys must be text, got {name!r}")
        if _missing(item):
            continue
        if isinstance(item, str):
            out[name] = item
        elif isinstance(item, bool):
            out[name] = "true" if item else "false"
        elif isinstance(item, (dt.date, pd.Timestamp)):
            out[name] = _instant(item, f"{key}[{name!r}]", label) or ""
        else:
            text = _number_text(item)
            if text is None:
                raise InvalidArgumentError(f"{_WHERE}: {label}: {key}[{name!r}] must be text or a number, "
                                           f"got {type(item).__name__}")
            out[name] = text
    return out


def _point(fields: Mapping[str, Any], label: str) -> dict[str, Any]:
    """One point to send, from its fields by wire key (``source.identifier`` etc. flattened)."""
    type_ = fields.get("type")
    if _missing(type_) or not isinstance(type_, str) or not type_.strip():
        raise InvalidArgumentError(f"{_WHERE}: {label} has no type; every point needs one (e.g. 'Weight')")
    point: dict[str, Any] = {}
    identifier = _text(fields.get("identifier"), "identifier", label)
    if identifier is not None:
        point["identifier"] = identifier
    point["type"] = type_
    point["value"] = _value_text(fields.get("value"), label)
    units = _text(fields.get("units"), "units", label)
    if units is not None:
        point["units"] = units
    properties = _string_map(fields.get("properties"), "properties", label)
    if properties is not None:
        point["properties"] = properties
    source = _source(fields, label)
    if source is not None:
        point["source"] = source
    for key in ("startDate", "observationDate"):
        instant = _instant(fields.get(key), key, label)
        if instant is not None:
            point[key] = instant
    return point


def _source(fields: Mapping[str, Any], label: str) -> dict[str, Any] | None:
    nested = fields.get("source")
    identifier, properties = fields.get("source.identifier"), fields.get("source.properties")
    if not _missing(nested):
        if not isinstance(nested, Mapping):
            raise InvalidArgumentError(f"{_WHERE}: {label}: source must be a dict "
                                       f"{{'identifier': ..., 'properties': {{...}}}}, got {nested!r}")
        if not _missing(identifier) or not _missing(properties):
            raise InvalidArgumentError(f"{_WHERE}: {label}: give source as one dict or as source_identifier / "
                                       "source_properties, not both")
        identifier, properties = nested.get("identifier"), nested.get("properties")
    text = _text(identifier, "source identifier", label)
    mapping = _string_map(properties, "source properties", label)
    if text is None or not text:
        if mapping:
            raise InvalidArgumentError(f"{_WHERE}: {label}: source properties need a source identifier")
        return None
    source: dict[str, Any] = {"identifier": text}
    if mapping is not None:
        source["properties"] = mapping
    return source


def _fields(names: Iterable[Any], where: str) -> dict[Any, str]:
    """name -> wire key for the names given; the server-assigned ones dropped; others refused."""
    mapping: dict[Any, str] = {}
    unknown: list[Any] = []
    for name in names:
        if isinstance(name, str) and name in _FIELDS:
            mapping[name] = _FIELDS[name]
        elif not (isinstance(name, str) and name in _ASSIGNED):
            unknown.append(name)
    if unknown:
        accepted = ", ".join(["type", "value", "units", "identifier", "properties", "source", "source_identifier",
                              "source_properties", "start_date", "observation_date"])
        raise InvalidArgumentError(f"{_WHERE}: unknown {where} {', '.join(map(repr, unknown))}; a point takes "
                                   f"{accepted} (or their API names); drop the others first")
    repeated = [w for w in set(mapping.values()) if list(mapping.values()).count(w) > 1]
    if repeated:
        raise InvalidArgumentError(f"{_WHERE}: two {where}s give {repeated[0]!r}; keep one")
    return mapping


def points_body(points: pd.DataFrame | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The JSON array ``persist_device_data`` sends for ``points`` (checked; see its docstring)."""
    if isinstance(points, pd.DataFrame):
        mapping = _fields(points.columns, "column")
        columns = {wire: points[name].tolist() for name, wire in mapping.items()}
        labels = points.index.tolist()
        rows = ({wire: values[i] for wire, values in columns.items()} for i in range(len(points)))
        return [_point(row, f"row {label!r}") for row, label in zip(rows, labels, strict=True)]
    if isinstance(points, (Mapping, str, bytes)) or not isinstance(points, Iterable):
        raise InvalidArgumentError(f"{_WHERE} takes a DataFrame or a list of points (dicts), got "
                                   f"{type(points).__name__}; wrap one point in a list")
    body = []
    for index, item in enumerate(points):
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"{_WHERE}: point {index} must be a dict, got {type(item).__name__}")
        mapping = _fields(item.keys(), "key")
        body.append(_point({wire: item[name] for name, wire in mapping.items()}, f"point {index}"))
    return body


def batches(body: list[dict[str, Any]], size: int = BATCH_SIZE, max_bytes: int = BATCH_BYTES) -> Iterator[list[Any]]:
    """``body`` in consecutive batches of at most ``size`` points and (but for a single point larger
    than that) ``max_bytes`` of JSON."""
    batch: list[Any] = []
    used = 2
    for point in body:
        cost = len(json.dumps(point, ensure_ascii=False).encode("utf-8")) + 1
        if batch and (len(batch) >= size or used + cost > max_bytes):
            yield batch
            batch, used = [], 2
        batch.append(point)
        used += cost
    if batch:
        yield batch


class DeviceDataWrites(SessionLike):
    """``device_data_point(id)`` and ``persist_device_data(points)``."""

    if TYPE_CHECKING:
        def _zone(self, tz: str | None) -> str | None: ...
        def _check_access(self, entry: Kind | Operation) -> None: ...

    def device_data_point(self, id: str, *, tz: str | None = None) -> pd.DataFrame:
        """One device data point by id, as a one-row frame with the columns of ``device_data()``.

        Needs scope ``DeviceData:read``. ``GET devicedata/{id}``; an id that names no point of the
        participant is a :class:`~mdh_notebook.NotFoundError` (404). ``tz``: as for ``device_data``
        (an IANA zone, or ``'local'`` for the participant's own; default UTC).
        """
        from ..kinds import operation

        self._check_access(operation("device_data_point"))
        zone = self._zone(tz)
        if zone:
            check_tz(zone)
        record = self.call("device_data_point", path={"id": id})
        if not isinstance(record, dict):
            raise InvalidArgumentError(f"device_data_point({id!r}): the server answered {type(record).__name__}, "
                                       "not a point")
        return to_frame(devicedata.DEVICE_DATA, [record], tz=zone)

    def persist_device_data(self, points: pd.DataFrame | Iterable[Mapping[str, Any]], *,
                            batch_size: int = BATCH_SIZE) -> int:
        """Store device data points in namespace ``Project``; returns how many were sent.

        Needs scope ``DeviceData:write``. ``POST devicedata`` with a JSON array of points, in batches
        of ``batch_size`` (default 500, and under 512 KB each). ``points``: a DataFrame — e.g. the
        frame ``device_data()`` returned, its server-assigned columns (id, namespace, dates of
        insertion and modification, value_number, …) left out — or a list of dicts. A point has
        ``type`` and ``value`` (required; a number is sent as its text, ``72`` or ``70.5``) and
        optionally ``units``, ``identifier``, ``properties`` (a dict of text), ``source`` (a dict
        ``{'identifier': ..., 'properties': {...}}``, or the columns ``source_identifier`` /
        ``source_properties``), ``start_date`` / ``observation_date`` (datetime, Timestamp or ISO
        text; sent as ISO 8601 with their own offset, UTC when they have none). Keys may also be the
        API's own names (``observationDate``). Every point is checked before the first request.

        Points whose type, identifier, start date and observation date match a stored point replace
        it (the server's natural key), so sending the same points again is harmless. Batches are
        separate requests: if one fails, the batches before it are stored (the error says how many
        points were).
        """
        from ..kinds import operation

        self._check_access(operation("persist_device_data"))
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgumentError(f"{_WHERE}: batch_size must be a positive integer, got {batch_size!r}")
        body = points_body(points)
        sent = 0
        for batch in batches(body, batch_size):
            try:
                self.call("persist_device_data", json=batch)
            except Exception as exc:
                if sent and hasattr(exc, "add_note"):
                    exc.add_note(f"{sent} of {len(body)} points were stored by the batches before this one")
                raise
            sent += len(batch)
        return sent
