"""Device data v2 family: v2 points (``device_data_v2``), their aggregates (``device_data_aggregate``),
daily sleep (``daily_sleep``), and the data types of v1 or v2 (``device_data_types``).

Every v2 read names one namespace and one type. Points keep ``value`` as sent and add
``value_number``; ``startDate`` / ``observationDate`` are instants (UTC) with the device's offset
beside them as sent (``start_date_offset``, ``observation_date_offset``: ``TimeSpan`` text such as
``-04:00:00``); ``properties`` and ``dataSource`` stay dicts. Aggregate intervals start at a local
wall-clock ``date`` (the participant's calendar, written without a zone: dtype ``wallclock``) and
carry one ``statistics_<fn>`` column per known function (missing where not asked for).
"""

from __future__ import annotations

from .devicedata import AMOUNTS, NAMESPACE_SETTINGS
from .model import CURSOR, Column, Kind, Operation, Param, Timeline, Vocabulary
from .order import Incremental, Ordered, Slicing

#: how this family is named to a reader (the scope picker's group)
LABEL = "Device data"

__all__ = [
           "AGGREGATE_FUNCTIONS",
           "DAILY_SLEEP",
           "DEVICE_DATA_AGGREGATE",
           "DEVICE_DATA_TYPES",
           "DEVICE_DATA_V2",
           "INTERVAL_TYPES",
           "KINDS",
           "LABEL",
           "OPERATIONS",
           "V2_NAMESPACES",
]

V2_NAMESPACES = ("Fitbit", "AppleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "GoogleHealth")
"""DeviceDataV2Namespace of the JS SDK 5.7.0 (``types.d.ts``)."""
INTERVAL_TYPES = ("Minutes", "Hours", "Days", "Weeks", "Months")
"""DeviceDataV2AggregateIntervalType of the JS SDK."""
AGGREGATE_FUNCTIONS = ("sum", "avg", "count", "min", "max")
"""The functions MyDataHelpsUI asks for (its AI tools' schema and daily-data helpers)."""
_V1_NAMESPACES = ("Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron")
_ALL_NAMESPACES = tuple(dict.fromkeys((*_V1_NAMESPACES, *V2_NAMESPACES)))

_WHICH = (
    Param("namespace", "namespace", "str", "the v2 namespace", required=True, choices=V2_NAMESPACES),
    Param("type", "type", "str", "one device data type of that namespace, e.g. 'heart-rate', 'steps-daily'",
          required=True),
)
_FILTERS = (
    Param("observed_after", "observedAfter", "datetime", "observed strictly after this instant"),
    Param("observed_before", "observedBefore", "datetime", "observed strictly before this instant"),
    Param("modified_after", "modifiedAfter", "datetime", "modified strictly after this instant"),
    Param("modified_before", "modifiedBefore", "datetime", "modified strictly before this instant"),
    Param("inserted_after", "insertedAfter", "datetime", "stored strictly after this instant"),
    Param("inserted_before", "insertedBefore", "datetime", "stored strictly before this instant"),
    Param("data_source", "dataSource", "list",
          "match the point's dataSource: {'deviceModel': 'Watch'} (any of a list of values)", prefix=True),
    Param("properties", "properties", "list",
          "match the point's properties: {'source': 'sleep'} (any of a list of values)", prefix=True),
)
_WHO = (
    Column("participantID", "string"),
    Column("participantIdentifier", "string"),
    Column("namespace", "category"),
    Column("type", "category"),
)

DEVICE_DATA_V2 = Kind(
    name="device_data_v2",
    order=(Ordered(("observation_date",)),),
    slicing=Slicing("observed_after", "observed_before"),
    incremental=Incremental("modified_after", "modified_date",
                            blind="deleted points; a change that leaves modifiedDate where it was"),
    path="api/v2/delegated/devicedata",
    token="participant",
    scope="DeviceData:read",
    shape="keyed",
    items_key="deviceDataPoints",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        *_WHO,
        Column("identifier", "string"),
        Column("value", "string"),
        Column("value", "Float64", name="value_number", quiet=True),
        Column("units", "category"),
        Column("startDate", "datetime"),
        Column("startDateOffset", "string"),
        Column("observationDate", "datetime"),
        Column("observationDateOffset", "string"),
        Column("insertedDate", "datetime"),
        Column("modifiedDate", "datetime"),
        Column("properties", "object"),
        Column("dataSource", "object"),
    ),
    params=(*_WHICH, *_FILTERS),
    positional=("namespace", "type"),
    settings_by="namespace",
    settings=NAMESPACE_SETTINGS,
    vocabulary=Vocabulary("type", "device_data_types", (("version", 2),)),
    timeline=Timeline("observation_date", "observed_after", "observed_before", value="value_number", group="type",
                      amounts=AMOUNTS, units="units"),
    doc="V2 device data points of one namespace and type (GET api/v2/delegated/devicedata), e.g. "
        "device_data_v2('Fitbit', 'heart-rate'): minute heart rate, steps, sleep-stage segments, daily values.",
)

