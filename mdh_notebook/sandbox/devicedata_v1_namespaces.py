"""The generators of device data v1, one per namespace, driven day by day.

Every namespace draws from an RNG of its own (``devicedata-v1/<namespace>/<participant>``), so each
is reproducible alone and adding one moves nothing else. A participant has points in a namespace
only when ``Participant.sources`` has it; PT-0001 has all of them, reliably worn, from the first
day of the window; other participants wear their devices on a share of days of their own, and a
few connected a source only partway through the window. Nothing is observed before enrollment
(or before the source was connected) or at or after withdrawal; a point reaches the server
(``insertedDate``) after it is complete, by a delay typical of its source, and a few are modified
later.

What each namespace holds (types in ``V1_TYPES``; names and properties as MyDataHelps' own UI
reads them where it shows them, else plausible):

- ``Fitbit``: daily values dated at local midnight (steps, calories, floors, activity minutes,
  resting heart rate, breathing rate, SpO2, weight once a week, ``HeartRateIntradayCount`` with a
  ``MinuteCount`` property, four ``HeartRateZone`` points whose value is the zone's name), and the
  sleep levels of the sandbox's Fitbit sleep logs (``..sleep``) spanning each sleep.
- ``AppleHealth``: HealthKit samples from the participant's Apple Watch and iPhone, with the
  HealthKit source properties (``SourceName``, ``SourceIdentifier``, ``DeviceModel``, …) and an
  ``identifier`` (the sample's UUID); heart-rate samples carry
  ``Metadata_HKMetadataKeyHeartRateMotionContext``; sleep segments have text values (``InBed``, …).
- ``GoogleFit``: step and heart-rate samples, activity segments (text values) and blood-pressure
  pairs (``blood_pressure_systolic`` / ``_diastolic``) sharing a ``deviceDataContextID``.
- ``AirNowApi``: a daily AQI for the participant's area, home and (weekdays) work, with AirNow's
  category and pollutant as properties; a missing reading has the value ``""``.
- ``WeatherBit``: daily mean / max / min temperature (°C), relative humidity and a description.
- ``Garmin``: one ``Daily`` summary a day (its figures in properties, as the UI reads them) and one
  ``Sleep`` per night.
- ``Omron``: blood-pressure readings (systolic, diastolic and pulse sharing a
  ``deviceDataContextID``), mornings and some evenings.
- ``Project``: what a project persisted: daily biometrics (one context per day), log entries whose
  identifier is the day and whose value is JSON text, and occasional alerts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .cohort import Participant
from .declarations import GenContext
from .devicedata_v1 import EMPTY, HK_UUID, PointRow, fast_guid, guid_key
from .isotime import format_instant, to_ms
from .sleep import generate_sleep_logs

__all__ = ["NAMESPACES", "generate_device_data"]

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_MASK = (1 << 128) - 1


def _int(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, several times quicker (a float draw; the bias is immaterial here)."""
    return low + int(rng.random() * (high - low + 1))


