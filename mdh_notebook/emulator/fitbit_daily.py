"""Synthetic Fitbit daily summaries: one per calendar day the participant wore (or owned) the tracker.

Consistency rules kept by every summary:

- minutes: ``sedentary + lightly + fairly + very = 1440 - minutes asleep`` (so at most 1440);
  a day the tracker was not worn is 1440 sedentary minutes, zero steps, no resting heart rate;
- ``tracker.*`` are the tracker's own counts; the totals add a manually logged activity now and
  then (steps, distance, active minutes and calories a little above the tracker's), never less;
- ``calories = caloriesBMR + activityCalories`` (also for ``tracker``); ``caloriesBMR`` follows
  the Mifflin-St Jeor formula from the day's ``bodyWeight``, a height and the participant's age;
  ``bodyBMI = bodyWeight / height²``;
- ``distance`` (km) is steps times a stride of 0.415 × height; ``elevation`` (m) is
  ``floors × 3.048``;
- heart-rate zones follow Fitbit's defaults from a maximum of 220 − age (out of range below 50 %,
  fat burn to 70 %, cardio to 85 %, peak above; each zone's ``max`` is the next one's ``min``);
  their minutes add up to the minutes worn (≤ 1440) and their ``caloriesOut`` to the share of
  ``calories`` burnt while worn; ``restingHeartRate`` drifts around a personal baseline (48–76).

Wire quirks: ``date`` is the local calendar day, mostly ``2026-08-03T00:00:00`` (no offset, as the
real API's sample), sometimes a bare date, ``...Z`` or ``+00:00``; ``modifiedDate`` is an instant
(the sync after the day) in every form; optional values (``bodyFat`` without a smart scale,
``restingHeartRate`` on a day not worn, ``heartRateZones`` on such a day) are sometimes null and
sometimes missing.

Only days from the first local midnight at or after enrollment have a summary, and only those
synced (``modifiedDate``, after the day's end) before any withdrawal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from .accounts import fitbit_provider_id
from .cohort import Participant
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = ["DailyRow", "generate_daily_summaries"]

_DATE_FORMS = ("NAIVE", "DATE", "Z", "UTC")
_DATE_WEIGHTS = (70, 10, 10, 10)
_MODIFIED_WEIGHTS = (30, 10, 15, 30, 15)  # Z3, Z2, UTC, LOCAL, NAIVE
_ZONES = ("outOfRange", "fatBurn", "cardio", "peak")
_MINUTE_KEYS = ("minutesSedentary", "minutesLightlyActive", "minutesFairlyActive", "minutesVeryActive")


@dataclasses.dataclass(frozen=True, slots=True)
class DailyRow:
    record: dict[str, Any]
    date_us: int  # midnight UTC of the calendar date, in microseconds: the filters' and sort's key
    provider_id: int  # the external account provider the summary came through (the directory's Fitbit)


@dataclasses.dataclass(frozen=True)
class _Person:
    age: int
    male: bool
    height_m: float
    steps: float  # typical steps a day
    resting: float  # resting heart-rate baseline
    miss: float  # share of days not worn
    scale: bool  # a smart scale: bodyFat is known
    fat: float
    food: bool  # logs food
    water: bool  # logs water


def _age(participant: Participant, today: dt.date, rng: random.Random) -> int:
    born = (participant.demographics or {}).get("dateOfBirth")
    if born:
        birth = dt.date.fromisoformat(born)
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return rng.randint(25, 70)


def _person(participant: Participant, today: dt.date, rng: random.Random) -> _Person:
    gender = (participant.demographics or {}).get("gender")
    male = gender == "M" if gender in ("M", "F") else rng.random() < 0.5
    return _Person(
        age=_age(participant, today, rng),
        male=male,
        height_m=rng.gauss(1.77 if male else 1.63, 0.06),
        steps=8500.0 if participant.index == 0 else rng.uniform(3500, 12000),
        resting=rng.uniform(48, 76),
        miss=0.03 if participant.index == 0 else rng.uniform(0.02, 0.2),
        scale=participant.index == 0 or rng.random() < 0.4,
        fat=rng.uniform(16, 34),
        food=participant.index == 0 or rng.random() < 0.2,
        water=participant.index == 0 or rng.random() < 0.25,
    )


def _bmr(person: _Person, weight: float) -> int:
    return round(10 * weight + 625 * person.height_m - 5 * person.age + (5 if person.male else -161))


def _render_date(day: dt.date, form: str) -> str:
    if form == "DATE":
        return day.isoformat()
    midnight = to_ms(dt.datetime.combine(day, dt.time(), dt.timezone.utc))
    return format_instant(midnight, "Z3" if form == "Z" else form).replace(".000", "")


def _zones(rng: random.Random, person: _Person, worn: int, light: int, fair: int, very: int,
           calories_worn: float) -> dict[str, dict[str, Any]]:
    top = 220 - person.age
    bounds = (30, round(top * 0.5), round(top * 0.7), round(top * 0.85), 220)
    peak = round(very * rng.uniform(0, 0.25))
    cardio = round(very * rng.uniform(0.3, 0.6) + fair * rng.uniform(0, 0.2))
    fat_burn = min(worn - peak - cardio, round(fair * 0.7 + light * rng.uniform(0.1, 0.3)))
    minutes = (max(0, worn - peak - cardio - fat_burn), fat_burn, cardio, peak)
    rates = (1.3, 6.5, 10.0, 13.0)  # relative burn per minute in each zone
    weight = sum(m * r for m, r in zip(minutes, rates, strict=True)) or 1.0
    return {
        name: {"caloriesOut": round(calories_worn * m * r / weight, 4), "max": bounds[i + 1], "min": bounds[i],
               "minutes": m}
        for i, (name, m, r) in enumerate(zip(_ZONES, minutes, rates, strict=True))
    }


def _maybe_drop(rng: random.Random, record: dict[str, Any], key: str) -> None:
    """Leave an unknown value out (40 %) or send it as null."""
    if rng.random() < 0.4:
        del record[key]
    else:
        record[key] = None


def _summary(rng: random.Random, person: _Person, day: dt.date, weight: float) -> dict[str, Any]:
    bmr = _bmr(person, weight)
    worn = rng.random() >= person.miss
    tracker: dict[str, Any]
    if not worn:
        tracker = {"activityCalories": 0, "calories": bmr, "distance": 0.0, "elevation": 0.0, "floors": 0,
                   "minutesFairlyActive": 0, "minutesLightlyActive": 0, "minutesSedentary": 1440,
                   "minutesVeryActive": 0, "steps": 0}
        zones: dict[str, dict[str, Any]] | None = {
            name: {"caloriesOut": 0.0, "max": 0, "min": 0, "minutes": 0} for name in _ZONES}
        asleep, worn_minutes = 0, 0
    else:
        weekend = day.weekday() >= 5
        steps = max(150, round(rng.gauss(person.steps * (0.85 if weekend else 1.05), person.steps * 0.3)))
        light = min(400, max(30, round(rng.gauss(150 + steps / 100, 40))))
        fair = min(120, max(0, round(rng.gauss(steps / 800, 8))))
        very = min(180, max(0, round(rng.gauss(steps / 600 - 5, 10))))
        overnight = rng.random() < 0.85  # worn to bed: sleep is tracked
        asleep = min(600, max(240, round(rng.gauss(420, 50)))) if overnight else 0
        sedentary = 1440 - light - fair - very - asleep
        worn_minutes = min(1440, (asleep + 60 if overnight else 0) + light + fair + very
                           + round(sedentary * rng.uniform(0.55, 0.9)))
        active = round((light * 2.4 + fair * 5.5 + very * 9.0) * weight / 70)
        floors = max(0, round(rng.gauss(steps / 1000, 3)))
        tracker = {"activityCalories": active, "calories": bmr + active,
                   "distance": round(steps * 0.415 * person.height_m / 1000, 2),
                   "elevation": round(floors * 3.048, 2), "floors": floors, "minutesFairlyActive": fair,
                   "minutesLightlyActive": light, "minutesSedentary": sedentary, "minutesVeryActive": very,
                   "steps": steps}
        zones = _zones(rng, person, worn_minutes, light, fair, very, (bmr + active) * worn_minutes / 1440)
    totals = dict(tracker)
    if worn and rng.random() < 0.06:  # a manually logged activity the tracker did not record
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
    record: dict[str, Any] = {
        "date": _render_date(day, rng.choices(_DATE_FORMS, weights=_DATE_WEIGHTS)[0]),
        "activityCalories": totals["activityCalories"],
        "bodyBMI": round(weight / person.height_m ** 2, 2),
        "bodyFat": round(rng.gauss(person.fat, 0.4), 1) if person.scale else None,
        "bodyWeight": round(weight, 1),
        "calories": totals["calories"],
        "caloriesBMR": bmr,
        "distance": totals["distance"],
        "elevation": totals["elevation"],
        "foodCaloriesIn": round(rng.gauss(2100, 350)) if person.food and rng.random() < 0.6 else 0,
        "floors": totals["floors"],
        "heartRateZones": zones,
        **{key: totals[key] for key in _MINUTE_KEYS},
        "steps": totals["steps"],
        "tracker": tracker,
        "water": float(round(rng.uniform(500, 2500), -1)) if person.water and rng.random() < 0.5 else 0.0,
        "modifiedDate": "",  # set by the caller
        "restingHeartRate": round(rng.gauss(person.resting, 2)) if worn else None,
    }
    if record["bodyFat"] is None:
        _maybe_drop(rng, record, "bodyFat")
    if not worn:
        _maybe_drop(rng, record, "restingHeartRate")
        if rng.random() < 0.3:
            _maybe_drop(rng, record, "heartRateZones")
    elif rng.random() < 0.02:  # a resting rate Fitbit could not work out
        _maybe_drop(rng, record, "restingHeartRate")
    return record


def generate_daily_summaries(ctx: GenContext, participant: Participant) -> list[DailyRow]:
    """Daily summaries of one participant (one with Fitbit: the collection says so), sorted by
    date. ``ctx.pace`` is called once per day."""
    rng = ctx.rng("fitbit-daily", participant.index)
    person = _person(participant, ctx.end, rng)
    weight = rng.gauss(24.5, 3.5) * person.height_m ** 2
    tz = participant.tz
    first_ms, last_ms = participant.enrollment_ms, participant.withdraw_ms
    provider = fitbit_provider_id(ctx.seed)
    rows: list[DailyRow] = []
    for day in ctx.days():
        ctx.pace()
        weight = max(40.0, weight + rng.gauss(0, 0.12))
        record = _summary(rng, person, day, weight)
        start = to_ms(dt.datetime.combine(day, dt.time(), tz).astimezone(dt.timezone.utc))
        end = to_ms(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.timezone.utc))
        modified = end + rng.randint(30_000, 3_600_000) * 10  # synced 5 min to 10 h later, on a 10 ms grid
        if start < first_ms or (last_ms is not None and modified >= last_ms):
            continue
        form = rng.choices(FORMS, weights=_MODIFIED_WEIGHTS)[0]
        record["modifiedDate"] = format_instant(modified, form, tz)
        date_ms = to_ms(dt.datetime.combine(day, dt.time(), dt.timezone.utc))
        rows.append(DailyRow(record=record, date_us=date_ms * 1000, provider_id=provider))
    return rows
