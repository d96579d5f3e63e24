"""Device data v2 (``api/v2/delegated/devicedata``, its ``aggregate`` and ``aggregate/dailysleep``)
and both ``allDataTypes`` lists (v1 and v2), from the table in ``..devicedata_v2_types`` and the series
of ``..devicedata_v2_gen``.

Every v2 query names one namespace and one type, so the points of one (participant, namespace,
type) are one stored table, generated on first use: each type is an internal ``Collection``
(not routed, not warmed) whose single row is the participant's ``Series`` for it. The three v2
endpoints are GET operations that pick the series, select its points with numpy, and page them
with the ordinary ``CursorPages`` shape (keyset cursors bound to the whole query). So a minute-level
year of heart rate costs nothing until it is asked for, and the default sandbox starts as fast
as before.

Decisions where the reference is silent:
- ``namespace`` and ``type`` are required (400 naming the missing one); the namespace is one of the
  seven v2 namespaces and, like the type, matched case-insensitively; a type without data in a
  valid namespace answers an empty page;
- points are ordered by observationDate ascending (then as generated); ``observedAfter/Before``
  compare with observationDate, ``modified*``/``inserted*`` with those dates, every bound exclusive;
- ``dataSource.<key>`` / ``properties.<key>``: keys case-insensitive, values compared as text
  (numbers as JSON writes them), the value a comma-joined list (``\\,`` escaped, as the JS SDK
  escapes it) of which any may match; several keys must all match; an empty value is no filter;
- ``anchor`` (deprecated) is not read: page with ``pageID``;
- aggregates (see ``..devicedata_v2_agg``): ``intervalAmount`` (an integer ≥ 1), ``intervalType``
  (Minutes|Hours|Days|Weeks|Months, any case) and ``aggregateFunctions`` (sum, avg, count, min,
  max, any case; a list) are all required; intervals are the participant's local calendar;
- daily sleep summarises stage segments (points with a start and a text value); other types
  answer an empty list;
- ``allDataTypes`` lists the same types for every participant (the project's settings): every type
  the sandbox serves, enabled, plus a few the project knows but does not collect (enabled false,
  no data); v2 rows carry ``retentionDays`` for some types only; ``enabled`` filters on it,
  ``namespace`` matches case-insensitively and must be one of that version's namespaces (v1: the
  eight of ``api/v1/delegated/devicedata``, v2: the seven above), as ASP.NET binds an enumeration:
  another (``Dexcom`` in v1, ``Project`` in v2) is a 400 ``{"message"}`` naming the version's
  namespaces, not an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..cohort import Participant
from ..declarations import BareArray, Call, Collection, CursorPages, Filters, GenContext, Operation, Params
from ..devicedata_v1 import V1_NAMESPACES
from ..devicedata_v2_agg import FUNCTIONS, INTERVAL_TYPES, aggregate, daily_sleep
from ..devicedata_v2_gen import TypeSpec, generate_series
from ..devicedata_v2_series import Filter, Points, Series
from ..devicedata_v2_types import DISABLED_V2_TYPES, V2_NAMESPACES, V2_TYPES, spec_for
from ..exceptions import BadRequest, shown
from ..paging import parse_bool, parse_instant_param, parse_int, split_list
from ..shapes import Query

__all__ = ["COLLECTIONS", "OPERATIONS", "SERIES", "V1_DATA_TYPES", "V2_DATA_TYPES", "series_of"]

SCOPE = "DeviceData:read"
V2 = "api/v2/delegated/devicedata"
PAGES = {"limit": 100}


def _slug(spec: TypeSpec) -> str:
    return "v2series_" + re.sub(r"[^a-z0-9]+", "_", f"{spec.namespace}_{spec.type}".lower()).strip("_")


def _series_collection(spec: TypeSpec) -> Collection[Series]:
    def generate(ctx: GenContext, participant: Participant) -> list[Series]:
        return [generate_series(spec, ctx, participant)]

    return Collection(name=_slug(spec), path=V2, scope=SCOPE, shape=CursorPages(items_key="deviceDataPoints"),
                      generate=generate, sort_key=lambda row: (0,), render=lambda row: None,
                      source=spec.namespace)


#: (namespace, type) -> the internal collection holding that type's series per participant.
SERIES: dict[tuple[str, str], Collection[Series]] = {
    (spec.namespace, spec.type): _series_collection(spec) for types in V2_TYPES.values() for spec in types.values()
}
assert len({c.name for c in SERIES.values()}) == len(SERIES), "type names collide once slugged"


# -- parameters -----------------------------------------------------------------------------
def _namespace_and_type(params: Params) -> tuple[str, str]:
    namespace = (params.get("namespace") or "").strip()
    type_ = (params.get("type") or "").strip()
    if not namespace:
        raise BadRequest(f"namespace is required: one of {', '.join(V2_NAMESPACES)}")
    chosen = next((ns for ns in V2_NAMESPACES if ns.casefold() == namespace.casefold()), None)
    if chosen is None:
        raise BadRequest(f"namespace {shown(namespace)} is not a v2 namespace: one of {', '.join(V2_NAMESPACES)}")
    if not type_:
        raise BadRequest("type is required (one device data type, e.g. type=heart-rate)")
    return chosen, type_


def _prefixed(params: Params, prefix: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = []
    for name in params.names():
        if name.startswith(prefix) and len(name) > len(prefix):
            values = tuple(sorted(set(split_list(params.getlist(name)))))
            if values:
                found.append((name[len(prefix):], values))
    return tuple(sorted(found))


def v2_filter(params: Params) -> Filter:
    def instant(name: str) -> int | None:
        return parse_instant_param(name, params.get(name))

    return Filter(
        observed_after=instant("observedAfter"), observed_before=instant("observedBefore"),
        modified_after=instant("modifiedAfter"), modified_before=instant("modifiedBefore"),
        inserted_after=instant("insertedAfter"), inserted_before=instant("insertedBefore"),
        data_source=_prefixed(params, "datasource."), properties=_prefixed(params, "properties."),
    )


def _interval(params: Params) -> tuple[int, str, tuple[str, ...]]:
    raw_type = (params.get("intervalType") or "").strip()
    raw_amount = params.get("intervalAmount")
    if raw_amount is None or not raw_amount.strip():
        raise BadRequest("intervalAmount is required (an integer >= 1, e.g. intervalAmount=1)")
    amount = parse_int("intervalAmount", raw_amount, 1, minimum=1)
    kind = next((k for k in INTERVAL_TYPES if k.casefold() == raw_type.casefold()), None)
    if kind is None:
        what = f"intervalType {shown(raw_type)} is not valid" if raw_type else "intervalType is required"
        raise BadRequest(f"{what}: one of {', '.join(INTERVAL_TYPES)}")
    names = split_list(params.getlist("aggregateFunctions"))
    if not names:
        raise BadRequest(f"aggregateFunctions is required: any of {', '.join(FUNCTIONS)}")
    functions: list[str] = []
    for name in names:
        fn = next((f for f in FUNCTIONS if f == name.strip().casefold()), None)
        if fn is None:
            raise BadRequest(f"aggregate function {shown(name)} is not known: any of {', '.join(FUNCTIONS)}")
        if fn not in functions:
            functions.append(fn)
    return amount, kind, tuple(functions)


def _key(params: Params, *extra: object) -> tuple[Any, ...]:
    namespace, type_ = _namespace_and_type(params)
    return (namespace, type_.casefold(), v2_filter(params), *extra)


# -- the views paged by CursorPages -----------------------------------------------------------
def _view(name: str, items_key: str, key: Callable[[Params], Any]) -> Collection[Any]:
    return Collection(name=name, path=V2, scope=SCOPE, shape=CursorPages(items_key=items_key),
                      generate=lambda ctx, participant: [], sort_key=lambda row: row.key,
                      render=lambda row: row.render(), filters=lambda params: (key(params), []))


POINTS_VIEW = _view("device_data_v2", "deviceDataPoints", _key)
AGGREGATE_VIEW = _view("device_data_aggregate", "intervals", lambda params: _key(params, _interval(params)))
DAILY_SLEEP_VIEW = _view("daily_sleep", "sleepStageSummaries", lambda params: _key(params, "daily-sleep"))


def series_of(call: Call, namespace: str, type_: str) -> tuple[Series | None, int]:
    """The token participant's series of (namespace, type) and its stamp; None when there is none."""
    spec = spec_for(namespace, type_)
    if spec is None:
        return None, 0
    rows, stamp = call.backend.store.snapshot(call.participant, SERIES[(spec.namespace, spec.type)])
    return (rows[0] if rows else None), stamp


