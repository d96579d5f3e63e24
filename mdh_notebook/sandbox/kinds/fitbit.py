"""Fitbit: sleep logs (and, later, daily summaries), served from ``..sleep``'s generator.

Decisions where the reference is silent: sleep logs are ordered by startTimestamp; ``startDate``
is inclusive and ``endDate`` exclusive, both on ``startTimestamp``; a date-only value means
midnight UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..declarations import Collection, CursorPages, Operation, Params
from ..paging import parse_instant_param
from ..sleep import SleepRow, generate_sleep_logs

__all__ = ["COLLECTIONS", "OPERATIONS", "SLEEP_LOGS"]


def _sleep_filters(params: Params) -> tuple[Any, list[Callable[[SleepRow], bool]]]:
    start = parse_instant_param("startDate", params.get("startDate"))
    end = parse_instant_param("endDate", params.get("endDate"))
    preds: list[Callable[[SleepRow], bool]] = []
    if start is not None:
        preds.append(lambda r: r.start_us >= start)
    if end is not None:
        preds.append(lambda r: r.start_us < end)
    return (start, end), preds


SLEEP_LOGS: Collection[SleepRow] = Collection(
    name="sleep_logs",
    path="api/v1/delegated/fitbit/sleepLogs",
    scope="FitbitSleepLogs:read",
    shape=CursorPages(items_key="results", size_param="pageSize", default_size=25, max_size=25),
    generate=generate_sleep_logs,
    sort_key=lambda row: (row.start_us, row.ordinal),
    render=lambda row: row.record,
    filters=_sleep_filters,
    source="Fitbit",
)

COLLECTIONS: tuple[Collection[Any], ...] = (SLEEP_LOGS,)
OPERATIONS: tuple[Operation, ...] = ()
