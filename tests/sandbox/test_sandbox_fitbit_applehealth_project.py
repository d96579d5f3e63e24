"""The sandbox's Fitbit daily summaries, Apple Health workouts and activity summaries, project info,
data collection settings and data availability, spoken to in raw HTTP."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.cohort import NO_FITBIT_INDEX, RECENT_ENROLLMENT_INDEX, WITHDRAWN_INDEX
from mdh_notebook.emulator.models import SandboxBackend

DAILY = "api/v1/delegated/fitbit/dailySummaries"
WORKOUTS = "api/v1/delegated/appleHealth/workouts"
ACTIVITY = "api/v1/delegated/appleHealth/activitySummaries"
SCOPES = ("FitbitDailySummaries:read AppleHealthWorkouts:read AppleHealthActivitySummaries:read Project:read "
          "DataCollectionSettings:read")
DAILY_KEYS = {"date", "activityCalories", "bodyBMI", "bodyWeight", "calories", "caloriesBMR", "distance",
              "elevation", "foodCaloriesIn", "floors", "minutesFairlyActive", "minutesLightlyActive",
              "minutesSedentary", "minutesVeryActive", "steps", "tracker", "water", "modifiedDate"}
DAILY_OPTIONAL = {"bodyFat", "heartRateZones", "restingHeartRate"}
TRACKER_KEYS = {"activityCalories", "calories", "distance", "elevation", "floors", "minutesFairlyActive",
                "minutesLightlyActive", "minutesSedentary", "minutesVeryActive", "steps"}
ZONES = ("outOfRange", "fatBurn", "cardio", "peak")
WORKOUT_KEYS = {"id", "endDate", "source", "metadata", "insertedDate", "summary", "events"}
SOURCE_KEYS = {"name", "identifier", "version", "operatingSystemVersion", "productType"}
DEVICE_KEYS = {"fdaIdentifier", "firmwareVersion", "hardwareVersion", "localIdentifier", "manufacturer", "model",
               "name", "softwareVersion"}
SUMMARY_OPTIONAL = {"duration", "totalEnergyBurned", "totalDistance", "totalSwimmingStrokeCount",
                    "totalFlightsClimbed"}
ACTIVITY_KEYS = {"id", "activeEnergyBurned", "activeEnergyBurnedGoal", "appleExerciseTime", "appleExerciseTimeGoal",
                 "appleStandHours", "appleStandHoursGoal", "startDate", "endDate", "insertedDate"}
SETTINGS_FLAGS = {"fitbitEnabled", "googleHealthEnabled", "ehrEnabled", "garminEnabled", "dexcomEnabled",
                  "omronEnabled", "airQualityEnabled", "weatherEnabled", "appleHealthRecordsEnabled",
                  "appleHealthEnabled", "googleFitEnabled", "healthConnectEnabled", "ouraEnabled"}
FLAG_OF = {"Fitbit": "fitbitEnabled", "GoogleHealth": "googleHealthEnabled", "Garmin": "garminEnabled",
           "Dexcom": "dexcomEnabled", "Omron": "omronEnabled", "AppleHealth": "appleHealthEnabled",
           "GoogleFit": "googleFitEnabled", "HealthConnect": "healthConnectEnabled", "Oura": "ouraEnabled",
           "AirNowApi": "airQualityEnabled", "WeatherBit": "weatherEnabled"}


def pages(proto: Proto, path: str, token: str, **params: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page's body and all records, following nextPageID."""
    bodies: list[dict[str, Any]] = []
    query = dict(params)
    for _ in range(1000):
        response = proto.get(path, token, **query)
        assert response.status_code == 200, response.text
        body = response.json()
        bodies.append(body)
        if not body["nextPageID"]:
            return [r for b in bodies for r in b["results"]], bodies
        assert body["results"], "a page with a next cursor is not empty"
        query["pageID"] = body["nextPageID"]
    raise AssertionError("paging did not terminate")