def _serve(call: Call, view: Collection[Any], rows: Sequence[Any], stamp: int) -> Any:
    query = Query(view, rows, stamp, call.params, call.backend.cursors, call.participant.id)
    return view.shape.serve(query)


def _selected(call: Call) -> tuple[Series | None, Any, int]:
    namespace, type_ = _namespace_and_type(call.params)
    f = v2_filter(call.params)
    series, stamp = series_of(call, namespace, type_)
    index = series.select(f) if series is not None else np.zeros(0, dtype=np.int64)
    return series, index, stamp


def _points(call: Call) -> Any:
    series, index, stamp = _selected(call)
    return _serve(call, POINTS_VIEW, Points(series, index), stamp)


def _aggregate(call: Call) -> Any:
    amount, kind, functions = _interval(call.params)
    series, index, stamp = _selected(call)
    rows: Sequence[Any] = aggregate(series, index, amount, kind, functions) if series is not None else []
    return _serve(call, AGGREGATE_VIEW, rows, stamp)


def _daily_sleep(call: Call) -> Any:
    series, index, stamp = _selected(call)
    return _serve(call, DAILY_SLEEP_VIEW, daily_sleep(series, index) if series is not None else [], stamp)


# -- allDataTypes ---------------------------------------------------------------------------
def _v1_types() -> dict[str, tuple[str, ...]]:
    from ..devicedata_v1 import V1_TYPES  # the v1 family's table, read when first asked

    return V1_TYPES


