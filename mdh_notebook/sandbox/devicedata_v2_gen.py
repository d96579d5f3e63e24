"""Synthetic v2 device data: the (namespace, type) table (``V2_TYPES``) and one series per
participant and type (``generate_series``), read from the participant's signals
(``devicedata_v2_signals``): minute-level heart rate, steps in windows, sleep-stage segments,
day-level values and per-night sessions, Dexcom glucose every 5 minutes, Oura's rich points.

Day-level values are computed from the same minutes the minute-level types serve (a
GoogleHealth ``heartRate-daily-avg`` is the mean of that day's ``heartRate`` points; its
``steps-daily`` the sum of its ``steps``; its ``sleep-list-*`` the nights its stage minutes
come from), so aggregates of the fine points agree with the daily types.

Type names follow MyDataHelpsUI where it names them (GoogleHealth, HealthConnect, AppleHealth,
Garmin ``sleep-levels``, Fitbit ``sleep``, Oura ``sleep`` / ``daily-activity``); the others
(Fitbit ``heart-rate`` / ``steps`` / ``resting-heart-rate``, GoogleHealth ``heartRate`` /
``steps``, Dexcom ``egv``, Oura ``heartrate``, Garmin ``heart-rate`` / ``steps`` /
``resting-heart-rate``) are inferred from each vendor's own API names.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import numpy as np

from .cohort import Participant
from .declarations import GenContext
from .devicedata_v2_series import Floats, Ints, Objects, Series, Style, timespan, wall_clock
from .devicedata_v2_signals import MINUTE_MS, Grid, Night, Wearable, glucose, numpy_rng, wearable

__all__ = ["DISABLED_V2_TYPES", "V2_NAMESPACES", "V2_TYPES", "TypeSpec", "generate_series", "spec_for"]

V2_NAMESPACES = ("Fitbit", "AppleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "GoogleHealth")
DAY_MS = 86_400_000


_BODIES: OrderedDict[tuple[Any, ...], Wearable] = OrderedDict()
_BODIES_LOCK = threading.Lock()
_BODIES_KEPT = 4


def _body(ctx: GenContext, participant: Participant) -> Wearable:
    """The participant's signals, remembered for the last few participants: every type of every
    namespace reads them, and they are a pure function of this key (so a miss only costs time)."""
    key = (ctx.seed, ctx.start, ctx.end, participant.id, participant.enrollment_ms, participant.withdraw_ms)
    with _BODIES_LOCK:
        body = _BODIES.get(key)
        if body is not None:
            _BODIES.move_to_end(key)
            return body
    body = wearable(ctx, participant)
    with _BODIES_LOCK:
        _BODIES[key] = body
        while len(_BODIES) > _BODIES_KEPT:
            _BODIES.popitem(last=False)
    return body


class Source:
    """What a builder reads for one participant: the signals (made on first use) and its RNGs."""

    def __init__(self, ctx: GenContext, participant: Participant, key: str) -> None:
        self.ctx, self.participant, self.key = ctx, participant, key
        self.rng = numpy_rng(ctx.seed, "v2-type", key, participant.index)

    @cached_property
    def body(self) -> Wearable:
        return _body(self.ctx, self.participant)

    @property
    def grid(self) -> Grid:
        return self.body.grid

    def ms(self, minute: Ints | int) -> Any:
        return self.grid.t0_ms + np.asarray(minute, dtype=np.int64) * MINUTE_MS


@dataclasses.dataclass
class Parts:
    """What a builder returns (arrays in any order; ``generate_series`` sorts them)."""

    obs_ms: Ints
    number: Floats | None = None
    text: Objects | None = None
    start_ms: Ints | None = None
    props: dict[str, Objects] = dataclasses.field(default_factory=dict)
    props_of: Callable[[int, Ints], dict[str, Any]] | None = None  # (i, order) -> properties
    source_codes: Ints | None = None
    naive_day: bool = False  # day-level instants at UTC midnight of the day, offset 0
    synced_ms: Ints | None = None  # when each point could first be synced (default: its observation)
    late_update: float = 0.0  # share of points modified again after insertion


Builder = Callable[[Source], Parts]


@dataclasses.dataclass(frozen=True)
class TypeSpec:
    namespace: str
    type: str
    build: Builder
    units: str | None
    decimals: int = 0
    sources: tuple[dict[str, str], ...] = ()
    style: Style = dataclasses.field(default_factory=Style)
    retention_days: int | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.type}"


# -- builders -------------------------------------------------------------------------------
def samples(step: int, *, jitter_s: int = 0, noise: float = 0.0, source: Callable[[Source, Ints], Ints] | None = None,
            props: Callable[[Source, Ints], dict[str, Objects]] | None = None) -> Builder:
    """Heart rate read every ``step`` minutes while worn (seconds of jitter, device noise)."""
    def build(src: Source) -> Parts:
        body = src.body
        minute = np.flatnonzero(body.worn).astype(np.int64)
        if step > 1:
            minute = minute[(minute - int(src.rng.integers(0, step))) % step == 0]
        value = body.hr[minute]
        if noise:
            value = np.clip(np.round(value + src.rng.normal(0, noise, minute.size)), 38, 200)
        obs = src.ms(minute) + (src.rng.integers(0, jitter_s, minute.size) * 1000 if jitter_s else 0)
        return Parts(obs, number=value, props=props(src, minute) if props else {},
                     source_codes=source(src, minute) if source else None)
    return build


def windows(width: int, what: str = "steps", *, phone_share: float = 0.0) -> Builder:
    """``width``-minute windows (aligned to the hour) summing steps, or the max / min heart rate."""
    def build(src: Source) -> Parts:
        body = src.body
        starts = np.arange(0, src.grid.minutes, width, dtype=np.int64)
        if what == "steps":
            values = np.add.reduceat(body.steps.astype(np.float64), starts)
        else:
            hr = np.where(np.isfinite(body.hr), body.hr, -np.inf if what == "hr-max" else np.inf)
            values = (np.maximum if what == "hr-max" else np.minimum).reduceat(hr, starts)
        full = starts + width <= src.grid.minutes
        keep = full & np.isfinite(values) & (values > 0)
        starts, values = starts[keep], values[keep]
        codes = (src.rng.random(starts.size) < phone_share).astype(np.int64) if phone_share else None
        return Parts(src.ms(starts + width), number=values, start_ms=src.ms(starts), source_codes=codes)
    return build


DailyFn = Callable[[Source], Floats]


def daily(fn: DailyFn, *, naive: bool = False) -> Builder:
    """One value per local day inside the participant's data (``fn`` gives NaN for none)."""
    def build(src: Source) -> Parts:
        g = src.grid
        values = fn(src)
        day = np.arange(len(g.days), dtype=np.int64)
        inside = (g.day_start[:-1] >= g.first_min) & (g.day_start[1:] <= g.end_min) & np.isfinite(values)
        day, values = day[inside], values[inside]
        if naive:
            utc_midnight = np.array([int(np.datetime64(g.days[d], "ms").astype(np.int64)) for d in day.tolist()],
                                    dtype=np.int64)
            return Parts(utc_midnight, number=values, naive_day=True, late_update=0.3,
                         synced_ms=src.ms(g.day_start[1:][day]))
        return Parts(src.ms(g.day_start[1:][day]), number=values, start_ms=src.ms(g.day_start[:-1][day]),
                     late_update=0.3)
    return build


