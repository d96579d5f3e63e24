"""The environment and the readings of device data v1: ``AirNow`` (namespace ``AirNowApi``),
``WeatherBit``, ``Omron`` and ``Project`` (one generator class each, driven day by day by
``devicedata_v1_namespaces``).

- ``AirNowApi``: a daily AQI for the participant's area, home and (weekdays) work, with AirNow's
  category and pollutant as properties; a missing reading has the value ``""``.
- ``WeatherBit``: daily mean / max / min temperature (°C), relative humidity and a description.
- ``Omron``: blood-pressure readings (systolic, diastolic and pulse sharing a
  ``deviceDataContextID``), mornings and some evenings.
- ``Project``: what a project persisted: daily biometrics (one context per day), log entries whose
  identifier is the day and whose value is JSON text, and occasional alerts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping

from .declarations import GenContext
from .devicedata_v1 import EMPTY, fast_guid
from .devicedata_v1_base import HOUR, MINUTE, Namespace, draw_int
from .isotime import format_instant

__all__ = ["AirNow", "Omron", "Project", "WeatherBit"]


# -- AirNow -------------------------------------------------------------------------------------------

_AQI = ((50, "Good"), (100, "Moderate"), (150, "Unhealthy for Sensitive Groups"), (200, "Unhealthy"),
        (300, "Very Unhealthy"), (10_000, "Hazardous"))


def _category(aqi: int) -> tuple[str, str]:
    for number, (top, name) in enumerate(_AQI, start=1):
        if aqi <= top:
            return str(number), name
    raise AssertionError("unreachable")


class AirNow(Namespace):
    name = "AirNowApi"
    lag = (40 * MINUTE, 3 * HOUR)

    def setup(self, ctx: GenContext) -> None:
        rng = self.rng
        self.base = rng.uniform(22, 45)
        self.level = self.base
        self.smoke = 0
        self.work_zip = f"{draw_int(rng, 10, 99)}{draw_int(rng, 100, 999)}" if self.zip else None

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
            self.smoke = draw_int(rng, 2, 4)
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


class WeatherBit(Namespace):
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
        description, code = _WEATHER[draw_int(rng, 5, 8) if wet else draw_int(rng, 0, 4)]
        emit("WeatherDescription", description, midnight, complete=next_midnight,
             properties={**place, "WeatherCode": code})


# -- Omron --------------------------------------------------------------------------------------------

_FLAGS = tuple({"IrregularHeartbeat": irregular, "BodyMovement": movement}
               for irregular in ("false", "true") for movement in ("false", "true"))


class Omron(Namespace):
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


class Project(Namespace):
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
                                 ("SleepDisturbances", "" if rng.random() < 0.12 else str(draw_int(rng, 0, 6)))):
                emit(type_, value, when, start=midnight, units="" if rng.random() < 0.5 else None, source=source,
                     context=context)
        if rng.random() < 0.4 * self.engagement + 0.1:
            entry = {"identifier": day.isoformat(),
                     "symptoms": sorted(rng.sample(_SYMPTOMS, draw_int(rng, 0, 2))),
                     "impacts": ["Woke up at night"] if rng.random() < 0.2 else [],
                     "triggers": sorted(rng.sample(_TRIGGERS, draw_int(rng, 0, 2)))}
            emit("Asthma-LogEntry", json.dumps(entry, separators=(",", ":")), self.at(midnight, 12 * 60),
                 identifier=day.isoformat())
        if rng.random() < 0.05:
            when = self.at(midnight, rng.uniform(9 * 60, 11 * 60))
            properties: Mapping[str, str] = EMPTY
            if rng.random() < 0.6:
                properties = {"viewed": format_instant(when + draw_int(rng, 10, 600) * MINUTE, "LOCAL", self.tz)}
            emit("AlertTakeover", rng.choice(("DaytimeRestingHeartRate", "RespiratoryRate", "Steps")), when,
                 properties=properties)
