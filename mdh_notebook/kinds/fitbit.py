"""Fitbit family: daily summaries and sleep logs (``pageSize`` ≤ 25 + ``pageID``, ``{results, nextPageID}``).

Both kinds are the Fitbit source's, switched on by DataCollectionSettings ``fitbitEnabled``: an
empty frame while the project has Fitbit switched off for the participant says so in a
:class:`~mdh_notebook.SourceDisabledWarning` (when the session may read the settings).
"""

from __future__ import annotations

from .model import FITBIT, Column, Kind, Operation, Param, Timeline
from .order import Ordered

#: how this family is named to a reader (the scope picker's group)
LABEL = "Fitbit"

__all__ = ["FITBIT_DAILY_SUMMARIES", "FITBIT_SLEEP_LOGS", "KINDS", "LABEL", "OPERATIONS"]

_PROVIDER = Param("provider_id", "providerID", "int",
                  "only data that came through this external account provider (its id, as "
                  "external_account_providers lists it, e.g. the 'Fitbit' device manufacturer's)")

FITBIT_SLEEP_LOGS = Kind(
    name="fitbit_sleep_logs",
    order=(Ordered(("start_timestamp",)),),
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
        Column("type", "category"),
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
        _PROVIDER,
    ),
    positional=("start", "end"),
    timeline=Timeline("start_timestamp", "start", "end", plot="sleep"),
    doc="Fitbit sleep logs, one row per sleep (naps included); duration in ms, the rest in minutes.",
)


def _zone(name: str) -> tuple[Column, ...]:
    wire = f"heartRateZones.{name}"
    return (Column(f"{wire}.caloriesOut", "Float64"), Column(f"{wire}.min", "Int64"),
            Column(f"{wire}.max", "Int64"), Column(f"{wire}.minutes", "Int64"))


FITBIT_DAILY_SUMMARIES = Kind(
    name="fitbit_daily_summaries",
    order=(Ordered(("date",)),),
    path="api/v1/delegated/fitbit/dailySummaries",
    token="participant",
    scope="FitbitDailySummaries:read",
    shape="keyed",
    items_key="results",
    paging=FITBIT,
    setting="fitbitEnabled",
    columns=(
        Column("date", "date"),
        Column("activityCalories", "Int64"),
        Column("bodyBMI", "Float64"),
        Column("bodyFat", "Float64"),
        Column("bodyWeight", "Float64"),
        Column("calories", "Int64"),
        Column("caloriesBMR", "Int64"),
        Column("distance", "Float64"),
        Column("elevation", "Float64"),
        Column("foodCaloriesIn", "Int64"),
        Column("floors", "Int64"),
        *_zone("fatBurn"),
        *_zone("cardio"),
        *_zone("peak"),
        *_zone("outOfRange"),
        Column("minutesFairlyActive", "Int64"),
        Column("minutesLightlyActive", "Int64"),
        Column("minutesSedentary", "Int64"),
        Column("minutesVeryActive", "Int64"),
        Column("steps", "Int64"),
        Column("tracker.activityCalories", "Int64"),
        Column("tracker.calories", "Int64"),
        Column("tracker.distance", "Float64"),
        Column("tracker.elevation", "Float64"),
        Column("tracker.floors", "Int64"),
        Column("tracker.minutesFairlyActive", "Int64"),
        Column("tracker.minutesLightlyActive", "Int64"),
        Column("tracker.minutesSedentary", "Int64"),
        Column("tracker.minutesVeryActive", "Int64"),
        Column("tracker.steps", "Int64"),
        Column("water", "Float64"),
        Column("modifiedDate", "datetime"),
        Column("restingHeartRate", "Int64"),
    ),
    params=(
        Param("start", "startDate", "datetime",
              "days whose date, read as midnight UTC, is at or after this (e.g. '2026-08-01')"),
        Param("end", "endDate", "datetime", "days whose date, read as midnight UTC, is before this (exclusive)"),
        _PROVIDER,
    ),
    positional=("start", "end"),
    timeline=Timeline("date", "start", "end", value="steps", how="sum"),
    doc=("Fitbit daily summaries, one row per day: ``date`` is the participant's calendar day (dtype date, "
         "a naive midnight); distance in km, elevation in m, water in ml, weight in kg; heart-rate zones "
         "flattened (``heart_rate_zones_<zone>_<field>`` for fat_burn, cardio, peak, out_of_range), the "
         "tracker's own counts as ``tracker_*`` (the totals add manually logged activities)."),
)

KINDS: tuple[Kind, ...] = (FITBIT_DAILY_SUMMARIES, FITBIT_SLEEP_LOGS)
OPERATIONS: tuple[Operation, ...] = ()
