"""Device data v1 (``api/v1/delegated/devicedata``): points in every v1 namespace the participant
has a source for (``..devicedata_v1_namespaces``), one point by id, and the writes: persisting
points (they land in namespace ``Project``) and deleting one.

Decisions where the reference is silent:

- **order**: most recent first (reference: iOS doc) by ``observationDate`` descending, then ``id``
  ascending; a point without an ``observationDate`` (only a persisted one) sorts by its
  ``startDate``, else its ``insertedDate``;
- **filters**: ``namespace`` is required (400 ``{"message"}`` without it) and matched
  case-insensitively, as ASP.NET binds an enumeration (an unknown one is a 400 naming the
  namespaces); ``type`` is a list (``\\,`` escapes a comma) matched case-insensitively;
  ``observedAfter`` / ``observedBefore`` compare with ``observationDate`` and leave out points
  without one; ``modifiedAfter`` / ``modifiedBefore`` with ``modifiedDate``; every bound is
  exclusive; a date alone is midnight UTC;
- **GET / DELETE devicedata/{id}**: any of the token participant's points, whatever its namespace;
  an id that names none of them (or is not a GUID) is a 404 ``{"message"}``;
- **POST devicedata** (a JSON array; ``[]`` changes nothing) is all-or-nothing: every point is
  checked first (400 naming the point's index): ``type`` a non-empty string, ``value`` a string
  (``""`` allowed; a number is refused: the models say string), ``identifier`` / ``units``
  strings or null, ``properties`` an object (and ``source.properties``) whose values are strings
  (numbers and booleans are kept as their JSON text, nulls dropped, objects and arrays refused),
  ``source`` null or an object with a non-empty ``identifier``, ``startDate`` /
  ``observationDate`` null or ISO-8601 (a date alone is midnight UTC; no offset means UTC); other
  keys (``id``, ``namespace``, ``participantID``, … of a point read back and re-sent) are ignored.
  Points land in namespace ``Project`` with a new id and ``insertedDate = modifiedDate = now``
  (the sandbox clock). A point whose natural key — ``type`` (case-insensitively), ``identifier``,
  ``startDate``, ``observationDate`` (as instants; iOS calls these four the "Natural Key
  properties") — matches a stored ``Project`` point replaces it, keeping its id and
  ``insertedDate`` and moving ``modifiedDate`` to now; within one body the last of two equal keys
  wins. The dates are answered in the offset they were sent with. The answer is an empty 200.
  Finding the stored keys and writing is one step under the table's lock, so concurrent persists
  of one natural key leave one point (the last to run wins), and none of them fails.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..declarations import Call, Collection, CursorPages, Empty, Operation, Params, Result, not_found
from ..devicedata_v1 import (
    V1_NAMESPACES,
    NaturalKey,
    PointRow,
    guid_text,
    parse_wire_instant,
    render_wire_instant,
)
from ..devicedata_v1_namespaces import generate_device_data
from ..exceptions import BadRequest, clipped, shown
from ..paging import exclusive_range, split_list

__all__ = ["COLLECTIONS", "DEVICE_DATA", "OPERATIONS"]

_NAMESPACES = {ns.casefold(): ns for ns in V1_NAMESPACES}


def _namespace(params: Params) -> str:
    raw = params.get("namespace")
    choices = ", ".join(V1_NAMESPACES)
    if raw is None or not raw.strip():
        raise BadRequest(f"namespace is required: one of {choices}")
    namespace = _NAMESPACES.get(raw.strip().casefold())
    if namespace is None:
        raise BadRequest(f"namespace {shown(raw)} is not one of {choices}")
    return namespace


def _point_filters(params: Params) -> tuple[Any, list[Callable[[PointRow], bool]]]:
    namespace = _namespace(params)
    types = frozenset(t.casefold() for t in split_list(params.getlist("type")))
    observed, observed_preds = exclusive_range(params, "observedAfter", "observedBefore", lambda r: r.obs_us)
    modified, modified_preds = exclusive_range(params, "modifiedAfter", "modifiedBefore", lambda r: r.modified_us)
    preds: list[Callable[[PointRow], bool]] = [lambda r: r.namespace == namespace, *observed_preds, *modified_preds]
    if types:
        preds.append(lambda r: r.type.casefold() in types)
    key = (namespace, sorted(types), observed, modified)
    return key, preds


DEVICE_DATA: Collection[PointRow] = Collection(
    name="device_data",
    path="api/v1/delegated/devicedata",
    scope="DeviceData:read",
    shape=CursorPages(items_key="deviceDataPoints", size_param="limit", default_size=100, max_size=100),
    generate=generate_device_data,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_point_filters,
    row_id=lambda row: row.id,
)


def _point_id(call: Call) -> str:
    raw = call.path["id"]
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise not_found("device data point", raw) from None


def _get_point(call: Call) -> Result:
    row: PointRow = call.find(DEVICE_DATA, _point_id(call), "device data point")
    return row.record


def _delete_point(call: Call) -> Result:
    call.delete(DEVICE_DATA, _point_id(call), "device data point")
    return Empty()


# -- persisting ---------------------------------------------------------------------------------------

class _Point:
    """One checked point of a POST body: its row fields, the record's pieces and its natural key."""

    def __init__(self, item: Any, index: int) -> None:
        where = f"point {index}"
        if not isinstance(item, dict):
            raise BadRequest(f"{where} must be a JSON object")
        type_ = item.get("type")
        if not isinstance(type_, str) or not type_.strip():
            raise BadRequest(f"{where}: type is required (a non-empty string)")
        value = item.get("value")
        if not isinstance(value, str):
            raise BadRequest(f"{where}: value is required and must be a string (send numbers as text, e.g. \"72\"), "
                             f"got {clipped(repr(value))}")
        self.type = type_
        self.value = value
        self.identifier = _optional_text(item, "identifier", where)
        self.units = _optional_text(item, "units", where)
        self.properties = _string_map(item.get("properties"), f"{where}: properties")
        self.source = _source(item.get("source"), where)
        self.start = _instant(item.get("startDate"), f"{where}: startDate")
        self.observed = _instant(item.get("observationDate"), f"{where}: observationDate")

    @property
    def natural_key(self) -> NaturalKey:
        return (self.type.casefold(), self.identifier, _us(self.start), _us(self.observed))

    def row(self, key: int, inserted_us: int, modified_us: int) -> PointRow:
        when = _rendered(inserted_us)
        changed = _rendered(modified_us)
        record: dict[str, Any] = {
            "id": guid_text(key), "namespace": "Project", "deviceDataContextID": None,
            "insertedDate": when, "modifiedDate": changed, "identifier": self.identifier,
            "type": self.type, "value": self.value, "units": self.units, "properties": self.properties,
        }
        if self.source is not None:
            record["source"] = self.source
        record["startDate"] = None if self.start is None else render_wire_instant(*self.start)
        record["observationDate"] = None if self.observed is None else render_wire_instant(*self.observed)
        return PointRow("Project", self.type, self.value, _us(self.observed), _us(self.start), inserted_us,
                        modified_us, key, self.identifier, self.units, self.properties, self.source, persisted=record)