class _Namespace:
    """One namespace's points for one participant; ``day`` is called for every day of the window."""

    name: ClassVar[str]
    lag: ClassVar[tuple[int, int]] = (2 * MINUTE, 3 * HOUR)  # delay from completion to the server

    def __init__(self, ctx: GenContext, participant: Participant) -> None:
        self.rng = rng = ctx.rng("devicedata-v1", self.name, participant.index)
        self.participant = participant
        self.tz = participant.tz
        self.rows: list[PointRow] = []
        reliable = participant.index == 0
        self.engagement = 0.96 if reliable else rng.uniform(0.5, 0.95)
        start_ms = to_ms(dt.datetime.combine(ctx.start, dt.time(), self.tz))
        span = (ctx.end - ctx.start).days + 1
        connected = start_ms
        if not reliable and span > 10 and rng.random() < 0.25:  # linked the source partway through
            connected += _int(rng, 5, span // 2) * DAY
        self.first_ms = max(participant.enrollment_ms, connected)
        self.last_ms = math.inf if participant.withdraw_ms is None else participant.withdraw_ms
        self.lag_low, self.lag_span = self.lag[0], self.lag[1] - self.lag[0]
        demographics = participant.demographics or {}
        self.city = demographics.get("city")
        self.zip = demographics.get("postalCode")
        self.setup(ctx)

    def setup(self, ctx: GenContext) -> None:
        """Per-participant baselines (called once, before the first day)."""

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        raise NotImplementedError

    def worn(self) -> bool:
        return self.rng.random() < self.engagement

    def emit(self, type_: str, value: str, obs: int, *, start: int | None = None, complete: int | None = None,
             units: str | None = None, identifier: str | None = None, properties: Mapping[str, str] = EMPTY,
             source: Mapping[str, Any] | None = None, context: str | None = None) -> None:
        """Add one point observed at ``obs`` (epoch ms), complete at ``complete`` (default ``obs``)."""
        if (obs if start is None else start) < self.first_ms or obs >= self.last_ms:
            return
        # one draw: the id (128 bits), the rendering style (16), the delay to the server (24), whether
        # it was modified later (8, ~6 %) and when (24)
        bits = self.rng.getrandbits(200)
        inserted = (obs if complete is None else complete) + \
            (self.lag_low + ((bits >> 144 & 0xFFFFFF) * self.lag_span >> 24)) // 10 * 10
        modified = inserted
        if bits >> 168 & 0xFF < 15:
            modified += MINUTE + ((bits >> 176) * 2 * DAY >> 24) // 10 * 10
        self.rows.append(PointRow(self.name, type_, value, obs * 1000, None if start is None else start * 1000,
                                  inserted * 1000, modified * 1000, guid_key(bits & _MASK), identifier, units,
                                  properties or None, source, context, bits >> 128 & 0xFFFF, self.tz))

    def at(self, midnight: int, minutes: float) -> int:
        """The instant ``minutes`` after local midnight, to the second."""
        return midnight + int(minutes * 60) * 1000


# -- Fitbit -------------------------------------------------------------------------------------------

_ZONES = ("Out of Range", "Fat Burn", "Cardio", "Peak")


class _Fitbit(_Namespace):
    name = "Fitbit"
    lag = (20 * MINUTE, 14 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.steps = rng.uniform(4500, 11000)
        self.rhr = rng.uniform(55, 74)
        self.bmr = rng.uniform(1350, 1900)
        self.weight = rng.uniform(52, 105)
        self.breathing = rng.uniform(13.5, 17.5)
        self.max_hr = 220 - _int(rng, 22, 70)
        # what the tracker measures (PT-0001's measures everything)
        every = self.participant.index == 0
        self.heart = every or rng.random() < 0.7  # heart-rate zones and the intraday count
        self.oximeter = every or rng.random() < 0.45  # SpO2 and breathing rate
        self.altimeter = every or rng.random() < 0.6  # floors
        self.scale = every or rng.random() < 0.4  # a connected scale: weight
        for sleep in generate_sleep_logs(ctx, self.participant):
            start = sleep.start_us // 1000
            end = start + int(sleep.record["duration"])
            for key, minutes in sleep.record.items():
                if key.startswith("sleepLevel") and minutes is not None:
                    self.emit("S" + key[1:], str(minutes), end, start=start, units="min")

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        if not self.worn():
            return
        weekend = day.weekday() >= 5
        steps = max(0, int(rng.gauss(self.steps * (0.85 if weekend else 1.0), 2200)))
        very = max(0, int(rng.gauss(steps / 700, 8)))
        fairly = max(0, int(rng.gauss(steps / 900, 6)))
        lightly = max(0, int(rng.gauss(150 + steps / 80, 35)))
        wear = _int(rng, 1080, 1440)
        sedentary = max(0, 1440 - 420 - very - fairly - lightly)
        active_cal = int(steps * 0.045 + very * 7 + fairly * 4 + lightly * 2)
        bmr = int(rng.gauss(self.bmr, 12))
        day_kw: dict[str, Any] = {"start": midnight, "complete": next_midnight}
        emit = self.emit
        emit("Steps", str(steps), midnight, units="steps", **day_kw)
        emit("Calories", str(bmr + active_cal), midnight, units="kcal", **day_kw)
        emit("CaloriesBMR", str(bmr), midnight, units="kcal", **day_kw)
        if self.altimeter:
            emit("Floors", str(int(steps / 1000 * rng.uniform(0.3, 1.6))), midnight, units="floors", **day_kw)
        emit("MinutesSedentary", str(sedentary), midnight, units="min", **day_kw)
        emit("MinutesLightlyActive", str(lightly), midnight, units="min", **day_kw)
        emit("MinutesFairlyActive", str(fairly), midnight, units="min", **day_kw)
        emit("MinutesVeryActive", str(very), midnight, units="min", **day_kw)
        emit("RestingHeartRate", str(round(rng.gauss(self.rhr, 1.8))), midnight, units="bpm", **day_kw)
        if self.heart:
            self.heart_day(midnight, wear, very, fairly, day_kw)
        if self.oximeter and rng.random() < 0.8:
            emit("BreathingRate", f"{rng.gauss(self.breathing, 0.6):.1f}", midnight, units="brpm", **day_kw)
        if self.oximeter and rng.random() < 0.8:
            emit("SpO2", f"{min(100.0, rng.gauss(96.2, 0.9)):.1f}", midnight, units="%", **day_kw)
        if self.scale and day.weekday() == 0 and rng.random() < 0.9:
            self.weight += rng.gauss(0, 0.3)
            weighed = self.at(midnight, rng.uniform(6 * 60, 9 * 60))
            emit("Weight", f"{self.weight:.1f}", weighed, start=weighed, units="kg")

    def heart_day(self, midnight: int, wear: int, very: int, fairly: int, day_kw: dict[str, Any]) -> None:
        rng, emit = self.rng, self.emit
        emit("HeartRateIntradayCount", str(wear * _int(rng, 10, 12)), midnight, units="",
             properties={"MinuteCount": str(wear)}, **day_kw)
        peak, cardio = max(0, int(rng.gauss(very / 4, 3))), max(0, int(rng.gauss(very / 1.5, 5)))
        fat_burn = max(0, int(rng.gauss(fairly + very / 2, 10)))
        bounds = (30, int(self.max_hr * 0.5), int(self.max_hr * 0.7), int(self.max_hr * 0.85), self.max_hr)
        for i, (zone, minutes) in enumerate(zip(_ZONES, (wear - peak - cardio - fat_burn, fat_burn, cardio, peak),
                                                strict=True)):
            calories = minutes * (1.1 + 3.2 * i) * rng.uniform(0.9, 1.1)
            emit("HeartRateZone", zone, midnight,
                 properties={"Minutes": str(max(0, minutes)), "CaloriesOut": f"{calories:.5f}",
                             "Min": str(bounds[i]), "Max": str(bounds[i + 1])}, **day_kw)


# -- Apple Health -------------------------------------------------------------------------------------

_MOTION = tuple({"Metadata_HKMetadataKeyHeartRateMotionContext": c} for c in ("0", "1", "2"))
_SLEEP_STAGES = ("AsleepCore", "AsleepDeep", "AsleepCore", "AsleepREM", "Awake", "AsleepCore", "AsleepREM")


class _AppleHealth(_Namespace):
    name = "AppleHealth"
    lag = (30 * 1000, 6 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        first = (self.participant.demographics or {}).get("firstName")
        owner = f"{first}’s " if first else ""
        self.has_watch = self.participant.index == 0 or rng.random() < 0.75
        watch_os, ios = rng.choice(("10.6.1", "11.0", "11.1")), rng.choice(("17.6.1", "18.0.1", "18.1"))
        watch_model = rng.choice(("Watch6,14", "Watch7,3", "Watch7,10"))
        phone_model = rng.choice(("iPhone14,5", "iPhone15,4", "iPhone16,1", "iPhone17,3"))
        self.watch = self._source(f"{owner}Apple Watch", watch_model, "Watch", "Apple Watch", watch_os,
                                  fast_guid(rng))
        self.phone = self._source(f"{owner}iPhone", phone_model, "iPhone", "iPhone", ios, fast_guid(rng))
        self.rhr = rng.uniform(54, 72)
        self.hrv = rng.uniform(28, 70)
        self.steps = rng.uniform(4000, 10000)

    @staticmethod
    def _source(name: str, product: str, model: str, device: str, os: str, guid: str) -> dict[str, Any]:
        bundle = f"com.apple.health.{guid.upper()}"
        return {"identifier": bundle, "properties": {
            "SourceIdentifier": bundle, "SourceName": name, "SourceOperatingSystemVersion": os,
            "SourceProductType": product, "SourceVersion": os.rsplit(".", 1)[0] if os.count(".") > 1 else os,
            "DeviceHardwareVersion": product, "DeviceManufacturer": "Apple Inc.", "DeviceModel": model,
            "DeviceName": device, "DeviceSoftwareVersion": os,
        }}

    def sample(self, type_: str, value: str, start: int, end: int, units: str, source: dict[str, Any],
               properties: Mapping[str, str] = EMPTY) -> None:
        self.emit(type_, value, end, start=start, units=units, identifier=HK_UUID, properties=properties,
                  source=source)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        at = self.at
        # the phone, carried every day: walking in a few bouts
        for _ in range(_int(rng, 1, 3)):
            start = at(midnight, rng.uniform(7 * 60, 21 * 60))
            length = _int(rng, 5, 45) * MINUTE
            steps = max(10, int(rng.gauss(self.steps / 6, self.steps / 15)))
            self.sample("Steps", str(steps), start, start + length, "count", self.phone)
            if rng.random() < 0.5:
                self.sample("DistanceWalkingRunning", f"{steps * rng.uniform(0.68, 0.8):.2f}", start,
                            start + length, "m", self.phone)
        if rng.random() < 0.6:
            start = at(midnight, rng.uniform(8 * 60, 20 * 60))
            self.sample("FlightsClimbed", str(_int(rng, 1, 6)), start, start + _int(rng, 1, 4) * MINUTE, "count",
                        self.phone)
        if not (self.has_watch and self.worn()):
            return
        watch = self.watch
        # the night that ended this morning: in bed, then stages
        bed = at(midnight, rng.uniform(-90, 30))
        wake = at(midnight, rng.uniform(6 * 60, 8 * 60))
        self.sample("SleepAnalysis", "InBed", bed, wake, "", watch)
        t = bed + _int(rng, 5, 25) * MINUTE
        for stage in _SLEEP_STAGES[: _int(rng, 2, 4)]:
            end = min(wake, t + _int(rng, 40, 150) * MINUTE)
            if end <= t:
                break
            self.sample("SleepAnalysis", stage, t, end, "", watch)
            t = end
        if rng.random() < 0.7:  # asleep
            when = at(midnight, rng.uniform(60, 5 * 60))
            self.sample("HeartRate", str(round(rng.gauss(self.rhr - 4, 3))), when, when, "count/min", watch,
                        _MOTION[1] if rng.random() < 0.8 else EMPTY)
        for _ in range(_int(rng, 2, 4)):  # awake: sedentary, sometimes active
            when = at(midnight, rng.uniform(7 * 60, 22.5 * 60))
            active = rng.random() < 0.15
            rate = rng.gauss(120, 15) if active else rng.gauss(self.rhr + 14, 7)
            motion = _MOTION[2] if active else _MOTION[1] if rng.random() < 0.75 else _MOTION[0]
            self.sample("HeartRate", str(round(rate)), when, when, "count/min", watch,
                        motion if rng.random() < 0.85 else EMPTY)
        if rng.random() < 0.6:
            start = at(midnight, rng.uniform(8 * 60, 20 * 60))
            self.sample("Steps", str(_int(rng, 80, 1500)), start, start + _int(rng, 5, 30) * MINUTE, "count",
                        watch)
        for _ in range(_int(rng, 1, 2)):
            start = at(midnight, rng.uniform(7 * 60, 22 * 60))
            self.sample("ActiveEnergyBurned", f"{rng.uniform(4, 90):.3f}", start, start + _int(rng, 5, 60) * MINUTE,
                        "kcal", watch)
        for _ in range(_int(rng, 0, 2)):
            when = at(midnight, rng.uniform(0, 23.5 * 60))
            self.sample("HeartRateVariability", f"{max(8.0, rng.gauss(self.hrv, 9)):.5f}", when, when, "ms", watch)
        evening = at(midnight, rng.uniform(22 * 60, 23.9 * 60))
        self.sample("RestingHeartRate", str(round(rng.gauss(self.rhr, 2))), midnight, evening, "count/min", watch)
        if rng.random() < 0.85:
            self.sample("WalkingHeartRateAverage", str(round(rng.gauss(self.rhr + 38, 5))), midnight, evening,
                        "count/min", watch)


# -- Google Fit ---------------------------------------------------------------------------------------

_ACTIVITIES = ("walking", "walking", "running", "biking", "meditation", "still", "strength_training")


class _GoogleFit(_Namespace):
    name = "GoogleFit"

    def setup(self, ctx: GenContext) -> None:
        app = {"identifier": "com.google.android.gms", "properties": {"AppPackageName": "com.google.android.gms"}}
        self.steps_source = {"identifier": "derived:com.google.step_count.delta:com.google.android.gms:"
                                           "estimated_steps", "properties": {"AppPackageName": "com.google.android.gms",
                                                                             "DataType": "com.google.step_count.delta"}}
        self.app = app
        self.cuff = {"identifier": "raw:com.google.blood_pressure:com.omronhealthcare.omronconnect",
                     "properties": {"AppPackageName": "com.omronhealthcare.omronconnect"}}
        self.systolic = self.rng.uniform(112, 138)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        if not self.worn():
            return
        for _ in range(_int(rng, 1, 3)):
            start = self.at(midnight, rng.uniform(7 * 60, 21 * 60))
            self.emit("Steps", str(_int(rng, 40, 2500)), start + _int(rng, 5, 40) * MINUTE, start=start,
                      units="count", source=self.steps_source)
        if rng.random() < 0.7:
            when = self.at(midnight, rng.uniform(8 * 60, 22 * 60))
            self.emit("HeartRate", f"{rng.gauss(76, 9):.1f}", when, start=when, units="bpm", source=self.app)
        if rng.random() < 0.8:
            start = self.at(midnight, rng.uniform(6 * 60, 21 * 60))
            self.emit("ActivitySegment", rng.choice(_ACTIVITIES), start + _int(rng, 10, 70) * MINUTE, start=start,
                      source=self.app)
        if rng.random() < 0.3:
            when = self.at(midnight, rng.uniform(6.5 * 60, 9 * 60))
            context = fast_guid(rng)
            systolic = round(rng.gauss(self.systolic, 8))
            self.emit("blood_pressure_systolic", str(systolic), when, start=when, units="mmHg", source=self.cuff,
                      context=context)
            self.emit("blood_pressure_diastolic", str(round(systolic * rng.uniform(0.6, 0.7))), when, start=when,
                      units="mmHg", source=self.cuff, context=context)


# -- AirNow -------------------------------------------------------------------------------------------

_AQI = ((50, "Good"), (100, "Moderate"), (150, "Unhealthy for Sensitive Groups"), (200, "Unhealthy"),
        (300, "Very Unhealthy"), (10_000, "Hazardous"))


def _category(aqi: int) -> tuple[str, str]:
    for number, (top, name) in enumerate(_AQI, start=1):
        if aqi <= top:
            return str(number), name
    raise AssertionError("unreachable")


class _AirNow(_Namespace):
    name = "AirNowApi"
    lag = (40 * MINUTE, 3 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.base = rng.uniform(22, 45)
        self.level = self.base
        self.smoke = 0
        self.work_zip = f"{_int(rng, 10, 99)}{_int(rng, 100, 999)}" if self.zip else None

    def reading(self, type_: str, aqi: float, obs: int, zip_code: str | None) -> None:
        rng = self.rng
        properties = {"ReportingArea": self.city or "", "ParameterName": "PM2.5" if rng.random() < 0.7 else "O3"}
        if zip_code:
            properties["ZipCode"] = zip_code
        if rng.random() < 0.03:  # no reading that day
            self.emit(type_, "", obs, units="AQI" if rng.random() < 0.5 else "", properties=properties)
            return
        value = max(1, round(aqi))
        properties["CategoryNumber"], properties["CategoryName"] = _category(value)
        self.emit(type_, str(value), obs, units="AQI" if rng.random() < 0.5 else "", properties=properties)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        if self.smoke == 0 and rng.random() < 0.03:
            self.smoke = _int(rng, 2, 4)
        target = self.base + (rng.uniform(70, 140) if self.smoke else 0)
        self.smoke = max(0, self.smoke - 1)
        self.level += (target - self.level) * 0.6 + rng.gauss(0, 6)
        self.level = max(3.0, self.level)
        observed = self.at(midnight, 16 * 60)
        self.reading("AirQuality", self.level, observed, self.zip)
        self.reading("HomeAirQuality", self.level + rng.gauss(0, 4), self.at(midnight, 17 * 60), self.zip)
        if day.weekday() < 5:
            self.reading("WorkAirQuality", self.level + rng.gauss(6, 6), self.at(midnight, 12 * 60), self.work_zip)


# -- WeatherBit ---------------------------------------------------------------------------------------

#: zone -> (annual mean °C, seasonal amplitude °C, humidity %)
_CLIMATE = {
    "America/New_York": (11.5, 12.0, 65), "America/Chicago": (10.5, 14.0, 68), "America/Denver": (10.0, 12.0, 45),
    "America/Los_Angeles": (12.0, 7.0, 72), "Europe/London": (11.0, 6.5, 78), "Pacific/Honolulu": (25.5, 2.0, 70),
    "Europe/Berlin": (10.0, 9.5, 75),
}
_WEATHER = (("Clear sky", "800"), ("Few clouds", "801"), ("Scattered clouds", "802"), ("Broken clouds", "803"),
            ("Overcast clouds", "804"), ("Light rain", "500"), ("Moderate rain", "501"), ("Fog", "741"),
            ("Thunderstorm with rain", "201"))


class _WeatherBit(_Namespace):
    name = "WeatherBit"
    lag = (10 * MINUTE, 2 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        self.mean, self.amplitude, self.humidity = _CLIMATE.get(self.participant.tz_name, (12.0, 9.0, 65))
        self.anomaly = 0.0
        self.place: dict[str, str] = {"City": self.city or ""}
        if self.zip:
            self.place["ZipCode"] = self.zip

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
        self.anomaly = 0.7 * self.anomaly + rng.gauss(0, 1.6)
        mean = self.mean + self.amplitude * season + self.anomaly
        humidity = min(100, max(15, round(rng.gauss(self.humidity, 12))))
        emit, place = self.emit, self.place
        emit("Temperature", f"{mean:.1f}", midnight, complete=next_midnight, units="C", properties=place)
        emit("MaxTemperature", f"{mean + rng.uniform(2.5, 7):.1f}", midnight, complete=next_midnight, units="C",
             properties=place)
        emit("MinTemperature", f"{mean - rng.uniform(2.5, 7):.1f}", midnight, complete=next_midnight, units="C",
             properties=place)
        emit("RelativeHumidity", str(humidity), midnight, complete=next_midnight, units="%", properties=place)
        wet = humidity > 80 and rng.random() < 0.6
        description, code = _WEATHER[_int(rng, 5, 8) if wet else _int(rng, 0, 4)]
        emit("WeatherDescription", description, midnight, complete=next_midnight,
             properties={**place, "WeatherCode": code})


# -- Garmin -------------------------------------------------------------------------------------------

_QUALIFIERS = ((90, "EXCELLENT"), (80, "GOOD"), (60, "FAIR"), (0, "POOR"))


class _Garmin(_Namespace):
    name = "Garmin"
    lag = (15 * MINUTE, 8 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.steps = rng.uniform(5000, 12000)
        self.rhr = rng.uniform(50, 68)
        self.stress = rng.uniform(22, 42)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        if not self.worn():
            return
        steps = max(0, int(rng.gauss(self.steps, 2500)))
        rhr = round(rng.gauss(self.rhr, 2))
        stress = max(5, round(rng.gauss(self.stress, 6)))
        stress_seconds = _int(rng, 6, 14) * 3600
        low = int(stress_seconds * rng.uniform(0.45, 0.65))
        medium = int((stress_seconds - low) * rng.uniform(0.5, 0.8))
        summary = {
            "CalendarDate": day.isoformat(), "Steps": str(steps), "DistanceInMeters": f"{steps * 0.76:.1f}",
            "ActiveKilocalories": str(int(steps * 0.05)), "BmrKilocalories": str(_int(rng, 1500, 1800)),
            "FloorsClimbed": str(_int(rng, 0, 20)), "ActiveTimeInSeconds": str(_int(rng, 1800, 9000)),
            "DurationInSeconds": "86400", "RestingHeartRateInBeatsPerMinute": str(rhr),
            "MinHeartRateInBeatsPerMinute": str(rhr - _int(rng, 3, 8)),
            "AverageHeartRateInBeatsPerMinute": str(rhr + _int(rng, 10, 20)),
            "MaxHeartRateInBeatsPerMinute": str(rhr + _int(rng, 50, 100)),
            "AverageStressLevel": str(stress), "MaxStressLevel": str(min(100, stress + _int(rng, 30, 60))),
            "StressDurationInSeconds": str(stress_seconds), "LowStressDurationInSeconds": str(low),
            "MediumStressDurationInSeconds": str(medium),
            "HighStressDurationInSeconds": str(stress_seconds - low - medium),
        }
        self.emit("Daily", day.isoformat(), midnight, start=midnight, complete=next_midnight, properties=summary)
        if rng.random() < 0.9:
            bed = self.at(midnight, rng.uniform(-100, 20))
            asleep = _int(rng, 300, 500) * 60
            awake = _int(rng, 5, 50) * 60
            deep = int(asleep * rng.uniform(0.13, 0.22))
            rem = int(asleep * rng.uniform(0.17, 0.25))
            score = min(100, max(20, round(rng.gauss(76, 10))))
            qualifier = next(name for floor, name in _QUALIFIERS if score >= floor)
            sleep = {"CalendarDate": day.isoformat(), "DurationInSeconds": str(asleep),
                     "DeepSleepDurationInSeconds": str(deep), "LightSleepDurationInSeconds": str(asleep - deep - rem),
                     "RemSleepInSeconds": str(rem), "AwakeDurationInSeconds": str(awake),
                     "OverallSleepScore.Value": str(score), "OverallSleepScore.QualifierKey": qualifier}
            self.emit("Sleep", str(asleep), bed + (asleep + awake) * 1000, start=bed, properties=sleep, units="s")


# -- Omron --------------------------------------------------------------------------------------------

_FLAGS = tuple({"IrregularHeartbeat": irregular, "BodyMovement": movement}
               for irregular in ("false", "true") for movement in ("false", "true"))


class _Omron(_Namespace):
    name = "Omron"
    lag = (MINUTE, 30 * HOUR)  # uploaded when the phone app next syncs

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.systolic = rng.uniform(112, 142)
        self.diastolic = self.systolic * rng.uniform(0.58, 0.68)
        self.pulse = rng.uniform(60, 78)
        model, device = rng.choice((("HEM-7600T", "Evolv"), ("BP7450", "Platinum"), ("BP5250", "Silver")))
        self.source = {"identifier": "OmronConnect", "properties": {"DeviceModel": model, "DeviceName": device}}

    def reading(self, when: int, evening: bool) -> None:
        rng = self.rng
        systolic = round(rng.gauss(self.systolic - (4 if evening else 0), 7))
        diastolic = round(rng.gauss(self.diastolic, 5))
        flags = _FLAGS[(2 if rng.random() < 0.03 else 0) + (1 if rng.random() < 0.06 else 0)]
        context = fast_guid(rng)
        for type_, value, units in (("BloodPressureSystolic", systolic, "mmHg"),
                                    ("BloodPressureDiastolic", diastolic, "mmHg"),
                                    ("Pulse", round(rng.gauss(self.pulse, 5)), "bpm")):
            self.emit(type_, str(value), when, start=when, units=units, properties=flags, source=self.source,
                      context=context)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        if rng.random() < 0.85 * self.engagement + 0.1:
            self.reading(self.at(midnight, rng.uniform(6 * 60 + 20, 8 * 60 + 40)), False)
        if rng.random() < 0.45:
            self.reading(self.at(midnight, rng.uniform(19 * 60, 22 * 60)), True)


# -- Project ------------------------------------------------------------------------------------------

_SYMPTOMS = ("Coughing", "Wheezing", "Chest tightness", "Shortness of breath", "Difficulty sleeping")
_TRIGGERS = ("Dust", "Pollen", "Exercise", "Cold air", "Smoke", "Strong smells", "Pet dander")


class _Project(_Namespace):
    name = "Project"
    lag = (300, 20 * 1000)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.sync = {"identifier": "AsthmaBiometricsSync", "properties": {"Version": rng.choice(("2.3.1", "2.4.0"))}}
        self.rhr = rng.uniform(55, 72)
        self.steps = rng.uniform(4000, 11000)

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        emit = self.emit
        if self.worn():
            context = fast_guid(rng)
            when = self.at(midnight, rng.uniform(5 * 60, 7 * 60))
            source = self.sync if rng.random() < 0.9 else None
            day_rhr = rng.gauss(self.rhr, 2)
            for type_, value in (("Steps", str(max(0, int(rng.gauss(self.steps, 2000))))),
                                 ("DaytimeRestingHeartRate", str(round(day_rhr + rng.uniform(2, 6)))),
                                 ("NighttimeRestingHeartRate", str(round(day_rhr - rng.uniform(1, 4)))),
                                 ("RespiratoryRate", f"{rng.gauss(15.2, 0.8):.1f}"),
                                 ("SleepDisturbances", "" if rng.random() < 0.12 else str(_int(rng, 0, 6)))):
                emit(type_, value, when, start=midnight, units="" if rng.random() < 0.5 else None, source=source,
                     context=context)
        if rng.random() < 0.4 * self.engagement + 0.1:
            entry = {"identifier": day.isoformat(),
                     "symptoms": sorted(rng.sample(_SYMPTOMS, _int(rng, 0, 2))),
                     "impacts": ["Woke up at night"] if rng.random() < 0.2 else [],
                     "triggers": sorted(rng.sample(_TRIGGERS, _int(rng, 0, 2)))}
            emit("Asthma-LogEntry", json.dumps(entry, separators=(",", ":")), self.at(midnight, 12 * 60),
                 identifier=day.isoformat())
        if rng.random() < 0.05:
            when = self.at(midnight, rng.uniform(9 * 60, 11 * 60))
            properties: Mapping[str, str] = EMPTY
            if rng.random() < 0.6:
                properties = {"viewed": format_instant(when + _int(rng, 10, 600) * MINUTE, "LOCAL", self.tz)}
            emit("AlertTakeover", rng.choice(("DaytimeRestingHeartRate", "RespiratoryRate", "Steps")), when,
                 properties=properties)


NAMESPACES: tuple[type[_Namespace], ...] = (_Project, _Fitbit, _AppleHealth, _GoogleFit, _AirNow, _WeatherBit,
                                           _Garmin, _Omron)
"""One generator class per v1 namespace, in the reference's order."""

_Day = Callable[[dt.date, int, int], None]


def generate_device_data(ctx: GenContext, participant: Participant) -> list[PointRow]:
    """Every v1 point of one participant, in the namespaces their ``sources`` include (any order).
    ``ctx.pace`` is called once per generated day."""
    sources = [cls(ctx, participant) for cls in NAMESPACES if cls.name in participant.sources]
    if not sources:
        return []
    days: list[_Day] = [source.day for source in sources]
    tz = participant.tz
    for day in ctx.days():
        ctx.pace()
        midnight = to_ms(dt.datetime.combine(day, dt.time(), tz))
        next_midnight = to_ms(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz))
        for generate_day in days:
            generate_day(day, midnight, next_midnight)
    return [row for source in sources for row in source.rows]
