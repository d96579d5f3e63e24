"""The builders of v2 device data: each reads a participant's signals (``Source``) and returns a
type's points (``Parts``) — minute-level heart rate (``samples``), steps and heart rate in windows
(``windows``), day-level values (``daily`` with a per-day function: ``steps_daily``, ``resting_hr``, …),
per-night sessions (``sessions``) and sleep-stage segments (``stages``), Dexcom glucose (``egv``),
blood pressure, and Oura's rich points.

Day-level values are computed from the same minutes the minute-level types serve (a
GoogleHealth ``heartRate-daily-avg`` is the mean of that day's ``heartRate`` points; its
``steps-daily`` the sum of its ``steps``; its ``sleep-list-*`` the nights its stage minutes
come from), so aggregates of the fine points agree with the daily types. The figures a tracker
reports for the whole day — resting heart rate, floors, distance, calories — are the
participant's days (``days.Day``), the same the Fitbit daily summaries and v1 carry; the minutes'
steps sum to the tracker's steps (``Day.tracker["steps"]``, the summary's ``tracker.steps``) by
construction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .days import Night
from .devicedata_v2_gen import Builder, Parts, Source
from .devicedata_v2_series import Floats, Ints, Objects, timespan, wall_clock
from .devicedata_v2_signals import MINUTE_MS, glucose, numpy_rng

__all__ = [
    "DailyFn", "blood_pressure", "daily", "day_value", "egv", "hr_daily", "motion", "nightly",
    "oura_activity", "oura_sleep", "oura_source", "resting_hr", "samples", "sessions", "stages", "steps_daily",
    "windows", "worn_minutes", "zone",
]


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


def hr_daily(how: Callable[[Floats], float]) -> DailyFn:
    return lambda src: src.body.daily(src.body.hr, how)


def steps_daily(scale: float = 1.0, decimals: int = 0) -> DailyFn:
    def fn(src: Source) -> Floats:
        body = src.body
        total = body.daily(np.where(body.worn, body.steps, np.nan).astype(np.float64), np.sum)
        return np.round(total * scale, decimals)
    return fn


def worn_minutes(src: Source) -> Floats:
    return src.body.daily(np.where(src.body.worn, 1.0, np.nan), np.sum)


def zone(low: float, high: float) -> DailyFn:
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


def nightly(mean: float, sd: float, low: float, high: float, decimals: int) -> DailyFn:
    def fn(src: Source) -> Floats:
        days = _night_days(src)
        return np.round(np.clip(src.rng.normal(mean, sd, days.size), low, high), decimals) * days
    return fn


def resting_hr(src: Source) -> Floats:
    """The day's resting heart rate (``days.Day.resting``) on the days with heart-rate minutes."""
    body = src.body
    measured = body.daily(body.hr, lambda chunk: 1.0)
    return np.where(np.isfinite(measured), body.resting, np.nan)


def day_value(key: str, scale: float = 1.0) -> DailyFn:
    """A figure of the participant's days (``days.Day.totals[key]``, as the Fitbit daily summary
    has it) times ``scale``, on the days worn."""
    def fn(src: Source) -> Floats:
        worn = worn_minutes(src)
        values = np.array([float(day.totals[key]) * scale for day in src.body.days], dtype=np.float64)
        return np.where(np.isfinite(worn), np.round(values), np.nan)
    return fn


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


def egv(src: Source) -> Parts:
    readings = glucose(src.ctx, src.participant)
    minute = readings["minute"]
    return Parts(src.grid.t0_ms + minute * MINUTE_MS + 17_000, number=readings["value"],
                 props={"trend": readings["trend"],
                        "trendRate": np.array(readings["rate"].tolist(), dtype=object)})


def blood_pressure(which: int) -> Builder:
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


def oura_sleep(src: Source) -> Parts:
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


def oura_activity(src: Source) -> Parts:
    g = src.grid
    steps = steps_daily()(src)
    worn = worn_minutes(src)
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


def oura_source(src: Source, minute: Ints) -> dict[str, Objects]:
    in_bed = src.body.in_bed[minute]
    resting = src.body.steps[minute] == 0
    labels = np.where(in_bed, "sleep", np.where(resting, "rest", "awake"))
    return {"source": np.array(labels.tolist(), dtype=object)}


def motion(src: Source, minute: Ints) -> dict[str, Objects]:
    moving = src.body.steps[minute] > 0
    context = np.where(moving, "2", "1").astype(object)
    context[src.rng.random(minute.size) < 0.4] = None  # often not recorded at all
    return {"HKMetadataKeyHeartRateMotionContext": context}