def _hr_daily(how: Callable[[Floats], float]) -> DailyFn:
    return lambda src: src.body.daily(src.body.hr, how)


def _steps_daily(scale: float = 1.0, decimals: int = 0) -> DailyFn:
    def fn(src: Source) -> Floats:
        body = src.body
        total = body.daily(np.where(body.worn, body.steps, np.nan).astype(np.float64), np.sum)
        return np.round(total * scale, decimals)
    return fn


def _worn_minutes(src: Source) -> Floats:
    return src.body.daily(np.where(src.body.worn, 1.0, np.nan), np.sum)


def _zone(low: float, high: float) -> DailyFn:
    def fn(src: Source) -> Floats:
        hr = src.body.hr
        inside = np.where(np.isfinite(hr), ((hr >= low) & (hr < high)).astype(np.float64), np.nan)
        return src.body.daily(inside, np.sum)
    return fn


def _night_days(src: Source) -> Floats:
    """1.0 on the local day each night ends (the wake-up day), NaN elsewhere."""
    out = np.full(len(src.grid.days), np.nan)
    for night in src.body.nights:
        out[int(src.grid.local_day(np.array([night.end - 1]))[0])] = 1.0
    return out


def _nightly(mean: float, sd: float, low: float, high: float, decimals: int) -> DailyFn:
    def fn(src: Source) -> Floats:
        days = _night_days(src)
        return np.round(np.clip(src.rng.normal(mean, sd, days.size), low, high), decimals) * days
    return fn


