"""Apple Health family: workouts and activity summaries (``pageSize`` + ``pageID``, answering
``{results, nextPageID, totalResults}``).

The reference publishes no maximum page size for Apple Health; these kinds ask for 25, Fitbit's
documented maximum (the JS SDK's ``AppleHealthQuery`` is the same query as Fitbit's), so a server
that allows more costs a few requests and one that allows less cannot cut pages short unseen.
``totalResults`` feeds the progress bar. Both kinds are the AppleHealth source's, switched on
by DataCollectionSettings ``appleHealthEnabled``.
"""

from __future__ import annotations

from .model import Column, Kind, Operation, Paging, Param, Timeline
from .order import Ordered

#: how this family is named to a reader (the scope picker's group)
LABEL = "Apple Health"

__all__ = ["APPLE_HEALTH", "APPLE_HEALTH_ACTIVITY_SUMMARIES", "APPLE_HEALTH_WORKOUTS", "KINDS", "LABEL", "OPERATIONS"]

APPLE_HEALTH = Paging(style="cursor", size_param="pageSize", max_size=25, total_key="totalResults")


def _window(what: str) -> tuple[Param, ...]:
    return (
        Param("start", "startDate", "datetime", f"{what} that started at or after this instant"),
        Param("end", "endDate", "datetime", f"{what} that started before this instant"),
    )


APPLE_HEALTH_WORKOUTS = Kind(
    name="apple_health_workouts",
    order=(Ordered(("start_date", "end_date")),),
    path="api/v1/delegated/appleHealth/workouts",
    token="participant",
    scope="AppleHealthWorkouts:read",
    shape="keyed",
    items_key="results",
    paging=APPLE_HEALTH,
    setting="appleHealthEnabled",
    columns=(
        Column("id", "string"),
        Column("startDate", "datetime"),
        Column("endDate", "datetime"),
        Column("source.name", "string"),
        Column("source.identifier", "string"),
        Column("source.version", "string"),
        Column("source.operatingSystemVersion", "string"),
        Column("source.productType", "string"),
        Column("metadata", "object"),
        Column("insertedDate", "datetime"),
        Column("summary.activityType", "category"),
        Column("summary.duration", "Float64"),
        Column("summary.totalEnergyBurned", "Float64"),
        Column("summary.totalDistance", "Float64"),
        Column("summary.totalSwimmingStrokeCount", "Float64"),
        Column("summary.totalFlightsClimbed", "Float64"),
        Column("device.fdaIdentifier", "string"),
        Column("device.firmwareVersion", "string"),
        Column("device.hardwareVersion", "string"),
        Column("device.localIdentifier", "string"),
        Column("device.manufacturer", "string"),
        Column("device.model", "string"),
        Column("device.name", "string"),
        Column("device.softwareVersion", "string"),
        Column("events", "object"),
    ),
    params=_window("workouts"),
    positional=("start", "end"),
    timeline=Timeline("start_date", "start", "end", value="summary_duration", group="summary_activity_type",
                      how="sum"),
    doc=("Apple Health workouts, one row per workout: ``summary_*`` (activity type, duration in s, energy "
         "in kcal, distance in m, strokes, flights), ``source_*`` and ``device_*`` flattened; ``metadata`` "
         "(HealthKit keys to strings) kept as a dict, ``events`` (pauses, laps, segments) as a list."),
)

APPLE_HEALTH_ACTIVITY_SUMMARIES = Kind(
    name="apple_health_activity_summaries",
    order=(Ordered(("start_date",)),),
    path="api/v1/delegated/appleHealth/activitySummaries",
    token="participant",
    scope="AppleHealthActivitySummaries:read",
    shape="keyed",
    items_key="results",
    paging=APPLE_HEALTH,
    setting="appleHealthEnabled",
    columns=(
        Column("id", "string"),
        Column("activeEnergyBurned", "Float64"),
        Column("activeEnergyBurnedGoal", "Float64"),
        Column("appleExerciseTime", "Float64"),
        Column("appleExerciseTimeGoal", "Float64"),
        Column("appleStandHours", "Float64"),
        Column("appleStandHoursGoal", "Float64"),
        Column("startDate", "datetime"),
        Column("endDate", "datetime"),
        Column("insertedDate", "datetime"),
    ),
    params=_window("days"),
    positional=("start", "end"),
    timeline=Timeline("start_date", "start", "end", value="active_energy_burned", how="sum"),
    doc=("Apple Health activity summaries (the rings), one row per day from local midnight to the next: "
         "active energy in kcal, exercise time in minutes, stand hours, each beside its goal."),
)

KINDS: tuple[Kind, ...] = (APPLE_HEALTH_WORKOUTS, APPLE_HEALTH_ACTIVITY_SUMMARIES)
OPERATIONS: tuple[Operation, ...] = ()
