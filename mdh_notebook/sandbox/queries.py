"""Request parameters -> filtered, paged results, for the admin participant list and the
delegated collections. Pure functions over in-memory, pre-sorted rows.

Decisions where the reference is silent:
- query-parameter names match case-insensitively (as ASP.NET model binding does);
- survey answers are ordered by (insertedDate, id) ascending; sleep logs by startTimestamp;
- ``after``/``before`` compare with ``date`` and exclude answers without a date; all
  after/before bounds are exclusive;
- sleep-log ``startDate`` is inclusive and ``endDate`` exclusive, both on ``startTimestamp``;
  a date-only value means midnight UTC;
- sizes above the maximum are clamped, below 1 -> 400.

Paging a filtered collection scans the rows once in all: a page resumes at the row position its
cursor carries and stops at the next matching row, whose position the next cursor carries.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from .cohort import Participant
from .exceptions import BadRequest, shown
from .paging import CursorCodec, fingerprint, parse_bool, parse_instant_param, parse_int, split_list
from .sleep import SleepRow
from .surveys import AnswerRow

__all__ = [
    "COLLECTIONS",
    "Collection",
    "Params",
    "ParticipantData",
    "ParticipantIndex",
    "collection_page",
    "participant_page",
]

Row = TypeVar("Row")


class Params:
    """Query parameters with case-insensitive names and repeated values kept."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key.lower(), []).append(value)

    def get(self, name: str) -> str | None:
        values = self._values.get(name.lower())
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return list(self._values.get(name.lower(), []))


@dataclasses.dataclass(frozen=True)
class ParticipantData:
    survey_answers: list[AnswerRow]
    sleep_logs: list[SleepRow]


Predicate = Callable[[Any], bool]


@dataclasses.dataclass(frozen=True)
class Collection(Generic[Row]):
    """One delegated list endpoint: where it lives, what it needs, how it filters and pages."""

    path: str  # after api/v1/delegated/
    scope: str
    items_key: str
    size_param: str
    default_size: int
    max_size: int
    rows: Callable[[ParticipantData], Sequence[Row]]
    build_filter: Callable[[Params], tuple[tuple[Any, ...], list[Callable[[Row], bool]]]]
    record: Callable[[Row], dict[str, Any]]