def _resting(src: Source) -> Floats:
    return np.round(src.body.daily(src.body.hr, lambda chunk: float(np.percentile(chunk, 4))))


def _calories(active_only: bool) -> DailyFn:
    def fn(src: Source) -> Floats:
        steps = _steps_daily()(src)
        active = steps * 0.042 + src.rng.normal(0, 40, steps.size).clip(-60, 60)
        base = 0 if active_only else 1450 + src.participant.index % 5 * 60
        return np.asarray(np.round(np.maximum(active, 0) + base), dtype=np.float64)
    return fn


def _floors(src: Source) -> Floats:
    steps = _steps_daily()(src)
    return np.where(np.isfinite(steps), src.rng.poisson(np.nan_to_num(steps) / 1100), np.nan).astype(np.float64)


def sessions(fn: Callable[[Night], float]) -> Builder:
    """One point per night: started at bedtime, dated at the session's end (the wake-up)."""
    def build(src: Source) -> Parts:
        nights = src.body.nights
        start = src.ms(np.array([n.start for n in nights], dtype=np.int64))
        end = src.ms(np.array([n.end for n in nights], dtype=np.int64))
        ids = np.array([f"{src.rng.integers(10**11, 10**12)}" for _ in nights], dtype=object)
        return Parts(end, number=np.array([fn(n) for n in nights], dtype=np.float64), start_ms=start,
                     props={"sessionId": ids}, late_update=0.1)
    return build


def stages(names: Mapping[str, str], *, session_key: str, in_bed: str | None = None) -> Builder:
    """Every stage segment of every night (named as the device names them); with ``in_bed``, one
    more point spanning the whole session (Apple Health's ``InBed``)."""
    def build(src: Source) -> Parts:
        starts: list[int] = []
        ends: list[int] = []
        labels: list[str] = []
        session: list[str] = []
        for night in src.body.nights:
            if in_bed:
                ident = str(uuid.UUID(bytes=src.rng.bytes(16), version=4))
            else:
                ident = str(src.rng.integers(10**10, 10**11))
            if in_bed:
                starts.append(night.start - int(src.rng.integers(2, 12)))
                ends.append(night.end + int(src.rng.integers(1, 8)))
                labels.append(in_bed)
                session.append(ident)
            for s, e, stage in night.segments:
                starts.append(s)
                ends.append(e)
                labels.append(names[stage])
                session.append(ident)
        return Parts(src.ms(np.array(ends, dtype=np.int64)), text=np.array(labels, dtype=object),
                     start_ms=src.ms(np.array(starts, dtype=np.int64)),
                     props={session_key: np.array(session, dtype=object)})
    return build


def _egv(src: Source) -> Parts:
    readings = glucose(src.ctx, src.participant)
    minute = readings["minute"]
    return Parts(src.grid.t0_ms + minute * MINUTE_MS + 17_000, number=readings["value"],
                 props={"trend": readings["trend"],
                        "trendRate": np.array(readings["rate"].tolist(), dtype=object)})


def _blood_pressure(which: int) -> Builder:
    def build(src: Source) -> Parts:
        g = src.grid
        rng = numpy_rng(src.ctx.seed, "v2-blood-pressure", src.participant.index)  # both types: one draw
        days = np.flatnonzero(rng.random(len(g.days)) < 0.45).astype(np.int64)
        minute = g.day_start[days] + rng.integers(7 * 60, 9 * 60, days.size)
        systolic = np.round(rng.normal(122, 9, days.size))
        diastolic = np.round(np.minimum(rng.normal(79, 6, days.size), systolic - 25))
        record = np.array([str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in days], dtype=object)
        keep = (minute >= g.first_min) & (minute < g.end_min)
        values = (systolic, diastolic)[which]
        return Parts(src.ms(minute[keep]), number=np.asarray(values[keep], dtype=np.float64),
                     props={"recordId": record[keep],
                            "measurementLocation": np.array(["LEFT_UPPER_ARM"] * int(keep.sum()), dtype=object)})
    return build


