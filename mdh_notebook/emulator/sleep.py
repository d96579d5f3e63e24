"""Synthetic Fitbit sleep logs: nightly main sleep (mostly ``stages``), occasional ``classic`` naps.

Consistency rules kept by every log: ``timeInBed = minutesAsleep + minutesAwake``,
``duration = timeInBed * 60000`` ms, ``endTimestamp = startTimestamp + duration``; stage logs have
``deep + light + rem = minutesAsleep`` and ``wake = minutesAwake``; classic logs have
``asleep = minutesAsleep`` and ``awake + restless = minutesAwake``.

``infoCode`` follows Fitbit: "0" stages data, "1" classic for lack of heart-rate data (nights of
3 h and more), "2" classic because the sleep was under 3 h (every nap, and short nights).
No sleep is logged before the participant's enrollment.

A main sleep is the participant's tracked night (``days.Night``, the one v2 ``sleep`` serves as
stage segments; a ``Night.classic`` one is a classic log here and absent from v2): it starts and
ends when the night does, its stage minutes are the night's, and a classic log's ``minutesAsleep``
/ ``minutesAwake`` are the night's asleep and wake minutes. A night is logged only when it lies
wholly between enrollment and any withdrawal. Naps are the logs' own (v2 does not carry them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from .accounts import fitbit_provider_id
from .cohort import Participant
from .days import participant_days
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = ["SleepRow", "generate_sleep_logs"]

_FORM_WEIGHTS = (30, 10, 15, 30, 15)  # Z3, Z2, UTC, LOCAL, NAIVE
_STAGE_KEYS = ("sleepLevelDeep", "sleepLevelLight", "sleepLevelRem", "sleepLevelWake")
_CLASSIC_KEYS = ("sleepLevelAwake", "sleepLevelAsleep", "sleepLevelRestless")


@dataclasses.dataclass(frozen=True, slots=True)
class SleepRow:
    record: dict[str, Any]
    start_us: int
    ordinal: int
    provider_id: int  # the external account provider the log came through (the directory's Fitbit)


def _start_ms(day: dt.date, minute_of_day: float, tz: ZoneInfo) -> int:
    local = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(minutes=round(minute_of_day))
    return to_ms(local.astimezone(dt.timezone.utc))


def _log(rng: random.Random, tz: ZoneInfo, start_ms: int, asleep: int, awake: int, kind: str,
         info_code: str, stages: dict[str, int] | None = None) -> dict[str, Any]:
    """One log; a stages log's levels are ``stages`` (the night's deep, light, rem, wake minutes)."""
    time_in_bed = asleep + awake
    duration = time_in_bed * 60_000
    form = rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]
    to_fall = 0 if rng.random() < 0.8 else min(awake, rng.randint(3, 20))
    after_wake = 0 if rng.random() < 0.85 else min(awake - to_fall, rng.randint(1, 10))
    record: dict[str, Any] = {
        "startTimestamp": format_instant(start_ms, form, tz),
        "endTimestamp": format_instant(start_ms + duration, form, tz),
        "duration": duration,
        "efficiency": round(100 * asleep / time_in_bed) if time_in_bed else 0,
        "timeInBed": time_in_bed,
        "infoCode": info_code,
        "type": kind,
        "minutesAfterWakeup": after_wake,
        "minutesAsleep": asleep,
        "minutesAwake": awake,
        "minutesToFallAsleep": to_fall,
    }
    others: tuple[str, ...]
    if kind == "stages":
        if stages is None:
            raise ValueError("a stages log takes the night's own stages")
        levels = {"sleepLevelDeep": stages["deep"], "sleepLevelLight": stages["light"],
                  "sleepLevelRem": stages["rem"], "sleepLevelWake": stages["wake"]}
        others = _CLASSIC_KEYS
    else:
        restless = round(awake * rng.uniform(0.4, 0.8))
        levels = {"sleepLevelAwake": awake - restless, "sleepLevelAsleep": asleep,
                  "sleepLevelRestless": restless}
        others = _STAGE_KEYS
    # the other type's level keys: sometimes null, sometimes absent altogether
    absent = rng.random() < 0.4
    for key in ("sleepLevelAwake", "sleepLevelAsleep", "sleepLevelRestless", *_STAGE_KEYS):
        if key in levels:
            record[key] = levels[key]
        elif key in others and not absent:
            record[key] = None
    if rng.random() < 0.03:  # an optional key missing now and then
        del record["minutesToFallAsleep"]
    return record


def generate_sleep_logs(ctx: GenContext, participant: Participant) -> list[SleepRow]:
    """Sleep logs of one participant (one with Fitbit: the collection says so) for the nights of
    the window, sorted by start instant. ``ctx.pace`` is called once per night (the server lets
    other threads run)."""
    rng = ctx.rng("sleep", participant.index)
    tz = participant.tz
    _, days = participant_days(ctx, participant)
    first_ms = participant.enrollment_ms
    last_ms = participant.withdraw_ms
    logs: list[dict[str, Any]] = []
    starts: list[int] = []
    for day in days:
        ctx.pace()
        if rng.random() < 0.12:  # afternoon nap, classic
            nap_start = _start_ms(day.date, rng.uniform(13 * 60, 17 * 60), tz)
            asleep = rng.randint(15, 90)
            if first_ms <= nap_start and (last_ms is None or nap_start < last_ms):
                awake = rng.randint(2, 15)
                logs.append(_log(rng, tz, nap_start, asleep, awake, "classic", "2"))
                starts.append(nap_start)
        night = day.night
        if night is None or not night.tracked:
            continue
        night_start = day.midnight_ms + night.start * 60_000
        night_end = day.midnight_ms + night.end * 60_000
        if night_start < first_ms or (last_ms is not None and night_end > last_ms):
            continue
        stages = {stage: night.minutes(stage) for stage in ("deep", "light", "rem", "wake")}
        classic = night.classic  # no heart-rate data that night: Fitbit falls back to classic
        logs.append(_log(rng, tz, night_start, night.asleep, stages["wake"], "classic" if classic else "stages",
                         "1" if classic else "0", stages))
        starts.append(night_start)
    provider = fitbit_provider_id(ctx.seed)
    rows = [SleepRow(record=r, start_us=s * 1000, ordinal=n, provider_id=provider)
            for n, (r, s) in enumerate(zip(logs, starts, strict=True))]
    rows.sort(key=lambda row: (row.start_us, row.ordinal))
    return rows