#: v1 types the project knows but does not collect (enabled false; no data).
DISABLED_V1_TYPES: tuple[tuple[str, str], ...] = (
    ("AppleHealth", "BloodGlucose"), ("AppleHealth", "BloodPressureSystolic"),
    ("AppleHealth", "BloodPressureDiastolic"), ("GoogleFit", "BloodGlucose"), ("Fitbit", "Temperature"),
)


def V1_DATA_TYPES() -> list[dict[str, Any]]:
    served = [{"namespace": ns, "type": t, "enabled": True} for ns, types in _v1_types().items() for t in types]
    known = {(r["namespace"], r["type"]) for r in served}
    return served + [{"namespace": ns, "type": t, "enabled": False} for ns, t in DISABLED_V1_TYPES
                     if (ns, t) not in known]


def V2_DATA_TYPES() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for types in V2_TYPES.values():
        for spec in types.values():
            row: dict[str, Any] = {"namespace": spec.namespace, "type": spec.type, "enabled": True}
            if spec.retention_days is not None:
                row["retentionDays"] = spec.retention_days
            rows.append(row)
    known = {(r["namespace"], r["type"]) for r in rows}
    rows += [{"namespace": ns, "type": t, "enabled": False} for ns, t in DISABLED_V2_TYPES if (ns, t) not in known]
    return rows


def _types_filters(version: str, namespaces: Sequence[str]) -> Filters[dict[str, Any]]:
    """``enabled``, and ``namespace``: one of this version's (any case), else a 400 naming them."""
    known = {ns.casefold() for ns in namespaces}

    def filters(params: Params) -> tuple[Any, list[Callable[[dict[str, Any]], bool]]]:
        raw = params.get("enabled")
        enabled = None if raw is None or not raw.strip() else parse_bool("enabled", raw, True)
        given = params.get("namespace") or ""
        namespace = given.strip().casefold()
        if namespace and namespace not in known:
            raise BadRequest(f"namespace {shown(given)} is not a {version} namespace: one of {', '.join(namespaces)}")
        preds: list[Callable[[dict[str, Any]], bool]] = []
        if enabled is not None:
            preds.append(lambda row: row["enabled"] is enabled)
        if namespace:
            preds.append(lambda row: str(row["namespace"]).casefold() == namespace)
        return (enabled, namespace), preds

    return filters


def _types_collection(name: str, version: str, table: Callable[[], list[dict[str, Any]]],
                      namespaces: Sequence[str]) -> Collection[Any]:
    """Ordered by namespace, the enabled types first, then by type."""
    return Collection(name=name, path=f"api/{version}/delegated/devicedata/allDataTypes", scope=SCOPE,
                      shape=BareArray(), generate=lambda ctx, participant: table(),
                      sort_key=lambda row: (row["namespace"], 0 if row["enabled"] else 1, row["type"]),
                      render=dict, filters=_types_filters(version, namespaces))


V1_TYPES_COLLECTION = _types_collection("device_data_types_v1", "v1", V1_DATA_TYPES, V1_NAMESPACES)
V2_TYPES_COLLECTION = _types_collection("device_data_types_v2", "v2", V2_DATA_TYPES, V2_NAMESPACES)

COLLECTIONS: tuple[Collection[Any], ...] = (V1_TYPES_COLLECTION, V2_TYPES_COLLECTION)
OPERATIONS: tuple[Operation, ...] = (
    Operation("device_data_v2", "GET", V2, SCOPE, _points),
    Operation("device_data_aggregate", "GET", f"{V2}/aggregate", SCOPE, _aggregate),
    Operation("daily_sleep", "GET", f"{V2}/aggregate/dailysleep", SCOPE, _daily_sleep),
)