def _oura_sleep(src: Source) -> Parts:
    g, body = src.grid, src.body
    nights = body.nights
    wake_day = [int(g.local_day(np.array([n.end - 1]))[0]) for n in nights]
    utc_midnight = np.array([int(np.datetime64(g.days[d], "ms").astype(np.int64)) for d in wake_day], dtype=np.int64)
    measured = [max(60, round(n.asleep * 60 * float(src.rng.uniform(0.94, 1.06)))) for n in nights]
    lowest = [int(np.nanmin(body.hr[n.start:n.end])) for n in nights]
    hrv = src.rng.normal(38, 7, len(nights)).round()
    readiness = src.rng.integers(55, 95, len(nights))

    def props(i: int, order: Ints) -> dict[str, Any]:
        j = int(order[i])
        n = nights[j]
        start_off = int(g.offset_min[n.start])
        end_off = int(g.offset_min[n.end - 1])
        return {
            "day": str(g.days[wake_day[j]]),
            "type": "long_sleep",
            "period": 0,
            "bedtime_start": wall_clock(src.ms(n.start) + start_off * MINUTE_MS) + _iso_offset(start_off),
            "bedtime_end": wall_clock(src.ms(n.end) + end_off * MINUTE_MS) + _iso_offset(end_off),
            "time_in_bed": (n.end - n.start) * 60,
            "total_sleep_duration": measured[j],
            "deep_sleep_duration": n.minutes("deep") * 60,
            "light_sleep_duration": n.minutes("light") * 60,
            "rem_sleep_duration": n.minutes("rem") * 60,
            "awake_time": n.minutes("wake") * 60,
            "efficiency": round(100 * n.asleep / (n.end - n.start)),
            "lowest_heart_rate": lowest[j],
            "average_hrv": None if hrv[j] < 15 else int(hrv[j]),
            "readiness": {"score": int(readiness[j]) if j % 7 else None},
        }
    return Parts(utc_midnight, number=np.array(measured, dtype=np.float64), props_of=props, naive_day=True,
                 synced_ms=src.ms(np.array([n.end for n in nights], dtype=np.int64)))


def _iso_offset(minutes: int) -> str:
    text = timespan(minutes)
    return text[: text.rindex(":")] if text.startswith("-") else "+" + text[: text.rindex(":")]


def _oura_activity(src: Source) -> Parts:
    g = src.grid
    steps = _steps_daily()(src)
    worn = _worn_minutes(src)
    day = np.arange(len(g.days), dtype=np.int64)
    inside = (g.day_start[:-1] >= g.first_min) & (g.day_start[1:] <= g.end_min) & np.isfinite(steps)
    day = day[inside]
    utc_midnight = np.array([int(np.datetime64(g.days[d], "ms").astype(np.int64)) for d in day.tolist()],
                            dtype=np.int64)
    score = np.clip(np.round(55 + np.nan_to_num(steps[day]) / 400 + src.rng.normal(0, 6, day.size)), 30, 100)

    def props(i: int, order: Ints) -> dict[str, Any]:
        d = int(day[int(order[i])])
        ring_steps = round(float(steps[d]) * 0.97)
        midnight = int(g.day_start[d])
        off = int(g.offset_min[midnight])
        return {"score": int(score[int(order[i])]), "steps": ring_steps,
                "active_calories": round(ring_steps * 0.04), "total_calories": 1500 + round(ring_steps * 0.045),
                "equivalent_walking_distance": round(ring_steps * 0.76),
                "non_wear_time": int(max(0.0, 1440 - float(worn[d])) * 60),
                "timestamp": wall_clock(src.ms(midnight + 240) + off * MINUTE_MS) + _iso_offset(off)}
    return Parts(utc_midnight, number=score, props_of=props, naive_day=True, late_update=0.4,
                 synced_ms=src.ms(g.day_start[1:][day]))


def _oura_source(src: Source, minute: Ints) -> dict[str, Objects]:
    in_bed = src.body.in_bed[minute]
    resting = src.body.steps[minute] == 0
    labels = np.where(in_bed, "sleep", np.where(resting, "rest", "awake"))
    return {"source": np.array(labels.tolist(), dtype=object)}


def _motion(src: Source, minute: Ints) -> dict[str, Objects]:
    moving = src.body.steps[minute] > 0
    context = np.where(moving, "2", "1").astype(object)
    context[src.rng.random(minute.size) < 0.4] = None  # often not recorded at all
    return {"HKMetadataKeyHeartRateMotionContext": context}


