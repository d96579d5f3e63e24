"""Synthetic survey answers: a biweekly PHQ-9, a daily mood check-in and a weekly activity survey.

One record per answered step (or form item); records of one completed survey share a
``surveyResultID``. Rows keep parsed values beside the wire record so filters need no parsing.

Nothing is answered before the participant's enrollment. Only a PHQ-9 taken within
``NEAR_ENROLLMENT`` of enrollment carries ``event: "Enrollment"`` (and no schedule); with the
default cohort that is the one participant who enrolls inside the window.

``type`` (a string in the JS SDK's SurveyAnswer; its values are not documented): "Form" for an
item of a form step (resultIdentifier differs from stepIdentifier), "Question" for a one-question
step; absent on a seeded share of results. Its draws come from their own RNG, so adding it
changed no other value.

``survey_history`` is the one pass behind every survey kind: the answers, one ``Completion`` per
completed survey (what its survey result and its task are derived from) and one ``Occurrence``
per scheduled day of each survey, answered or not (the survey tasks). Recording those draws
nothing, so the answers are exactly what they were before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from .cohort import Participant, Project, guid, rng_for
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = [
    "NEAR_ENROLLMENT",
    "NOTES",
    "AnswerRow",
    "Completion",
    "Occurrence",
    "ScheduledSurvey",
    "SurveyHistory",
    "generate_survey_answers",
    "scheduled_surveys",
    "survey_history",
]

_FORM_WEIGHTS = (35, 15, 20, 20, 10)  # Z3, Z2, UTC, LOCAL, NAIVE
#: A PHQ-9 taken this soon after enrollment is the enrollment survey.
NEAR_ENROLLMENT = dt.timedelta(days=3)
_TYPED_SHARE = 0.65

NOTES = (
    "Tired, but OK",
    'Said "fine" to everyone',
    "Great day 😊",
    "Café with Zoë",
    "long shift; back hurts",
    "Slept badly, again, woke at 3",
    "a\\b, c",
    "Müde — aber zufrieden",
    "walked the dog 🐕, then rain",
    "ok",
)
ACTIVITIES = ("Walking", "Running", "Yoga", "Cycling", "Swimming", "Strength training")


@dataclasses.dataclass(frozen=True, slots=True)
class AnswerRow:
    record: dict[str, Any]
    date_us: int | None
    inserted_us: int
    survey_result_id: str
    survey_id: str
    survey_name: str
    step: str
    result: str
    answers: tuple[str, ...]
    event: str | None

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.inserted_us, self.record["id"])


@dataclasses.dataclass(frozen=True)
class ScheduledSurvey:
    """A survey of the project with its schedule (as answers and tasks carry it)."""

    name: str
    display: str
    version: int
    schedule: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Completion:
    """One completed survey: its answers share ``result_id``; its result and task derive from it.

    ``task_mode``: how the answers carry ``taskID`` ("guid": ``task_id``, "null", "absent");
    ``schedule`` is None when the answers carry none; ``when_ms`` is when it was completed
    (answers of a result without a date leave it out), ``inserted_ms`` when it was stored.
    """

    result_id: str
    task_id: str
    task_mode: str
    survey: ScheduledSurvey
    schedule: dict[str, Any] | None
    when_ms: int
    inserted_ms: int
    has_date: bool
    event: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Occurrence:
    """A scheduled survey on one local day (a task was due), with its completion if answered."""

    survey: str
    day: dt.date
    completion: Completion | None


@dataclasses.dataclass(frozen=True)
class SurveyHistory:
    answers: list[AnswerRow]
    completions: list[Completion]
    occurrences: list[Occurrence]


def _local_ms(day: dt.date, minute_of_day: float, tz: ZoneInfo, rng: random.Random) -> int:
    base = dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(minutes=minute_of_day)
    # on a 10 ms grid so the two-digit-fraction rendering stays exact
    return to_ms(base.astimezone(dt.timezone.utc)) // 60000 * 60000 + rng.randrange(0, 6000) * 10


def _insert_delay_ms(rng: random.Random) -> int:
    if rng.random() < 0.1:  # synced later (offline phone)
        return rng.randrange(60_000, 36 * 3_600_000, 10)
    return rng.randrange(300, 20_000, 10)


class _Builder:
    def __init__(self, seed: int, participant: Participant, project: Project) -> None:
        self.rng = rng_for(seed, "surveys", participant.index)
        self.type_rng = rng_for(seed, "answer-type", participant.index)
        self.participant = participant
        self.project = project
        self.tz = participant.tz
        self.rows: list[AnswerRow] = []
        self.completions: list[Completion] = []

    def form(self) -> str:
        return self.rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]

    def add_result(
        self,
        survey: ScheduledSurvey,
        when_ms: int,
        steps: list[tuple[str, str, list[str]]],
        *,
        event: str | None = None,
        with_schedule: bool = True,
        task_mode: str = "guid",
    ) -> Completion:
        rng = self.rng
        result_id = guid(rng)
        task_id = guid(rng)
        inserted_ms = when_ms + _insert_delay_ms(rng)
        has_date = rng.random() >= 0.03  # a few results carry no date at all
        typed = self.type_rng.random() < _TYPED_SHARE
        survey_id = self.project.survey_ids[survey.name]
        for step, result, answers in steps:
            form = self.form()
            record: dict[str, Any] = {
                "id": guid(rng),
                "participantID": self.participant.id,
                "participantIdentifier": self.participant.identifier,
                "surveyResultID": result_id,
                "surveyID": survey_id,
                "surveyVersion": survey.version,
            }
            if task_mode == "guid":
                record["taskID"] = task_id
            elif task_mode == "null":
                record["taskID"] = None
            record["surveyName"] = survey.name
            record["surveyDisplayName"] = survey.display
            if has_date:
                record["date"] = format_instant(when_ms, form, self.tz)
            record["stepIdentifier"] = step
            record["resultIdentifier"] = result
            record["answers"] = list(answers)
            record["insertedDate"] = format_instant(inserted_ms, form, self.tz)
            if with_schedule:
                record["schedule"] = dict(survey.schedule)
            if typed:
                record["type"] = "Question" if result == step else "Form"
            if event is not None:
                record["event"] = event
            self.rows.append(
                AnswerRow(
                    record=record,
                    date_us=when_ms * 1000 if has_date else None,
                    inserted_us=inserted_ms * 1000,
                    survey_result_id=result_id,
                    survey_id=survey_id,
                    survey_name=survey.name,
                    step=step,
                    result=result,
                    answers=tuple(answers),
                    event=event,
                )
            )
        completion = Completion(result_id=result_id, task_id=task_id, task_mode=task_mode, survey=survey,
                                schedule=dict(survey.schedule) if with_schedule else None, when_ms=when_ms,
                                inserted_ms=inserted_ms, has_date=has_date, event=event)
        self.completions.append(completion)
        return completion


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def scheduled_surveys(project: Project) -> dict[str, ScheduledSurvey]:
    """The three answered surveys of the project, by name (DailyMood at version 1)."""
    sched = project.schedule_ids
    return {
        "PHQ-9": ScheduledSurvey("PHQ-9", "PHQ-9 Depression Screener", 3,
                                 {"id": sched["PHQ-9"], "name": "Every 2 weeks", "category": "Mental Health",
                                  "interval": 2, "intervalType": "weeks"}),
        "DailyMood": ScheduledSurvey("DailyMood", "Daily Mood Check-in", 1,
                                     {"id": sched["DailyMood"], "name": "Daily", "interval": 1,
                                      "intervalType": "days"}),
        "WeeklyActivity": ScheduledSurvey("WeeklyActivity", "Weekly Activity", 1,
                                          {"id": sched["WeeklyActivity"], "name": "Weekly", "category": "Lifestyle",
                                           "interval": 1, "intervalType": "weeks"}),
    }


def generate_survey_answers(ctx: GenContext, participant: Participant) -> list[AnswerRow]:
    """All survey answers of one participant over the window's local days, sorted by
    (insertedDate, id). ``ctx.pace`` is called once per day (the server lets other threads run)."""
    return survey_history(ctx, participant).answers


def survey_history(ctx: GenContext, participant: Participant) -> SurveyHistory:
    """The answers (sorted by (insertedDate, id)), completions and occurrences of one participant
    over the window's local days. ``ctx.pace`` is called once per day."""
    seed, project, start, end, pace = ctx.seed, ctx.project, ctx.start, ctx.end, ctx.pace
    b = _Builder(seed, participant, project)
    rng = b.rng
    reliable = participant.index == 0
    first_ms = participant.enrollment_ms
    last_ms = participant.withdraw_ms
    near_ms = first_ms + NEAR_ENROLLMENT // dt.timedelta(milliseconds=1)
    days = _days(start, end)
    enrollment_day = dt.datetime.fromtimestamp(first_ms / 1000, b.tz).date()
    enroll_index = (enrollment_day - start).days if start <= enrollment_day <= end else None

    def answerable(when: int) -> bool:
        return first_ms <= when and (last_ms is None or when < last_ms)
    surveys = scheduled_surveys(project)
    phq, mood_v1, weekly = surveys["PHQ-9"], surveys["DailyMood"], surveys["WeeklyActivity"]
    mood_v2 = dataclasses.replace(mood_v1, version=2)
    occurrences: list[Occurrence] = []

    # PHQ-9: per-participant baseline, trend and item biases -> a plausible trajectory
    baseline = rng.uniform(0.2, 2.0)
    trend = rng.choice((-1.0, -0.5, 0.0, 0.0, 0.4))
    biases = [rng.uniform(-0.4, 0.4) for _ in range(9)]
    phase = rng.randrange(14)
    adherence_phq = 0.97 if reliable else rng.uniform(0.6, 0.95)
    adherence_mood = 0.92 if reliable else rng.uniform(0.4, 0.95)
    adherence_week = 0.9 if reliable else rng.uniform(0.5, 0.95)
    version_switch = rng.randrange(len(days)) if rng.random() < 0.5 else len(days)
    activity_weekday = rng.randrange(7)
    mean_mood = rng.uniform(2.3, 4.2)
    if enroll_index is not None:  # the biweekly schedule starts on the day of enrollment
        phase = enroll_index % 14

    for i, day in enumerate(days):
        pace()
        # PHQ-9 every two weeks; the enrollment-day one is always taken, soon after enrolling
        if (i - phase) % 14 == 0:
            done: Completion | None = None
            if rng.random() < adherence_phq or i == enroll_index:
                when = _local_ms(day, rng.uniform(8 * 60, 21 * 60), b.tz, rng)
                if i == enroll_index:
                    when = (first_ms + rng.randrange(5, 90) * 60_000) // 10 * 10  # the 10 ms grid, as above
                if answerable(when):
                    level = baseline + trend * i / max(1, len(days))
                    items = [str(min(3, max(0, round(level + bias + rng.gauss(0, 0.6))))) for bias in biases]
                    steps = [("PHQ9", f"PHQ9_{k + 1}", [items[k]]) for k in range(9)]
                    at_enrollment = when < near_ms
                    done = b.add_result(phq, when, steps, event="Enrollment" if at_enrollment else None,
                                        with_schedule=not at_enrollment)
            occurrences.append(Occurrence("PHQ-9", day, done))
        # daily mood
        done = None
        if rng.random() < adherence_mood:
            when = _local_ms(day, rng.uniform(19 * 60, 23.5 * 60), b.tz, rng)
            if answerable(when):
                mood = min(5, max(1, round(mean_mood + rng.gauss(0, 0.9))))
                energy = min(5, max(1, round(mood + rng.gauss(0, 0.8))))
                note: list[str] = [] if rng.random() < 0.45 else [rng.choice(NOTES)]
                steps = [("Mood", "Mood", [str(mood)]), ("Energy", "Energy", [str(energy)]),
                         ("Note", "Note", note)]
                task_mode = rng.choices(("guid", "null", "absent"), weights=(80, 10, 10))[0]
                done = b.add_result(mood_v2 if i >= version_switch else mood_v1, when, steps, task_mode=task_mode)
        occurrences.append(Occurrence("DailyMood", day, done))
        # weekly activity
        if day.weekday() == activity_weekday:
            done = None
            if rng.random() < adherence_week:
                when = _local_ms(day, rng.uniform(10 * 60, 20 * 60), b.tz, rng)
                if answerable(when):
                    chosen = [] if rng.random() < 0.15 else sorted(rng.sample(ACTIVITIES, rng.randint(1, 3)))
                    done = b.add_result(weekly, when, [("Activities", "Activities", chosen)],
                                        with_schedule=rng.random() < 0.7)
            occurrences.append(Occurrence("WeeklyActivity", day, done))
    b.rows.sort(key=lambda row: row.sort_key)
    return SurveyHistory(answers=b.rows, completions=b.completions, occurrences=occurrences)