@pytest.fixture(scope="module")
def cohort(proto_session: Proto) -> dict[str, dict[str, Any]]:
    """identifier -> {daily, workouts, activity, project, settings, availability}, read once over HTTP."""
    out: dict[str, dict[str, Any]] = {}
    for number in range(1, 13):
        identifier = f"PT-{number:04d}"
        token = proto_session.participant_token(identifier, SCOPES)
        out[identifier] = {
            "daily": pages(proto_session, DAILY, token)[0],
            "workouts": pages(proto_session, WORKOUTS, token)[0],
            "activity": pages(proto_session, ACTIVITY, token)[0],
            **{name: proto_session.get(f"api/v1/delegated/{path}", token).json() for name, path in (
                ("project", "project"), ("settings", "datacollectionsettings"),
                ("availability", "dataavailability"))},
        }
    return out


@pytest.fixture(scope="module")
def backend() -> SandboxBackend:
    return SandboxBackend(SandboxConfig())


def _form(text: str) -> str:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return "date"
    if text.endswith("Z"):
        return "Z"
    if text.endswith("+00:00"):
        return "+00:00"
    return "local" if re.search(r"[+-]\d\d:\d\d$", text) else "naive"


# -- paging and parameters -----------------------------------------------------------------

@pytest.mark.parametrize("path", [DAILY, WORKOUTS, ACTIVITY])
def test_page_size_default_maximum_and_bad_values(proto: Proto, path: str) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    apple = "appleHealth" in path
    keys = {"results", "nextPageID", "totalResults"} if apple else {"results", "nextPageID"}
    default = proto.get(path, token).json()
    assert set(default) == keys and len(default["results"]) == 25 and default["nextPageID"]
    assert len(proto.get(path, token, pageSize=500).json()["results"]) == 25  # clamped at the maximum
    assert len(proto.get(path, token, PAGESIZE=3).json()["results"]) == 3  # names are case-insensitive
    for bad in ({"pageSize": "0"}, {"pageSize": "ten"}, {"startDate": "yesterday"}, {"ENDDATE": "2026-13-01"},
                {"pageID": "not-a-cursor"}):
        response = proto.get(path, token, **bad)
        assert response.status_code == 400 and isinstance(response.json()["message"], str), bad
    if apple:
        everything, bodies = pages(proto, path, token, pageSize=7)
        assert len(bodies) > 1 and {b["totalResults"] for b in bodies} == {len(everything)}
        window = {"startDate": "2026-09-01", "endDate": "2026-09-15T00:00:00+02:00"}
        some, bodies = pages(proto, path, token, pageSize=5, **window)
        assert 0 < len(some) < len(everything) and {b["totalResults"] for b in bodies} == {len(some)}


