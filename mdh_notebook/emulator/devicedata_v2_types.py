"""The table of v2 device data: every (namespace, type) with data (``V2_TYPES``, each a
``TypeSpec`` naming its builder from ``devicedata_v2_builders``), the sources their points name,
the types listed but not collected (``DISABLED_V2_TYPES``), and ``spec_for``.

Type names follow MyDataHelpsUI where it names them (GoogleHealth, HealthConnect, AppleHealth,
Garmin ``sleep-levels``, Fitbit ``sleep``, Oura ``sleep`` / ``daily-activity``); the others
(Fitbit ``heart-rate`` / ``steps`` / ``resting-heart-rate``, GoogleHealth ``heartRate`` /
``steps``, Dexcom ``egv``, Oura ``heartrate``, Garmin ``heart-rate`` / ``steps`` /
``resting-heart-rate``) are inferred from each vendor's own API names.
"""

from __future__ import annotations

import numpy as np

from .devicedata_v2_builders import (
    blood_pressure,
    daily,
    day_value,
    egv,
    hr_daily,
    motion,
    nightly,
    oura_activity,
    oura_sleep,
    oura_source,
    resting_hr,
    samples,
    sessions,
    stages,
    steps_daily,
    windows,
    worn_minutes,
    zone,
)
from .devicedata_v2_gen import TypeSpec
from .devicedata_v2_series import Style

__all__ = ["DISABLED_V2_TYPES", "V2_NAMESPACES", "V2_TYPES", "spec_for"]

