"""One participant's body, minute by minute, as numpy arrays: the signals every v2 device reads.

A participant wears one set of devices on one body, so every v2 namespace renders the same
underlying signals (``Wearable``): heart rate and steps per minute while the wearable is worn,
and the nights with their sleep stages. The minutes live the participant's days (``days.Day``,
drawn first and cheaply, and also what the Fitbit daily summaries, sleep logs and v1 serve): a
day not worn has no minutes; the tracker is off on its charger when the day says; each day's
walks are drawn to about the steps its tracker counted (``Day.tracker["steps"]``), then the
minutes' steps are scaled so that the local day sums to exactly that count (a manually logged
activity, in the day's totals only, has no minutes); heart rate rides on the day's resting rate; the nights are the
days' tracked nights (a classic one, ``days.Night.classic``, has no heart-rate minutes and no
stages: it is no night here). Fitbit and GoogleHealth (its successor) read them as they
are; other devices resample them with a little noise of their own. Dexcom reads a glucose signal
of its own (``glucose``) every five minutes.

Time is a grid of UTC minutes from the local midnight that starts the data window
(``Grid.t0_ms``) to the local midnight after it; ``Grid.offset_min`` holds the participant's UTC
offset at every minute (from the zone's rules, hour by hour, so daylight-saving changes land
where they belong) and ``Grid.day_start`` the grid minute at which each local day begins.

Everything is generated from ``numpy`` generators seeded from ``rng_for(seed, purpose, index)``,
so it is deterministic and a year of minutes (~525,000) takes a few tens of milliseconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .cohort import Participant, rng_for
from .days import Day, Night, participant_days
from .declarations import GenContext

__all__ = ["MINUTE_MS", "STAGES", "Grid", "Wearable", "glucose", "grid", "numpy_rng", "wearable"]

MINUTE_MS = 60_000
#: Sleep stages of a night's segments, as the wearable itself knows them.
STAGES = ("wake", "light", "deep", "rem")

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def numpy_rng(seed: int, *parts: object) -> np.random.Generator:
    """A numpy generator for one purpose, seeded like ``rng_for`` (stable across runs)."""
    return np.random.default_rng(rng_for(seed, *parts).getrandbits(128))


@dataclasses.dataclass(frozen=True)
class Grid:
    """The minutes of the data window in the participant's zone (see the module docstring)."""

    t0_ms: int
    offset_min: Ints  # per grid minute
    day_start: Ints  # per local day, and one past the last
    days: tuple[dt.date, ...]
    first_min: int  # data allowed from this grid minute (enrollment) ...
    end_min: int  # ... up to this one, exclusive (withdrawal or the window's end)

    @property
    def minutes(self) -> int:
        return int(self.day_start[-1])

    def offset_at(self, ms: Ints) -> Ints:
        """The UTC offset in minutes at each instant (clipped to the grid)."""
        index = np.clip((ms - self.t0_ms) // MINUTE_MS, 0, self.minutes - 1)
        return self.offset_min[index]

    def local_day(self, minute: Ints) -> Ints:
        """The local day index of each grid minute."""
        return np.searchsorted(self.day_start, minute, side="right").astype(np.int64) - 1


def grid(ctx: GenContext, participant: Participant) -> Grid:
    tz = participant.tz
    days = tuple(ctx.days())
    midnights = [dt.datetime.combine(day, dt.time(), tz) for day in (*days, days[-1] + dt.timedelta(days=1))]
    t0 = midnights[0].astimezone(dt.timezone.utc)
    t0_ms = int(t0.timestamp() * 1000)
    day_start = np.array([(int(m.astimezone(dt.timezone.utc).timestamp() * 1000) - t0_ms) // MINUTE_MS
                          for m in midnights], dtype=np.int64)
    hours = int(day_start[-1]) // 60 + 1
    hour_offsets = np.array([int((t0 + dt.timedelta(hours=h)).astimezone(tz).utcoffset().total_seconds()  # type: ignore[union-attr]
                                 // 60) for h in range(hours)], dtype=np.int64)
    offset_min = np.repeat(hour_offsets, 60)[: int(day_start[-1])]
    first = max(0, -(-(participant.enrollment_ms - t0_ms) // MINUTE_MS))
    end = int(day_start[-1])
    if participant.withdraw_ms is not None:
        end = min(end, max(0, (participant.withdraw_ms - t0_ms) // MINUTE_MS))
    return Grid(t0_ms, offset_min, day_start, days, min(first, end), end)


@dataclasses.dataclass(frozen=True)
class Wearable:
    grid: Grid
    worn: Bools  # per grid minute
    hr: Floats  # bpm per grid minute, NaN where not worn
    steps: Ints  # per grid minute
    in_bed: Bools  # per grid minute: inside one of the nights
    nights: tuple[Night, ...]  # the days' tracked nights, on the grid's minutes (``days.Night.shifted``)
    resting: Floats  # per local day: the resting heart rate (NaN where unknown)
    days: tuple[Day, ...]  # the days this body lives (``days.participant_days``)

    def daily(self, values: Floats, how: Callable[[Floats], float]) -> Floats:
        """``how`` over the finite values of each local day (NaN for a day with none)."""
        out = np.full(len(self.grid.days), np.nan)
        starts = self.grid.day_start
        for d in range(len(self.grid.days)):
            chunk = values[starts[d]: starts[d + 1]]
            chunk = chunk[np.isfinite(chunk)]
            if chunk.size:
                out[d] = how(chunk)
        return out


def _smooth(values: Floats, width: int) -> Floats:
    kernel = np.ones(width) / width
    return np.convolve(values, kernel, mode="same")


def _spread(shape: Floats, allowed: Bools, g: Grid, totals: Floats) -> Ints:
    """Integer minutes following ``shape`` (zero outside ``allowed``) whose sum over each local day
    is exactly ``totals[d]`` (rounding the running total within the day: no minute goes negative)."""
    starts, lengths = g.day_start[:-1], np.diff(g.day_start)
    shape = np.where(allowed, shape, 0.0)
    sums = np.add.reduceat(shape, starts)
    for d in np.flatnonzero((sums <= 0) & (totals > 0)).tolist():  # nothing planned: evenly, while allowed
        shape[starts[d]: starts[d + 1]] = allowed[starts[d]: starts[d + 1]]
        sums[d] = float(shape[starts[d]: starts[d + 1]].sum())
    factor = np.where(sums > 0, totals / np.where(sums > 0, sums, 1.0), 0.0)
    running = np.cumsum(shape * np.repeat(factor, lengths))
    before = np.concatenate([[0.0], running[starts[1:] - 1]])
    within = np.round(running - np.repeat(before, lengths))
    out = np.diff(within, prepend=0.0)
    out[starts] = within[starts]
    return np.asarray(np.maximum(out, 0), dtype=np.int64)


def wearable(ctx: GenContext, participant: Participant) -> Wearable:
    """The participant's minutes (see the module docstring); ``ctx.pace`` is called per day."""
    g = grid(ctx, participant)
    person, days = participant_days(ctx, participant)
    n = g.minutes
    rng = ctx.rng("v2-wearable", participant.index)
    nrng = numpy_rng(ctx.seed, "v2-wearable-minutes", participant.index)
    local = (g.t0_ms // MINUTE_MS + np.arange(n, dtype=np.int64) + g.offset_min) % 1440  # minute of local day
    worn = np.ones(n, dtype=bool)
    nights: list[Night] = []
    bouts: list[tuple[int, int, float]] = []
    for d, day in enumerate(days):
        ctx.pace()
        day0, day1 = int(g.day_start[d]), int(g.day_start[d + 1])
        if not day.worn:
            worn[day0:day1] = False
        worn[day0 + day.charge[0]: day0 + day.charge[1]] = False
        night = day.night
        if night is not None:
            if not night.tracked or night.classic:  # off the wrist, or no heart rate (a classic night)
                worn[day0 + night.start: day0 + night.end] = False
            elif day0 + night.end <= n:
                nights.append(night.shifted(day0))
        planned, target, walks = 0.0, 0.75 * day.tracker["steps"] if day.worn else 0.0, 0
        while planned < target and walks < 60:  # walks adding up to most of the day's steps
            walks += 1
            at = day0 + round(rng.uniform(7 * 60, 21 * 60))
            length, cadence = max(2, min(75, round(rng.expovariate(1 / 12)))), rng.uniform(70, 122)
            bouts.append((at, length, cadence))
            planned += length * cadence
    in_bed = np.zeros(n, dtype=bool)
    stage_adjust = np.zeros(n)
    adjust = {"wake": 7.0, "light": 0.0, "deep": -4.0, "rem": 4.0}
    for night_ in nights:
        in_bed[night_.start: night_.end] = True
        for s, e, stage in night_.segments:
            stage_adjust[s:e] = adjust[stage]
    shape = np.zeros(n)
    for at, length, cadence in bouts:
        shape[at: at + length] = cadence
    shape = np.where(shape > 0, np.maximum(shape + nrng.normal(0, 6, n), 1.0), 0.0)
    background = (nrng.random(n) < 0.22) & ~in_bed
    shape = np.where(background & (shape == 0), nrng.integers(1, 25, n), shape)
    awake = worn & ~in_bed
    totals = np.array([day.tracker["steps"] if day.worn else 0 for day in days], dtype=np.float64)
    steps = _spread(shape, awake, g, totals)
    resting_by_day = np.array([np.nan if day.resting is None else day.resting for day in days], dtype=np.float64)
    level = np.repeat(np.where(np.isfinite(resting_by_day), resting_by_day, person.resting), np.diff(g.day_start))
    diurnal = 4 * np.sin(2 * np.pi * (local - 10 * 60) / 1440)
    awake_hr = level + 11 + diurnal + 0.42 * _smooth(np.minimum(steps, 160).astype(np.float64), 6)
    asleep_hr = level - 4 + stage_adjust
    noise = _smooth(nrng.normal(0, 5, n), 5) + nrng.normal(0, 1.2, n)
    hr = np.clip(np.round(np.where(in_bed, asleep_hr, awake_hr) + noise), 38, 200)
    valid = np.zeros(n, dtype=bool)
    valid[g.first_min: g.end_min] = True
    worn &= valid
    hr = np.where(worn, hr, np.nan)
    nights = [night_ for night_ in nights if g.first_min <= night_.start and night_.end <= g.end_min]
    return Wearable(g, worn, hr, np.where(worn, steps, 0), in_bed & worn, tuple(nights), resting_by_day,
                    tuple(days))


_TRENDS = ((-3.0, "doubleDown"), (-2.0, "singleDown"), (-1.0, "fortyFiveDown"), (1.0, "flat"),
           (2.0, "fortyFiveUp"), (3.0, "singleUp"))


def _trend(rate: float) -> str:
    for bound, name in _TRENDS:
        if rate < bound or (name == "flat" and rate <= bound):
            return name
    return "doubleUp"


def glucose(ctx: GenContext, participant: Participant) -> dict[str, Any]:
    """Dexcom readings every 5 minutes: ``minute`` (grid minutes), ``value`` (mg/dL), ``rate``
    (mg/dL/min over the last 15 minutes), ``trend`` names. Sensors last 10 days, then a 2-hour
    warm-up without readings; a few readings are missing."""
    g = grid(ctx, participant)
    rng = ctx.rng("v2-glucose", participant.index)
    nrng = numpy_rng(ctx.seed, "v2-glucose-minutes", participant.index)
    n = g.minutes
    impulses = np.zeros(n)
    for d in range(len(g.days)):
        ctx.pace()
        for meal in (7.5 * 60, 12.5 * 60, 19 * 60):
            at = int(g.day_start[d]) + round(meal + rng.gauss(0, 35))
            if 0 <= at < n and rng.random() < 0.92:
                impulses[at] = rng.uniform(30, 75)
    t = np.arange(0, 240, dtype=np.float64)
    kernel = (t / 45) * np.exp(1 - t / 45)  # rises for 45 minutes, then fades
    base = rng.uniform(92, 112)
    drift = _smooth(np.cumsum(nrng.normal(0, 0.08, n)), 240)
    level = base + drift + np.convolve(impulses, kernel)[:n] + _smooth(nrng.normal(0, 2.5, n), 15)
    minute = np.arange(rng.randint(0, 4), n, 5, dtype=np.int64)
    session = 10 * 1440 + 120
    warm = (minute + rng.randint(0, session)) % session < 120
    keep = ~warm & (nrng.random(minute.size) > 0.02) & (minute >= g.first_min) & (minute < g.end_min)
    values = np.clip(np.round(level[minute]), 40, 400)
    previous = np.concatenate([values[:3], values[:-3]])
    rate = np.round((values - previous) / 15, 1)
    minute, values, rate = minute[keep], values[keep], rate[keep]
    return {"grid": g, "minute": minute, "value": values, "rate": rate,
            "trend": np.array([_trend(r) for r in rate.tolist()], dtype=object)}