def _us(instant: tuple[int, int] | None) -> int | None:
    return None if instant is None else instant[0]


def _rendered(us: int) -> str:
    return render_wire_instant(us, 0)[:-6] + "Z"


def _optional_text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{where}: {key} must be a string or null")
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be an object of strings")
    out: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, bool):
            out[key] = "true" if item else "false"
        elif isinstance(item, str):
            out[key] = item
        elif isinstance(item, int) or (isinstance(item, float) and math.isfinite(item)):
            out[key] = repr(item)
        else:
            raise BadRequest(f"{where}: {shown(key)} must be a string, got {type(item).__name__}")
    return out


def _source(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: source must be an object {{identifier, properties}} or null")
    identifier = value.get("identifier")
    if not isinstance(identifier, str) or not identifier:
        raise BadRequest(f"{where}: source.identifier is required (a non-empty string)")
    return {"identifier": identifier, "properties": _string_map(value.get("properties"), f"{where}: source.properties")}


def _instant(value: Any, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be an ISO-8601 string or null")
    try:
        return parse_wire_instant(value)
    except ValueError:
        raise BadRequest(f"{where} is not a valid ISO-8601 date/time: {shown(value)}") from None


def _persist(call: Call) -> Result:
    points = [_Point(item, index) for index, item in enumerate(call.json_array())]
    if not points:
        return Empty()
    participant = call.participant
    store = call.backend.store
    latest: dict[NaturalKey, _Point] = {}
    for point in points:
        latest.pop(point.natural_key, None)
        latest[point.natural_key] = point  # the last of equal keys wins, in its place
    with store.table(participant, DEVICE_DATA).lock:  # find and write as one: a racing persist waits
        now_us = int(call.backend.clock.now() * 1000) * 1000  # to the millisecond, as the server renders it
        stored = {row.natural_key: row for row in store.rows(participant, DEVICE_DATA) if row.namespace == "Project"}
        new: list[PointRow] = []
        for natural, point in latest.items():
            old = stored.get(natural)
            if old is None:
                new.append(point.row(uuid.uuid4().int, now_us, now_us))
                continue
            inserted, key = old.inserted_us, old.key

            def replace(_: PointRow, point: _Point = point, key: int = key, inserted: int = inserted) -> PointRow:
                return point.row(key, inserted, now_us)

            store.update(participant, DEVICE_DATA, old.id, replace)
        if new:
            store.insert(participant, DEVICE_DATA, new)
    return Empty()


COLLECTIONS: tuple[Collection[Any], ...] = (DEVICE_DATA,)
OPERATIONS: tuple[Operation, ...] = (
    Operation("device_data_point", "GET", "api/v1/delegated/devicedata/{id}", "DeviceData:read", _get_point),
    Operation("persist_device_data", "POST", "api/v1/delegated/devicedata", "DeviceData:write", _persist),
    Operation("delete_device_data", "DELETE", "api/v1/delegated/devicedata/{id}", "DeviceData:write", _delete_point),
)
