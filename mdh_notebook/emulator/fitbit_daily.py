"""Synthetic Fitbit daily summaries: one per calendar day the participant wore (or owned) the tracker.

The figures are the participant's days (``days.Day``: the same steps, resting heart rate,
calories, floors and minutes v1 and v2 device data serve); this module adds the wire quirks and
what only the summary carries (body fat, food, water).

Consistency rules kept by every summary:

- minutes: ``sedentary + lightly + fairly + very = 1440 - minutes asleep`` (so at most 1440), the
  minutes asleep being those of the tracked night that ended that day (the sleep logs' main sleep);
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
  their minutes add up to the minutes worn (the day's v2 heart-rate minutes, ≤ the day's length:
  1500 on the day summer time ends) and their ``caloriesOut`` to the share of
  ``calories`` burnt while worn; ``restingHeartRate`` drifts around a personal baseline (50–74).

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
from .days import Day, Person, participant_days
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = ["DailyRow", "generate_daily_summaries"]

_DATE_FORMS = ("NAIVE", "DATE", "Z", "UTC")
_DATE_WEIGHTS = (70, 10, 10, 10)
_MODIFIED_WEIGHTS = (30, 10, 15, 30, 15)  # Z3, Z2, UTC, LOCAL, NAIVE
_MINUTE_KEYS = ("minutesSedentary", "minutesLightlyActive", "minutesFairlyActive", "minutesVeryActive")


@dataclasses.dataclass(frozen=True, slots=True)
class DailyRow:
    record: dict[str, Any]
    date_us: int  # midnight UTC of the calendar date, in microseconds: the filters' and sort's key
    provider_id: int  # the external account provider the summary came through (the directory's Fitbit)


@dataclasses.dataclass(frozen=True)
class _Extras:
    """What the summary knows beyond the tracker's day (``days.Day``); ``Person.scale`` (a smart
    scale) tells whether ``bodyFat`` is known."""

    fat: float
    food: bool  # logs food
    water: bool  # logs water


def _extras(participant: Participant, rng: random.Random) -> _Extras:
    every = participant.index == 0
    return _Extras(fat=rng.uniform(16, 34), food=every or rng.random() < 0.2,
                   water=every or rng.random() < 0.25)


def _render_date(day: dt.date, form: str) -> str:
    if form == "DATE":
        return day.isoformat()
    midnight = to_ms(dt.datetime.combine(day, dt.time(), dt.timezone.utc))
    return format_instant(midnight, "Z3" if form == "Z" else form).replace(".000", "")


def _maybe_drop(rng: random.Random, record: dict[str, Any], key: str) -> None:
    """Leave an unknown value out (40 %) or send it as null."""
    if rng.random() < 0.4:
        del record[key]
    else:
        record[key] = None


def _summary(rng: random.Random, extras: _Extras, person: Person, day: Day) -> dict[str, Any]:
    totals, weight = day.totals, day.weight
    record: dict[str, Any] = {
        "date": _render_date(day.date, rng.choices(_DATE_FORMS, weights=_DATE_WEIGHTS)[0]),
        "activityCalories": totals["activityCalories"],
        "bodyBMI": round(weight / person.height_m ** 2, 2),
        "bodyFat": round(rng.gauss(extras.fat, 0.4), 1) if person.scale else None,
        "bodyWeight": round(weight, 1),
        "calories": totals["calories"],
        "caloriesBMR": day.bmr,
        "distance": totals["distance"],
        "elevation": totals["elevation"],
        "foodCaloriesIn": round(rng.gauss(2100, 350)) if extras.food and rng.random() < 0.6 else 0,
        "floors": totals["floors"],
        "heartRateZones": {name: dict(zone) for name, zone in day.zones.items()},
        **{key: totals[key] for key in _MINUTE_KEYS},
        "steps": totals["steps"],
        "tracker": dict(day.tracker),
        "water": float(round(rng.uniform(500, 2500), -1)) if extras.water and rng.random() < 0.5 else 0.0,
        "modifiedDate": "",  # set by the caller
        "restingHeartRate": day.resting,
    }
    if record["bodyFat"] is None:
        _maybe_drop(rng, record, "bodyFat")
    if not day.worn:
        _maybe_drop(rng, record, "restingHeartRate")
        if rng.random() < 0.3:
            _maybe_drop(rng, record, "heartRateZones")
    elif day.resting is None:  # a resting rate Fitbit could not work out
        _maybe_drop(rng, record, "restingHeartRate")
    return record


def generate_daily_summaries(ctx: GenContext, participant: Participant) -> list[DailyRow]:
    """Daily summaries of one participant (one with Fitbit: the collection says so), sorted by
    date. ``ctx.pace`` is called once per day."""
    rng = ctx.rng("fitbit-daily", participant.index)
    extras = _extras(participant, rng)
    person, days = participant_days(ctx, participant)
    tz = participant.tz
    first_ms, last_ms = participant.enrollment_ms, participant.withdraw_ms
    provider = fitbit_provider_id(ctx.seed)
    rows: list[DailyRow] = []
    for day in days:
        ctx.pace()
        record = _summary(rng, extras, person, day)
        modified = day.next_midnight_ms + rng.randint(30_000, 3_600_000) * 10  # synced 5 min to 10 h later
        if day.midnight_ms < first_ms or (last_ms is not None and modified >= last_ms):
            continue
        form = rng.choices(FORMS, weights=_MODIFIED_WEIGHTS)[0]
        record["modifiedDate"] = format_instant(modified, form, tz)
        date_ms = to_ms(dt.datetime.combine(day.date, dt.time(), dt.timezone.utc))
        rows.append(DailyRow(record=record, date_us=date_ms * 1000, provider_id=provider))
    return rows
