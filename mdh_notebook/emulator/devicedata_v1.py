"""Synthetic device data v1 (``api/v1/delegated/devicedata``): the row model, its rendering, and
the instants of points a client persists.

A row keeps the parsed values (namespace, type, instants in epoch microseconds, id as a number)
beside what its record needs; the wire record is rendered whenever the row is served
(``PointRow.record``), so generating a participant's thousands of points costs little more than
drawing their values, and holding them little more than their fields. A row's ``style`` (random
bits drawn with it) picks its rendering quirks: the ISO-8601 form of its dates (device dates
mostly in the participant's local offset, server dates in ``Z``), and whether an optional key
without a value is missing or ``null``. Everything is deterministic per seed.

``V1_TYPES`` names the types generated in each namespace (the v1 ``allDataTypes`` list reads it);
the generators themselves live in ``devicedata_v1_namespaces``.

Persisted points (``POST devicedata``) become rows of namespace ``Project`` whose record is built
at once: ids, ``insertedDate`` and ``modifiedDate`` (the sandbox clock) assigned by the sandbox,
``startDate`` / ``observationDate`` kept with the offset they were sent with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .isotime import EPOCH, format_instant, parse_iso

__all__ = [
    "EMPTY",
    "HK_UUID",
    "V1_NAMESPACES",
    "V1_TYPES",
    "NaturalKey",
    "PointRow",
    "fast_guid",
    "guid_key",
    "guid_text",
    "parse_wire_instant",
    "render_point",
    "render_wire_instant",
]

#: The v1 namespaces of the reference (§3.1 row 6), in its order.
V1_NAMESPACES: tuple[str, ...] = (
    "Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron",
)

#: namespace -> the types generated there (PT-0001 has every one of them).
V1_TYPES: dict[str, tuple[str, ...]] = {
    "Project": ("Steps", "DaytimeRestingHeartRate", "NighttimeRestingHeartRate", "RespiratoryRate",
                "SleepDisturbances", "Asthma-LogEntry", "AlertTakeover"),
    "Fitbit": ("Steps", "RestingHeartRate", "Calories", "CaloriesBMR", "Floors", "MinutesSedentary",
               "MinutesLightlyActive", "MinutesFairlyActive", "MinutesVeryActive", "HeartRateIntradayCount",
               "HeartRateZone", "BreathingRate", "SpO2", "Weight", "SleepLevelDeep", "SleepLevelLight",
               "SleepLevelRem", "SleepLevelWake", "SleepLevelAsleep", "SleepLevelAwake", "SleepLevelRestless"),
    "AppleHealth": ("HeartRate", "Steps", "RestingHeartRate", "WalkingHeartRateAverage", "HeartRateVariability",
                    "ActiveEnergyBurned", "FlightsClimbed", "DistanceWalkingRunning", "SleepAnalysis"),
    "GoogleFit": ("Steps", "HeartRate", "ActivitySegment", "blood_pressure_systolic", "blood_pressure_diastolic"),
    "AirNowApi": ("AirQuality", "HomeAirQuality", "WorkAirQuality"),
    "WeatherBit": ("Temperature", "MaxTemperature", "MinTemperature", "RelativeHumidity", "WeatherDescription"),
    "Garmin": ("Daily", "Sleep"),
    "Omron": ("BloodPressureSystolic", "BloodPressureDiastolic", "Pulse"),
}

#: The shared empty ``properties`` of rows without any (never mutated: records are only serialised).
EMPTY: Mapping[str, str] = {}

# Rendering forms by the low bits of a row's style: device dates (observation, start) mostly carry
# the participant's local offset, as HealthKit and the iOS fixture do; server dates are UTC.
_DEVICE_FORMS = ("LOCAL",) * 6 + ("Z3",) * 4 + ("UTC",) * 2 + ("Z2",) * 2 + ("NAIVE",) * 2
_SERVER_FORMS = ("Z3", "Z3", "Z2", "UTC")

#: (type casefolded, identifier, startDate µs, observationDate µs): the natural key of a point
#: (iOS ``DeviceDataPointPersistModel``: identifier, type, startDate and observationDate are
#: "Natural Key" properties). Persisting a point whose key is already stored updates that point.
NaturalKey = tuple[str, str | None, int | None, int | None]


def fast_guid(rng: random.Random) -> str:
    """A version-4 GUID from ``rng`` (one draw; quicker than building a ``uuid.UUID``)."""
    return guid_text(guid_key(rng.getrandbits(128)))


def guid_text(key: int) -> str:
    """The GUID whose 128 bits are ``key`` (ordering keys orders the texts)."""
    h = f"{key:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def guid_key(bits: int) -> int:
    """``bits`` (128 random bits) made a version-4 GUID's value."""
    return (bits & _CLEAR) | _V4


_CLEAR = ~((0xF << 76) | (0xC << 60)) & ((1 << 128) - 1)
_V4 = (0x4 << 76) | (0x8 << 60)
_HK_MIX = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd: a bijection of 128-bit values


