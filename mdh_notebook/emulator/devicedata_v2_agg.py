"""Aggregates and daily sleep computed from a series' selected points (numpy, no loop per point).

Intervals are the participant's local calendar: a point is placed by its start when it has one,
else by its observation, at the wall clock of its own offset. ``Minutes`` and ``Hours`` buckets
restart at each local midnight (``intervalAmount`` minutes or hours from it); ``Days`` count from
1970-01-01, ``Weeks`` are Monday-based weeks counted from Monday 1970-01-05, ``Months`` calendar
months counted from January 1970, each in runs of ``intervalAmount``. An interval's ``date`` is
its local start, written without an offset (as the real API does, per MyDataHelpsUI). Intervals
without points are left out. ``count`` counts the points; ``sum``/``avg``/``min``/``max`` read the
numeric values only, and an interval without any leaves those functions out of its statistics.

Daily sleep sums, per local sleep day and stage, the durations (observation - start) of stage
segments; a segment belongs to the day of its start + 6 hours (a sleep day runs from 6 pm the day
before to 6 pm, as MyDataHelpsUI counts it). ``duration`` is .NET ``TimeSpan`` text (``hh:mm:ss``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from .devicedata_v2_series import Floats, Ints, Series, wall_clock

__all__ = ["FUNCTIONS", "INTERVAL_TYPES", "Intervals", "SleepSummary", "aggregate", "bucket_starts", "daily_sleep"]

INTERVAL_TYPES = ("Minutes", "Hours", "Days", "Weeks", "Months")
FUNCTIONS = ("sum", "avg", "count", "min", "max")
MINUTE_MS = 60_000
DAY_MS = 86_400_000


def bucket_starts(local_ms: Ints, amount: int, kind: str) -> Ints:
    """The local start (epoch ms of the wall clock) of each instant's interval."""
    day = local_ms // DAY_MS
    if kind in ("Minutes", "Hours"):
        width = amount * MINUTE_MS * (60 if kind == "Hours" else 1)
        within = local_ms - day * DAY_MS
        return day * DAY_MS + (within // width) * width
    if kind == "Days":
        return (day // amount) * amount * DAY_MS
    if kind == "Weeks":
        week = (day - 4) // 7  # 1970-01-05 was a Monday
        return ((week // amount) * amount * 7 + 4) * DAY_MS
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    first = ((months // amount) * amount).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first * DAY_MS


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


@dataclasses.dataclass(frozen=True)
class Intervals(Sequence["Interval"]):
    """The intervals of one aggregate query, sorted by date (made on access)."""

    series: Series
    starts: Ints
    stats: dict[str, Floats]  # function -> value per interval (NaN: none)

    def __len__(self) -> int:
        return int(self.starts.size)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(len(self)))]
        return Interval(self, int(item), (int(self.starts[item]),))


@dataclasses.dataclass(frozen=True, slots=True)
class Interval:
    intervals: Intervals
    i: int
    key: tuple[int]

    def render(self) -> dict[str, Any]:
        s = self.intervals.series
        stats: dict[str, int | float] = {}
        for name, values in self.intervals.stats.items():
            value = float(values[self.i])
            if value == value:  # not NaN
                stats[name] = int(value) if name == "count" else _number(value)
        return {"participantID": s.participant_id, "participantIdentifier": s.participant_identifier,
                "namespace": s.namespace, "type": s.type, "date": wall_clock(self.key[0]), "statistics": stats}


def aggregate(series: Series, index: Ints, amount: int, kind: str, functions: Sequence[str]) -> Intervals:
    when, offset = series.when_ms()
    local = when[index] + offset[index] * MINUTE_MS
    starts, group = np.unique(bucket_starts(local, amount, kind), return_inverse=True)
    k = int(starts.size)
    values = series.number[index]
    numeric = np.isfinite(values)
    seen = np.bincount(group[numeric], minlength=k).astype(np.float64)
    present = np.where(seen > 0, 1.0, np.nan)
    stats: dict[str, Floats] = {}
    for name in functions:
        if name == "count":
            stats[name] = np.bincount(group, minlength=k).astype(np.float64)
        elif name in ("sum", "avg"):
            total = np.bincount(group[numeric], weights=values[numeric], minlength=k)
            mean = total / np.where(seen > 0, seen, np.nan)
            stats[name] = np.asarray(total * present if name == "sum" else mean, dtype=np.float64)
        else:
            out = np.full(k, np.inf if name == "min" else -np.inf)
            (np.minimum if name == "min" else np.maximum).at(out, group[numeric], values[numeric])
            stats[name] = out * present
    return Intervals(series, starts.astype(np.int64), stats)


@dataclasses.dataclass(frozen=True)
class SleepSummary:
    series: Series
    day_ms: int
    stage: str
    duration_ms: int

    @property
    def key(self) -> tuple[int, str]:
        return (self.day_ms, self.stage)

    def render(self) -> dict[str, Any]:
        s = self.series
        seconds = self.duration_ms // 1000
        days, rest = divmod(seconds, 86_400)
        clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
        return {"participantID": s.participant_id, "participantIdentifier": s.participant_identifier,
                "namespace": s.namespace, "type": s.type, "date": wall_clock(self.day_ms), "value": self.stage,
                "duration": f"{days}.{clock}" if days else clock}


def daily_sleep(series: Series, index: Ints) -> list[SleepSummary]:
    if not series.stages or series.start_ms is None or series.start_off is None or series.text is None:
        return []
    start = series.start_ms[index]
    local = start + series.start_off[index] * MINUTE_MS
    day = ((local + 6 * 3600 * 1000) // DAY_MS) * DAY_MS
    duration = np.maximum(series.obs_ms[index] - start, 0)
    stage = series.text[index]
    totals: dict[tuple[int, str], int] = {}
    for d, st, ms in zip(day.tolist(), stage.tolist(), duration.tolist(), strict=True):
        totals[(d, st)] = totals.get((d, st), 0) + ms
    return [SleepSummary(series, d, st, ms) for (d, st), ms in sorted(totals.items())]
