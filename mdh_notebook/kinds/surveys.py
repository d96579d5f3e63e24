"""Survey family: answers (later: survey results, tasks, inbox, deleting a result)."""

from __future__ import annotations

from .model import CURSOR, Column, Kind, Operation, Param

__all__ = ["KINDS", "OPERATIONS", "SURVEY_ANSWERS"]

SURVEY_ANSWERS = Kind(
    name="survey_answers",
    path="api/v1/delegated/surveyanswers",
    token="participant",
    scope="SurveyAnswers:read",
    shape="keyed",
    items_key="surveyAnswers",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("surveyResultID", "string"),
        Column("surveyID", "string"),
        Column("surveyVersion", "Int64"),
        Column("taskID", "string"),
        Column("surveyName", "string"),
        Column("surveyDisplayName", "string"),
        Column("date", "datetime"),
        Column("stepIdentifier", "string"),
        Column("resultIdentifier", "string"),
        Column("answers", "object"),
        Column("insertedDate", "datetime"),
        Column("schedule.id", "string"),
        Column("schedule.name", "string"),
        Column("schedule.category", "string"),
        Column("schedule.interval", "Int64"),
        Column("schedule.intervalType", "string"),
        Column("type", "string"),
        Column("event", "string"),
    ),
    params=(
        Param("survey_result_id", "surveyResultID", "str", "one survey result's id"),
        Param("survey_id", "surveyID", "str", "one survey's id"),
        Param("survey_name", "surveyName", "list", "survey name(s)"),
        Param("after", "after", "datetime", "answers dated strictly after this instant"),
        Param("before", "before", "datetime", "answers dated strictly before this instant"),
        Param("inserted_after", "insertedAfter", "datetime", "stored strictly after this instant"),
        Param("inserted_before", "insertedBefore", "datetime", "stored strictly before this instant"),
        Param("step_identifier", "stepIdentifier", "list", "step identifier(s)"),
        Param("result_identifier", "resultIdentifier", "list", "result identifier(s)"),
        Param("answer", "answer", "list", "answer value(s): any one matching"),
        Param("event", "event", "list", "survey event name(s)"),
    ),
    doc="Every answer to every survey step, one row per answer record (GET surveyanswers).",
)

KINDS: tuple[Kind, ...] = (SURVEY_ANSWERS,)
OPERATIONS: tuple[Operation, ...] = ()
