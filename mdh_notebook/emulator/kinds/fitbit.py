"""Fitbit: daily summaries (``..fitbit_daily``) and sleep logs (``..sleep``), both ``pageSize``
(default and maximum 25, D:sdk/fitbit.html) + ``pageID``, answering ``{results, nextPageID}``.

Decisions where the reference is silent: sleep logs are ordered by startTimestamp, daily summaries
by date; ``startDate`` is inclusive and ``endDate`` exclusive, on ``startTimestamp`` for sleep and
on the summary's calendar ``date`` (taken as midnight UTC) for daily summaries; a date-only value
means midnight UTC. ``providerID`` (JS ``FitbitQuery.providerID``, a number) names the external
account provider the data came through: every participant's Fitbit data comes through the
provider directory's Fitbit provider (the device manufacturer named ``Fitbit`` in
``externalaccountproviders``; its id is drawn with the directory, so it depends on the seed:
look it up there), whether or not the seeded ``externalaccounts`` list a Fitbit account. That id
selects every row (as no ``providerID`` does); any other integer an empty page; a value that is
not an integer (optional sign and ASCII digits) is a 400 ``{"message"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..declarations import Collection, CursorPages, Operation, Params
from ..fitbit_daily import DailyRow, generate_daily_summaries
from ..paging import parse_instant_param, parse_int
from ..sleep import SleepRow, generate_sleep_logs

__all__ = ["COLLECTIONS", "DAILY_SUMMARIES", "OPERATIONS", "SLEEP_LOGS", "window"]

Row = TypeVar("Row")


def window(instant_us: Callable[[Row], int]) -> Callable[[Params], tuple[Any, list[Callable[[Row], bool]]]]:
    """The ``startDate`` (inclusive) / ``endDate`` (exclusive) filters on ``instant_us(row)``."""
    def filters(params: Params) -> tuple[Any, list[Callable[[Row], bool]]]:
        start = parse_instant_param("startDate", params.get("startDate"))
        end = parse_instant_param("endDate", params.get("endDate"))
        preds: list[Callable[[Row], bool]] = []
        if start is not None:
            preds.append(lambda r: instant_us(r) >= start)
        if end is not None:
            preds.append(lambda r: instant_us(r) < end)
        return (start, end), preds

    return filters


def _provider_id(params: Params) -> int | None:
    raw = params.get("providerID")
    if raw is None or not raw.strip():
        return None
    return parse_int("providerID", raw, 0, minimum=-(2**63))


def _fitbit_filters(instant_us: Callable[[Row], int],
                    provider_id: Callable[[Row], int]) -> Callable[[Params], tuple[Any, list[Callable[[Row], bool]]]]:
    """``window`` on ``instant_us(row)``, and ``providerID`` on ``provider_id(row)``."""
    dates = window(instant_us)

    def filters(params: Params) -> tuple[Any, list[Callable[[Row], bool]]]:
        key, preds = dates(params)
        provider = _provider_id(params)
        if provider is not None:
            preds.append(lambda r: provider_id(r) == provider)
        return (*key, provider), preds

    return filters


def _fitbit_pages() -> CursorPages:
    return CursorPages(items_key="results", size_param="pageSize", default_size=25, max_size=25)


SLEEP_LOGS: Collection[SleepRow] = Collection(
    name="sleep_logs",
    path="api/v1/delegated/fitbit/sleepLogs",
    scope="FitbitSleepLogs:read",
    shape=_fitbit_pages(),
    generate=generate_sleep_logs,
    sort_key=lambda row: (row.start_us, row.ordinal),
    render=lambda row: row.record,
    filters=_fitbit_filters(lambda row: row.start_us, lambda row: row.provider_id),
    source="Fitbit",
)

DAILY_SUMMARIES: Collection[DailyRow] = Collection(
    name="fitbit_daily_summaries",
    path="api/v1/delegated/fitbit/dailySummaries",
    scope="FitbitDailySummaries:read",
    shape=_fitbit_pages(),
    generate=generate_daily_summaries,
    sort_key=lambda row: (row.date_us,),
    render=lambda row: row.record,
    filters=_fitbit_filters(lambda row: row.date_us, lambda row: row.provider_id),
    source="Fitbit",
)

COLLECTIONS: tuple[Collection[Any], ...] = (DAILY_SUMMARIES, SLEEP_LOGS)
OPERATIONS: tuple[Operation, ...] = ()