DEVICE_DATA_AGGREGATE = Kind(
    name="device_data_aggregate",
    uncached="its modifiedAfter/insertedAfter pick the points summarised, not the rows: a warm pull "
             "would summarise only what changed",
    path="api/v2/delegated/devicedata/aggregate",
    token="participant",
    scope="DeviceData:read",
    shape="keyed",
    items_key="intervals",
    paging=CURSOR,
    columns=(
        *_WHO,
        Column("date", "wallclock"),
        *(Column(f"statistics.{fn}", "Int64" if fn == "count" else "Float64") for fn in AGGREGATE_FUNCTIONS),
    ),
    params=(
        *_WHICH,
        Param("interval_type", "intervalType", "str", "the interval unit", choices=INTERVAL_TYPES, default="Days"),
        Param("interval_amount", "intervalAmount", "int", "units per interval", default=1),
        Param("functions", "aggregateFunctions", "list", "the statistics to compute", choices=AGGREGATE_FUNCTIONS,
              default=AGGREGATE_FUNCTIONS),
        *_FILTERS,
    ),
    positional=("namespace", "type", "interval_type", "interval_amount"),
    settings_by="namespace",
    settings=NAMESPACE_SETTINGS,
    vocabulary=Vocabulary("type", "device_data_types", (("version", 2),)),
    timeline=Timeline("date", "observed_after", "observed_before", value="statistics_avg", group="type",
                      fallback=tuple(f"statistics_{fn}" for fn in AGGREGATE_FUNCTIONS if fn != "avg"),
                      amounts=AMOUNTS, amount_value="statistics_sum"),
    doc="V2 device data aggregated into intervals of the participant's local calendar "
        "(GET api/v2/delegated/devicedata/aggregate), e.g. device_data_aggregate('Fitbit', 'heart-rate', "
        "'Hours', functions=['avg', 'max']); date is the interval's local start.",
)

DAILY_SLEEP = Kind(
    name="daily_sleep",
    uncached="a summary of stage segments: its modifiedAfter/insertedAfter pick the segments, not the nights",
    path="api/v2/delegated/devicedata/aggregate/dailysleep",
    token="participant",
    scope="DeviceData:read",
    shape="keyed",
    items_key="sleepStageSummaries",
    paging=CURSOR,
    columns=(
        *_WHO,
        Column("date", "date"),
        Column("value", "category"),
        Column("duration", "string"),
    ),
    params=(*_WHICH, *_FILTERS),
    positional=("namespace", "type"),
    settings_by="namespace",
    settings=NAMESPACE_SETTINGS,
    vocabulary=Vocabulary("type", "device_data_types", (("version", 2),)),
    timeline=Timeline("date", "observed_after", "observed_before", plot="sleep"),
    doc="Minutes of each sleep stage per sleep day, from the stage segments of a v2 sleep type "
        "(GET api/v2/delegated/devicedata/aggregate/dailysleep), e.g. daily_sleep('Fitbit', 'sleep'); "
        "value is the stage, duration TimeSpan text ('07:21:00': pandas.to_timedelta reads it).",
)

DEVICE_DATA_TYPES = Kind(
    name="device_data_types",
    path="api/v{version}/delegated/devicedata/allDataTypes",
    token="participant",
    scope="DeviceData:read",
    shape="array",
    columns=(
        Column("namespace", "category"),
        Column("type", "string"),
        Column("enabled", "boolean"),
        Column("retentionDays", "Int64"),
    ),
    params=(
        Param("version", "version", "int", "the device data API: 1 (allDataTypes of v1) or 2 (of v2)",
              choices=(1, 2), default=1, in_path=True),
        Param("enabled", "enabled", "bool", "only the types enabled (True) or not (False)"),
        Param("namespace", "namespace", "str", "one namespace", choices=_ALL_NAMESPACES),
    ),
    positional=("version",),
    count_by="namespace",
    doc="The device data types the project knows, each enabled or not (GET api/v1|v2/delegated/devicedata/"
        "allDataTypes); retention_days is sent by v2 only, for some types.",
)

KINDS: tuple[Kind, ...] = (DEVICE_DATA_V2, DEVICE_DATA_AGGREGATE, DAILY_SLEEP, DEVICE_DATA_TYPES)
OPERATIONS: tuple[Operation, ...] = ()
