"""Synthetic Apple Health data: daily activity summaries (the rings) and workouts.

Activity summaries: one per local day; ``startDate`` is the local midnight and ``endDate`` the
next one (23 or 25 hours apart on a daylight-saving day); ``activeEnergyBurned`` (kcal),
``appleExerciseTime`` (minutes) and ``appleStandHours`` scatter around their goals (which change
now and then); a day the watch stayed off the wrist has a few kcal from the phone alone.
``insertedDate`` is the sync after the day.

Workouts: a few a week (PT-0001 most days), of each participant's favourite activity types;
``summary.duration`` is in seconds (HealthKit's ``HKWorkout.duration``), ``totalEnergyBurned``
in kcal (METs × weight × hours), ``totalDistance`` in metres (distance activities only),
``totalSwimmingStrokeCount`` for swims, ``totalFlightsClimbed`` for stairs and hikes;
``summary.activityType`` is HealthKit's activity name without its prefix (``Running``,
``TraditionalStrengthTraining``). Recorded on the Apple Watch (``source`` the watch, ``device``
its model), on the phone, or by a third-party app (``device`` null or missing). ``metadata`` holds
HealthKit metadata as strings (``HKIndoorWorkout``, ``HKAverageMETs``, ``HKTimeZone``, weather);
``events`` pause/resume pairs, laps and segments (``endDate`` only on those with a span).
Quirks: ``startDate`` now and then null or missing (the reference marks it optional), optional
summary values null or missing, every instant in every form.

Nothing starts before the participant's enrollment, and nothing is there that would have been
synced (``insertedDate``) after a withdrawal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from .cohort import Participant, guid
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = ["ActivityRow", "WorkoutRow", "generate_activity_summaries", "generate_workouts"]

_FORM_WEIGHTS = (30, 10, 15, 30, 15)  # Z3, Z2, UTC, LOCAL, NAIVE
_MINUTE = 60_000


@dataclasses.dataclass(frozen=True, slots=True)
class ActivityRow:
    record: dict[str, Any]
    start_us: int


@dataclasses.dataclass(frozen=True, slots=True)
class WorkoutRow:
    record: dict[str, Any]
    start_us: int  # the workout's start (its end when the record has no startDate): filters and order
    ordinal: int


@dataclasses.dataclass(frozen=True)
class _Activity:
    name: str
    minutes: tuple[int, int]
    mets: float
    speed: float  # metres per minute; 0 for no distance
    indoor: float  # chance of an indoor session
    where: str  # "watch", "phone" or "app": what usually records it


_ACTIVITIES = (
    _Activity("Running", (20, 60), 9.8, 165.0, 0.15, "watch"),
    _Activity("Walking", (20, 90), 3.5, 80.0, 0.05, "phone"),
    _Activity("Cycling", (30, 120), 7.5, 330.0, 0.2, "app"),
    _Activity("Swimming", (20, 60), 7.0, 35.0, 0.8, "watch"),
    _Activity("TraditionalStrengthTraining", (30, 75), 5.0, 0.0, 1.0, "watch"),
    _Activity("Yoga", (20, 60), 2.8, 0.0, 1.0, "watch"),
    _Activity("HighIntensityIntervalTraining", (15, 40), 8.5, 0.0, 0.9, "watch"),
    _Activity("StairClimbing", (10, 30), 8.8, 0.0, 1.0, "watch"),
    _Activity("Hiking", (60, 240), 6.0, 70.0, 0.0, "watch"),
    _Activity("Elliptical", (20, 50), 5.0, 0.0, 1.0, "watch"),
)
_APPS = (("Strava", "com.strava.stravaride", "372.0.1"), ("Peloton", "com.onepeloton.peloton", "19.24.0"))


def _form(rng: random.Random) -> str:
    return rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]


def _inside(participant: Participant, start_ms: int, synced_ms: int) -> bool:
    """Started after enrollment, and synced (so ended) before any withdrawal."""
    last = participant.withdraw_ms
    return start_ms >= participant.enrollment_ms and (last is None or synced_ms < last)


def _synced(rng: random.Random, end_ms: int, lo: int, hi: int) -> int:
    return end_ms + rng.randint(lo // 10, hi // 10) * 10  # a 10 ms grid: every form is exact


def _local_midnight(day: dt.date, tz: ZoneInfo) -> int:
    return to_ms(dt.datetime.combine(day, dt.time(), tz).astimezone(dt.timezone.utc))


def generate_activity_summaries(ctx: GenContext, participant: Participant) -> list[ActivityRow]:
    """One participant's activity summaries (one with AppleHealth: the collection says so), by
    start. ``ctx.pace`` is called once per day."""
    rng = ctx.rng("apple-activity", participant.index)
    tz = participant.tz
    move_goal = 500 if participant.index == 0 else rng.choice((300, 350, 400, 450, 500, 600, 700))
    exercise_goal = 30 if participant.index == 0 else rng.choice((30, 30, 30, 45, 60))
    stand_goal = 12 if participant.index == 0 else rng.choice((10, 12, 12, 12))
    keen = rng.uniform(0.6, 1.2)
    rows: list[ActivityRow] = []
    for day in ctx.days():
        ctx.pace()
        if rng.random() < 0.02:  # a new move goal
            move_goal = max(200, move_goal + rng.choice((-50, 50, 100)))
        start, end = _local_midnight(day, tz), _local_midnight(day + dt.timedelta(days=1), tz)
        if rng.random() < 0.05:  # the watch stayed off the wrist
            energy, exercise, stand = rng.uniform(15, 120), rng.randint(0, 5), rng.randint(0, 2)
        else:
            energy = max(0.0, rng.gauss(move_goal * keen, move_goal * 0.3))
            exercise = max(0, round(rng.gauss(exercise_goal * keen, 15)))
            stand = min(18, max(0, round(rng.gauss(stand_goal * 0.9, 2.5))))
        synced = _synced(rng, end, 2 * _MINUTE, 14 * 60 * _MINUTE)
        record = {
            "id": guid(rng),
            "activeEnergyBurned": round(energy, 3),
            "activeEnergyBurnedGoal": float(move_goal),
            "appleExerciseTime": exercise,
            "appleExerciseTimeGoal": exercise_goal,
            "appleStandHours": stand,
            "appleStandHoursGoal": stand_goal,
            "startDate": format_instant(start, _form(rng), tz),
            "endDate": format_instant(end, _form(rng), tz),
            "insertedDate": format_instant(synced, _form(rng), tz),
        }
        if _inside(participant, start, synced):
            rows.append(ActivityRow(record=record, start_us=start * 1000))
    return rows


def _owner(participant: Participant) -> str:
    first = (participant.demographics or {}).get("firstName")
    return f"{first}’s" if first else "My"


def _source_and_device(rng: random.Random, participant: Participant, where: str, day_index: int,
                       phone: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    watch_os = "10.5" if day_index < 40 else "10.6.1"
    ios = "17.5.1" if day_index < 40 else "17.6.1"
    if where == "app":
        name, identifier, version = _APPS[participant.index % len(_APPS)]
        source = {"name": name, "identifier": identifier, "version": version, "operatingSystemVersion": ios,
                  "productType": phone}
        return source, None
    if where == "phone":
        source = {"name": f"{_owner(participant)} iPhone", "identifier": f"com.apple.health.{guid(rng).upper()}",
                  "version": ios, "operatingSystemVersion": ios, "productType": phone}
        device = {"fdaIdentifier": None, "firmwareVersion": None, "hardwareVersion": phone, "localIdentifier": None,
                  "manufacturer": "Apple Inc.", "model": "iPhone", "name": "iPhone", "softwareVersion": ios}
        return source, device
    watch = "Watch6,14" if participant.index % 2 == 0 else "Watch7,3"
    source = {"name": f"{_owner(participant)} Apple Watch", "identifier": f"com.apple.health.{guid(rng).upper()}",
              "version": watch_os, "operatingSystemVersion": watch_os, "productType": watch}
    device = {"fdaIdentifier": None, "firmwareVersion": None, "hardwareVersion": watch, "localIdentifier": None,
              "manufacturer": "Apple Inc.", "model": "Watch", "name": "Apple Watch", "softwareVersion": watch_os}
    return source, device


def _events(rng: random.Random, activity: _Activity, start: int, end: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    if activity.name == "Swimming" or (activity.speed and rng.random() < 0.5):  # laps / kilometre segments
        laps = rng.randint(2, 6)
        span = (end - start) // laps // 10 * 10
        for lap in range(laps):
            at = start + lap * span
            event: dict[str, Any] = {"date": format_instant(at, _form(rng), tz),
                                     "type": "Lap" if activity.name == "Swimming" else "Segment",
                                     "metadata": {"HKSwimmingStrokeStyle": "2"} if activity.name == "Swimming" else {},
                                     "endDate": format_instant(at + span, _form(rng), tz)}
            events.append(event)
    if rng.random() < 0.3:  # a pause and its resume
        paused = start + (end - start) * rng.randint(20, 70) // 1000 * 10
        events.append({"date": format_instant(paused, _form(rng), tz), "type": "Pause", "metadata": {}})
        events.append({"date": format_instant(min(end, paused + rng.randint(1, 6) * _MINUTE), _form(rng), tz),
                       "type": "Resume", "metadata": {}})
    return events


def _optional(rng: random.Random, record: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, or leave a value that does not apply out (missing 60 %, else null)."""
    if value is not None:
        record[key] = value
    elif rng.random() >= 0.6:
        record[key] = None


