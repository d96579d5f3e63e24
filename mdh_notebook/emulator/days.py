"""One participant's days: the one truth every wearable endpoint presents in its own shape.

In the real service the Fitbit endpoints are views of one tracker: v1 device data (namespace
``Fitbit``: daily ``Steps``, ``RestingHeartRate``, ``Calories``, ...), the Fitbit daily summaries
and sleep logs, and v2 device data (``Fitbit`` ``steps`` in 15-minute windows, ``resting-heart-rate``,
``sleep`` stages) with its aggregates. So the sandbox draws each participant's days once, here —
cheaply, a handful of numbers per day, no minutes — and every endpoint renders them:

- ``fitbit_daily`` renders a ``Day`` as a summary (adding only wire quirks and what the tracker
  alone does not know: food, water, body fat);
- ``devicedata_v1_wearables.Fitbit`` emits the day's values as v1 points (on the days worn);
- ``devicedata_v2_signals.wearable`` distributes the tracker's steps (``Day.tracker["steps"]``)
  over the day's minutes (so the minutes of a local day sum to exactly that count; a manually
  logged activity is in the day's totals — v1 ``Steps``, the summary's ``steps`` — but has no
  minutes, as in Fitbit, whose daily totals include logged activities), takes its heart rate around ``Day.resting``,
  its charging break from ``Day.charge`` and its nights from ``Day.night``; the v2 day-level types
  (``resting-heart-rate``, GoogleHealth's daily floors, distance and calories) read the day;
- ``sleep`` makes a main-sleep log of every tracked ``Day.night`` (its stage minutes are the
  night's segments, so v1 ``SleepLevel*`` and v2 ``sleep`` / ``dailysleep`` agree with it); a
  ``Night.classic`` night (no heart-rate data) is a classic log and, in v2, neither stages nor
  heart-rate minutes (v2 has no classic sleep levels); naps are the sleep logs' own (classic logs,
  absent from v2).

Decision (the reference does not say it): **a Fitbit day is the participant's local calendar day**
(midnight to midnight in their time zone, 23 or 25 hours across a daylight-saving change), as
Fitbit itself counts it. A v2 window belongs to the day its start falls in (windows never straddle
a local midnight), v1 day values are dated at the local midnight that starts the day, a summary's
``date`` is that calendar day. A night belongs to the evening it starts on (``Day.night``) and
counts as sleep of the day it ends on (the summary's minute accounting; v2 ``dailysleep``'s sleep
day). A day not worn has no steps and no resting heart rate anywhere; a resting rate Fitbit could
not work out (now and then) is missing from every endpoint alike.

Minutes worn (v1 ``HeartRateIntradayCount``'s ``MinuteCount``, the summary's heart-rate zone
minutes added up) are ``Day.worn_minutes``: the day's minutes less what v2's minutes blank — the
charging break, any part of a night off the wrist or classic (no heart rate), a day not worn — so
they are exactly the day's v2 ``heart-rate`` minutes. Left open: how those minutes split among the
zones is drawn from the day's activity, not counted from the v2 heart rates against the zone bounds.

Everything is a pure function of (seed, participant, window), remembered for the last few
participants (``participant_days``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from .cohort import Participant
from .declarations import GenContext
from .isotime import to_ms
from .kept import Kept

__all__ = ["ZONES", "Day", "Night", "Person", "participant_days"]

#: Fitbit's heart-rate zones, in order (the summary's keys).
ZONES = ("outOfRange", "fatBurn", "cardio", "peak")
_RATES = (1.3, 6.5, 10.0, 13.0)  # relative burn per minute in each zone


@dataclasses.dataclass(frozen=True, slots=True)
class Night:
    """One main sleep: minutes after the local midnight of the evening it starts on (``Day.date``);
    ``segments`` ``(start, end, stage)`` cover [start, end) without gaps; ``tracked``: the tracker
    was worn all night (else no endpoint knows of this night); ``classic``: a tracked night without
    heart-rate data, so Fitbit knows only how long it lasted (a classic sleep log, infoCode "1";
    v2 has no stage segments, no ``dailysleep`` and no heart-rate minutes for it)."""

    start: int
    end: int
    segments: tuple[tuple[int, int, str], ...]
    tracked: bool
    classic: bool = False

    def minutes(self, stage: str) -> int:
        return sum(e - s for s, e, st in self.segments if st == stage)

    @property
    def asleep(self) -> int:
        return sum(e - s for s, e, st in self.segments if st != "wake")

    def shifted(self, by: int) -> Night:
        """The same night with its minutes counted ``by`` minutes later (v2 puts it on its grid)."""
        return dataclasses.replace(self, start=self.start + by, end=self.end + by,
                                   segments=tuple((s + by, e + by, st) for s, e, st in self.segments))


@dataclasses.dataclass(frozen=True)
class Person:
    age: int
    male: bool
    height_m: float
    steps: float  # typical steps a day
    resting: float  # resting heart-rate baseline
    miss: float  # share of days not worn
    skip_night: float  # share of nights the tracker is off the wrist
    bedtime: float  # typical minute of the evening
    need: float  # typical minutes in bed
    max_hr: int
    scale: bool  # weighs on a connected smart scale (v1 ``Weight`` points; the summary's ``bodyFat``)


@dataclasses.dataclass(frozen=True, slots=True)
class Day:
    """One local day of one participant (see the module docstring)."""

    date: dt.date
    midnight_ms: int
    next_midnight_ms: int
    worn: bool
    weight: float  # kg (unrounded)
    bmr: int
    tracker: Mapping[str, Any]  # what the tracker counted itself (the summary's ``tracker``)
    totals: Mapping[str, Any]  # with a manually logged activity added now and then; ``steps`` is the day's
    zones: Mapping[str, Mapping[str, Any]]  # ZONES -> caloriesOut, max, min, minutes
    resting: int | None  # None: not worn, or not worked out
    worn_minutes: int
    charge: tuple[int, int]  # minutes after midnight the tracker spent on its charger
    night: Night | None  # the main sleep starting this evening


def _age(participant: Participant, today: dt.date, rng: random.Random) -> int:
    born = (participant.demographics or {}).get("dateOfBirth")
    if born:
        birth = dt.date.fromisoformat(born)
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return rng.randint(25, 70)


def _person(participant: Participant, today: dt.date, rng: random.Random) -> Person:
    gender = (participant.demographics or {}).get("gender")
    male = gender == "M" if gender in ("M", "F") else rng.random() < 0.5
    reliable = participant.index == 0
    age = _age(participant, today, rng)
    return Person(
        age=age, male=male, height_m=rng.gauss(1.77 if male else 1.63, 0.06),
        steps=8500.0 if reliable else rng.uniform(3500, 12000),
        resting=61.0 if reliable else rng.uniform(50, 74),
        miss=0.03 if reliable else rng.uniform(0.02, 0.2),
        skip_night=0.05 if reliable else rng.uniform(0.05, 0.25),
        bedtime=rng.uniform(22 * 60, 23 * 60 + 45), need=rng.uniform(400, 500), max_hr=220 - age,
        scale=reliable or rng.random() < 0.4,
    )


def _segments(rng: random.Random, start: int, length: int) -> list[tuple[int, int, str]]:
    """Stage segments filling ``length`` minutes: a little wake, then ~90-minute cycles whose deep
    sleep shrinks and REM grows through the night, brief awakenings between them."""
    out: list[tuple[int, int, str]] = []
    t, end, cycle = start, start + length, 0

    def add(stage: str, minutes: int) -> None:
        nonlocal t
        minutes = min(max(1, minutes), end - t)
        if minutes <= 0:
            return
        if out and out[-1][2] == stage:
            out[-1] = (out[-1][0], t + minutes, stage)
        else:
            out.append((t, t + minutes, stage))
        t += minutes

    add("wake", rng.randint(3, 15))
    while t < end:
        late = min(cycle, 4) / 4
        add("light", rng.randint(15, 35))
        add("deep", round(rng.uniform(25, 45) * (1 - late) + rng.uniform(0, 10) * late))
        add("light", rng.randint(8, 20))
        add("rem", round(rng.uniform(6, 12) * (1 - late) + rng.uniform(18, 35) * late))
        if rng.random() < 0.5:
            add("wake", rng.randint(1, 6))
        cycle += 1
    return out


def _bmr(person: Person, weight: float) -> int:
    """Mifflin-St Jeor."""
    return round(10 * weight + 625 * person.height_m - 5 * person.age + (5 if person.male else -161))


def _zones(rng: random.Random, person: Person, worn: int, light: int, fair: int, very: int,
           calories_worn: float) -> dict[str, dict[str, Any]]:
    """The day's zones; their minutes add up to exactly ``worn``."""
    top = person.max_hr
    bounds = (30, round(top * 0.5), round(top * 0.7), round(top * 0.85), 220)
    peak = min(worn, round(very * rng.uniform(0, 0.25)))
    cardio = min(worn - peak, round(very * rng.uniform(0.3, 0.6) + fair * rng.uniform(0, 0.2)))
    fat_burn = max(0, min(worn - peak - cardio, round(fair * 0.7 + light * rng.uniform(0.1, 0.3))))
    minutes = (worn - peak - cardio - fat_burn, fat_burn, cardio, peak)
    weight = sum(m * r for m, r in zip(minutes, _RATES, strict=True)) or 1.0
    return {
        name: {"caloriesOut": round(calories_worn * m * r / weight, 4), "max": bounds[i + 1], "min": bounds[i],
               "minutes": m}
        for i, (name, m, r) in enumerate(zip(ZONES, minutes, _RATES, strict=True))
    }