# -- the table ------------------------------------------------------------------------------
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
        s("Fitbit", "resting-heart-rate", daily(_resting), "bpm", sources=FITBIT_SOURCE, style=daily_style),
        s(g, "heartRate", samples(1), "bpm", sources=GOOGLE_SOURCE, style=Style(no_start="absent"), retention_days=365),
        s(g, "steps", windows(15), "steps", sources=GOOGLE_SOURCE),
        s(g, "steps-daily", daily(_steps_daily()), "steps", style=daily_style),
        s(g, "heartRate-daily-avg", daily(_hr_daily(lambda c: float(np.mean(c)))), "bpm", decimals=4,
          style=daily_style),
        s(g, "heartRate-daily-min", daily(_hr_daily(lambda c: float(np.min(c)))), "bpm", style=daily_style),
        s(g, "heartRate-daily-max", daily(_hr_daily(lambda c: float(np.max(c)))), "bpm", style=daily_style),
        s(g, "dailyRestingHeartRate-list-beatsPerMinute", daily(_resting), "bpm", style=daily_style),
        s(g, "dailyHeartRateVariability-list-averageRmssd", daily(_nightly(42, 9, 12, 110, 2)), "ms",
          decimals=2, style=daily_style),
        s(g, "dailyOxygenSaturation-list-avg", daily(_nightly(96.4, 0.9, 90, 100, 1)), "%", decimals=1,
          style=daily_style),
        s(g, "dailyRespiratoryRate-list-breathsPerMinute", daily(_nightly(14.6, 0.9, 10, 22, 1)), "brpm",
          decimals=1, style=daily_style),
        s(g, "sleep-list-session-asleep", sessions(lambda n: n.asleep), "min", style=daily_style),
        s(g, "sleep-list-stages-summary-deep-minutes", sessions(lambda n: n.minutes("deep")), "min",
          style=daily_style),
        s(g, "sleep-list-stages-summary-light-minutes", sessions(lambda n: n.minutes("light")), "min",
          style=daily_style),
        s(g, "sleep-list-stages-summary-rem-minutes", sessions(lambda n: n.minutes("rem")), "min",
          style=daily_style),
        s(g, "activeZoneMinutes-daily-fat-burn", daily(_zone(105, 130)), "min", style=daily_style),
        s(g, "activeZoneMinutes-daily-cardio", daily(_zone(130, 155)), "min", style=daily_style),
        s(g, "activeZoneMinutes-daily-peak", daily(_zone(155, 999)), "min", style=daily_style),
        s(g, "wearTime-daily", daily(_worn_minutes), "min", style=daily_style),
        s(g, "floors-daily", daily(_floors), "floors", style=daily_style),
        s(g, "distance-daily", daily(_steps_daily(0.762, 0)), "m", style=daily_style),
        s(g, "totalCalories-daily", daily(_calories(False)), "kcal", style=daily_style),
        s(g, "activeEnergyBurned-daily", daily(_calories(True)), "kcal", style=daily_style),
        s("Dexcom", "egv", _egv, "mg/dL", sources=DEXCOM_SOURCE, retention_days=730),
        s("Oura", "heartrate", samples(5, noise=1.5, props=_oura_source), "bpm", style=Style(empty_source="empty")),
        s("Oura", "sleep", _oura_sleep, None, style=_NAIVE),
        s("Oura", "daily-activity", _oura_activity, None, style=_NAIVE),
        s(hc, "heart-rate", samples(5, noise=1.0, source=lambda src, m: np.zeros(m.size, dtype=np.int64)), "bpm",
          sources=CONNECT_SOURCES, style=Style(stamp_digits=7)),
        s(hc, "steps", windows(60, phone_share=0.3), "count", sources=CONNECT_SOURCES),
        s(hc, "steps-daily", daily(_steps_daily()), "count", style=daily_style),
        s(hc, "heart-rate-daily-maximum", daily(_hr_daily(lambda c: float(np.max(c)))), "bpm", style=daily_style),
        s(hc, "heart-rate-daily-minimum", daily(_hr_daily(lambda c: float(np.min(c)))), "bpm", style=daily_style),
        s(hc, "resting-heart-rate", daily(_resting), "bpm", style=daily_style),
        s(hc, "distance-daily", daily(_steps_daily(0.762, 0)), "m", style=daily_style),
        s(hc, "sleep", stages(STAGE_NAMES["HealthConnect"], session_key="sessionId"), None,
          sources=CONNECT_SOURCES[:1]),
        s(hc, "blood-pressure-systolic", _blood_pressure(0), "mmHg"),
        s(hc, "blood-pressure-diastolic", _blood_pressure(1), "mmHg"),
        s("AppleHealth", "Heart Rate", samples(5, jitter_s=180, noise=1.0, props=_motion), "count/min",
          sources=APPLE_SOURCES, style=Style(no_start="absent", empty_properties="absent"), retention_days=365),
        s("AppleHealth", "Steps", windows(10, phone_share=0.35), "count", sources=APPLE_SOURCES),
        s("AppleHealth", "Hourly Steps", windows(60), "count"),
        s("AppleHealth", "Hourly Maximum Heart Rate", windows(60, "hr-max"), "count/min"),
        s("AppleHealth", "Hourly Minimum Heart Rate", windows(60, "hr-min"), "count/min"),
        s("AppleHealth", "Resting Heart Rate", daily(_resting), "count/min", sources=APPLE_SOURCES[:1]),
        s("AppleHealth", "Sleep Analysis", stages(STAGE_NAMES["AppleHealth"], session_key="HKSessionID",
                                                  in_bed="InBed"), None, sources=APPLE_SOURCES[:1]),
        s("Garmin", "heart-rate", samples(2, noise=1.0), "bpm", sources=GARMIN_SOURCE),
        s("Garmin", "steps", windows(15), "steps", sources=GARMIN_SOURCE),
        s("Garmin", "sleep-levels", stages(STAGE_NAMES["Garmin"], session_key="summaryId"), None,
          sources=GARMIN_SOURCE),
        s("Garmin", "resting-heart-rate", daily(_resting), "bpm", sources=GARMIN_SOURCE, style=daily_style),
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


