"""The wearables of device data v1: ``Fitbit``, ``AppleHealth``, ``GoogleFit`` and ``Garmin``
(one generator class each, driven day by day by ``devicedata_v1_namespaces``).

- ``Fitbit``: daily values dated at local midnight (steps, calories, floors, activity minutes,
  resting heart rate, breathing rate, SpO2, weight once a week, ``HeartRateIntradayCount`` with a
  ``MinuteCount`` property, four ``HeartRateZone`` points whose value is the zone's name), and the
  sleep levels of the sandbox's Fitbit sleep logs (``..sleep``) spanning each sleep. The day
  values are the participant's days (``..days``), as the daily summaries and v2 serve them.
- ``AppleHealth``: HealthKit samples from the participant's Apple Watch and iPhone, with the
  HealthKit source properties (``SourceName``, ``SourceIdentifier``, ``DeviceModel``, …) and an
  ``identifier`` (the sample's UUID); heart-rate samples carry
  ``Metadata_HKMetadataKeyHeartRateMotionContext``; sleep segments have text values (``InBed``, …).
- ``GoogleFit``: step and heart-rate samples, activity segments (text values) and blood-pressure
  pairs (``blood_pressure_systolic`` / ``_diastolic``) sharing a ``deviceDataContextID``.
- ``Garmin``: one ``Daily`` summary a day (its figures in properties, as the UI reads them) and one
  ``Sleep`` per night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .days import ZONES, participant_days
from .declarations import GenContext
from .devicedata_v1 import EMPTY, HK_UUID, fast_guid
from .devicedata_v1_base import HOUR, MINUTE, Namespace, draw_int
from .sleep import generate_sleep_logs

__all__ = ["AppleHealth", "Fitbit", "Garmin", "GoogleFit"]


# -- Fitbit -------------------------------------------------------------------------------------------

_ZONES = ("Out of Range", "Fat Burn", "Cardio", "Peak")


class Fitbit(Namespace):
    """The participant's days (``days.Day``) as v1 points: the values their Fitbit daily summaries
    and v2 device data carry too, on every day worn that ended before any withdrawal."""

    name = "Fitbit"
    lag = (20 * MINUTE, 14 * HOUR)
    linked_late = False  # the tracker's data starts with enrollment, on every Fitbit endpoint alike

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.person, days = participant_days(ctx, self.participant)
        self.days = {day.date: day for day in days}
        self.breathing = rng.uniform(13.5, 17.5)
        every = self.participant.index == 0
        self.oximeter = every or rng.random() < 0.45  # SpO2 and breathing rate
        for sleep in generate_sleep_logs(ctx, self.participant):
            start = sleep.start_us // 1000
            end = start + int(sleep.record["duration"])
            for key, minutes in sleep.record.items():
                if key.startswith("sleepLevel") and minutes is not None:
                    self.emit("S" + key[1:], str(minutes), end, start=start, units="min")

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        rng = self.rng
        today = self.days[day]
        if not today.worn or next_midnight > self.last_ms:
            return
        totals = today.totals
        day_kw: dict[str, Any] = {"start": midnight, "complete": next_midnight}
        emit = self.emit
        emit("Steps", str(totals["steps"]), midnight, units="steps", **day_kw)
        emit("Calories", str(totals["calories"]), midnight, units="kcal", **day_kw)
        emit("CaloriesBMR", str(today.bmr), midnight, units="kcal", **day_kw)
        emit("Floors", str(totals["floors"]), midnight, units="floors", **day_kw)
        emit("MinutesSedentary", str(totals["minutesSedentary"]), midnight, units="min", **day_kw)
        emit("MinutesLightlyActive", str(totals["minutesLightlyActive"]), midnight, units="min", **day_kw)
        emit("MinutesFairlyActive", str(totals["minutesFairlyActive"]), midnight, units="min", **day_kw)
        emit("MinutesVeryActive", str(totals["minutesVeryActive"]), midnight, units="min", **day_kw)
        if today.resting is not None:
            emit("RestingHeartRate", str(today.resting), midnight, units="bpm", **day_kw)
        wear = today.worn_minutes
        emit("HeartRateIntradayCount", str(wear * draw_int(rng, 10, 12)), midnight, units="",
             properties={"MinuteCount": str(wear)}, **day_kw)
        for name, zone in zip(_ZONES, ZONES, strict=True):
            figures = today.zones[zone]
            emit("HeartRateZone", name, midnight,
                 properties={"Minutes": str(figures["minutes"]), "CaloriesOut": f"{figures['caloriesOut']:.5f}",
                             "Min": str(figures["min"]), "Max": str(figures["max"])}, **day_kw)
        if self.oximeter and rng.random() < 0.8:
            emit("BreathingRate", f"{rng.gauss(self.breathing, 0.6):.1f}", midnight, units="brpm", **day_kw)
        if self.oximeter and rng.random() < 0.8:
            emit("SpO2", f"{min(100.0, rng.gauss(96.2, 0.9)):.1f}", midnight, units="%", **day_kw)
        if self.person.scale and day.weekday() == 0 and rng.random() < 0.9:
            weighed = self.at(midnight, rng.uniform(6 * 60, 9 * 60))
            emit("Weight", f"{today.weight:.1f}", weighed, start=weighed, units="kg")


# -- Apple Health -------------------------------------------------------------------------------------

_MOTION = tuple({"Metadata_HKMetadataKeyHeartRateMotionContext": c} for c in ("0", "1", "2"))
_SLEEP_STAGES = ("AsleepCore", "AsleepDeep", "AsleepCore", "AsleepREM", "Awake", "AsleepCore", "AsleepREM")


class AppleHealth(Namespace):
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
        for _ in range(draw_int(rng, 1, 3)):
            start = at(midnight, rng.uniform(7 * 60, 21 * 60))
            length = draw_int(rng, 5, 45) * MINUTE
            steps = max(10, int(rng.gauss(self.steps / 6, self.steps / 15)))
            self.sample("Steps", str(steps), start, start + length, "count", self.phone)
            if rng.random() < 0.5:
                self.sample("DistanceWalkingRunning", f"{steps * rng.uniform(0.68, 0.8):.2f}", start,
                            start + length, "m", self.phone)
        if rng.random() < 0.6:
            start = at(midnight, rng.uniform(8 * 60, 20 * 60))
            self.sample("FlightsClimbed", str(draw_int(rng, 1, 6)), start, start + draw_int(rng, 1, 4) * MINUTE,
                        "count", self.phone)
        if not (self.has_watch and self.worn()):
            return
        watch = self.watch
        # the night that ended this morning: in bed, then stages
        bed = at(midnight, rng.uniform(-90, 30))
        wake = at(midnight, rng.uniform(6 * 60, 8 * 60))
        self.sample("SleepAnalysis", "InBed", bed, wake, "", watch)
        t = bed + draw_int(rng, 5, 25) * MINUTE
        for stage in _SLEEP_STAGES[: draw_int(rng, 2, 4)]:
            end = min(wake, t + draw_int(rng, 40, 150) * MINUTE)
            if end <= t:
                break
            self.sample("SleepAnalysis", stage, t, end, "", watch)
            t = end
        if rng.random() < 0.7:  # asleep
            when = at(midnight, rng.uniform(60, 5 * 60))
            self.sample("HeartRate", str(round(rng.gauss(self.rhr - 4, 3))), when, when, "count/min", watch,
                        _MOTION[1] if rng.random() < 0.8 else EMPTY)
        for _ in range(draw_int(rng, 2, 4)):  # awake: sedentary, sometimes active
            when = at(midnight, rng.uniform(7 * 60, 22.5 * 60))
            active = rng.random() < 0.15
            rate = rng.gauss(120, 15) if active else rng.gauss(self.rhr + 14, 7)
            motion = _MOTION[2] if active else _MOTION[1] if rng.random() < 0.75 else _MOTION[0]
            self.sample("HeartRate", str(round(rate)), when, when, "count/min", watch,
                        motion if rng.random() < 0.85 else EMPTY)
        if rng.random() < 0.6:
            start = at(midnight, rng.uniform(8 * 60, 20 * 60))
            self.sample("Steps", str(draw_int(rng, 80, 1500)), start, start + draw_int(rng, 5, 30) * MINUTE, "count",
                        watch)
        for _ in range(draw_int(rng, 1, 2)):
            start = at(midnight, rng.uniform(7 * 60, 22 * 60))
            self.sample("ActiveEnergyBurned", f"{rng.uniform(4, 90):.3f}", start, start + draw_int(rng, 5, 60) * MINUTE,
                        "kcal", watch)
        for _ in range(draw_int(rng, 0, 2)):
            when = at(midnight, rng.uniform(0, 23.5 * 60))
            self.sample("HeartRateVariability", f"{max(8.0, rng.gauss(self.hrv, 9)):.5f}", when, when, "ms", watch)
        evening = at(midnight, rng.uniform(22 * 60, 23.9 * 60))
        self.sample("RestingHeartRate", str(round(rng.gauss(self.rhr, 2))), midnight, evening, "count/min", watch)
        if rng.random() < 0.85:
            self.sample("WalkingHeartRateAverage", str(round(rng.gauss(self.rhr + 38, 5))), midnight, evening,
                        "count/min", watch)


# -- Google Fit ---------------------------------------------------------------------------------------

_ACTIVITIES = ("walking", "walking", "running", "biking", "meditation", "still", "strength_training")


class GoogleFit(Namespace):
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
        for _ in range(draw_int(rng, 1, 3)):
            start = self.at(midnight, rng.uniform(7 * 60, 21 * 60))
            self.emit("Steps", str(draw_int(rng, 40, 2500)), start + draw_int(rng, 5, 40) * MINUTE, start=start,
                      units="count", source=self.steps_source)
        if rng.random() < 0.7:
            when = self.at(midnight, rng.uniform(8 * 60, 22 * 60))
            self.emit("HeartRate", f"{rng.gauss(76, 9):.1f}", when, start=when, units="bpm", source=self.app)
        if rng.random() < 0.8:
            start = self.at(midnight, rng.uniform(6 * 60, 21 * 60))
            self.emit("ActivitySegment", rng.choice(_ACTIVITIES), start + draw_int(rng, 10, 70) * MINUTE, start=start,
                      source=self.app)
        if rng.random() < 0.3:
            when = self.at(midnight, rng.uniform(6.5 * 60, 9 * 60))
            context = fast_guid(rng)
            systolic = round(rng.gauss(self.systolic, 8))
            self.emit("blood_pressure_systolic", str(systolic), when, start=when, units="mmHg", source=self.cuff,
                      context=context)
            self.emit("blood_pressure_diastolic", str(round(systolic * rng.uniform(0.6, 0.7))), when, start=when,
                      units="mmHg", source=self.cuff, context=context)


# -- Garmin -------------------------------------------------------------------------------------------

_QUALIFIERS = ((90, "EXCELLENT"), (80, "GOOD"), (60, "FAIR"), (0, "POOR"))


class Garmin(Namespace):
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
        stress_seconds = draw_int(rng, 6, 14) * 3600
        low = int(stress_seconds * rng.uniform(0.45, 0.65))
        medium = int((stress_seconds - low) * rng.uniform(0.5, 0.8))
        summary = {
            "CalendarDate": day.isoformat(), "Steps": str(steps), "DistanceInMeters": f"{steps * 0.76:.1f}",
            "ActiveKilocalories": str(int(steps * 0.05)), "BmrKilocalories": str(draw_int(rng, 1500, 1800)),
            "FloorsClimbed": str(draw_int(rng, 0, 20)), "ActiveTimeInSeconds": str(draw_int(rng, 1800, 9000)),
            "DurationInSeconds": "86400", "RestingHeartRateInBeatsPerMinute": str(rhr),
            "MinHeartRateInBeatsPerMinute": str(rhr - draw_int(rng, 3, 8)),
            "AverageHeartRateInBeatsPerMinute": str(rhr + draw_int(rng, 10, 20)),
            "MaxHeartRateInBeatsPerMinute": str(rhr + draw_int(rng, 50, 100)),
            "AverageStressLevel": str(stress), "MaxStressLevel": str(min(100, stress + draw_int(rng, 30, 60))),
            "StressDurationInSeconds": str(stress_seconds), "LowStressDurationInSeconds": str(low),
            "MediumStressDurationInSeconds": str(medium),
            "HighStressDurationInSeconds": str(stress_seconds - low - medium),
        }
        self.emit("Daily", day.isoformat(), midnight, start=midnight, complete=next_midnight, properties=summary)
        if rng.random() < 0.9:
            bed = self.at(midnight, rng.uniform(-100, 20))
            asleep = draw_int(rng, 300, 500) * 60
            awake = draw_int(rng, 5, 50) * 60
            deep = int(asleep * rng.uniform(0.13, 0.22))
            rem = int(asleep * rng.uniform(0.17, 0.25))
            score = min(100, max(20, round(rng.gauss(76, 10))))
            qualifier = next(name for floor, name in _QUALIFIERS if score >= floor)
            sleep = {"CalendarDate": day.isoformat(), "DurationInSeconds": str(asleep),
                     "DeepSleepDurationInSeconds": str(deep), "LightSleepDurationInSeconds": str(asleep - deep - rem),
                     "RemSleepInSeconds": str(rem), "AwakeDurationInSeconds": str(awake),
                     "OverallSleepScore.Value": str(score), "OverallSleepScore.QualifierKey": qualifier}
            self.emit("Sleep", str(asleep), bed + (asleep + awake) * 1000, start=bed, properties=sleep, units="s")
