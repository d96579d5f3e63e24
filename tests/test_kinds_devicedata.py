"""Device data v1 on the client wing: device_data against an independent raw pager for every
namespace and filter, the API's quirks through to_frame, empty input, scope and argument errors
before any request, one point by id, and the writes' round trips (persist, read back, upsert,
delete, 404)."""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.kinds import KINDS
from mdh_notebook.kinds.devicedata import NAMESPACES
from mdh_notebook.writes.devicedata import BATCH_SIZE, batches, points_body

PATH = "api/v1/delegated/devicedata"
READ = ["DeviceData:read"]
BOTH = ["DeviceData:read", "DeviceData:write"]


def raw_ids(base_url: str, token: str, **params: Any) -> tuple[list[str], int]:
    """Every point's id by an independent pager (raw httpx, limit + pageID -> nextPageID), and its pages."""
    ids: list[str] = []
    pages = 0
    query = {"limit": "100", **params}
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            response = http.get(PATH, params=query)
            assert response.status_code == 200, response.text
            body = response.json()
            ids += [point["id"] for point in body["deviceDataPoints"]]
            pages += 1
            if not body.get("nextPageID"):
                return ids, pages
            query["pageID"] = body["nextPageID"]


@pytest.fixture
def reader(client: mdh.Client) -> mdh.ParticipantSession:
    return client.connect("PT-0001", READ)


def _token(session: mdh.ParticipantSession) -> str:
    assert session.token is not None
    return session.token.value


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_namespace_matches_an_independent_pager(sandbox: SandboxServer, reader: mdh.ParticipantSession,
                                                      namespace: str) -> None:
    frame = reader.device_data(namespace)
    ids, pages = raw_ids(sandbox.url, _token(reader), namespace=namespace)
    assert frame["id"].tolist() == ids and pages > 1 and frame.attrs["pages"] == pages
    assert (frame["namespace"] == namespace).all()
    assert frame["observation_date"].is_monotonic_decreasing
    numeric = frame["value"].str.fullmatch(r"-?\d+(\.\d+)?").fillna(False).astype(bool)
    assert frame.loc[numeric, "value_number"].notna().all()
    assert frame.loc[~numeric, "value_number"].isna().all()


@pytest.mark.parametrize("filters, wire", [
    ({"type": "Steps"}, {"type": "Steps"}),
    ({"type": ["Steps", "RestingHeartRate", "HeartRateZone"]}, {"type": "Steps,RestingHeartRate,HeartRateZone"}),
    ({"observed_after": "2026-10-01", "observed_before": dt.datetime(2026, 10, 15, 12, tzinfo=dt.timezone.utc)},
     {"observedAfter": "2026-10-01T00:00:00.000Z", "observedBefore": "2026-10-15T12:00:00.000Z"}),
    ({"modified_after": pd.Timestamp("2026-10-20", tz="America/New_York")},
     {"modifiedAfter": "2026-10-20T04:00:00.000Z"}),
    ({"modified_before": "2026-09-01T00:00:00-05:00", "type": "Weight"},
     {"modifiedBefore": "2026-09-01T05:00:00.000Z", "type": "Weight"}),
])
def test_filters_match_the_independent_pager(sandbox: SandboxServer, reader: mdh.ParticipantSession,
                                             filters: dict[str, Any], wire: dict[str, str]) -> None:
    frame = reader.device_data("Fitbit", **filters)
    ids, _ = raw_ids(sandbox.url, _token(reader), namespace="Fitbit", **wire)
    assert frame["id"].tolist() == ids and ids


def test_other_participants_vary(sandbox: SandboxServer, client: mdh.Client) -> None:
    counts = {}
    for number in (2, 3, 6):
        session = client.connect(f"PT-{number:04d}", READ)
        for namespace in ("Fitbit", "AppleHealth", "Omron"):
            frame = session.device_data(namespace)
            ids, _ = raw_ids(sandbox.url, _token(session), namespace=namespace)
            assert frame["id"].tolist() == ids
            counts[(number, namespace)] = len(frame)
    assert 0 in counts.values() and len(set(counts.values())) > 3
    assert counts[(3, "Fitbit")] == 0  # PT-0003 has no Fitbit


