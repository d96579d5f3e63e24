"""Fitbit family: sleep logs (later: daily summaries)."""

from __future__ import annotations

from .model import FITBIT, Column, Kind, Operation, Param

__all__ = ["FITBIT_SLEEP_LOGS", "KINDS", "OPERATIONS"]

FITBIT_SLEEP_LOGS = Kind(
    name="fitbit_sleep_logs",
    path="api/v1/delegated/fitbit/sleepLogs",
    token="participant",
    scope="FitbitSleepLogs:read",
    shape="keyed",
    items_key="results",
    paging=FITBIT,
    setting="fitbitEnabled",
    columns=(
        Column("startTimestamp", "datetime"),
        Column("endTimestamp", "datetime"),
        Column("duration", "Int64"),
        Column("efficiency", "Int64"),
        Column("timeInBed", "Int64"),
        Column("infoCode", "string"),
        Column("type", "string"),
        Column("minutesAfterWakeup", "Int64"),
        Column("minutesAsleep", "Int64"),
        Column("minutesAwake", "Int64"),
        Column("minutesToFallAsleep", "Int64"),
        Column("sleepLevelAwake", "Int64"),
        Column("sleepLevelAsleep", "Int64"),
        Column("sleepLevelRestless", "Int64"),
        Column("sleepLevelDeep", "Int64"),
        Column("sleepLevelLight", "Int64"),
        Column("sleepLevelRem", "Int64"),
        Column("sleepLevelWake", "Int64"),
    ),
    params=(
        Param("start", "startDate", "datetime", "sleep that started at or after this instant"),
        Param("end", "endDate", "datetime", "sleep that started before this instant"),
    ),
    positional=("start", "end"),
    doc="Fitbit sleep logs, one row per sleep (naps included); duration in ms, the rest in minutes.",
)

KINDS: tuple[Kind, ...] = (FITBIT_SLEEP_LOGS,)
OPERATIONS: tuple[Operation, ...] = ()