def generate_series(spec: TypeSpec, ctx: GenContext, participant: Participant) -> Series:
    """The participant's points of ``spec`` (the caller checks the participant has the source)."""
    src = Source(ctx, participant, spec.key)
    parts = spec.build(src)
    number = parts.number if parts.number is not None else np.full(parts.obs_ms.size, np.nan)
    number = np.asarray(np.round(number.astype(np.float64), spec.decimals), dtype=np.float64)
    order = np.lexsort((np.arange(parts.obs_ms.size), parts.obs_ms)).astype(np.int64)
    p = participant
    first = parts.obs_ms if parts.start_ms is None else np.minimum(parts.start_ms, parts.obs_ms)
    inside = first[order] >= p.enrollment_ms
    if p.withdraw_ms is not None:
        inside &= parts.obs_ms[order] < p.withdraw_ms
    order = order[inside]  # nothing before enrollment or after withdrawal
    n = int(order.size)
    obs = parts.obs_ms[order]
    start = parts.start_ms[order] if parts.start_ms is not None else None
    if parts.naive_day:
        obs_off = np.zeros(n, dtype=np.int64)
    else:
        obs_off = src.grid.offset_at(obs - 1) if start is not None else src.grid.offset_at(obs)
    start_off = src.grid.offset_at(start) if start is not None else None
    rng = src.rng
    gaps = rng.integers(15 * MINUTE_MS, 90 * MINUTE_MS, (src.grid.minutes // 15) + 200)
    syncs = src.grid.t0_ms + np.cumsum(gaps)
    ready = parts.synced_ms[order] if parts.synced_ms is not None else obs
    inserted_ms = syncs[np.minimum(np.searchsorted(syncs, ready), syncs.size - 1)]
    inserted_us = np.maximum(inserted_ms, ready) * 1000 + rng.integers(0, 1_000_000, n)
    late = rng.random(n) < parts.late_update
    modified_us = inserted_us + np.where(late, rng.integers(60 * 1_000_000, 6 * 3600 * 1_000_000, n), 0)
    props_of = None
    if parts.props_of is not None:
        build_props = parts.props_of
        props_of = lambda i: build_props(i, order)  # noqa: E731
    codes = parts.source_codes[order] if parts.source_codes is not None else (
        np.zeros(n, dtype=np.int64) if spec.sources else None)
    return Series(
        namespace=spec.namespace, type=spec.type, participant_id=participant.id,
        participant_identifier=participant.identifier, units=spec.units, obs_ms=obs, obs_off=obs_off,
        start_ms=start, start_off=start_off, number=number[order],
        text=parts.text[order] if parts.text is not None else None, decimals=spec.decimals,
        inserted_us=inserted_us, modified_us=modified_us, ids=rng.bytes(16 * n), identifier_bytes=rng.bytes(16 * n),
        uuid_identifiers=spec.namespace == "AppleHealth",
        props={key: column[order] for key, column in parts.props.items()}, props_of=props_of,
        source_codes=codes, sources=spec.sources, style=spec.style,
    )
