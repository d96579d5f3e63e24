"""Apple Health: workouts and activity summaries (``..applehealth``), ``pageSize`` + ``pageID``,
answering ``{results, nextPageID, totalResults}`` (``totalResults``: the rows matching the filters
in all, on every page).

Decisions where the reference is silent: the page size defaults to 25 and is at most 25, as for
Fitbit (the JS SDK's ``AppleHealthQuery`` is Fitbit's query; no maximum is published), larger
sizes being clamped; rows are ordered by start; ``startDate`` is inclusive and ``endDate``
exclusive, on the activity summary's ``startDate`` (its local midnight) and on the workout's
``startDate`` (its ``endDate`` for the few workouts sent without one); a date-only value means
midnight UTC.
"""

from __future__ import annotations

from typing import Any

from ..applehealth import ActivityRow, WorkoutRow, generate_activity_summaries, generate_workouts
from ..declarations import Collection, CursorPages, Operation, total
from .fitbit import window

__all__ = ["ACTIVITY_SUMMARIES", "COLLECTIONS", "OPERATIONS", "WORKOUTS"]


def _pages() -> CursorPages:
    return CursorPages(items_key="results", size_param="pageSize", default_size=25, max_size=25,
                       extra=total("totalResults"))


WORKOUTS: Collection[WorkoutRow] = Collection(
    name="apple_health_workouts",
    path="api/v1/delegated/appleHealth/workouts",
    scope="AppleHealthWorkouts:read",
    shape=_pages(),
    generate=generate_workouts,
    sort_key=lambda row: (row.start_us, row.ordinal),
    render=lambda row: row.record,
    filters=window(lambda row: row.start_us),
    row_id=lambda row: str(row.record["id"]),
    source="AppleHealth",
)

ACTIVITY_SUMMARIES: Collection[ActivityRow] = Collection(
    name="apple_health_activity_summaries",
    path="api/v1/delegated/appleHealth/activitySummaries",
    scope="AppleHealthActivitySummaries:read",
    shape=_pages(),
    generate=generate_activity_summaries,
    sort_key=lambda row: (row.start_us,),
    render=lambda row: row.record,
    filters=window(lambda row: row.start_us),
    row_id=lambda row: str(row.record["id"]),
    source="AppleHealth",
)

COLLECTIONS: tuple[Collection[Any], ...] = (WORKOUTS, ACTIVITY_SUMMARIES)
OPERATIONS: tuple[Operation, ...] = ()