def _workout(rng: random.Random, participant: Participant, activity: _Activity, start: int, day_index: int,
             weight: float, phone: str) -> tuple[dict[str, Any], int, int]:
    """A workout record, its end, and when it was synced."""
    tz = participant.tz
    minutes = rng.uniform(*activity.minutes)
    end = start + round(minutes * _MINUTE / 10) * 10
    indoor = rng.random() < activity.indoor
    where = activity.where if rng.random() < 0.8 else rng.choice(("watch", "phone", "app"))
    source, device = _source_and_device(rng, participant, where, day_index, phone)
    mets = activity.mets * rng.uniform(0.85, 1.15)
    summary: dict[str, Any] = {"activityType": activity.name}
    _optional(rng, summary, "duration", round(minutes * 60, 3))
    _optional(rng, summary, "totalEnergyBurned", round(mets * weight * minutes / 60, 3))
    _optional(rng, summary, "totalDistance",
              round(activity.speed * minutes * rng.uniform(0.85, 1.15), 2) if activity.speed else None)
    _optional(rng, summary, "totalSwimmingStrokeCount",
              round(activity.speed * minutes / rng.uniform(1.2, 1.8)) if activity.name == "Swimming" else None)
    climbs = activity.name in ("StairClimbing", "Hiking")
    _optional(rng, summary, "totalFlightsClimbed", round(minutes * rng.uniform(0.8, 3)) if climbs else None)
    metadata: dict[str, str] = {}
    if where != "app" or rng.random() < 0.3:
        metadata = {"HKIndoorWorkout": "1" if indoor else "0", "HKAverageMETs": f"{mets:.4g} kcal/hr·kg",
                    "HKTimeZone": participant.tz_name}
        if not indoor and rng.random() < 0.7:
            metadata["HKWeatherTemperature"] = f"{rng.uniform(40, 88):.1f} degF"
            metadata["HKWeatherHumidity"] = f"{rng.randint(20, 95) * 100} %"
        if climbs or (not indoor and activity.speed and rng.random() < 0.5):
            metadata["HKElevationAscended"] = f"{rng.randint(5, 400) * 100} cm"
    synced = _synced(rng, end, _MINUTE, 6 * 60 * _MINUTE)
    record: dict[str, Any] = {
        "id": guid(rng),
        "startDate": format_instant(start, _form(rng), tz),
        "endDate": format_instant(end, _form(rng), tz),
        "source": source,
        "metadata": metadata,
        "insertedDate": format_instant(synced, _form(rng), tz),
        "summary": summary,
        "device": device,
        "events": _events(rng, activity, start, end, tz),
    }
    roll = rng.random()
    if roll < 0.02:
        del record["startDate"]
    elif roll < 0.04:
        record["startDate"] = None
    if device is None and rng.random() < 0.5:
        del record["device"]
    return record, end, synced