def _guid_param(params: Params, name: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise BadRequest(f"{name} must be a GUID, got {shown(raw)}") from None


def _answer_filter(params: Params) -> tuple[tuple[Any, ...], list[Callable[[AnswerRow], bool]]]:
    result_id = _guid_param(params, "surveyResultID")
    survey_id = _guid_param(params, "surveyID")
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
    return tuple(key), preds


def _sleep_filter(params: Params) -> tuple[tuple[Any, ...], list[Callable[[SleepRow], bool]]]:
    start = parse_instant_param("startDate", params.get("startDate"))
    end = parse_instant_param("endDate", params.get("endDate"))
    preds: list[Callable[[SleepRow], bool]] = []
    if start is not None:
        preds.append(lambda r: r.start_us >= start)
    if end is not None:
        preds.append(lambda r: r.start_us < end)
    return (start, end), preds


SURVEY_ANSWERS: Collection[AnswerRow] = Collection(
    path="surveyanswers",
    scope="SurveyAnswers:read",
    items_key="surveyAnswers",
    size_param="limit",
    default_size=100,
    max_size=100,
    rows=lambda data: data.survey_answers,
    build_filter=_answer_filter,
    record=lambda row: row.record,
)

SLEEP_LOGS: Collection[SleepRow] = Collection(
    path="fitbit/sleepLogs",
    scope="FitbitSleepLogs:read",
    items_key="results",
    size_param="pageSize",
    default_size=25,
    max_size=25,
    rows=lambda data: data.sleep_logs,
    build_filter=_sleep_filter,
    record=lambda row: row.record,
)

#: The delegated collections the sandbox serves; adding a data kind adds one entry here.
COLLECTIONS: tuple[Collection[Any], ...] = (SURVEY_ANSWERS, SLEEP_LOGS)


def collection_page(
    collection: Collection[Row],
    data: ParticipantData,
    params: Params,
    codec: CursorCodec,
    participant_id: str,
) -> dict[str, Any]:
    size = parse_int(collection.size_param, params.get(collection.size_param), collection.default_size,
                     minimum=1, maximum=collection.max_size)
    key, preds = collection.build_filter(params)
    query = fingerprint(collection.path, participant_id, key)
    page_id = params.get("pageID")
    position = 0 if page_id is None or page_id == "" else codec.decode(page_id, query)
    rows = collection.rows(data)
    end = len(rows)
    if not preds:
        page = list(rows[position : position + size])
        position = min(end, position + size)
    else:
        page = []
        while position < end and len(page) < size:
            row = rows[position]
            position += 1
            if all(p(row) for p in preds):
                page.append(row)
        while position < end and not all(p(rows[position]) for p in preds):
            position += 1  # the next page starts at the next match; none left -> this is the last page
    return {
        collection.items_key: [collection.record(r) for r in page],
        "nextPageID": codec.encode(position, query) if position < end else None,
    }


_SORTS: dict[str, Callable[[Participant], Any]] = {
    "inserteddate": lambda p: p.inserted_ms,
    "enrollmentdate": lambda p: p.enrollment_ms,
    "participantidentifier": lambda p: p.identifier,
    "id": lambda p: p.id,
}


class ParticipantIndex:
    """The cohort prepared for the admin list: search texts computed once, sort orders on first use."""

    def __init__(self, participants: Sequence[Participant]) -> None:
        by_identifier = sorted(participants, key=lambda p: p.identifier)
        self._entries = [(p, p.search_texts()) for p in by_identifier]
        self._orders: dict[tuple[str, bool], list[tuple[Participant, tuple[str, ...]]]] = {}
        self._lock = threading.Lock()

    def ordered(self, sort_name: str, ascending: bool) -> list[tuple[Participant, tuple[str, ...]]]:
        """Entries sorted by ``sort_name`` (a key of the sort table), ties by participantIdentifier."""
        with self._lock:
            order = self._orders.get((sort_name, ascending))
            if order is None:
                sort_key = _SORTS[sort_name]
                order = sorted(self._entries, key=lambda entry: sort_key(entry[0]), reverse=not ascending)
                self._orders[(sort_name, ascending)] = order
            return order


def participant_page(index: ParticipantIndex, params: Params) -> dict[str, Any]:
    """Admin participant list: ``pageNumber`` (0-based), ``pageSize`` (default 100, max 200),
    ``sortBy`` (InsertedDate | EnrollmentDate | ParticipantIdentifier | Id, case-insensitive;
    default InsertedDate), ``sortAscending`` (default true), ``query`` (case-insensitive substring
    of identifier, first / middle / last / full name or email)."""
    number = parse_int("pageNumber", params.get("pageNumber"), 0, minimum=0)
    size = parse_int("pageSize", params.get("pageSize"), 100, minimum=1, maximum=200)
    sort_name = (params.get("sortBy") or "InsertedDate").strip() or "InsertedDate"
    if sort_name.lower() not in _SORTS:
        raise BadRequest(f"sortBy must be one of InsertedDate, EnrollmentDate, ParticipantIdentifier, Id; "
                         f"got {shown(sort_name)}")
    ascending = parse_bool("sortAscending", params.get("sortAscending"), True)
    text = (params.get("query") or "").strip().casefold()
    ordered = index.ordered(sort_name.lower(), ascending)
    chosen = [p for p, texts in ordered if any(text in t for t in texts)] if text else [p for p, _ in ordered]
    page = chosen[number * size : (number + 1) * size]
    return {
        "participants": [p.admin_json() for p in page],
        "totalParticipants": len(chosen),
        "pageNumber": number,
    }
