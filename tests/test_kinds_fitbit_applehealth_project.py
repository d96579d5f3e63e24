"""Fitbit daily summaries, Apple Health workouts and activity summaries, project info, data
collection settings, data availability — and the "source switched off" warning — against the
sandbox over loopback."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.frames import DTYPES

LISTS = ("fitbit_daily_summaries", "apple_health_workouts", "apple_health_activity_summaries")
SINGLES = ("project_info", "data_collection_settings", "data_availability")
MINE = LISTS + SINGLES
SETTINGS_ROUTE = "GET /api/v1/delegated/datacollectionsettings"


def _scopes(*names: str) -> list[str]:
    return sorted({mdh.KINDS[n].scope for n in names})


@pytest.fixture
def everything(client: mdh.Client) -> mdh.ParticipantSession:
    return client.connect("PT-0001", _scopes(*MINE))


def _raw(sandbox: SandboxServer, session: mdh.ParticipantSession, name: str,
         **params: str) -> tuple[list[dict[str, Any]], int, list[int]]:
    """An independent pager: raw httpx, pageSize 25, following nextPageID; (records, pages, totals seen)."""
    kind = mdh.KINDS[name]
    assert session.token is not None
    headers = {"Authorization": f"Bearer {session.token.value}", "Accept": "application/json"}
    query: dict[str, str] = {"pageSize": "25", **params}
    records: list[dict[str, Any]] = []
    totals: list[int] = []
    pages = 0
    with httpx.Client(base_url=sandbox.url) as http:
        while True:
            response = http.get(kind.path, headers=headers, params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            pages += 1
            records += body["results"]
            if "totalResults" in body:
                totals.append(body["totalResults"])
            if not body.get("nextPageID"):
                return records, pages, totals
            query["pageID"] = body["nextPageID"]


# -- round trips ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("window", [None, ("2026-08-20", "2026-09-20"), ("2026-09-01T12:30:00Z", None),
                                    (None, "2026-08-10T00:00:00-05:00")])
def test_an_independent_pager_counts_the_rows_the_session_returns(
        sandbox: SandboxServer, everything: mdh.ParticipantSession, name: str,
        window: tuple[str | None, str | None] | None) -> None:
    start, end = window or (None, None)
    params = {k: v for k, v in (("startDate", start), ("endDate", end)) if v}
    records, pages, totals = _raw(sandbox, everything, name, **params)
    frame = everything.fetch(name, start=start, end=end)
    assert len(frame) == len(records)
    assert frame.attrs["pages"] == pages
    pd.testing.assert_frame_equal(frame, mdh.to_frame(name, records))
    if window is None:
        assert pages > 1, f"PT-0001 has more than one page of {name}"
    if name.startswith("apple_health"):
        assert set(totals) == {len(records)}, "totalResults: every page tells the matching rows in all"


@pytest.mark.parametrize("name", SINGLES)
def test_single_objects_are_one_row_as_sent(sandbox: SandboxServer, everything: mdh.ParticipantSession,
                                            name: str) -> None:
    kind = mdh.KINDS[name]
    assert everything.token is not None
    body = httpx.get(sandbox.url + kind.path, headers={"Authorization": f"Bearer {everything.token.value}"}).json()
    frame = getattr(everything, name)()
    assert len(frame) == 1 and frame.attrs["pages"] == 1
    pd.testing.assert_frame_equal(frame, mdh.to_frame(name, [body]))
    assert list(frame.columns) == kind.column_names, "the sandbox sends exactly the declared fields"


def test_daily_summaries_are_consistent(everything: mdh.ParticipantSession) -> None:
    days = everything.fitbit_daily_summaries()
    assert str(days["date"].dtype) == "datetime64[ns]" and days["date"].is_unique
    assert (days["date"] == days["date"].dt.normalize()).all()
    assert days["date"].is_monotonic_increasing
    minutes = days[["minutes_sedentary", "minutes_lightly_active", "minutes_fairly_active", "minutes_very_active"]]
    assert (minutes.sum(axis=1) <= 1440).all()
    zones = days[[f"heart_rate_zones_{z}_minutes" for z in ("out_of_range", "fat_burn", "cardio", "peak")]]
    assert (zones.sum(axis=1) <= 1440).all()
    assert (days["calories"] == days["calories_bmr"] + days["activity_calories"]).all()
    assert (days["steps"] >= days["tracker_steps"]).all()
    assert ((days["steps"] - days["tracker_steps"]) <= 45 * 130).all()  # at most a 45-minute logged activity
    assert (days["tracker_steps"] == days["steps"]).mean() > 0.8
    rhr = days["resting_heart_rate"].dropna()
    assert rhr.between(40, 90).all() and len(rhr) > 0.8 * len(days)
    worn = days[days["steps"] > 0]
    assert (worn["heart_rate_zones_fat_burn_min"] == worn["heart_rate_zones_out_of_range_max"]).all()
    assert (worn["distance"] > 0).all() and worn["body_bmi"].between(15, 45).all()
    assert (days["modified_date"].dt.tz_convert(None) > days["date"]).all()


def test_the_settings_match_what_the_participant_has(client: mdh.Client) -> None:
    def flags(pid: str) -> dict[str, Any]:
        frame = client.connect(pid, ["DataCollectionSettings:read"]).data_collection_settings()
        return {name: values[0] for name, values in frame.to_dict("list").items()}  # Python values: True, <NA>

    all_on = flags("PT-0001")
    assert all(all_on[c] is True for c in mdh.KINDS["data_collection_settings"].column_names if c.endswith("_enabled"))
    namespaces = {t["namespace"] for t in all_on["queryable_device_data_types"]}
    assert {"Project", "Fitbit", "AppleHealth", "AirNowApi", "WeatherBit"} <= namespaces
    no_fitbit = flags("PT-0003")
    assert no_fitbit["fitbit_enabled"] is False and no_fitbit["google_health_enabled"] is False
    assert "Fitbit" not in {t["namespace"] for t in no_fitbit["queryable_device_data_types"]}
    # a source switched on has data, one switched off has none (Apple Health across the cohort)
    for number in range(1, 13):
        pid = f"PT-{number:04d}"
        session = client.connect(pid, ["DataCollectionSettings:read", "AppleHealthActivitySummaries:read"])
        enabled = session.data_collection_settings()["apple_health_enabled"].tolist() == [True]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mdh.SourceDisabledWarning)
            rows = len(session.apple_health_activity_summaries())
        assert enabled == (rows > 0), pid


def test_project_info_and_availability(client: mdh.Client) -> None:
    session = client.connect("PT-0002", ["Project:read", "DataCollectionSettings:read"])
    info = session.project_info().iloc[0]
    assert info["id"] == client.config.project_id and info["organization_color"].startswith("#")
    assert info["platforms"] == ["Web", "iOS", "Android"] and info["learn_more_link"] == ""
    assert pd.isna(info["learn_more_title"])
    available = client.connect("PT-0001", ["DataCollectionSettings:read"]).data_availability()
    assert available.to_dict("records") == [{"apple_health_records": True, "health_connect_phr": True}]


# -- date windows (hypothesis) -------------------------------------------------------------

_FULL: dict[str, pd.DataFrame] = {}


def _full(session: mdh.ParticipantSession, name: str) -> pd.DataFrame:
    if name not in _FULL:
        _FULL[name] = session.fetch(name)
    return _FULL[name]


def _placed(frame: pd.DataFrame, name: str) -> pd.Series:
    """The instant a kind's startDate/endDate filters compare: the day's date as midnight UTC, a
    workout's start (its end when it has none), a summary's start."""
    if name == "fitbit_daily_summaries":
        return frame["date"].dt.tz_localize("UTC")
    if name == "apple_health_workouts":
        return frame["start_date"].fillna(frame["end_date"])
    return frame["start_date"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(name=st.sampled_from(LISTS), a=st.floats(-0.1, 1.1), b=st.floats(-0.1, 1.1), as_date=st.booleans())
def test_windows_match_filtering_the_whole_frame(everything: mdh.ParticipantSession, name: str, a: float, b: float,
                                                 as_date: bool) -> None:
    full = _full(everything, name)
    placed = _placed(full, name)
    lo, hi = placed.min(), placed.max()
    start, end = sorted([(lo + (hi - lo) * a).floor("ms"), (lo + (hi - lo) * b).floor("ms")])
    if as_date:
        start, end = start.floor("D"), end.floor("D")
    frame = everything.fetch(name, start=start.date() if as_date else start, end=end.date() if as_date else end)
    expected = full[(placed >= start) & (placed < end)]
    key = "date" if name == "fitbit_daily_summaries" else "id"
    assert frame[key].tolist() == expected[key].tolist()


# -- records with the real API's quirks ------------------------------------------------------

def test_daily_summary_records() -> None:
    zone = {"caloriesOut": 1500.5, "min": 30, "max": 94, "minutes": 1200}
    records: list[dict[str, Any]] = [
        {"date": "2026-08-03T00:00:00", "steps": 9000, "distance": 6.5, "heartRateZones": {"outOfRange": zone},
         "tracker": {"steps": 8000, "distance": 5.9}, "modifiedDate": "2026-08-04T06:00:00.12Z",
         "restingHeartRate": 58, "bodyFat": None},
        {"date": "2026-08-04", "steps": 0, "heartRateZones": None, "modifiedDate": "2026-08-05T06:00:00+00:00",
         "restingHeartRate": None},
        {"date": "2026-08-05T00:00:00-05:00", "modifiedDate": "2026-08-06T01:00:00.000-05:00", "water": 750},
        {"date": "2026-08-06T00:00:00Z", "modifiedDate": "2026-08-07T06:00:00"},
    ]
    frame = mdh.to_frame("fitbit_daily_summaries", records)
    assert frame["date"].tolist() == [pd.Timestamp(f"2026-08-0{d}") for d in (3, 4, 5, 6)]
    assert frame["modified_date"].tolist() == [pd.Timestamp(t, tz="UTC") for t in (
        "2026-08-04T06:00:00.120", "2026-08-05T06:00:00", "2026-08-06T06:00:00", "2026-08-07T06:00:00")]
    assert frame["heart_rate_zones_out_of_range_calories_out"].tolist()[0] == 1500.5
    assert frame["heart_rate_zones_out_of_range_max"].dtype == "Int64"
    assert frame["heart_rate_zones_peak_minutes"].isna().all()  # a zone missing, a null object: both missing
    assert frame["tracker_steps"].tolist()[0] == 8000 and pd.isna(frame["tracker_steps"][1])
    assert frame["resting_heart_rate"].isna().tolist() == [False, True, True, True]  # null or missing alike
    assert frame["body_fat"].isna().all() and frame["water"].tolist()[2] == 750.0


def test_workout_records() -> None:
    records: list[dict[str, Any]] = [
        {"id": "w1", "startDate": "2026-08-03T07:00:00-04:00", "endDate": "2026-08-03T11:45:10.5Z",
         "source": {"name": "Zoë’s Apple Watch", "identifier": "com.apple.health.X", "version": "10.5",
                    "operatingSystemVersion": "10.5", "productType": "Watch6,14"},
         "metadata": {"HKIndoorWorkout": "0", "HKTimeZone": "America/New_York"},
         "insertedDate": "2026-08-03T12:00:00.000+00:00",
         "summary": {"activityType": "Running", "duration": 2710.5, "totalEnergyBurned": 400,
                     "totalDistance": 7800.25},
         "device": {"name": "Apple Watch", "manufacturer": "Apple Inc.", "fdaIdentifier": None},
         "events": [{"date": "2026-08-03T11:20:00Z", "type": "Pause", "metadata": {}},
                    {"date": "2026-08-03T11:22:00Z", "type": "Resume", "metadata": {}}]},
        {"id": "w2", "startDate": None, "endDate": "2026-08-04T18:30:00", "source": {"name": "Strava"},
         "metadata": {}, "insertedDate": "2026-08-04T19:00:00Z",
         "summary": {"activityType": "Cycling", "totalSwimmingStrokeCount": None}, "device": None, "events": []},
        {"id": "w3", "endDate": "2026-08-05T06:30:00.1+02:00", "source": {"name": "Peloton"}, "metadata": {},
         "insertedDate": "2026-08-05T07:00:00Z", "summary": {"activityType": "Swimming",
                                                             "totalSwimmingStrokeCount": 812},
         "events": []},
    ]
    frame = mdh.to_frame("apple_health_workouts", records)
    assert frame["start_date"][0] == pd.Timestamp("2026-08-03T11:00:00", tz="UTC")
    assert frame["start_date"].isna().tolist() == [False, True, True]  # null and missing alike
    assert frame["end_date"].tolist() == [pd.Timestamp(t, tz="UTC") for t in (
        "2026-08-03T11:45:10.500", "2026-08-04T18:30:00", "2026-08-05T04:30:00.100")]
    assert frame["source_name"].tolist() == ["Zoë’s Apple Watch", "Strava", "Peloton"]
    assert frame["summary_activity_type"].dtype == "category"
    assert frame["summary_duration"][0] == 2710.5 and frame["summary_total_energy_burned"][0] == 400.0
    assert frame["summary_total_swimming_stroke_count"].isna().tolist() == [True, True, False]
    assert frame["device_manufacturer"].tolist()[0] == "Apple Inc." and frame["device_name"][1:].isna().all()
    assert frame["metadata"][0] == {"HKIndoorWorkout": "0", "HKTimeZone": "America/New_York"}
    assert frame["metadata"][1] == {}
    assert [e["type"] for e in frame["events"][0]] == ["Pause", "Resume"] and frame["events"][2] == []


def test_activity_summary_records() -> None:
    records: list[dict[str, Any]] = [
        {"id": "a1", "activeEnergyBurned": 512.345, "activeEnergyBurnedGoal": 500, "appleExerciseTime": 34,
         "appleExerciseTimeGoal": 30, "appleStandHours": 11, "appleStandHoursGoal": 12,
         "startDate": "2026-10-25T00:00:00.000+01:00", "endDate": "2026-10-26T00:00:00.000Z",
         "insertedDate": "2026-10-26T07:00:00.5"},
        {"id": "a2", "activeEnergyBurned": None, "startDate": "2026-10-26T00:00:00Z", "endDate": None},
    ]
    frame = mdh.to_frame("apple_health_activity_summaries", records)
    assert (frame["end_date"][0] - frame["start_date"][0]) == pd.Timedelta(hours=25)  # the day clocks go back
    assert frame["active_energy_burned"].tolist()[0] == 512.345 and pd.isna(frame["active_energy_burned"][1])
    assert frame["apple_stand_hours_goal"].tolist()[0] == 12 and pd.isna(frame["apple_stand_hours_goal"][1])
    assert frame["inserted_date"][0] == pd.Timestamp("2026-10-26T07:00:00.500", tz="UTC")
    assert pd.isna(frame["end_date"][1]) and pd.isna(frame["inserted_date"][1])


def test_project_settings_and_availability_records() -> None:
    info = mdh.to_frame("project_info", [{
        "id": "p", "name": "Study", "code": "ABC123", "type": "Wellness Program",
        "organization": {"id": "o", "name": "Org", "logoUrl": "https://example.org/l.png", "color": "#0c509b"},
        "learnMoreLink": "", "platforms": ["Web"]}])
    assert info["organization_name"][0] == "Org" and pd.isna(info["organization_description"][0])
    assert pd.isna(info["description"][0]) and info["learn_more_link"][0] == "" and info["platforms"][0] == ["Web"]
    frame = mdh.to_frame("data_collection_settings", [{
        "fitbitEnabled": True, "appleHealthEnabled": False, "weatherEnabled": None, "garminEnabled": "false",
        "queryableDeviceDataTypes": [{"namespace": "Fitbit", "type": "Steps"}],
        "sensorDataCollectionEndDate": "2026-12-31T23:59:59-08:00"}])
    flags = {name: values[0] for name, values in frame.to_dict("list").items()}
    assert flags["fitbit_enabled"] is True and flags["apple_health_enabled"] is False
    assert flags["garmin_enabled"] is False  # booleans sent as strings are read too
    assert pd.isna(flags["weather_enabled"]) and pd.isna(flags["oura_enabled"])  # null and missing alike
    assert flags["queryable_device_data_types"] == [{"namespace": "Fitbit", "type": "Steps"}]
    assert flags["sensor_data_collection_end_date"] == pd.Timestamp("2027-01-01T07:59:59", tz="UTC")
    available = mdh.to_frame("data_availability", [{"appleHealthRecords": False}])
    assert available["apple_health_records"].tolist() == [False] and available["health_connect_phr"].isna().all()


@pytest.mark.parametrize("name", MINE)
def test_empty_input_keeps_columns_and_dtypes(name: str) -> None:
    kind = mdh.KINDS[name]
    frame = mdh.to_frame(name, [])
    assert frame.empty and list(frame.columns) == kind.column_names
    assert [str(frame[c.name].dtype) for c in kind.columns] == [DTYPES[c.dtype] for c in kind.columns]


# -- refused before any request -------------------------------------------------------------

@pytest.mark.parametrize("name", MINE)
def test_a_missing_scope_is_refused_before_any_request(client: mdh.Client, stats: Any, name: str) -> None:
    session = client.connect("PT-0001", ["SurveyAnswers:read"])
    before = stats()["requests"]
    with pytest.raises(mdh.ScopeError, match=mdh.KINDS[name].scope):
        getattr(session, name)()
    assert stats()["requests"] == before


def test_bad_filters_are_refused_before_any_request(everything: mdh.ParticipantSession, stats: Any) -> None:
    before = stats()["requests"]
    for name in LISTS:
        method = getattr(everything, name)
        with pytest.raises(mdh.InvalidArgumentError, match="ISO 8601"):
            method(start="the first of August")
        with pytest.raises(mdh.InvalidArgumentError, match="datetime, date or ISO-8601"):
            method(end=20260801)
        with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'start'"):
            method(strat="2026-08-01")
        with pytest.raises(mdh.InvalidArgumentError, match="keywords"):
            method("2026-08-01", "2026-09-01", "2026-10-01")
    for name in SINGLES:
        with pytest.raises(mdh.InvalidArgumentError, match="no filters"):
            getattr(everything, name)(start="2026-08-01")
    assert stats()["requests"] == before


FITBIT = ("fitbit_daily_summaries", "fitbit_sleep_logs")


def test_provider_id_selects_the_fitbit_connection(sandbox: SandboxServer, client: mdh.Client, stats: Any) -> None:
    session = client.connect("PT-0001", [*_scopes(*FITBIT), "ExternalAccounts:connect"])
    devices = session.external_account_providers("Fitbit", category="Device Manufacturer")
    fitbit = int(devices.loc[devices["name"] == "Fitbit", "id"].item())
    garmin = int(session.external_account_providers("Garmin", category="Device Manufacturer")["id"].iloc[0])
    for name in FITBIT:
        method = getattr(session, name)
        everything = method()
        records, pages, _ = _raw(sandbox, session, name, providerID=str(fitbit))
        mine = method(provider_id=fitbit)
        assert len(mine) == len(records) == len(everything) and mine.attrs["pages"] == pages > 1
        pd.testing.assert_frame_equal(mine, everything)
        window = method("2026-09-01", "2026-09-15", provider_id=fitbit)
        pd.testing.assert_frame_equal(window, method("2026-09-01", "2026-09-15"))
        for other in (garmin, fitbit + 1, -fitbit):
            records, _, _ = _raw(sandbox, session, name, providerID=str(other))
            empty = method(provider_id=other)
            assert records == [] and empty.empty and list(empty.columns) == mdh.KINDS[name].column_names
        before = stats()["requests"]
        for bad in ("Fitbit", 1.5, True):
            with pytest.raises(mdh.InvalidArgumentError, match="provider_id"):
                method(provider_id=bad)
        assert stats()["requests"] == before


def test_provider_id_not_an_integer_is_a_400(sandbox: SandboxServer, client: mdh.Client) -> None:
    session = client.connect("PT-0001", _scopes(*FITBIT))
    assert session.token is not None
    headers = {"Authorization": f"Bearer {session.token.value}", "Accept": "application/json"}
    for name in FITBIT:
        for bad in ("Fitbit", "1.5", "0x10", "1e3"):
            answer = httpx.get(sandbox.url + mdh.KINDS[name].path, headers=headers, params={"providerID": bad})
            assert answer.status_code == 400 and "providerID must be an integer" in answer.json()["message"], bad
        assert httpx.get(sandbox.url + mdh.KINDS[name].path, headers=headers,
                         params={"providerid": " "}).status_code == 200, "an empty value is no filter"


def test_start_and_end_by_position(everything: mdh.ParticipantSession) -> None:
    by_position = everything.fitbit_daily_summaries("2026-09-01", dt.date(2026, 9, 8))
    assert by_position["date"].tolist() == list(pd.date_range("2026-09-01", "2026-09-07"))
    workouts = everything.apple_health_workouts(dt.datetime(2026, 9, 1, tzinfo=dt.timezone.utc), "2026-09-15")
    assert len(workouts) > 0


# -- "the project has this source switched off" ----------------------------------------------

def _settings_requests(stats: Any) -> int:
    return int(stats()["requests"].get(SETTINGS_ROUTE, 0))


def test_an_empty_frame_of_a_switched_off_source_warns(client: mdh.Client, stats: Any) -> None:
    session = client.connect("PT-0003", ["FitbitDailySummaries:read", "FitbitSleepLogs:read",
                                         "DataCollectionSettings:read"])
    before = _settings_requests(stats)
    with pytest.warns(mdh.SourceDisabledWarning, match=r"Fitbit data collection switched off.*PT-0003.*fitbitEnabled"):
        days = session.fitbit_daily_summaries()
    assert days.empty and list(days.columns) == mdh.KINDS["fitbit_daily_summaries"].column_names
    assert [str(t) for t in days.dtypes] == [DTYPES[c.dtype] for c in mdh.KINDS["fitbit_daily_summaries"].columns]
    with pytest.warns(mdh.SourceDisabledWarning, match="fitbit_sleep_logs"):
        assert session.fitbit_sleep_logs().empty
    assert _settings_requests(stats) == before + 1, "the settings are read once per session"
    with pytest.warns(mdh.SourceDisabledWarning, match="Apple Health"):
        assert client.connect("PT-0006", ["api"]).apple_health_workouts().empty  # `api` grants the settings


def test_no_settings_scope_no_extra_request_and_no_warning(client: mdh.Client, stats: Any) -> None:
    session = client.connect("PT-0003", ["FitbitDailySummaries:read"])
    before = stats()["requests"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", mdh.SourceDisabledWarning)
        days = session.fitbit_daily_summaries()
    assert days.empty and list(days.columns) == mdh.KINDS["fitbit_daily_summaries"].column_names
    after = stats()["requests"]
    assert SETTINGS_ROUTE not in after or after[SETTINGS_ROUTE] == before.get(SETTINGS_ROUTE)
    assert sum(after.values()) == sum(before.values()) + 1


def test_data_or_a_source_switched_on_never_warns(client: mdh.Client, stats: Any) -> None:
    session = client.connect("PT-0001", ["FitbitDailySummaries:read", "DataCollectionSettings:read"])
    before = _settings_requests(stats)
    with warnings.catch_warnings():
        warnings.simplefilter("error", mdh.SourceDisabledWarning)
        assert len(session.fitbit_daily_summaries()) > 25
        assert _settings_requests(stats) == before, "rows: no need to look at the settings"
        assert session.fitbit_daily_summaries(start="1999-01-01", end="1999-02-01").empty  # switched on, no rows
    assert _settings_requests(stats) == before + 1
