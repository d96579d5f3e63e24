"""Device data v2 points, aggregates, daily sleep and both data-type lists through the session,
held against an independent raw pager over the sandbox, hand-written records and the generic
catalogue pieces they need (a defaulted path filter, defaults, list-valued prefix filters, the
``wallclock`` dtype)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.filters import encode_params, encode_path
from mdh_notebook.frames import DTYPES, DataWarning
from mdh_notebook.kinds import CatalogueError, Column, Kind, Param
from mdh_notebook.methods import arguments

MINE = ("device_data_v2", "device_data_aggregate", "daily_sleep", "device_data_types")
WEEK = {"observed_after": "2026-10-01T00:00:00Z", "observed_before": "2026-10-08T00:00:00-04:00"}


@pytest.fixture(scope="module")
def session(config: mdh.Config) -> Iterator[mdh.ParticipantSession]:
    with mdh.Client(config, parallel=1) as client:  # page after page: pages are counted against a raw pager
        yield client.connect("PT-0001", ["DeviceData:read"])


def _raw(sandbox: SandboxServer, session: mdh.ParticipantSession, name: str, path: str | None = None,
         **params: str) -> tuple[list[dict[str, Any]], int]:
    """An independent pager: raw httpx, limit 100, following nextPageID (or one bare array)."""
    kind = mdh.KINDS[name]
    assert session.token is not None
    headers = {"Authorization": f"Bearer {session.token.value}"}
    query = dict(params)
    if kind.shape == "array":
        response = httpx.get(sandbox.url + (path or kind.path), headers=headers, params=query)
        assert response.status_code == 200, response.text
        return response.json(), 1
    query["limit"] = "100"
    records: list[dict[str, Any]] = []
    pages = 0
    with httpx.Client(base_url=sandbox.url) as http:
        while True:
            response = http.get(path or kind.path, headers=headers, params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            pages += 1
            records += body[kind.items_key]
            if not body.get("nextPageID"):
                return records, pages
            query["pageID"] = body["nextPageID"]


def _same(frame: pd.DataFrame, name: str, records: list[dict[str, Any]], pages: int) -> None:
    assert len(frame) == len(records)
    assert frame.attrs["pages"] == pages
    pd.testing.assert_frame_equal(frame, mdh.to_frame(name, records))


# -- round trips -----------------------------------------------------------------------------

POINT_VARIANTS: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    # namespace, type, session filters, the same as raw query parameters
    ("Fitbit", "heart-rate", WEEK, {"observedAfter": "2026-10-01T00:00:00Z",
                                     "observedBefore": "2026-10-08T00:00:00-04:00"}),
    ("Fitbit", "sleep", {}, {}),
    ("Fitbit", "steps", {"inserted_after": "2026-09-15"}, {"insertedAfter": "2026-09-15T00:00:00.000Z"}),
    ("GoogleHealth", "heartRate", {"observed_after": "2026-10-28T12:00:00Z"},
     {"observedAfter": "2026-10-28T12:00:00Z"}),
    ("GoogleHealth", "steps-daily", {}, {}),
    ("GoogleHealth", "sleep-list-session-asleep", {"modified_before": "2026-09-01"},
     {"modifiedBefore": "2026-09-01"}),
    ("Dexcom", "egv", {"observed_after": "2026-10-20"}, {"observedAfter": "2026-10-20"}),
    ("Oura", "sleep", {}, {}),
    ("Oura", "heartrate", {"properties": {"source": "sleep"}, "observed_after": "2026-10-15"},
     {"properties.source": "sleep", "observedAfter": "2026-10-15"}),
    ("HealthConnect", "sleep", {}, {}),
    ("HealthConnect", "blood-pressure-systolic", {}, {}),
    ("AppleHealth", "Steps", {"data_source": {"deviceModel": "iPhone"}}, {"dataSource.deviceModel": "iPhone"}),
    ("AppleHealth", "Sleep Analysis", {"data_source": {"devicemodel": ["Watch", "Ring"]}},
     {"dataSource.deviceModel": "Watch,Ring"}),
    ("Garmin", "sleep-levels", {}, {}),
    ("Garmin", "heart-rate", {"observed_before": "2026-08-06"}, {"observedBefore": "2026-08-06"}),
]


@pytest.mark.parametrize(("namespace", "type_", "filters", "raw"), POINT_VARIANTS,
                         ids=[f"{n}/{t}" + ("+" if f else "") for n, t, f, _ in POINT_VARIANTS])
def test_v2_points_an_independent_pager_counts_the_rows_the_session_returns(
        sandbox: SandboxServer, session: mdh.ParticipantSession, namespace: str, type_: str,
        filters: dict[str, Any], raw: dict[str, str]) -> None:
    records, pages = _raw(sandbox, session, "device_data_v2", namespace=namespace, type=type_, **raw)
    frame = session.device_data_v2(namespace, type_, **filters)
    _same(frame, "device_data_v2", records, pages)
    assert len(frame) > 0
    assert (frame["namespace"] == namespace).all() and (frame["type"] == type_).all()
    assert pages == -(-len(records) // 100), "full pages of 100, the last one without a next cursor"


def test_every_v2_namespace_has_more_than_a_page_for_pt_0001(sandbox: SandboxServer,
                                                              session: mdh.ParticipantSession) -> None:
    largest = {"Fitbit": "sleep", "GoogleHealth": "steps", "Dexcom": "egv",
               "Oura": "heartrate", "HealthConnect": "sleep", "AppleHealth": "Sleep Analysis",
               "Garmin": "sleep-levels"}
    assert set(largest) == set(mdh.KINDS["device_data_v2"].param("namespace").choices)  # type: ignore[union-attr]
    for namespace, type_ in largest.items():
        first = httpx.get(sandbox.url + "api/v2/delegated/devicedata", params={"namespace": namespace, "type": type_},
                          headers={"Authorization": f"Bearer {session.token.value}"}).json()  # type: ignore[union-attr]
        assert len(first["deviceDataPoints"]) == 100 and first["nextPageID"], namespace


AGGREGATE_VARIANTS: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    ("GoogleHealth", "heartRate", {}, {"intervalType": "Days", "intervalAmount": "1",
                                      "aggregateFunctions": "sum,avg,count,min,max"}),
    ("Fitbit", "heart-rate", {"interval_type": "Minutes", "interval_amount": 10, "functions": "count", **WEEK},
     {"intervalType": "Minutes", "intervalAmount": "10", "aggregateFunctions": "count",
      "observedAfter": "2026-10-01T00:00:00Z", "observedBefore": "2026-10-08T04:00:00Z"}),
    ("AppleHealth", "Steps", {"interval_type": "hours", "functions": ["sum"], "data_source": {"deviceModel": "Watch"}},
     {"intervalType": "Hours", "intervalAmount": "1", "aggregateFunctions": "sum", "dataSource.deviceModel": "Watch"}),
    ("Dexcom", "egv", {"interval_type": "Weeks", "functions": ("avg", "min", "max")},
     {"intervalType": "Weeks", "intervalAmount": "1", "aggregateFunctions": "avg,min,max"}),
    ("Fitbit", "sleep", {"interval_type": "Months", "functions": ["count", "avg"]},
     {"intervalType": "Months", "intervalAmount": "1", "aggregateFunctions": "count,avg"}),
]


@pytest.mark.parametrize(("namespace", "type_", "filters", "raw"), AGGREGATE_VARIANTS,
                         ids=[f"{n}/{t}/{r['intervalType']}" for n, t, _, r in AGGREGATE_VARIANTS])
def test_aggregates_an_independent_pager_counts_the_rows_the_session_returns(
        sandbox: SandboxServer, session: mdh.ParticipantSession, namespace: str, type_: str,
        filters: dict[str, Any], raw: dict[str, str]) -> None:
    records, pages = _raw(sandbox, session, "device_data_aggregate", namespace=namespace, type=type_, **raw)
    frame = session.device_data_aggregate(namespace, type_, **filters)
    _same(frame, "device_data_aggregate", records, pages)
    asked = raw["aggregateFunctions"].split(",")
    numeric = type_ != "sleep"  # stage names: only count reads them
    for fn in ("sum", "avg", "count", "min", "max"):
        column = frame[f"statistics_{fn}"]
        given = fn in asked and (numeric or fn == "count")
        assert column.notna().all() if given else column.isna().all(), fn
    assert frame["date"].is_monotonic_increasing and frame["date"].is_unique
    assert str(frame["date"].dtype) == "datetime64[ns]", "an interval's start is a local wall clock"


def test_the_first_page_of_minute_intervals_is_more_than_a_page(session: mdh.ParticipantSession) -> None:
    frame = session.device_data_aggregate("Fitbit", "heart-rate", "Hours", functions="avg",
                                          observed_after="2026-10-20")
    assert frame.attrs["pages"] > 1 and len(frame) > 100


@pytest.mark.parametrize(("namespace", "type_"), [("Fitbit", "sleep"), ("AppleHealth", "Sleep Analysis"),
                                                  ("Garmin", "sleep-levels"), ("HealthConnect", "sleep")])
def test_daily_sleep_an_independent_pager_counts_the_rows_the_session_returns(
        sandbox: SandboxServer, session: mdh.ParticipantSession, namespace: str, type_: str) -> None:
    records, pages = _raw(sandbox, session, "daily_sleep", namespace=namespace, type=type_)
    frame = session.daily_sleep(namespace, type_)
    _same(frame, "daily_sleep", records, pages)
    assert pages > 1
    assert pd.to_timedelta(frame["duration"]).between(pd.Timedelta(0), pd.Timedelta(hours=24)).all()


def test_daily_sleep_of_a_type_without_stages_is_empty(session: mdh.ParticipantSession) -> None:
    frame = session.daily_sleep("GoogleHealth", "steps-daily")
    assert frame.empty and list(frame.columns) == mdh.KINDS["daily_sleep"].column_names


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("filters", [{}, {"enabled": True}, {"enabled": False}, {"namespace": "AppleHealth"}])
def test_data_types_round_trip(sandbox: SandboxServer, session: mdh.ParticipantSession, version: int,
                               filters: dict[str, Any]) -> None:
    raw = {k: str(v).lower() if isinstance(v, bool) else v for k, v in filters.items()}
    records, _ = _raw(sandbox, session, "device_data_types", f"api/v{version}/delegated/devicedata/allDataTypes",
                      **raw)
    frame = session.device_data_types(version, **filters)
    _same(frame, "device_data_types", records, 1)
    assert len(frame) > 0
    if "enabled" in filters:
        assert (frame["enabled"] == filters["enabled"]).all()
    if version == 1:
        assert frame["retention_days"].isna().all(), "retentionDays is v2's"
    elif not filters:
        assert frame["retention_days"].notna().any() and frame["retention_days"].isna().any()


def test_data_types_default_to_v1(session: mdh.ParticipantSession) -> None:
    pd.testing.assert_frame_equal(session.device_data_types(), session.device_data_types(version=1))
    assert "Project" in set(session.device_data_types()["namespace"])
    assert "Dexcom" in set(session.device_data_types(2)["namespace"])


@pytest.mark.parametrize("version, namespace, theirs", [
    (1, "Dexcom", ("Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron")),
    (1, "oura", ("Project", "Omron")),
    (2, "Project", ("Fitbit", "AppleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "GoogleHealth")),
    (2, "GoogleFit", ("HealthConnect", "GoogleHealth")),
])
def test_data_types_of_a_namespace_another_version_has_are_a_bad_request(
        sandbox: SandboxServer, session: mdh.ParticipantSession, version: int, namespace: str,
        theirs: tuple[str, ...]) -> None:
    with pytest.raises(mdh.BadRequestError) as refused:
        session.device_data_types(version, namespace=namespace)
    message = refused.value.message
    assert refused.value.status_code == 400 and f"not a v{version} namespace" in message
    assert all(ns in message for ns in theirs), message
    assert session.token is not None
    raw = httpx.get(f"{sandbox.url}api/v{version}/delegated/devicedata/allDataTypes",
                    headers={"Authorization": f"Bearer {session.token.value}"}, params={"namespace": namespace})
    assert raw.status_code == 400 and raw.json()["message"].casefold() == message.casefold(), \
        "the server's message as sent (the session corrects the case of a namespace it knows)"


@pytest.mark.parametrize("version", [1, 2])
def test_data_types_of_each_namespace_of_the_version_any_case(session: mdh.ParticipantSession, version: int) -> None:
    every = session.device_data_types(version)
    for namespace in every["namespace"].unique():
        frame = session.device_data_types(version, namespace=str(namespace).lower())
        assert len(frame) == (every["namespace"] == namespace).sum() > 0


# -- hand-written records with the real API's quirks ------------------------------------------

POINTS = [
    {"id": "123", "participantID": "abcd123", "participantIdentifier": "123", "namespace": "Oura",
     "type": "daily-activity", "identifier": "abc1", "value": "74", "units": None, "startDate": None,
     "startDateOffset": None, "observationDate": "2025-03-11T00:00:00", "observationDateOffset": "00:00:00",
     "insertedDate": "2025-03-11T11:37:08.596082Z", "modifiedDate": "2025-03-11T11:37:08.596082Z",
     "properties": {"score": 74, "contributors": {"stay_active": 76}}, "dataSource": {}},
    {"id": "124", "namespace": "Fitbit", "type": "sleep", "identifier": "x", "value": "light", "units": "",
     "startDate": "2025-05-09T23:13:16-04:00", "startDateOffset": "-04:00:00",
     "observationDate": "2025-05-10T00:01:00.5-04:00", "observationDateOffset": "-04:00:00",
     "insertedDate": "2025-05-10T04:05:00.1234567Z", "modifiedDate": "2025-05-10T04:05:00+00:00"},
    {"id": "125", "namespace": "AppleHealth", "type": "Heart Rate", "value": "61.5",
     "observationDate": "2025-05-10T06:00:00.000+01:00", "observationDateOffset": "01:00:00",
     "insertedDate": "2025-05-10T05:00:00Z", "modifiedDate": "2025-05-10T05:00:00Z",
     "dataSource": {"sourceName": "Apple Watch", "deviceModel": "Watch"}},
]


def test_v2_points_from_hand_written_records() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)  # value_number is quiet: "light" is simply not a number
        frame = mdh.to_frame("device_data_v2", POINTS)
    assert frame["value"].tolist() == ["74", "light", "61.5"]
    assert frame["value_number"].tolist()[0] == 74 and pd.isna(frame["value_number"][1])
    assert frame["value_number"][2] == 61.5
    obs = frame["observation_date"]
    assert str(obs.dtype) == "datetime64[ns, UTC]"
    assert obs[0] == pd.Timestamp("2025-03-11T00:00:00Z"), "no offset: taken as UTC (offset 00:00:00)"
    assert obs[1] == pd.Timestamp("2025-05-10T04:01:00.5Z")
    assert obs[2] == pd.Timestamp("2025-05-10T05:00:00Z")
    assert frame["observation_date_offset"].tolist() == ["00:00:00", "-04:00:00", "01:00:00"]
    assert pd.isna(frame["start_date"][0]) and pd.isna(frame["start_date"][2]), "null and missing alike"
    assert frame["start_date"][1] == pd.Timestamp("2025-05-10T03:13:16Z")
    assert pd.isna(frame["start_date_offset"][0]) and pd.isna(frame["start_date_offset"][2])
    assert frame["inserted_date"][1] == pd.Timestamp("2025-05-10T04:05:00.1234567Z"), "7 digits, as .NET writes"
    assert frame["modified_date"][1] == pd.Timestamp("2025-05-10T04:05:00Z")
    assert frame["properties"][0] == {"score": 74, "contributors": {"stay_active": 76}}
    assert pd.isna(frame["properties"][2]) and frame["data_source"][1] is None
    assert frame["data_source"][2] == {"sourceName": "Apple Watch", "deviceModel": "Watch"}
    assert pd.isna(frame["units"][0]) and frame["units"][1] == ""
    assert pd.isna(frame["participant_id"][1])
    local = mdh.to_frame("device_data_v2", POINTS, tz="America/New_York")
    assert local["start_date"][1] == pd.Timestamp("2025-05-09T23:13:16-04:00")


def test_aggregates_from_hand_written_records() -> None:
    records = [
        {"participantID": "p", "participantIdentifier": "PT-1", "namespace": "AppleHealth", "type": "Heart Rate",
         "date": "2026-10-01T00:00:00", "statistics": {"avg": 71.25, "count": 1440}},
        {"participantID": "p", "participantIdentifier": "PT-1", "namespace": "AppleHealth", "type": "Heart Rate",
         "date": "2023-01-02T00:00:00.000Z", "statistics": {"avg": 65, "min": 40, "max": 150, "sum": 1e5}},
        {"namespace": "AppleHealth", "type": "Heart Rate", "date": "2026-10-01T10:30:00-04:00", "statistics": {}},
        {"date": None},
    ]
    frame = mdh.to_frame("device_data_aggregate", records)
    assert frame["date"].tolist()[:3] == [pd.Timestamp("2026-10-01"), pd.Timestamp("2023-01-02"),
                                          pd.Timestamp("2026-10-01T10:30")], "the wall clock as written"
    assert pd.isna(frame["date"][3])
    assert frame["statistics_avg"].tolist()[:2] == [71.25, 65.0]
    assert frame["statistics_count"][0] == 1440 and pd.isna(frame["statistics_count"][1])
    statistics = [f"statistics_{f}" for f in ("sum", "avg", "count", "min", "max")]
    assert frame["statistics_sum"][1] == 100000.0 and frame[statistics].iloc[2].isna().all()
    assert all(str(frame[c].dtype) == ("Int64" if c == "statistics_count" else "Float64") for c in statistics)
    shown = mdh.to_frame("device_data_aggregate", records, tz="Asia/Tokyo")
    pd.testing.assert_series_equal(shown["date"], frame["date"])  # tz leaves a wall clock alone


def test_daily_sleep_and_data_types_from_hand_written_records() -> None:
    sleep = mdh.to_frame("daily_sleep", [
        {"participantID": "p", "participantIdentifier": "PT-1", "namespace": "Fitbit", "type": "sleep",
         "date": "2026-10-01T00:00:00", "value": "deep", "duration": "01:40:00"},
        {"namespace": "Fitbit", "type": "sleep", "date": "2026-10-02", "value": "rem", "duration": "1.02:00:00"},
    ])
    assert sleep["date"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-02")]
    assert sleep["value"].tolist() == ["deep", "rem"] and isinstance(sleep["value"].dtype, pd.CategoricalDtype)
    assert sleep["duration"].tolist() == ["01:40:00", "1.02:00:00"]
    types = mdh.to_frame("device_data_types", [
        {"namespace": "AppleHealth", "type": "Heart Rate", "enabled": True, "retentionDays": 365},
        {"namespace": "Fitbit", "type": "Steps", "enabled": "false"},
        {"namespace": "Oura", "type": "sleep", "enabled": False, "retentionDays": None},
    ])
    assert types["enabled"].tolist() == [True, False, False]
    assert types["retention_days"].tolist()[0] == 365 and types["retention_days"][1:].isna().all()


@pytest.mark.parametrize("name", MINE)
def test_empty_input_keeps_columns_and_dtypes(name: str) -> None:
    kind = mdh.KINDS[name]
    frame = mdh.to_frame(name, [])
    assert list(frame.columns) == kind.column_names
    assert [str(frame[c.name].dtype) for c in kind.columns] == [DTYPES[c.dtype] for c in kind.columns]


# -- refused before any request ---------------------------------------------------------------

@pytest.mark.parametrize("name", MINE)
def test_a_missing_scope_is_refused_before_any_request(client: mdh.Client, stats: Any, name: str) -> None:
    session = client.connect("PT-0001", ["SurveyAnswers:read"])
    before = stats()["requests"]
    with pytest.raises(mdh.ScopeError, match="DeviceData:read"):
        session.fetch(name, **({"namespace": "Fitbit", "type": "sleep"} if name != "device_data_types" else {}))
    assert stats()["requests"] == before


def test_bad_filters_are_refused_before_any_request(session: mdh.ParticipantSession, stats: Any) -> None:
    before = stats()["requests"]
    refused: list[tuple[str, dict[str, Any], str]] = [
        ("device_data_v2", {"type": "sleep"}, "needs namespace"),
        ("device_data_v2", {"namespace": "Fitbit"}, "needs type"),
        ("device_data_v2", {"namespace": "Fitbitt", "type": "sleep"}, "did you mean 'Fitbit'"),
        ("device_data_v2", {"namespace": "Project", "type": "Steps"}, "it takes one of"),
        ("device_data_v2", {"namespace": "Fitbit", "type": "sleep", "observed_after": "yesterday"}, "ISO 8601"),
        ("device_data_v2", {"namespace": "Fitbit", "type": "sleep", "data_source": "Watch"}, "mapping"),
        ("device_data_v2", {"namespace": "Fitbit", "type": "sleep", "data_source": {"k": 3}}, "string"),
        ("device_data_aggregate", {"namespace": "Fitbit", "type": "sleep", "interval_type": "Years"}, "one of"),
        ("device_data_aggregate", {"namespace": "Fitbit", "type": "sleep", "functions": ["median"]}, "one of"),
        ("device_data_aggregate", {"namespace": "Fitbit", "type": "sleep", "interval_amount": "one"}, "integer"),
        ("daily_sleep", {"namespace": "Fitbit"}, "needs type"),
        ("device_data_types", {"version": 3}, "one of 1, 2"),
        ("device_data_types", {"version": 2.0}, "integer"),
        ("device_data_types", {"namespace": "Nowhere"}, "one of"),
    ]
    for name, filters, message in refused:
        with pytest.raises(mdh.InvalidArgumentError, match=message):
            session.fetch(name, **filters)
    with pytest.raises(mdh.InvalidArgumentError, match="namespace"):
        session.device_data_v2()  # type: ignore[call-arg]
    assert stats()["requests"] == before


def test_choices_are_corrected_case_insensitively(session: mdh.ParticipantSession) -> None:
    a = session.device_data_aggregate("googlehealth", "steps-daily", "days", functions=["SUM"])  # type: ignore[arg-type]
    assert len(a) > 0 and (a["namespace"] == "GoogleHealth").all() and a["statistics_sum"].notna().all()


# -- the generic pieces: path filters, defaults, list-valued prefix filters ------------------------

def test_a_path_filter_with_a_default_fills_the_path() -> None:
    kind = mdh.KINDS["device_data_types"]
    assert encode_path(kind, {}) == {"version": "1"}
    assert encode_path(kind, {"version": 2}) == {"version": "2"}
    assert encode_params(kind, {"version": 2, "enabled": False}) == {"enabled": "false"}, "not in the query"
    aggregate = mdh.KINDS["device_data_aggregate"]
    assert encode_params(aggregate, {"namespace": "Fitbit", "type": "t"}) == {
        "namespace": "Fitbit", "type": "t", "intervalType": "Days", "intervalAmount": "1",
        "aggregateFunctions": "sum,avg,count,min,max"}
    version = next(a for a in arguments(kind) if a.name == "version")
    assert (version.annotation, version.default, version.required) == ("Literal[1, 2]", 1, False)


def test_entries_with_inconsistent_path_filters_or_defaults_are_refused() -> None:
    def kind(path: str, *params: Param) -> Kind:
        return Kind(name="k", path=path, token="participant", scope="DeviceData:read", shape="array",
                    columns=(Column("a", "string"),), params=params)

    with pytest.raises(CatalogueError, match="placeholders"):
        kind("api/v{version}/x")
    with pytest.raises(CatalogueError, match="need placeholders"):
        kind("api/v1/x", Param("version", "version", "int", default=1, in_path=True))
    with pytest.raises(CatalogueError, match="always has a value"):
        kind("api/v{version}/x", Param("version", "version", "int", in_path=True))
    with pytest.raises(CatalogueError, match="does not fit"):
        Param("n", "n", "int", default="1")
    with pytest.raises(CatalogueError, match="a list default is a tuple"):
        Param("n", "n", "list", default="a")
    with pytest.raises(CatalogueError, match="not among the choices"):
        Param("n", "n", "str", choices=("a", "b"), default="c")
    with pytest.raises(CatalogueError, match="optional"):
        Param("n", "n", "str", required=True, default="c")
    assert kind("api/v{version}/x", Param("version", "version", "int", required=True, in_path=True)).path


_JUNK = st.text(st.sampled_from("ab,\\ x"), min_size=1, max_size=6).filter(lambda s: s not in ("Watch", "iPhone"))


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(_JUNK, min_size=1, max_size=3))
def test_list_prefix_values_are_escaped_so_only_whole_values_match(session: mdh.ParticipantSession,
                                                                  junk: list[str]) -> None:
    window = {"observed_after": "2026-10-28"}
    watch = session.device_data_v2("AppleHealth", "Steps", data_source={"deviceModel": "Watch"}, **window)
    mixed = session.device_data_v2("AppleHealth", "Steps", data_source={"deviceModel": ["Watch", *junk]}, **window)
    assert len(watch) > 0
    pd.testing.assert_frame_equal(watch, mixed)
    assert encode_params(mdh.KINDS["device_data_v2"], {"namespace": "Oura", "type": "t",
                                                       "properties": {"k": ["a,b", "c\\"]}})["properties.k"] == \
        "a\\,b,c\\\\"