def test_records_with_the_apis_quirks() -> None:
    records = [
        {"id": "a", "namespace": "AppleHealth", "deviceDataContextID": None, "insertedDate": "2022-08-08T23:54:31.747Z",
         "modifiedDate": "2022-08-08T23:54:31.747Z", "identifier": "identifier2", "type": "HeartRate", "value": "62",
         "units": "count/min", "properties": {"Metadata_HKMetadataKeyHeartRateMotionContext": "1"},
         "source": {"identifier": "sourceID2", "properties": {"DeviceName": "Apple Watch", "DeviceModel": "Watch"}},
         "startDate": "2022-08-08T11:10:32-04:00", "observationDate": "2022-08-08T11:10:32-04:00"},
        {"id": "b", "namespace": "Project", "insertedDate": "2021-03-25T22:43:45.68+00:00",
         "modifiedDate": "2021-03-25T22:43:45", "type": "TestType1", "value": "", "units": "", "properties": {},
         "startDate": "2021-03-24T18:27:45.58-0400", "observationDate": "2021-03-24T22:46:45.58Z"},
        {"id": "c", "namespace": "Fitbit", "deviceDataContextID": "ctx", "insertedDate": "2021-04-01T14:57:26.243Z",
         "modifiedDate": "2021-04-02T14:57:26.243Z", "identifier": None, "type": "HeartRateZone", "value": "Fat Burn",
         "units": None, "properties": {"Minutes": "31"}, "source": None, "startDate": None,
         "observationDate": "2021-04-01T10:57:03.541-04:00", "participantID": "p", "participantIdentifier": "PT-1"},
        {"id": "d", "namespace": "Project", "insertedDate": "2021-04-01T14:57:26Z", "modifiedDate":
         "2021-04-01T14:57:26Z", "type": "Asthma-LogEntry", "value": '{"symptoms":["Coughing"]}',
         "properties": {}, "source": {"identifier": "app"}, "observationDate": "2021-04-01T12:00:00-06:00"},
        {"id": "e", "namespace": "Garmin", "insertedDate": "2021-04-01T14:57:26Z",
         "modifiedDate": "2021-04-01T14:57:26Z", "type": "Weight", "value": "70.25", "properties": {},
         "observationDate": "2021-04-01T00:00:00"},
        {"id": "f", "namespace": "Omron", "insertedDate": "2021-04-01T14:57:26Z",
         "modifiedDate": "2021-04-01T14:57:26Z", "type": "Pulse", "value": " 61 ", "properties": {},
         "observationDate": "2021-04-01T00:00:00+14:00"},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DataWarning: a value that is no number is the point of value_number
        frame = mdh.to_frame("device_data", records)
    assert frame.columns.tolist() == KINDS["device_data"].column_names
    assert frame["value"].tolist() == ["62", "", "Fat Burn", '{"symptoms":["Coughing"]}', "70.25", " 61 "]
    numbers = frame["value_number"].tolist()
    assert numbers[0] == 62.0 and numbers[4] == 70.25 and all(n is pd.NA for n in numbers[1:4])
    utc = dt.timezone.utc
    assert frame["observation_date"].tolist() == [
        pd.Timestamp(dt.datetime(2022, 8, 8, 15, 10, 32, tzinfo=utc)),
        pd.Timestamp(dt.datetime(2021, 3, 24, 22, 46, 45, 580000, tzinfo=utc)),
        pd.Timestamp(dt.datetime(2021, 4, 1, 14, 57, 3, 541000, tzinfo=utc)),
        pd.Timestamp(dt.datetime(2021, 4, 1, 18, tzinfo=utc)),
        pd.Timestamp(dt.datetime(2021, 4, 1, tzinfo=utc)),
        pd.Timestamp(dt.datetime(2021, 3, 31, 10, tzinfo=utc)),
    ]
    assert frame["start_date"].iloc[1] == pd.Timestamp("2021-03-24T22:27:45.58Z")
    assert frame["start_date"].iloc[2:].isna().all() and frame["modified_date"].iloc[1] == \
        pd.Timestamp("2021-03-25T22:43:45Z")
    assert frame["source_identifier"].tolist()[:4] == ["sourceID2", pd.NA, pd.NA, "app"]
    assert frame["source_properties"].iloc[0] == {"DeviceName": "Apple Watch", "DeviceModel": "Watch"}
    assert frame["source_properties"].iloc[3] is None and frame["properties"].iloc[2] == {"Minutes": "31"}
    units = frame["units"].astype(object)
    assert units.where(units.notna(), None).tolist() == ["count/min", "", None, None, None, None]
    assert frame["identifier"].isna().tolist() == [False, True, True, True, True, True]
    assert frame["device_data_context_id"].tolist()[2] == "ctx"
    assert frame["participant_identifier"].iloc[2] == "PT-1" and frame["participant_id"].isna().sum() == 5
    assert str(frame["namespace"].dtype) == "category" and str(frame["type"].dtype) == "category"
    local = mdh.to_frame("device_data", records[:1], tz="America/New_York")
    assert local["observation_date"].iloc[0].isoformat() == "2022-08-08T11:10:32-04:00"


def test_empty_input_keeps_every_column_and_dtype() -> None:
    frame = mdh.to_frame("device_data", [])
    kind = KINDS["device_data"]
    assert frame.columns.tolist() == kind.column_names and len(frame) == 0
    expected = {"id": "string", "namespace": "category", "inserted_date": "datetime64[ns, UTC]", "value": "string",
                "value_number": "Float64", "units": "category", "properties": "object", "source_identifier": "string",
                "source_properties": "object", "start_date": "datetime64[ns, UTC]",
                "observation_date": "datetime64[ns, UTC]", "type": "category"}
    assert {name: str(frame[name].dtype) for name in expected} == expected


def test_scopes_are_checked_before_any_request(client: mdh.Client, stats: Any) -> None:
    narrow = client.connect("PT-0001", ["SurveyAnswers:read"])
    reader = client.connect("PT-0001", READ)
    before = stats()["requests"]
    for call in (lambda: narrow.device_data("Fitbit"), lambda: narrow.device_data_point("x")):
        with pytest.raises(mdh.ScopeError, match="DeviceData:read"):
            call()
    for call in (lambda: reader.persist_device_data([{"type": "a", "value": "1"}]),
                 lambda: reader.persist_device_data([]), lambda: reader.delete_device_data("x")):
        with pytest.raises(mdh.ScopeError, match="DeviceData:write"):
            call()
    assert stats()["requests"] == before


def test_namespace_is_required_and_must_be_a_v1_one_before_any_request(reader: mdh.ParticipantSession,
                                                                       stats: Any) -> None:
    before = stats()["requests"]
    with pytest.raises(mdh.InvalidArgumentError, match=r"needs namespace=\.\.\. \(one of 'Project', 'Fitbit'"):
        reader.device_data()  # type: ignore[call-arg]
    with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'Fitbit'"):
        reader.device_data("Fitbt")  # type: ignore[arg-type]
    with pytest.raises(mdh.InvalidArgumentError, match="one of 'Project'"):
        reader.device_data("Dexcom")  # type: ignore[arg-type]  # a v2 namespace
    with pytest.raises(mdh.InvalidArgumentError, match="unknown filter 'types'; did you mean 'type'"):
        reader.device_data("Fitbit", types="Steps")  # type: ignore[call-arg]
    with pytest.raises(mdh.InvalidArgumentError, match="observed_after"):
        reader.device_data("Fitbit", observed_after="last week")
    with pytest.raises(mdh.InvalidArgumentError, match="empty list"):
        reader.device_data("Fitbit", [])
    with pytest.raises(mdh.InvalidArgumentError, match=r"needs id=|must be a GUID"):
        reader.device_data_point("")
    with pytest.raises(mdh.InvalidArgumentError, match="must be a GUID"):
        reader.device_data_point("point-7")
    assert stats()["requests"] == before
    assert len(reader.device_data("omron", "Pulse")) > 0  # a case-insensitive match is corrected


def test_one_point_by_id(reader: mdh.ParticipantSession) -> None:
    frame = reader.device_data("AppleHealth", "HeartRate")
    one = reader.device_data_point(frame["id"].iloc[3])
    expected = frame.iloc[[3]].reset_index(drop=True)
    for name in ("namespace", "type", "units"):
        assert one[name].astype(object).tolist() == expected[name].astype(object).tolist()
    pd.testing.assert_frame_equal(one.drop(columns=["namespace", "type", "units"]),
                                  expected.drop(columns=["namespace", "type", "units"]))
    local = reader.device_data_point(frame["id"].iloc[3], tz="local")
    assert str(local["observation_date"].dt.tz) == "America/New_York"
    with pytest.raises(mdh.NotFoundError, match="not found"):
        reader.device_data_point("00000000-0000-4000-8000-000000000000")


@pytest.fixture(scope="module")
def writable(config_for: Any) -> Iterator[mdh.ParticipantSession]:
    """A small sandbox of this module's own, so the writes change nobody else's data."""
    with SandboxServer(seed=5, participants=3, days=20) as server, mdh.Client(config_for(server)) as client:
        yield client.connect("PT-0001", BOTH)


def test_persist_records_read_back_and_delete(writable: mdh.ParticipantSession) -> None:
    session = writable
    seeded = session.device_data("Project")
    observed = pd.Timestamp("2026-11-02 08:00:00.250", tz="America/Chicago")
    sent = session.persist_device_data([
        {"type": "Weight", "value": 70.5, "units": "kg", "identifier": "w-1", "observation_date": observed,
         "properties": {"Scale": "Body+", "Battery": 80, "Synced": True, "Skip": None},
         "source": {"identifier": "withings", "properties": {"Model": "WBS05"}}},
        {"type": "Steps", "value": 8123, "start_date": "2026-11-01", "observationDate": dt.date(2026, 11, 2)},
        {"type": "Mood", "value": ""},
    ])
    assert sent == 3
    back = session.device_data("Project")
    new = back[~back["id"].isin(seeded["id"])].set_index("type")
    assert len(back) == len(seeded) + 3 and sorted(new.index) == ["Mood", "Steps", "Weight"]
    weight = new.loc["Weight"]
    assert weight["value"] == "70.5" and weight["value_number"] == 70.5 and weight["units"] == "kg"
    assert weight["observation_date"] == observed and weight["identifier"] == "w-1"
    assert weight["properties"] == {"Scale": "Body+", "Battery": "80", "Synced": "true"}
    assert weight["source_identifier"] == "withings" and weight["source_properties"] == {"Model": "WBS05"}
    assert weight["namespace"] == "Project" and weight["inserted_date"] == weight["modified_date"]
    assert new.loc["Steps", "value"] == "8123"
    assert new.loc["Steps", "start_date"] == pd.Timestamp("2026-11-01", tz="UTC")
    assert new.loc["Mood", "value"] == "" and pd.isna(new.loc["Mood", "observation_date"])
    assert session.device_data("Project", "weight")["id"].tolist() == [weight["id"]]

    # the same natural key again: an update in place (id and insertedDate kept)
    assert session.persist_device_data([{"type": "Weight", "value": "70.1", "identifier": "w-1",
                                         "observation_date": observed.tz_convert("UTC")}]) == 1
    again = session.device_data_point(weight["id"])
    assert again["value"].iloc[0] == "70.1" and again["inserted_date"].iloc[0] == weight["inserted_date"]
    assert again["modified_date"].iloc[0] >= weight["modified_date"]
    assert len(session.device_data("Project")) == len(seeded) + 3

    for point_id in new["id"]:
        assert session.delete_device_data(point_id) is None
        with pytest.raises(mdh.NotFoundError, match="not found"):
            session.delete_device_data(point_id)
        with pytest.raises(mdh.NotFoundError):
            session.device_data_point(point_id)
    assert session.device_data("Project")["id"].tolist() == seeded["id"].tolist()


def test_persist_a_frame_device_data_returned_twice_is_idempotent(writable: mdh.ParticipantSession) -> None:
    session = writable
    seeded = session.device_data("Project")
    omron = session.device_data("Omron")
    assert len(omron) > 0
    assert session.persist_device_data(omron) == len(omron)
    copied = session.device_data("Project")
    assert len(copied) == len(seeded) + len(omron)
    assert session.persist_device_data(omron.drop(columns=["units"])) == len(omron)  # same keys: updated
    now = session.device_data("Project")
    assert len(now) == len(copied)
    mine = now[~now["id"].isin(seeded["id"])].sort_values(["observation_date", "type"], ignore_index=True)
    theirs = omron.sort_values(["observation_date", "type"], ignore_index=True)
    for column in ("type", "value", "observation_date", "start_date", "properties", "source_identifier",
                   "source_properties"):
        pd.testing.assert_series_equal(mine[column].astype(object), theirs[column].astype(object))
    assert mine["units"].isna().all() and (mine["namespace"] == "Project").all()
    for point_id in mine["id"]:
        session.delete_device_data(point_id)
    assert session.device_data("Project")["id"].tolist() == seeded["id"].tolist()


def test_large_inputs_go_in_batches(writable: mdh.ParticipantSession, config_for: Any) -> None:
    session = writable
    seeded = len(session.device_data("Project"))
    start = pd.Timestamp("2026-01-01", tz="UTC")
    frame = pd.DataFrame({"type": "HeartRate", "value": np.arange(1201) % 90 + 50, "units": "bpm",
                          "observation_date": pd.date_range(start, periods=1201, freq="min")})
    assert session.persist_device_data(frame) == 1201
    assert session.persist_device_data(frame.iloc[:250], batch_size=100) == 250  # 3 requests, all updates
    back = session.device_data("Project", "HeartRate", observed_after=start - pd.Timedelta("1s"))
    assert len(back) == 1201 and len(session.device_data("Project")) == seeded + 1201
    assert back["value_number"].sum() == (np.arange(1201) % 90 + 50).sum()
    assert [len(b) for b in batches(points_body(frame))] == [BATCH_SIZE, BATCH_SIZE, 201]
    assert [len(b) for b in batches(points_body(frame.iloc[:250]), 100)] == [100, 100, 50]
    big = [{"type": "Note", "value": "x" * 100_000}] * 12
    assert [len(b) for b in batches(points_body(big))] == [5, 5, 2]  # under 512 KB each


@pytest.mark.parametrize("points, message", [
    ([{"value": "1"}], "point 0 has no type"),
    ([{"type": "a", "value": "1"}, {"type": "", "value": "1"}], "point 1 has no type"),
    ([{"type": "a"}], "point 0 has no value"),
    ([{"type": "a", "value": None}], "point 0 has no value"),
    ([{"type": "a", "value": float("nan")}], "point 0 has no value"),
    ([{"type": "a", "value": [1]}], "value must be text or a finite number"),
    ([{"type": "a", "value": math.inf}], "value must be text or a finite number"),
    ([{"type": "a", "value": "1", "when": "x"}], "unknown key 'when'"),
    ([{"type": "a", "value": "1", "observation_date": "soon"}], "observationDate 'soon' is not a date-time"),
    ([{"type": "a", "value": "1", "start_date": 5}], "startDate must be a date-time"),
    ([{"type": "a", "value": "1", "properties": "x"}], "properties must be a dict"),
    ([{"type": "a", "value": "1", "properties": {"k": [1]}}], r"properties\['k'\] must be text or a number"),
    ([{"type": "a", "value": "1", "source_properties": {"k": "v"}}], "need a source identifier"),
    ([{"type": "a", "value": "1", "source": "me"}], "source must be a dict"),
    ([{"type": "a", "value": "1", "source": {"identifier": "s"}, "source_identifier": "t"}], "not both"),
    ([{"type": "a", "value": "1", "start_date": "2026-01-01", "startDate": "2026-01-01"}], "two keys give 'startDate'"),
    ({"type": "a", "value": "1"}, "wrap one point in a list"),
    ("points.csv", "takes a DataFrame or a list of points"),
    ([("a", "1")], "point 0 must be a dict"),
    (pd.DataFrame({"type": ["a"], "value": ["1"], "val": [2]}), "unknown column 'val'"),
    (pd.DataFrame({"type": ["a", None], "value": ["1", "2"]}, index=["x", "y"]), "row 'y' has no type"),
])
def test_points_are_checked_before_any_request(writable: mdh.ParticipantSession, points: Any, message: str) -> None:
    with pytest.raises(mdh.InvalidArgumentError, match=message):
        points_body(points)
    with pytest.raises(mdh.InvalidArgumentError, match=message):
        writable.persist_device_data(points)


def test_batch_size_is_checked(writable: mdh.ParticipantSession) -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(mdh.InvalidArgumentError, match="batch_size"):
            writable.persist_device_data([{"type": "a", "value": "1"}], batch_size=bad)  # type: ignore[arg-type]


def test_what_is_sent_for_a_frame_device_data_returned() -> None:
    records = [{"id": "a", "namespace": "Fitbit", "insertedDate": "2026-01-02T00:00:00Z", "modifiedDate":
                "2026-01-02T00:00:00Z", "type": "Steps", "value": "8123", "units": "steps", "properties": {},
                "startDate": "2026-01-01T05:00:00Z", "observationDate": "2026-01-01T05:00:00Z"}]
    frame = mdh.to_frame("device_data", records, tz="America/New_York")
    assert points_body(frame) == [{"type": "Steps", "value": "8123", "units": "steps", "properties": {},
                                   "startDate": "2026-01-01T00:00:00.000-05:00",
                                   "observationDate": "2026-01-01T00:00:00.000-05:00"}]


instants = st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2100, 1, 1),
                        timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)),
                                                   dt.timezone(dt.timedelta(hours=5, minutes=30))]))


@settings(max_examples=200)
@given(when=instants, value=st.one_of(st.text(), st.integers(-10**15, 10**15),
                                      st.floats(allow_nan=False, allow_infinity=False)),
       form=st.sampled_from(["datetime", "timestamp", "text"]))
def test_values_and_instants_are_sent_faithfully(when: dt.datetime, value: Any, form: str) -> None:
    given_when: Any = {"datetime": when, "timestamp": pd.Timestamp(when), "text": when.isoformat()}[form]
    (point,) = points_body([{"type": "T", "value": value, "observation_date": given_when}])
    assert dt.datetime.fromisoformat(point["observationDate"]) == when
    assert dt.datetime.fromisoformat(point["observationDate"]).utcoffset() == when.utcoffset()
    if isinstance(value, str):
        assert point["value"] == value
    else:
        assert float(point["value"]) == float(value) and json.loads(point["value"]) == pytest.approx(value)