class _HealthKitUUID:
    """``PointRow.identifier`` of a HealthKit sample: an upper-case UUID derived from the row's key
    when rendered (so generating it costs nothing)."""

    def __repr__(self) -> str:
        return "HK_UUID"


HK_UUID: Any = _HealthKitUUID()


@dataclasses.dataclass(slots=True, eq=False)
class PointRow:
    """One device data point of one participant. Instants are epoch microseconds; ``obs_us`` may be
    None for a persisted point sent without an ``observationDate``. ``key`` is the id as a 128-bit
    number (``id`` its text)."""

    namespace: str
    type: str
    value: str
    obs_us: int | None
    start_us: int | None
    inserted_us: int
    modified_us: int
    key: int
    identifier: str | None = None  # or HK_UUID
    units: str | None = None
    properties: Mapping[str, str] | None = None  # None: {}
    source: Mapping[str, Any] | None = None
    context_id: str | None = None
    style: int = 0
    tz: ZoneInfo | None = None
    persisted: dict[str, Any] | None = None  # the record of a point a client persisted

    @property
    def id(self) -> str:
        return guid_text(self.key)

    @property
    def identifier_text(self) -> str | None:
        if self.identifier is HK_UUID:
            return guid_text(guid_key(self.key * _HK_MIX & ((1 << 128) - 1))).upper()
        return self.identifier

    @property
    def sort_key(self) -> tuple[str, int, int]:
        """Namespace, then most recent first (observationDate, else startDate, else insertedDate),
        then id: one namespace's points are contiguous and in the order the API serves them."""
        when = self.obs_us if self.obs_us is not None else self.start_us if self.start_us is not None \
            else self.inserted_us
        return (self.namespace, -when, self.key)

    @property
    def natural_key(self) -> NaturalKey:
        return (self.type.casefold(), self.identifier_text, self.start_us, self.obs_us)

    @property
    def record(self) -> dict[str, Any]:
        """The wire record: a persisted point's own, else rendered now (deterministic; not kept, so a
        generated point costs no memory beyond its fields)."""
        return self.persisted if self.persisted is not None else render_point(self)


def render_point(row: PointRow) -> dict[str, Any]:
    """The wire record of a generated row, in the key order of the iOS fixture."""
    style = row.style
    device_form = _DEVICE_FORMS[style & 15]
    server_form = _SERVER_FORMS[(style >> 4) & 3]
    nulls = not (style >> 6) & 1  # an optional key without a value: null (else missing)
    tz = row.tz
    record: dict[str, Any] = {"id": guid_text(row.key), "namespace": row.namespace}
    if row.context_id is not None or nulls:
        record["deviceDataContextID"] = row.context_id
    record["insertedDate"] = format_instant(row.inserted_us // 1000, server_form)
    record["modifiedDate"] = format_instant(row.modified_us // 1000, server_form)
    identifier = row.identifier_text
    if identifier is not None or nulls:
        record["identifier"] = identifier
    record["type"] = row.type
    record["value"] = row.value
    if row.units is not None or nulls:
        record["units"] = row.units
    record["properties"] = {} if row.properties is None else row.properties
    if row.source is not None or nulls:
        record["source"] = row.source
    start = row.start_us
    # now and then a point observed at an instant has no startDate at all (missing or null)
    if start is not None and not (start == row.obs_us and (style >> 7) & 15 == 0):
        record["startDate"] = format_instant(start // 1000, device_form, tz)
    elif nulls:
        record["startDate"] = None
    if row.obs_us is not None:
        record["observationDate"] = format_instant(row.obs_us // 1000, device_form, tz)
    elif nulls:
        record["observationDate"] = None
    return record


# -- instants sent by a client ------------------------------------------------------------------

_US = dt.timedelta(microseconds=1)
_MIN_INSTANT = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
_MAX_INSTANT = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)


def parse_wire_instant(text: str) -> tuple[int, int]:
    """An ISO-8601 date-time a client sent: (epoch microseconds, its UTC offset in minutes). No
    offset means UTC; a date alone is midnight UTC. Raises ValueError."""
    parsed = parse_iso(text)
    offset = parsed.utcoffset() or dt.timedelta(0)
    if offset % dt.timedelta(minutes=1):
        raise ValueError("an offset in whole minutes")
    try:
        in_range = _MIN_INSTANT <= parsed <= _MAX_INSTANT
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError("a date between the years 1 and 9999")
    return (parsed - EPOCH) // _US, int(offset.total_seconds()) // 60


def render_wire_instant(us: int, offset_minutes: int) -> str:
    """A stored client instant as the API renders it: in the offset it was sent with, fraction
    digits trimmed (``2021-03-24T18:27:45.58-04:00``), ``+00:00`` for UTC."""
    local = EPOCH + dt.timedelta(microseconds=us + offset_minutes * 60_000_000)
    fraction = f"{local.microsecond:06d}".rstrip("0")
    sign = "-" if offset_minutes < 0 else "+"
    minutes = abs(offset_minutes)
    clock = (f"{local.year:04d}-{local.month:02d}-{local.day:02d}T"
             f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}")
    return clock + (f".{fraction}" if fraction else "") + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
