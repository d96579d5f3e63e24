"""The catalogue: one declarative entry per data kind.

An entry says where a kind lives (path, which token, which scope), how it pages, which
key holds its records, its columns with their dtypes, and the filters it takes. The
session's methods, the pager, the frame builder and the CLI all read this table; adding
a kind means adding an entry here (plus the sandbox's generator and a test) — nothing else.

Column dtypes: ``string``, ``Int64``, ``Float64``, ``boolean`` (also from "true"/"false"
strings), ``datetime`` (tz-aware UTC, see :mod:`mdh_notebook.frames`), ``date`` (a calendar
date, naive midnight), ``object`` (lists and free-form maps, kept whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CURSOR",
    "FITBIT",
    "KINDS",
    "PAGE_NUMBER",
    "SINGLE",
    "Column",
    "Kind",
    "Paging",
    "Param",
    "kind",
    "snake_case",
]


def snake_case(name: str) -> str:
    """``surveyResultID`` → ``survey_result_id``; ``source.identifier`` → ``source_identifier``."""
    parts = []
    for part in name.split("."):
        part = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", part)
        part = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", part)
        parts.append(re.sub(r"[^0-9a-zA-Z]+", "_", part).strip("_").lower())
    return "_".join(p for p in parts if p)


@dataclass(frozen=True)
class Paging:
    """How a kind pages. ``style`` is ``cursor`` (size + ``pageID`` → ``nextPageID``),
    ``page_number`` (size + ``pageNumber`` with a total) or ``none`` (one object)."""

    style: str
    size_param: str = ""
    max_size: int = 0
    cursor_param: str = "pageID"
    next_key: str = "nextPageID"
    number_param: str = "pageNumber"
    total_key: str = ""


CURSOR = Paging("cursor", "limit", 100)  # delegated lists: limit ≤ 100 (reference §3)
FITBIT = Paging("cursor", "pageSize", 25)  # Fitbit: pageSize ≤ 25 (D:sdk/fitbit.html)
PAGE_NUMBER = Paging("page_number", "pageSize", 100, total_key="totalParticipants")  # admin participants
SINGLE = Paging("none")


@dataclass(frozen=True)
class Column:
    wire: str  # key on the wire; dotted for a nested object's field
    dtype: str  # a free-form map (customFields) is declared as one "object" column and kept whole

    @property
    def name(self) -> str:
        return snake_case(self.wire)


@dataclass(frozen=True)
class Param:
    name: str  # the Python keyword
    wire: str  # the query parameter
    type: str  # "str" | "list" | "datetime" | "int"
    doc: str = ""


@dataclass(frozen=True)
class Kind:
    name: str  # also the session method's name
    path: str  # relative to the base URL; {project_id} is filled in for admin kinds
    token: str  # "participant" | "service"
    scope: str  # the participant scope it needs ("" for service-token kinds)
    paging: Paging
    items_key: str  # the response key holding the records ("" = the body is the record)
    columns: tuple[Column, ...]
    params: tuple[Param, ...] = ()
    doc: str = ""
    positional: tuple[str, ...] = ()  # filters also taken by position, e.g. (start, end)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _cols(spec: str) -> tuple[Column, ...]:
    """Columns from lines of ``wireName dtype``."""
    out = []
    for line in spec.split("\n"):
        if not line.strip():
            continue
        wire, dtype = line.split()
        out.append(Column(wire, dtype))
    return tuple(out)


_DEMOGRAPHICS = """
demographics.email string
demographics.mobilePhone string
demographics.firstName string
demographics.middleName string
demographics.lastName string
demographics.street1 string
demographics.street2 string
demographics.city string
demographics.state string
demographics.postalCode string
demographics.dateOfBirth date
demographics.preferredLanguage string
demographics.gender string
demographics.utcOffset string
demographics.timeZone string
"""

PARTICIPANT_INFO = Kind(
    name="participant_info",
    path="api/v1/delegated/participant",
    token="participant",
    scope="Participant:read",
    paging=SINGLE,
    items_key="",
    columns=_cols("""
participantID string
projectID string
participantIdentifier string
secondaryIdentifier string
linkIdentifier string
enrollmentDate datetime
""" + _DEMOGRAPHICS + """
demographics.unsubscribedFromEmails boolean
demographics.unsubscribedFromSms boolean
customFields object
"""),
    doc="The participant's own record (GET participant): identifiers, demographics, custom fields.",
)

SURVEY_ANSWERS = Kind(
    name="survey_answers",
    path="api/v1/delegated/surveyanswers",
    token="participant",
    scope="SurveyAnswers:read",
    paging=CURSOR,
    items_key="surveyAnswers",
    columns=_cols("""
id string
participantID string
participantIdentifier string
surveyResultID string
surveyID string
surveyVersion Int64
taskID string
surveyName string
surveyDisplayName string
date datetime
stepIdentifier string
resultIdentifier string
answers object
insertedDate datetime
schedule.id string
schedule.name string
schedule.category string
schedule.interval Int64
schedule.intervalType string
type string
event string
"""),
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

FITBIT_SLEEP_LOGS = Kind(
    name="fitbit_sleep_logs",
    path="api/v1/delegated/fitbit/sleepLogs",
    token="participant",
    scope="FitbitSleepLogs:read",
    paging=FITBIT,
    items_key="results",
    columns=_cols("""
startTimestamp datetime
endTimestamp datetime
duration Int64
efficiency Int64
timeInBed Int64
infoCode string
type string
minutesAfterWakeup Int64
minutesAsleep Int64
minutesAwake Int64
minutesToFallAsleep Int64
sleepLevelAwake Int64
sleepLevelAsleep Int64
sleepLevelRestless Int64
sleepLevelDeep Int64
sleepLevelLight Int64
sleepLevelRem Int64
sleepLevelWake Int64
"""),
    params=(
        Param("start", "startDate", "datetime", "sleep that started at or after this instant"),
        Param("end", "endDate", "datetime", "sleep that started before this instant"),
    ),
    doc="Fitbit sleep logs, one row per sleep (naps included); duration in ms, the rest in minutes.",
    positional=("start", "end"),
)

PARTICIPANTS = Kind(
    name="participants",
    path="api/v1/administration/projects/{project_id}/participants",
    token="service",
    scope="",
    paging=PAGE_NUMBER,
    items_key="participants",
    columns=_cols("""
id string
participantIdentifier string
secondaryIdentifier string
linkIdentifier string
enrolled boolean
enrollmentDate datetime
withdrawDate datetime
insertedDate datetime
invitationStatus string
""" + _DEMOGRAPHICS + """
customFields object
"""),
    params=(Param("query", "query", "str", "matches identifier, name or email"),),
    doc="The project's participants (admin API, service token).",
)

KINDS: dict[str, Kind] = {k.name: k for k in (PARTICIPANT_INFO, SURVEY_ANSWERS, FITBIT_SLEEP_LOGS, PARTICIPANTS)}


def kind(name: str) -> Kind:
    """The catalogue entry ``name``, or an error listing the kinds there are."""
    from .errors import InvalidArgumentError

    try:
        return KINDS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(KINDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InvalidArgumentError(f"unknown data kind {name!r}{hint} (kinds: {', '.join(KINDS)})") from None
