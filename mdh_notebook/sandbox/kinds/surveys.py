"""Surveys: answers (and, later, results and tasks), served from ``..surveys``' generator.

Decisions where the reference is silent: answers are ordered by (insertedDate, id) ascending;
``after``/``before`` compare with ``date`` and exclude answers without one; every after/before
bound is exclusive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..declarations import Collection, CursorPages, Operation, Params
from ..paging import parse_guid, parse_instant_param, split_list
from ..surveys import AnswerRow, generate_survey_answers

__all__ = ["COLLECTIONS", "OPERATIONS", "SURVEY_ANSWERS"]


def _answer_filters(params: Params) -> tuple[Any, list[Callable[[AnswerRow], bool]]]:
    result_id = parse_guid("surveyResultID", params.get("surveyResultID"))
    survey_id = parse_guid("surveyID", params.get("surveyID"))
    names = frozenset(split_list(params.getlist("surveyName")))
    steps = frozenset(split_list(params.getlist("stepIdentifier")))
    results = frozenset(split_list(params.getlist("resultIdentifier")))
    answers = frozenset(split_list(params.getlist("answer")))
    events = frozenset(split_list(params.getlist("event")))
    after = parse_instant_param("after", params.get("after"))
    before = parse_instant_param("before", params.get("before"))
    ins_after = parse_instant_param("insertedAfter", params.get("insertedAfter"))
    ins_before = parse_instant_param("insertedBefore", params.get("insertedBefore"))
    preds: list[Callable[[AnswerRow], bool]] = []
    if result_id:
        preds.append(lambda r: r.survey_result_id == result_id)
    if survey_id:
        preds.append(lambda r: r.survey_id == survey_id)
    if names:
        preds.append(lambda r: r.survey_name in names)
    if steps:
        preds.append(lambda r: r.step in steps)
    if results:
        preds.append(lambda r: r.result in results)
    if answers:
        preds.append(lambda r: any(a in answers for a in r.answers))
    if events:
        preds.append(lambda r: r.event in events)
    if after is not None:
        preds.append(lambda r: r.date_us is not None and r.date_us > after)
    if before is not None:
        preds.append(lambda r: r.date_us is not None and r.date_us < before)
    if ins_after is not None:
        preds.append(lambda r: r.inserted_us > ins_after)
    if ins_before is not None:
        preds.append(lambda r: r.inserted_us < ins_before)
    key = (result_id, survey_id, sorted(names), sorted(steps), sorted(results), sorted(answers),
           sorted(events), after, before, ins_after, ins_before)
    return key, preds


SURVEY_ANSWERS: Collection[AnswerRow] = Collection(
    name="survey_answers",
    path="api/v1/delegated/surveyanswers",
    scope="SurveyAnswers:read",
    shape=CursorPages(items_key="surveyAnswers", size_param="limit", default_size=100, max_size=100),
    generate=generate_survey_answers,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_answer_filters,
    row_id=lambda row: row.record["id"],
)

COLLECTIONS: tuple[Collection[Any], ...] = (SURVEY_ANSWERS,)
OPERATIONS: tuple[Operation, ...] = ()
