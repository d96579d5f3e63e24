"""Synthetic survey results and survey tasks, rendered from the participant's survey plan
(``survey_plan``), so each result is the one its answers belong to and each complete task the one
its result names.

A result carries exactly what its answers carry (surveyResultID as ``id``, surveyID, version,
names, taskID present / null / absent alike, schedule, event, insertedDate, and ``date`` the same
instant as the answers' date) and always a ``date``: answers leave theirs out on a few results,
the result keeps when it was completed. ``userType`` is "Participant" but for a share of PHQ-9s a
study coordinator entered over the phone ("Coordinator", with ``user``; PT-0001's second PHQ-9 is
one); a participant's result leaves ``user`` out or sends null. WeeklyVideo results have no
answers at all (instruction and video steps only).

A task's ``linkIdentifier`` is its own (the survey link of that task), ``endDate`` is set once it
is complete or closed (null or absent while open), ``startDate`` is absent or null on the one-time
surveys, ``surveyCategory`` absent on the surveys without one, ``surveyDescription`` may be "".
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from .cohort import Participant
from .declarations import GenContext
from .isotime import FORMS, format_instant
from .survey_plan import PlannedResult, PlannedTask, survey_plan

__all__ = ["COORDINATORS", "ResultRow", "TaskRow", "generate_survey_results", "generate_survey_tasks"]

_FORM_WEIGHTS = (35, 15, 20, 20, 10)  # Z3, Z2, UTC, LOCAL, NAIVE
_COORDINATOR_SHARE = 0.12
COORDINATORS = ("rivera.coordinator@example.org", "j.okafor@example.org", "studyteam")


@dataclasses.dataclass(frozen=True, slots=True)
class ResultRow:
    record: dict[str, Any]
    date_us: int
    inserted_us: int
    survey_id: str
    survey_name: str
    event: str | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.inserted_us, self.id)


@dataclasses.dataclass(frozen=True, slots=True)
class TaskRow:
    record: dict[str, Any]
    inserted_us: int
    status: str
    survey_id: str
    survey_name: str
    category: str | None  # casefolded
    link_id: str
    event: str | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.inserted_us, self.id)


def _form(rng: random.Random) -> str:
    return rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]


def _result_record(r: PlannedResult, participant: Participant, rng: random.Random, coordinator: bool) -> dict[str, Any]:
    form = _form(rng)
    tz = participant.tz
    record: dict[str, Any] = {"id": r.result_id, "participantID": participant.id,
                              "participantIdentifier": participant.identifier}
    if r.task_mode == "guid":
        record["taskID"] = r.task_id
    elif r.task_mode == "null":
        record["taskID"] = None
    record.update({
        "surveyID": r.survey.survey_id,
        "surveyVersion": r.version,
        "surveyName": r.survey.name,
        "surveyDisplayName": r.survey.display,
        "date": format_instant(r.when_ms, form, tz),
        "insertedDate": format_instant(r.inserted_ms, form, tz),
    })
    if r.schedule is not None:
        record["schedule"] = dict(r.schedule)
    if r.event is not None:
        record["event"] = r.event
    record["userType"] = "Coordinator" if coordinator else "Participant"
    if coordinator:
        record["user"] = rng.choice(COORDINATORS)
    elif rng.random() < 0.3:
        record["user"] = None
    return record


def generate_survey_results(ctx: GenContext, participant: Participant) -> list[ResultRow]:
    """One result per completed survey, sorted by (insertedDate, id)."""
    plan = survey_plan(ctx, participant)
    rng = ctx.rng("survey-results", participant.index)
    rows: list[ResultRow] = []
    phq_seen = 0
    for r in plan.results:
        coordinator = r.survey.name == "PHQ-9" and rng.random() < _COORDINATOR_SHARE
        if r.survey.name == "PHQ-9":
            phq_seen += 1
            coordinator = coordinator or (participant.index == 0 and phq_seen == 2)
        rows.append(ResultRow(record=_result_record(r, participant, rng, coordinator), date_us=r.when_ms * 1000,
                              inserted_us=r.inserted_ms * 1000, survey_id=r.survey.survey_id,
                              survey_name=r.survey.name, event=r.event))
    return rows


def _optional(record: dict[str, Any], key: str, value: Any, rng: random.Random) -> None:
    """``value`` when there is one; else null or the key left out, half and half."""
    if value is not None:
        record[key] = value
    elif rng.random() < 0.5:
        record[key] = None


def _task_record(t: PlannedTask, participant: Participant, rng: random.Random) -> dict[str, Any]:
    form = _form(rng)
    tz = participant.tz

    def instant(ms: int | None) -> str | None:
        return None if ms is None else format_instant(ms, form, tz)

    record: dict[str, Any] = {
        "id": t.id,
        "participantID": participant.id,
        "participantIdentifier": participant.identifier,
        "linkIdentifier": t.link_id,
        "surveyID": t.survey.survey_id,
        "surveyName": t.survey.name,
    }
    if t.survey.category is not None:
        record["surveyCategory"] = t.survey.category
    record["surveyDisplayName"] = t.survey.display
    record["surveyDescription"] = t.survey.description
    _optional(record, "startDate", instant(t.start_ms), rng)
    _optional(record, "endDate", instant(t.end_ms), rng)
    record["status"] = t.status
    record["hasSavedProgress"] = t.saved_progress
    _optional(record, "dueDate", instant(t.due_ms), rng)
    record["insertedDate"] = instant(t.inserted_ms)
    record["modifiedDate"] = instant(t.modified_ms)
    if t.schedule is not None:
        record["schedule"] = dict(t.schedule)
    if t.event is not None:
        record["event"] = t.event
    return record


def generate_survey_tasks(ctx: GenContext, participant: Participant) -> list[TaskRow]:
    """Every survey task of the participant as it stands at the window's end, by (insertedDate, id)."""
    plan = survey_plan(ctx, participant)
    rng = ctx.rng("survey-tasks", participant.index)
    return [TaskRow(record=_task_record(t, participant, rng), inserted_us=t.inserted_ms * 1000, status=t.status,
                    survey_id=t.survey.survey_id, survey_name=t.survey.name,
                    category=None if t.survey.category is None else t.survey.category.casefold(),
                    link_id=t.link_id, event=t.event)
            for t in plan.tasks]
