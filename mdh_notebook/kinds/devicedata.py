"""Device data family, v1: points of one namespace (``device_data``), one point by id, persisting
points and deleting one (the writes' friendly methods are in :mod:`mdh_notebook.writes.devicedata`).
Device data v2 (points, aggregates, daily sleep, data types) is :mod:`.devicedata_v2`.

The API sends every point's ``value`` as a string (``"62"``, ``""``, ``"Fat Burn"``, JSON text):
``value`` keeps it as sent and ``value_number`` is its number where it is one (missing, without a
warning, where it is not). ``properties`` and ``source.properties`` are free-form string maps, kept
as dicts; ``source.identifier`` is flattened to ``source_identifier``.

Order: most recent first, as the API answers (the iOS SDK documents "ordered by most recent
date"): by ``observationDate`` descending, then ``id``.
"""

from __future__ import annotations

from .model import CURSOR, Column, Kind, Operation, Param, Setting, Timeline, Vocabulary
from .order import Incremental, Ordered, Slicing

#: how this family is named to a reader (the scope picker's group)
LABEL = "Device data"

__all__ = ["AMOUNTS", "DEVICE_DATA", "KINDS", "LABEL", "NAMESPACES", "NAMESPACE_SETTINGS", "OPERATIONS", "PERSISTABLE"]

NAMESPACES: tuple[str, ...] = (
    "Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron",
)
"""The v1 namespaces (reference §3.1 row 6; JS SDK ``DeviceDataNamespace``)."""

AMOUNTS = ("steps", "floors", "flights", "calories", "energy", "distance", "minutes", "count")
"""Words that make a device data type an amount, summed per day or hour rather than averaged
(``Steps``, ``steps-daily``, ``CaloriesBMR``, ``MinutesSedentary``, ``activeEnergyBurned-daily``);
any other type is a level (heart rate, weight, SpO2), averaged."""

NAMESPACE_SETTINGS: tuple[tuple[str, Setting], ...] = (
    ("Fitbit", "fitbitEnabled"), ("AppleHealth", "appleHealthEnabled"), ("GoogleFit", "googleFitEnabled"),
    ("AirNowApi", "airQualityEnabled"), ("WeatherBit", "weatherEnabled"), ("Garmin", "garminEnabled"),
    ("Omron", "omronEnabled"), ("Dexcom", "dexcomEnabled"), ("HealthConnect", "healthConnectEnabled"),
    ("Oura", "ouraEnabled"), ("GoogleHealth", "googleHealthEnabled"),
)
"""Each namespace's DataCollectionSettings flag (``Project`` has none: the project's own data)."""

DEVICE_DATA = Kind(
    name="device_data",
    order=(Ordered(("observation_date", "start_date", "inserted_date"), ascending=False), Ordered(("id",))),
    slicing=Slicing("observed_after", "observed_before", needs_after=True),
    incremental=Incremental("modified_after", "modified_date",
                            blind="deleted points; a change that leaves modifiedDate where it was"),
    path="api/v1/delegated/devicedata",
    token="participant",
    scope="DeviceData:read",
    shape="keyed",
    items_key="deviceDataPoints",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("namespace", "category"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("deviceDataContextID", "string"),
        Column("insertedDate", "datetime"),
        Column("modifiedDate", "datetime"),
        Column("identifier", "string"),
        Column("type", "category"),
        Column("value", "string"),
        Column("value", "Float64", name="value_number", quiet=True),
        Column("units", "category"),
        Column("properties", "object"),
        Column("source.identifier", "string"),
        Column("source.properties", "object"),
        Column("startDate", "datetime"),
        Column("observationDate", "datetime"),
    ),
    params=(
        Param("namespace", "namespace", "str", "the source the points come from (required)", required=True,
              choices=NAMESPACES),
        Param("type", "type", "list", "type(s) within the namespace, e.g. 'HeartRate' or ['Steps', 'Weight']"),
        Param("observed_after", "observedAfter", "datetime", "observed (observationDate) strictly after this instant"),
        Param("observed_before", "observedBefore", "datetime", "observed strictly before this instant"),
        Param("modified_after", "modifiedAfter", "datetime",
              "changed in MyDataHelps (modifiedDate) strictly after this instant: what arrived since a pull"),
        Param("modified_before", "modifiedBefore", "datetime", "changed strictly before this instant"),
    ),
    positional=("namespace", "type"),
    settings_by="namespace",
    settings=NAMESPACE_SETTINGS,
    vocabulary=Vocabulary("type", "device_data_types", (("version", 1),)),
    timeline=Timeline("observation_date", "observed_after", "observed_before", value="value_number", group="type",
                      amounts=AMOUNTS, units="units"),
    doc="Device data points (v1) of one namespace (GET devicedata), most recent first (observationDate "
        "descending, then id). value is the string the API sent; value_number its number, missing where it "
        "is none; properties and source_properties are dicts. Persisted points are in namespace 'Project'.",
)

PERSISTABLE: tuple[str, ...] = (
    "identifier", "type", "value", "units", "properties", "source", "startDate", "observationDate",
)
"""The keys of a point to persist (JS SDK ``PersistableDeviceDataPoint``), in the order sent."""

_POINT_ID = (Param("id", "id", "guid", "the point's id", required=True, in_path=True,
                   taken_from=(("device_data", "id"),)),)
"""A v1 point's id: a GUID (reference §3.2); the API answers any other text with a 404."""

DEVICE_DATA_POINT = Operation(
    name="device_data_point",
    method="GET",
    path="api/v1/delegated/devicedata/{id}",
    token="participant",
    scope="DeviceData:read",
    path_params=_POINT_ID,
    expose=False,
    doc="One device data point by id (GET devicedata/{id}); a 404 for an id that names none.",
)
PERSIST_DEVICE_DATA = Operation(
    name="persist_device_data",
    method="POST",
    path="api/v1/delegated/devicedata",
    token="participant",
    scope="DeviceData:write",
    body="json",
    expose=False,
    doc="Store points in namespace Project (POST devicedata, a JSON array of points; an empty answer).",
)
DELETE_DEVICE_DATA = Operation(
    name="delete_device_data",
    method="DELETE",
    path="api/v1/delegated/devicedata/{id}",
    token="participant",
    scope="DeviceData:write",
    path_params=_POINT_ID,
    doc="Delete one device data point by id (DELETE devicedata/{id}); a 404 for an id that names none.",
)

KINDS: tuple[Kind, ...] = (DEVICE_DATA,)
OPERATIONS: tuple[Operation, ...] = (DEVICE_DATA_POINT, PERSIST_DEVICE_DATA, DELETE_DEVICE_DATA)