def generate_workouts(ctx: GenContext, participant: Participant) -> list[WorkoutRow]:
    """One participant's workouts (one with AppleHealth: the collection says so), by start.
    ``ctx.pace`` is called once per day."""
    rng = ctx.rng("apple-workouts", participant.index)
    tz = participant.tz
    per_day = 0.75 if participant.index == 0 else rng.uniform(0.1, 0.6)
    favourites = list(_ACTIVITIES) if participant.index == 0 else rng.sample(_ACTIVITIES, rng.randint(2, 4))
    liking = [rng.uniform(1, 5) for _ in favourites]
    weight = rng.uniform(52, 100)
    phone = rng.choice(("iPhone14,5", "iPhone15,2", "iPhone16,1"))
    rows: list[WorkoutRow] = []
    for day_index, day in enumerate(ctx.days()):
        ctx.pace()
        sessions = (rng.random() < per_day) + (rng.random() < per_day * 0.15)
        slots = sorted(rng.sample(((6, 9), (11, 13), (17, 20)), sessions))
        for first, last in slots:
            activity = rng.choices(favourites, weights=liking)[0]
            local = dt.datetime.combine(day, dt.time(first), tz)
            local += dt.timedelta(minutes=rng.randint(0, (last - first) * 60))
            start = to_ms(local.astimezone(dt.timezone.utc)) + rng.randint(0, 5_999) * 10
            record, end, synced = _workout(rng, participant, activity, start, day_index, weight, phone)
            if _inside(participant, start, synced):
                place = start if record.get("startDate") else end
                rows.append(WorkoutRow(record=record, start_us=place * 1000, ordinal=len(rows)))
    rows.sort(key=lambda row: (row.start_us, row.ordinal))
    return rows