V2_NAMESPACES = ("Fitbit", "AppleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "GoogleHealth")

FITBIT_SOURCE = ({"sourceName": "Fitbit", "deviceModel": "Charge 6", "deviceType": "TRACKER"},)
GOOGLE_SOURCE = ({"sourceName": "Google Health", "deviceModel": "Pixel Watch 3", "deviceManufacturer": "Google"},)
GARMIN_SOURCE = ({"sourceName": "Garmin Connect", "deviceModel": "Forerunner 265"},)
DEXCOM_SOURCE = ({"sourceName": "Dexcom G7", "displayDevice": "iOS", "transmitterGeneration": "g7"},)
APPLE_SOURCES = (
    {"sourceName": "Apple Watch", "sourceIdentifier": "com.apple.health.5F0E3C4D-9B1A-4E6B-8D2F-3A7C1B9E0D42",
     "sourceProductType": "Watch7,1", "sourceOperatingSystemVersion": "11.0.1", "sourceVersion": "11.0.1",
     "deviceModel": "Watch", "deviceName": "Apple Watch", "deviceManufacturer": "Apple Inc.",
     "deviceHardwareVersion": "Watch7,1"},
    {"sourceName": "iPhone", "sourceIdentifier": "com.apple.health.2B6D8E1F-4C3A-4F7E-9A0B-6E5D4C3B2A19",
     "sourceProductType": "iPhone16,2", "sourceOperatingSystemVersion": "18.6", "sourceVersion": "18.6",
     "deviceModel": "iPhone", "deviceName": "iPhone", "deviceManufacturer": "Apple Inc."},
)
CONNECT_SOURCES = (
    {"sourceIdentifier": "com.google.android.apps.fitness", "sourceName": "Fit", "deviceModel": "Pixel Watch 2",
     "deviceManufacturer": "Google", "deviceType": "WATCH"},
    {"sourceIdentifier": "com.sec.android.app.shealth", "sourceName": "Samsung Health", "deviceModel": "SM-S921U",
     "deviceManufacturer": "samsung", "deviceType": "PHONE"},
)
STAGE_NAMES = {
    "Fitbit": {"wake": "wake", "light": "light", "deep": "deep", "rem": "rem"},
    "Garmin": {"wake": "awake", "light": "light", "deep": "deep", "rem": "rem"},
    "HealthConnect": {"wake": "STAGE_TYPE_AWAKE", "light": "STAGE_TYPE_LIGHT", "deep": "STAGE_TYPE_DEEP",
                      "rem": "STAGE_TYPE_REM"},
    "AppleHealth": {"wake": "Awake", "light": "AsleepCore", "deep": "AsleepDeep", "rem": "AsleepREM"},
}
_NAIVE = Style(dates="naive", no_start="null", empty_source="empty")


def _specs() -> list[TypeSpec]:
    s = TypeSpec
    daily_style = Style(stamp_digits=7)
    g = "GoogleHealth"
    hc = "HealthConnect"
    return [
        s("Fitbit", "heart-rate", samples(1), "bpm", sources=FITBIT_SOURCE, retention_days=365),
        s("Fitbit", "steps", windows(15), "steps", sources=FITBIT_SOURCE),
        s("Fitbit", "sleep", stages(STAGE_NAMES["Fitbit"], session_key="logId"), None, sources=FITBIT_SOURCE),
        s("Fitbit", "resting-heart-rate", daily(resting_hr), "bpm", sources=FITBIT_SOURCE, style=daily_style),
        s(g, "heartRate", samples(1), "bpm", sources=GOOGLE_SOURCE, style=Style(no_start="absent"), retention_days=365),
        s(g, "steps", windows(15), "steps", sources=GOOGLE_SOURCE),
        s(g, "steps-daily", daily(steps_daily()), "steps", style=daily_style),
        s(g, "heartRate-daily-avg", daily(hr_daily(lambda c: float(np.mean(c)))), "bpm", decimals=4,
          style=daily_style),
        s(g, "heartRate-daily-min", daily(hr_daily(lambda c: float(np.min(c)))), "bpm", style=daily_style),
        s(g, "heartRate-daily-max", daily(hr_daily(lambda c: float(np.max(c)))), "bpm", style=daily_style),
        s(g, "dailyRestingHeartRate-list-beatsPerMinute", daily(resting_hr), "bpm", style=daily_style),
        s(g, "dailyHeartRateVariability-list-averageRmssd", daily(nightly(42, 9, 12, 110, 2)), "ms",
          decimals=2, style=daily_style),
        s(g, "dailyOxygenSaturation-list-avg", daily(nightly(96.4, 0.9, 90, 100, 1)), "%", decimals=1,
          style=daily_style),
        s(g, "dailyRespiratoryRate-list-breathsPerMinute", daily(nightly(14.6, 0.9, 10, 22, 1)), "brpm",
          decimals=1, style=daily_style),
        s(g, "sleep-list-session-asleep", sessions(lambda n: n.asleep), "min", style=daily_style),
        s(g, "sleep-list-stages-summary-deep-minutes", sessions(lambda n: n.minutes("deep")), "min",
          style=daily_style),
        s(g, "sleep-list-stages-summary-light-minutes", sessions(lambda n: n.minutes("light")), "min",
          style=daily_style),
        s(g, "sleep-list-stages-summary-rem-minutes", sessions(lambda n: n.minutes("rem")), "min",
          style=daily_style),
        s(g, "activeZoneMinutes-daily-fat-burn", daily(zone(105, 130)), "min", style=daily_style),
        s(g, "activeZoneMinutes-daily-cardio", daily(zone(130, 155)), "min", style=daily_style),
        s(g, "activeZoneMinutes-daily-peak", daily(zone(155, 999)), "min", style=daily_style),
        s(g, "wearTime-daily", daily(worn_minutes), "min", style=daily_style),
        s(g, "floors-daily", daily(day_value("floors")), "floors", style=daily_style),
        s(g, "distance-daily", daily(day_value("distance", 1000)), "m", style=daily_style),
        s(g, "totalCalories-daily", daily(day_value("calories")), "kcal", style=daily_style),
        s(g, "activeEnergyBurned-daily", daily(day_value("activityCalories")), "kcal", style=daily_style),
        s("Dexcom", "egv", egv, "mg/dL", sources=DEXCOM_SOURCE, retention_days=730),
        s("Oura", "heartrate", samples(5, noise=1.5, props=oura_source), "bpm", style=Style(empty_source="empty")),
        s("Oura", "sleep", oura_sleep, None, style=_NAIVE),
        s("Oura", "daily-activity", oura_activity, None, style=_NAIVE),
        s(hc, "heart-rate", samples(5, noise=1.0, source=lambda src, m: np.zeros(m.size, dtype=np.int64)), "bpm",
          sources=CONNECT_SOURCES, style=Style(stamp_digits=7)),
        s(hc, "steps", windows(60, phone_share=0.3), "count", sources=CONNECT_SOURCES),
        s(hc, "steps-daily", daily(steps_daily()), "count", style=daily_style),
        s(hc, "heart-rate-daily-maximum", daily(hr_daily(lambda c: float(np.max(c)))), "bpm", style=daily_style),
        s(hc, "heart-rate-daily-minimum", daily(hr_daily(lambda c: float(np.min(c)))), "bpm", style=daily_style),
        s(hc, "resting-heart-rate", daily(resting_hr), "bpm", style=daily_style),
        s(hc, "distance-daily", daily(steps_daily(0.762, 0)), "m", style=daily_style),
        s(hc, "sleep", stages(STAGE_NAMES["HealthConnect"], session_key="sessionId"), None,
          sources=CONNECT_SOURCES[:1]),
        s(hc, "blood-pressure-systolic", blood_pressure(0), "mmHg"),
        s(hc, "blood-pressure-diastolic", blood_pressure(1), "mmHg"),
        s("AppleHealth", "Heart Rate", samples(5, jitter_s=180, noise=1.0, props=motion), "count/min",
          sources=APPLE_SOURCES, style=Style(no_start="absent", empty_properties="absent"), retention_days=365),
        s("AppleHealth", "Steps", windows(10, phone_share=0.35), "count", sources=APPLE_SOURCES),
        s("AppleHealth", "Hourly Steps", windows(60), "count"),
        s("AppleHealth", "Hourly Maximum Heart Rate", windows(60, "hr-max"), "count/min"),
        s("AppleHealth", "Hourly Minimum Heart Rate", windows(60, "hr-min"), "count/min"),
        s("AppleHealth", "Resting Heart Rate", daily(resting_hr), "count/min", sources=APPLE_SOURCES[:1]),
        s("AppleHealth", "Sleep Analysis", stages(STAGE_NAMES["AppleHealth"], session_key="HKSessionID",
                                                  in_bed="InBed"), None, sources=APPLE_SOURCES[:1]),
        s("Garmin", "heart-rate", samples(2, noise=1.0), "bpm", sources=GARMIN_SOURCE),
        s("Garmin", "steps", windows(15), "steps", sources=GARMIN_SOURCE),
        s("Garmin", "sleep-levels", stages(STAGE_NAMES["Garmin"], session_key="summaryId"), None,
          sources=GARMIN_SOURCE),
        s("Garmin", "resting-heart-rate", daily(resting_hr), "bpm", sources=GARMIN_SOURCE, style=daily_style),
    ]


#: namespace -> type -> its spec, in the table's order.
V2_TYPES: dict[str, dict[str, TypeSpec]] = {}
for _spec in _specs():
    V2_TYPES.setdefault(_spec.namespace, {})[_spec.type] = _spec
assert set(V2_TYPES) == set(V2_NAMESPACES), "every v2 namespace has types"

#: Types the project knows but does not collect (listed by allDataTypes with enabled=false; no data).
DISABLED_V2_TYPES: tuple[tuple[str, str], ...] = (
    ("AppleHealth", "Blood Glucose"), ("AppleHealth", "Mindful Sessions"), ("HealthConnect", "blood-glucose"),
    ("HealthConnect", "exercise-session"), ("Garmin", "stress"), ("GoogleHealth", "sedentaryPeriod-daily"),
    ("Oura", "daily-readiness"),
)

_FOLDED = {(ns.casefold(), t.casefold()): spec for ns, types in V2_TYPES.items() for t, spec in types.items()}


def spec_for(namespace: str, type_: str) -> TypeSpec | None:
    """The spec of a (namespace, type), matched case-insensitively; None for a type without data."""
    return _FOLDED.get((namespace.casefold(), type_.casefold()))
