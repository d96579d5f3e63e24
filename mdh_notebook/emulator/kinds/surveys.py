"""Surveys, notifications, inbox and custom events: answers, results and tasks (``..surveys``,
``..survey_results``, one plan behind them: ``..survey_plan``), notification history
(``..notifications``), inbox items (``..inbox``), deleting a result, custom events
(``..custom_events``).

Decisions where the reference is silent:
- answers and results are ordered by (insertedDate, id) ascending, notifications by (sentDate,
  id) ascending; tasks by insertedDate, **descending unless** ``sortOrder=ascending`` (iOS:
  "sort by task creation date ... defaults to dateDescending"); inbox items by ``sortColumn``
  (default insertedDate), **descending unless** ``sortOrder=ascending``, items without that date
  last in either order;
- every after/before bound is exclusive; ``after``/``before`` compare with ``date`` (answers
  without one never match); ``endsAfter``/``endsBefore`` with the inbox item's ``endDate``
  (items without one never match);
- enumerations (task and inbox ``status``, inbox ``type``, notification ``type`` and
  ``statusCode``, ``sortOrder``, ``sortColumn``) match case-insensitively, as ASP.NET binds enums
  (so iOS's ``serviceError`` is ``ServiceError``); any other value is a 400; ``surveyCategory`` and
  the inbox ``category`` match case-insensitively; names, identifiers and events exactly;
- ``surveyID``, ``linkIdentifier`` and the ids in paths are GUIDs (400 otherwise, any case);
- **inbox scope: SurveyTasks:read** (the reference has "?"): the JS SDK keeps its inbox calls in
  its Surveys section beside ``querySurveyTasks``, and an inbox survey item is a survey task (same
  id); ``PUT inbox/{id}/markRead`` needs it too (there is no inbox write scope);
- ``PUT inbox/{id}/markRead`` answers ``{"update": "markRead", "status": "success"}`` when the item
  was new (it is not any more; an open message or resource becomes complete) and ``"noChange"``
  when it was already read;
- ``DELETE surveyresults/{id}`` (SurveyResults:write) removes the result and every answer of it;
  its task stays complete (the task was done); an empty 200.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..custom_events import events_view, track_custom_event
from ..declarations import Call, Collection, CursorPages, Empty, Operation, Params, Public, Result
from ..exceptions import BadRequest
from ..inbox import ITEM_TYPES, InboxRow, generate_inbox, mark_read
from ..notifications import NOTIFICATION_TYPES, STATUS_CODES, NotificationRow, generate_notifications
from ..ordering import OrderedCursorPages, parse_choice
from ..paging import SortKey, exclusive_range, parse_guid, split_list
from ..survey_plan import plan_answers
from ..survey_results import ResultRow, TaskRow, generate_survey_results, generate_survey_tasks
from ..surveys import AnswerRow

__all__ = ["COLLECTIONS", "INBOX", "NOTIFICATIONS", "OPERATIONS", "PUBLIC", "SURVEY_ANSWERS", "SURVEY_RESULTS",
           "SURVEY_TASKS"]

TASK_STATUSES = ("incomplete", "complete", "closed")
SORT_ORDERS = ("ascending", "descending")
SORT_COLUMNS = ("insertedDate", "dueDate", "endDate")
DELEGATED = "api/v1/delegated"


def _choices(name: str, params: Params, choices: tuple[str, ...]) -> frozenset[str]:
    return frozenset(str(parse_choice(name, item, choices)) for item in split_list(params.getlist(name)))


def _answer_filters(params: Params) -> tuple[Any, list[Callable[[AnswerRow], bool]]]:
    result_id = parse_guid("surveyResultID", params.get("surveyResultID"))
    survey_id = parse_guid("surveyID", params.get("surveyID"))
    names = frozenset(split_list(params.getlist("surveyName")))
    steps = frozenset(split_list(params.getlist("stepIdentifier")))
    results = frozenset(split_list(params.getlist("resultIdentifier")))
    answers = frozenset(split_list(params.getlist("answer")))
    events = frozenset(split_list(params.getlist("event")))
    dated, dated_preds = exclusive_range(params, "after", "before", lambda r: r.date_us)
    inserted, inserted_preds = exclusive_range(params, "insertedAfter", "insertedBefore", lambda r: r.inserted_us)
    preds: list[Callable[[AnswerRow], bool]] = [*dated_preds, *inserted_preds]
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
    key = (result_id, survey_id, sorted(names), sorted(steps), sorted(results), sorted(answers),
           sorted(events), dated, inserted)
    return key, preds


SURVEY_ANSWERS: Collection[AnswerRow] = Collection(
    name="survey_answers",
    path=f"{DELEGATED}/surveyanswers",
    scope="SurveyAnswers:read",
    shape=CursorPages(items_key="surveyAnswers", size_param="limit", default_size=100, max_size=100),
    generate=plan_answers,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_answer_filters,
    row_id=lambda row: row.record["id"],
)


def _result_filters(params: Params) -> tuple[Any, list[Callable[[ResultRow], bool]]]:
    survey_id = parse_guid("surveyID", params.get("surveyID"))
    names = frozenset(split_list(params.getlist("surveyName")))
    events = frozenset(split_list(params.getlist("event")))
    dated, dated_preds = exclusive_range(params, "after", "before", lambda r: r.date_us)
    inserted, inserted_preds = exclusive_range(params, "insertedAfter", "insertedBefore", lambda r: r.inserted_us)
    preds: list[Callable[[ResultRow], bool]] = [*dated_preds, *inserted_preds]
    if survey_id:
        preds.append(lambda r: r.survey_id == survey_id)
    if names:
        preds.append(lambda r: r.survey_name in names)
    if events:
        preds.append(lambda r: r.event in events)
    return (survey_id, sorted(names), sorted(events), dated, inserted), preds


SURVEY_RESULTS: Collection[ResultRow] = Collection(
    name="survey_results",
    path=f"{DELEGATED}/surveyresults",
    scope="SurveyAnswers:read",
    shape=CursorPages(items_key="surveyResults", size_param="limit", default_size=100, max_size=100),
    generate=generate_survey_results,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_result_filters,
    row_id=lambda row: row.id,
)


def _sort_order(params: Params) -> str:
    return parse_choice("sortOrder", params.get("sortOrder"), SORT_ORDERS) or "descending"


def _task_filters(params: Params) -> tuple[Any, list[Callable[[TaskRow], bool]]]:
    statuses = _choices("status", params, TASK_STATUSES)
    survey_id = parse_guid("surveyID", params.get("surveyID"))
    names = frozenset(split_list(params.getlist("surveyName")))
    category = (params.get("surveyCategory") or "").strip().casefold()
    link = parse_guid("linkIdentifier", params.get("linkIdentifier"))
    events = frozenset(split_list(params.getlist("event")))
    order = _sort_order(params)
    preds: list[Callable[[TaskRow], bool]] = []
    if statuses:
        preds.append(lambda r: r.status in statuses)
    if survey_id:
        preds.append(lambda r: r.survey_id == survey_id)
    if names:
        preds.append(lambda r: r.survey_name in names)
    if category:
        preds.append(lambda r: r.category == category)
    if link:
        preds.append(lambda r: r.link_id == link)
    if events:
        preds.append(lambda r: r.event in events)
    return (sorted(statuses), survey_id, sorted(names), category, link, sorted(events), order), preds


def _task_order(params: Params) -> Callable[[TaskRow], SortKey] | None:
    if _sort_order(params) == "ascending":
        return None  # the stored order
    return lambda row: (-row.inserted_us, row.id)


SURVEY_TASKS: Collection[TaskRow] = Collection(
    name="survey_tasks",
    path=f"{DELEGATED}/surveytasks",
    scope="SurveyTasks:read",
    shape=OrderedCursorPages(items_key="surveyTasks", size_param="limit", default_size=100, max_size=100,
                             order=_task_order),
    generate=generate_survey_tasks,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_task_filters,
    row_id=lambda row: row.id,
)


def _notification_filters(params: Params) -> tuple[Any, list[Callable[[NotificationRow], bool]]]:
    identifier = params.get("identifier") or ""
    sent, preds = exclusive_range(params, "sentAfter", "sentBefore", lambda r: r.sent_us)
    kind = parse_choice("type", params.get("type"), NOTIFICATION_TYPES)
    status = parse_choice("statusCode", params.get("statusCode"), STATUS_CODES)
    if identifier:
        preds.append(lambda r: r.identifier == identifier)
    if kind:
        preds.append(lambda r: r.type == kind)
    if status:
        preds.append(lambda r: r.status == status)
    return (identifier, sent, kind, status), preds


NOTIFICATIONS: Collection[NotificationRow] = Collection(
    name="notifications",
    path=f"{DELEGATED}/notifications",
    scope="Notifications:read",
    shape=CursorPages(items_key="notifications", size_param="limit", default_size=100, max_size=100),
    generate=generate_notifications,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_notification_filters,
    row_id=lambda row: row.id,
)


def _inbox_order_of(params: Params) -> tuple[str, str]:
    column = parse_choice("sortColumn", params.get("sortColumn"), SORT_COLUMNS) or "insertedDate"
    return column, _sort_order(params)


def _inbox_filters(params: Params) -> tuple[Any, list[Callable[[InboxRow], bool]]]:
    kinds = _choices("type", params, ITEM_TYPES)
    statuses = _choices("status", params, TASK_STATUSES)
    category = (params.get("category") or "").strip().casefold()
    ends, preds = exclusive_range(params, "endsAfter", "endsBefore", lambda r: r.end_us)
    order = _inbox_order_of(params)
    if kinds:
        preds.append(lambda r: r.type in kinds)
    if statuses:
        preds.append(lambda r: r.status in statuses)
    if category:
        preds.append(lambda r: category in r.categories)
    return (sorted(kinds), sorted(statuses), category, ends, order), preds


_INBOX_DATES: dict[str, Callable[[InboxRow], int | None]] = {
    "insertedDate": lambda row: row.inserted_us,
    "dueDate": lambda row: row.due_us,
    "endDate": lambda row: row.end_us,
}


def _inbox_order(params: Params) -> Callable[[InboxRow], SortKey] | None:
    column, order = _inbox_order_of(params)
    if (column, order) == ("insertedDate", "ascending"):
        return None  # the stored order
    value = _INBOX_DATES[column]
    sign = 1 if order == "ascending" else -1

    def key(row: InboxRow) -> SortKey:
        at = value(row)
        return (1, 0, row.id) if at is None else (0, sign * at, row.id)

    return key


INBOX: Collection[InboxRow] = Collection(
    name="inbox",
    path=f"{DELEGATED}/inbox",
    scope="SurveyTasks:read",
    shape=OrderedCursorPages(items_key="items", size_param="limit", default_size=100, max_size=100,
                             order=_inbox_order),
    generate=generate_inbox,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_inbox_filters,
    row_id=lambda row: row.id,
)


def _path_guid(call: Call, name: str) -> str:
    value = parse_guid(name, call.path[name])
    if value is None:
        raise BadRequest(f"{name} must be a GUID")
    return value


def _delete_result(call: Call) -> Result:
    result_id = _path_guid(call, "surveyResultID")
    call.delete(SURVEY_RESULTS, result_id, "survey result")
    store, participant = call.backend.store, call.participant
    for row in [r for r in store.rows(participant, SURVEY_ANSWERS) if r.survey_result_id == result_id]:
        store.delete(participant, SURVEY_ANSWERS, row.record["id"])
    return Empty()


def _inbox_item(call: Call) -> Result:
    row = call.find(INBOX, _path_guid(call, "id"), "inbox item")
    return dict(row.record)


def _mark_read(call: Call) -> Result:
    item_id = _path_guid(call, "id")
    row = call.find(INBOX, item_id, "inbox item")
    if not row.is_new:
        return {"update": "markRead", "status": "noChange"}
    changed: list[bool] = []

    def change(old: InboxRow) -> InboxRow:
        changed.append(old.is_new)
        return mark_read(old) if old.is_new else dataclasses.replace(old)

    call.backend.store.update(call.participant, INBOX, item_id, change)
    return {"update": "markRead", "status": "success" if any(changed) else "noChange"}


COLLECTIONS: tuple[Collection[Any], ...] = (SURVEY_ANSWERS, SURVEY_RESULTS, SURVEY_TASKS, NOTIFICATIONS, INBOX)
OPERATIONS: tuple[Operation, ...] = (
    Operation("delete_survey_result", "DELETE", f"{DELEGATED}/surveyresults/{{surveyResultID}}",
              "SurveyResults:write", _delete_result),
    Operation("inbox_item", "GET", f"{DELEGATED}/inbox/{{id}}", "SurveyTasks:read", _inbox_item),
    Operation("mark_inbox_item_read", "PUT", f"{DELEGATED}/inbox/{{id}}/markRead", "SurveyTasks:read", _mark_read),
    Operation("log_custom_event", "POST", f"{DELEGATED}/customevents", "CustomEvents:write", track_custom_event),
)
PUBLIC: tuple[Public, ...] = (
    Public("custom_events_view", "GET", "_sandbox/customevents", events_view),
)