@pytest.mark.parametrize("path", [DAILY, WORKOUTS, ACTIVITY])
def test_start_is_inclusive_and_end_exclusive(proto: Proto, path: str) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    records, _ = pages(proto, path, token)
    placed = [instant(r["date"][:10] if path == DAILY else r.get("startDate") or r["endDate"]) for r in records]
    assert placed == sorted(placed)
    middle = placed[len(placed) // 2]
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%S.") + f"{middle.microsecond // 1000:03d}Z"
    after, _ = pages(proto, path, token, startDate=stamp)
    before, _ = pages(proto, path, token, endDate=stamp)
    assert len(after) + len(before) == len(records)
    assert after[0] == records[placed.index(middle)] and before[-1] == records[placed.index(middle) - 1]


def test_scopes(proto: Proto) -> None:
    narrow = proto.participant_token("PT-0001", "Project:read")
    for path in (DAILY, WORKOUTS, ACTIVITY, "api/v1/delegated/datacollectionsettings",
                 "api/v1/delegated/dataavailability"):
        assert proto.get(path, narrow).status_code == 403, path
    assert proto.get("api/v1/delegated/project", narrow).status_code == 200
    settings = proto.participant_token("PT-0001", "DataCollectionSettings:read")
    assert proto.get("api/v1/delegated/dataavailability", settings).status_code == 200
    assert proto.get("api/v1/delegated/project", settings).status_code == 403


# -- the data --------------------------------------------------------------------------------

def test_daily_summaries_shape_and_consistency(cohort: dict[str, dict[str, Any]]) -> None:
    days = [d for person in cohort.values() for d in person["daily"]]
    forms: Counter[str] = Counter()
    optional: Counter[str] = Counter()
    for d in days:
        assert DAILY_KEYS <= set(d) <= DAILY_KEYS | DAILY_OPTIONAL, set(d) ^ DAILY_KEYS
        assert set(d["tracker"]) == TRACKER_KEYS
        forms[_form(d["date"])] += 1
        forms["modified " + _form(d["modifiedDate"])] += 1
        for key in DAILY_OPTIONAL:
            optional[f"{key} {'absent' if key not in d else 'null' if d[key] is None else 'value'}"] += 1
        minutes = sum(d[k] for k in ("minutesSedentary", "minutesLightlyActive", "minutesFairlyActive",
                                     "minutesVeryActive"))
        assert minutes <= 1440
        assert d["calories"] == d["caloriesBMR"] + d["activityCalories"]
        t = d["tracker"]
        assert t["calories"] == d["caloriesBMR"] + t["activityCalories"]
        for key in TRACKER_KEYS - {"minutesSedentary"}:
            assert d[key] >= t[key], key  # totals add logged activities to the tracker's counts
        assert d["steps"] - t["steps"] <= 45 * 130
        assert abs(d["elevation"] - round(d["floors"] * 3.048, 2)) < 0.01
        assert 15 < d["bodyBMI"] < 45 and 40 <= d["bodyWeight"] < 200
        if d["steps"] == 0:
            assert d["minutesSedentary"] == 1440 and d.get("restingHeartRate") is None
        else:
            assert 40 <= (d.get("restingHeartRate") or 60) <= 90
            zones = d["heartRateZones"]
            assert [zones[z]["max"] for z in ZONES[:-1]] == [zones[z]["min"] for z in ZONES[1:]]
            assert zones["outOfRange"]["min"] == 30 and zones["peak"]["max"] == 220
            assert sum(zones[z]["minutes"] for z in ZONES) <= 1500  # the minutes worn: 25 hours when summer time ends
            assert sum(zones[z]["caloriesOut"] for z in ZONES) <= d["calories"] + 1
        assert instant(d["modifiedDate"]) > instant(d["date"][:10])
    assert {"naive", "date", "Z", "+00:00"} <= set(forms) and forms["naive"] > forms["date"]
    assert {"modified Z", "modified +00:00", "modified local", "modified naive"} <= set(forms)
    for key in DAILY_OPTIONAL:
        assert optional[f"{key} absent"] and optional[f"{key} null"] and optional[f"{key} value"], key
    assert any(d["steps"] == 0 for d in days) and any(d["steps"] != d["tracker"]["steps"] for d in days)


def test_workouts_shape_and_consistency(cohort: dict[str, dict[str, Any]]) -> None:
    workouts = [w for person in cohort.values() for w in person["workouts"]]
    seen: Counter[str] = Counter()
    for w in workouts:
        assert WORKOUT_KEYS <= set(w) <= WORKOUT_KEYS | {"startDate", "device"}
        assert set(w["source"]) == SOURCE_KEYS
        assert all(isinstance(v, str) for v in w["metadata"].values())
        seen["start " + ("absent" if "startDate" not in w else "null" if w["startDate"] is None else "value")] += 1
        seen["device " + ("absent" if "device" not in w else "null" if w["device"] is None else "value")] += 1
        if w.get("device"):
            assert set(w["device"]) == DEVICE_KEYS
        summary = w["summary"]
        assert isinstance(summary["activityType"], str) and set(summary) <= {"activityType"} | SUMMARY_OPTIONAL
        for key in SUMMARY_OPTIONAL:
            seen[f"{key} {'absent' if key not in summary else 'null' if summary[key] is None else 'value'}"] += 1
        end = instant(w["endDate"])
        if w.get("startDate"):
            start = instant(w["startDate"])
            assert dt.timedelta(minutes=9) < end - start <= dt.timedelta(hours=4)
            if summary.get("duration") is not None:
                assert abs((end - start).total_seconds() - summary["duration"]) < 0.05
            for event in w["events"]:
                assert start <= instant(event["date"]) <= end and isinstance(event["metadata"], dict)
        assert instant(w["insertedDate"]) > end
        if summary.get("totalSwimmingStrokeCount") is not None:
            assert summary["activityType"] == "Swimming"
    for key in ("start", "device", "totalDistance", "totalSwimmingStrokeCount", "totalFlightsClimbed"):
        assert seen[f"{key} absent"] and seen[f"{key} null"] and seen[f"{key} value"], key
    assert {e["type"] for w in workouts for e in w["events"]} >= {"Pause", "Resume", "Lap", "Segment"}
    assert len({w["summary"]["activityType"] for w in workouts}) >= 8
    assert any(w["metadata"] == {} for w in workouts) and any(w["events"] == [] for w in workouts)


def test_activity_summaries_shape_and_consistency(cohort: dict[str, dict[str, Any]], backend: SandboxBackend) -> None:
    for identifier, person in cohort.items():
        zone = ZoneInfo(backend.find_by_identifier(identifier).tz_name)  # type: ignore[union-attr]
        dates = []
        for a in person["activity"]:
            assert set(a) == ACTIVITY_KEYS
            start, end = instant(a["startDate"]).astimezone(zone), instant(a["endDate"]).astimezone(zone)
            assert start.time() == dt.time() and end.time() == dt.time()
            assert end.date() - start.date() == dt.timedelta(days=1)
            assert a["activeEnergyBurned"] >= 0 and a["appleStandHours"] <= 24 and a["appleExerciseTime"] >= 0
            assert instant(a["insertedDate"]) > instant(a["endDate"])
            dates.append(start.date())
        assert dates == sorted(set(dates)), "one summary a day, by start"
    spans = {instant(a["endDate"]) - instant(a["startDate"]) for p in cohort.values() for a in p["activity"]}
    assert dt.timedelta(hours=25) in spans, "Europe's clocks go back on 2026-10-25"


def test_who_has_what(cohort: dict[str, dict[str, Any]], backend: SandboxBackend) -> None:
    pt1 = cohort["PT-0001"]
    assert len(pt1["daily"]) > 25 and len(pt1["workouts"]) > 25 and len(pt1["activity"]) > 25
    for person in backend.participants:
        data = cohort[person.identifier]
        assert bool(data["daily"]) == ("Fitbit" in person.sources)
        assert bool(data["workouts"]) == bool(data["activity"]) == ("AppleHealth" in person.sources)
        enrolled = dt.datetime.fromtimestamp(person.enrollment_ms / 1000, dt.timezone.utc)
        withdrawn = (dt.datetime.fromtimestamp(person.withdraw_ms / 1000, dt.timezone.utc)
                     if person.withdraw_ms is not None else None)
        zone = ZoneInfo(person.tz_name)
        for d in data["daily"]:
            midnight = dt.datetime.combine(dt.date.fromisoformat(d["date"][:10]), dt.time(), zone)
            assert midnight >= enrolled and (withdrawn is None or midnight + dt.timedelta(days=1) <= withdrawn)
            assert withdrawn is None or instant(d["modifiedDate"]) < withdrawn
        for w in data["workouts"]:
            assert instant(w.get("startDate") or w["endDate"]) >= enrolled
            assert withdrawn is None or instant(w["insertedDate"]) < withdrawn
        for a in data["activity"]:
            assert instant(a["startDate"]) >= enrolled
            assert withdrawn is None or instant(a["endDate"]) <= withdrawn
    assert not cohort[f"PT-{NO_FITBIT_INDEX + 1:04d}"]["daily"]
    assert len(cohort[f"PT-{WITHDRAWN_INDEX + 1:04d}"]["daily"]) < 60
    assert len(cohort[f"PT-{RECENT_ENROLLMENT_INDEX + 1:04d}"]["daily"]) < 70


def test_settings_follow_the_sources(cohort: dict[str, dict[str, Any]], backend: SandboxBackend) -> None:
    from mdh_notebook.emulator.devicedata_v1 import V1_TYPES

    for person in backend.participants:
        settings = cohort[person.identifier]["settings"]
        assert SETTINGS_FLAGS <= set(settings) <= SETTINGS_FLAGS | {"queryableDeviceDataTypes",
                                                                    "sensorDataCollectionEndDate"}
        assert all(isinstance(settings[f], bool) for f in SETTINGS_FLAGS)
        for source, flag in FLAG_OF.items():
            assert settings[flag] == (source in person.sources), (person.identifier, flag)
        assert settings["ehrEnabled"] is True
        assert settings["appleHealthRecordsEnabled"] == ("AppleHealth" in person.sources)
        types = settings["queryableDeviceDataTypes"]
        assert all(set(t) == {"namespace", "type"} for t in types)
        assert {t["namespace"] for t in types} <= person.sources
        assert all(t["type"] in V1_TYPES[t["namespace"]] for t in types)
        end = settings.get("sensorDataCollectionEndDate")
        if person.withdraw_ms is not None:
            assert instant(end).timestamp() * 1000 == person.withdraw_ms
        else:
            assert end is None
        availability = cohort[person.identifier]["availability"]
        assert set(availability) == {"appleHealthRecords", "healthConnectPhr"}
        assert not availability["appleHealthRecords"] or settings["appleHealthRecordsEnabled"]
        assert not availability["healthConnectPhr"] or settings["healthConnectEnabled"]
    pt1 = cohort["PT-0001"]
    assert all(pt1["settings"][f] for f in SETTINGS_FLAGS) and all(pt1["availability"].values())
    assert {t["namespace"] for t in pt1["settings"]["queryableDeviceDataTypes"]} == set(V1_TYPES)
    ends = [p["settings"] for p in cohort.values() if p["settings"].get("sensorDataCollectionEndDate") is None]
    assert any("sensorDataCollectionEndDate" in s for s in ends) and any("sensorDataCollectionEndDate" not in s
                                                                          for s in ends)


def test_project_info_is_the_projects(cohort: dict[str, dict[str, Any]], backend: SandboxBackend) -> None:
    records = [person["project"] for person in cohort.values()]
    assert all(r == records[0] for r in records)
    info = records[0]
    assert info["id"] == backend.project.id and info["name"] == backend.project.name
    assert set(info) == {"id", "name", "description", "code", "type", "organization", "supportEmail",
                         "supportPhone", "learnMoreLink", "learnMoreTitle", "platforms"}
    assert set(info["organization"]) == {"id", "name", "description", "logoUrl", "color"}
    assert re.fullmatch(r"#[0-9a-f]{6}", info["organization"]["color"]) and info["type"] == "Research Study"


def test_determinism_by_seed() -> None:
    names = ("fitbit_daily_summaries", "apple_health_workouts", "apple_health_activity_summaries", "project_info",
             "data_collection_settings", "data_availability")

    def records(seed: int) -> list[Any]:
        backend = SandboxBackend(SandboxConfig(seed=seed, participants=4, days=30))
        out: list[Any] = []
        for person in backend.participants:
            for name in names:
                out.append([getattr(row, "record", row) for row in backend.rows(person, name)])
        return out

    assert records(0) == records(0)
    assert records(0) != records(1)