_IDLE_ZONES = {name: {"caloriesOut": 0.0, "max": 0, "min": 0, "minutes": 0} for name in ZONES}
_IDLE = {"activityCalories": 0, "calories": 0, "distance": 0.0, "elevation": 0.0, "floors": 0,
         "minutesFairlyActive": 0, "minutesLightlyActive": 0, "minutesSedentary": 1440, "minutesVeryActive": 0,
         "steps": 0}


def _activity(rng: random.Random, person: Person, day: dt.date, weight: float, bmr: int, worn: bool,
              asleep: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(tracker, totals) of one day."""
    if not worn:
        tracker = {**_IDLE, "calories": bmr}
        return tracker, dict(tracker)
    weekend = day.weekday() >= 5
    steps = max(150, round(rng.gauss(person.steps * (0.85 if weekend else 1.05), person.steps * 0.3)))
    light = min(400, max(30, round(rng.gauss(150 + steps / 100, 40))))
    fair = min(120, max(0, round(rng.gauss(steps / 800, 8))))
    very = min(180, max(0, round(rng.gauss(steps / 600 - 5, 10))))
    sedentary = 1440 - light - fair - very - asleep
    active = round((light * 2.4 + fair * 5.5 + very * 9.0) * weight / 70)
    floors = max(0, round(rng.gauss(steps / 1000, 3)))
    tracker = {"activityCalories": active, "calories": bmr + active,
               "distance": round(steps * 0.415 * person.height_m / 1000, 2),
               "elevation": round(floors * 3.048, 2), "floors": floors, "minutesFairlyActive": fair,
               "minutesLightlyActive": light, "minutesSedentary": sedentary, "minutesVeryActive": very,
               "steps": steps}
    totals = dict(tracker)
    if rng.random() < 0.06:  # a manually logged activity the tracker did not record
        extra = min(totals["minutesSedentary"], rng.randint(15, 45))
        key = "minutesVeryActive" if rng.random() < 0.5 else "minutesFairlyActive"
        totals[key] += extra
        totals["minutesSedentary"] -= extra
        added_steps = extra * rng.randint(60, 130)
        totals["steps"] += added_steps
        totals["distance"] = round(totals["distance"] + added_steps * 0.415 * person.height_m / 1000, 2)
        burnt = round(extra * rng.uniform(5, 10) * weight / 70)
        totals["activityCalories"] += burnt
        totals["calories"] += burnt
    return tracker, totals


def _worn_minutes(starts: list[int], worn: list[bool], charges: list[tuple[int, int]],
                  nights: list[Night]) -> list[int]:
    """Per day, the minutes the tracker read a heart rate: the day's minutes (``starts``: each local
    midnight's minute from the first, and one past the last) less its charging break and any part
    of a night without heart rate (off the wrist, or classic) — what v2's minutes blank; 0 unworn."""
    out: list[int] = []
    for i, on in enumerate(worn):
        if not on:
            out.append(0)
            continue
        day0, day1 = starts[i], starts[i + 1]
        gaps = [(day0 + charges[i][0], day0 + charges[i][1])]
        for j in (i - 1, i):
            night = nights[j] if j >= 0 else None
            if night is not None and (not night.tracked or night.classic):
                gaps.append((starts[j] + night.start, starts[j] + night.end))
        blank, reach = 0, day0
        for a, b in sorted((max(a, day0), min(b, day1)) for a, b in gaps):
            a = max(a, reach)
            if b > a:
                blank, reach = blank + b - a, b
        out.append(day1 - day0 - blank)
    return out


def _generate(ctx: GenContext, participant: Participant) -> tuple[Person, tuple[Day, ...]]:
    rng = ctx.rng("days", participant.index)
    person = _person(participant, ctx.end, rng)
    tz = participant.tz
    dates = ctx.days()
    midnights = [to_ms(dt.datetime.combine(d, dt.time(), tz)) for d in (*dates, dates[-1] + dt.timedelta(days=1))]
    worn = [rng.random() >= person.miss for _ in dates]
    weight = rng.gauss(24.5, 3.5) * person.height_m ** 2
    drawn: list[tuple[float, int, dict[str, Any], dict[str, Any], int | None]] = []
    charges: list[tuple[int, int]] = []
    nights: list[Night] = []
    asleep = 0  # in the night that ends on the day being drawn
    for i, date in enumerate(dates):
        weight = max(40.0, weight + rng.gauss(0, 0.12))
        bmr = _bmr(person, weight)
        tracker, totals = _activity(rng, person, date, weight, bmr, worn[i], asleep if worn[i] else 0)
        resting = round(rng.gauss(person.resting, 2)) if worn[i] and rng.random() >= 0.02 else None
        charge_start = round(rng.uniform(17 * 60, 20 * 60 + 30))
        charges.append((charge_start, charge_start + rng.randint(25, 80)))
        start = max(charges[-1][1] + 5, round(person.bedtime + rng.gauss(0, 35)))
        length = int(min(620, max(200, rng.gauss(person.need, 45))))
        segments = tuple(_segments(rng, start, length))
        day_length = (midnights[i + 1] - midnights[i]) // 60_000
        ends_next = start + length > day_length
        tracked = (rng.random() >= person.skip_night and worn[i] and i + 1 < len(dates)
                   and (worn[i + 1] or not ends_next))
        classic = tracked and rng.random() < 0.08  # no heart-rate data that night: Fitbit falls back to classic
        nights.append(Night(start, start + length, segments, tracked, classic))
        drawn.append((weight, bmr, tracker, totals, resting))
        asleep = nights[-1].asleep if tracked else 0
    starts = [(m - midnights[0]) // 60_000 for m in midnights]
    wear = _worn_minutes(starts, worn, charges, nights)
    zone_rng = ctx.rng("days-zones", participant.index)
    days: list[Day] = []
    for i, (weight, bmr, tracker, totals, resting) in enumerate(drawn):
        zones = _IDLE_ZONES
        if worn[i]:
            zones = _zones(zone_rng, person, wear[i], tracker["minutesLightlyActive"],
                           tracker["minutesFairlyActive"], tracker["minutesVeryActive"],
                           tracker["calories"] * wear[i] / (starts[i + 1] - starts[i]))
        days.append(Day(dates[i], midnights[i], midnights[i + 1], worn[i], weight, bmr, tracker, totals, zones,
                        resting, wear[i], charges[i], nights[i]))
    return person, tuple(days)


_KEPT: Kept[tuple[Person, tuple[Day, ...]]] = Kept(8)


def participant_days(ctx: GenContext, participant: Participant) -> tuple[Person, tuple[Day, ...]]:
    """The participant's person and their days of the window, in order (every day, worn or not,
    enrolled or not: each endpoint clips them to enrollment and withdrawal its own way)."""
    key = (ctx.seed, ctx.start, ctx.end, participant.id, participant.index, participant.tz_name)
    return _KEPT.get(key, lambda: _generate(ctx, participant))
