"""Device data v1 over raw HTTP: every namespace's points (shape, variety, realism, sources,
enrollment), order and filters, one point by id, persisting (validation, natural-key upserts,
all-or-nothing) and deleting, cursors across writes, determinism, and no 500 for any body."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_protocol import Proto, instant

from mdh_notebook.emulator import SandboxServer
from mdh_notebook.emulator.devicedata_v1 import V1_NAMESPACES, V1_TYPES

PATH = "api/v1/delegated/devicedata"
ITEMS = "deviceDataPoints"
KEYS = {"id", "namespace", "insertedDate", "modifiedDate", "type", "value", "properties"}
OPTIONAL = {"deviceDataContextID", "identifier", "units", "source", "startDate", "observationDate"}
HK_SOURCE = {"SourceIdentifier", "SourceName", "SourceOperatingSystemVersion", "SourceProductType", "SourceVersion",
             "DeviceHardwareVersion", "DeviceManufacturer", "DeviceModel", "DeviceName", "DeviceSoftwareVersion"}


def _form(text: str) -> str:
    if text.endswith("Z"):
        return "Z"
    if text.endswith("+00:00"):
        return "+00:00"
    if re.search(r"[+-]\d\d:\d\d$", text):
        return "local"
    return "naive"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def _post(proto: Proto, token: str, body: Any) -> httpx.Response:
    return proto.http.post(PATH, json=body, headers=_auth(token))


def _points(proto: Proto, token: str, namespace: str, **params: Any) -> list[dict[str, Any]]:
    items, _ = proto.all_pages(PATH, token, ITEMS, namespace=namespace, **params)
    return items


def _sorted_most_recent_first(points: list[dict[str, Any]]) -> bool:
    def when(p: dict[str, Any]) -> dt.datetime:
        text = p.get("observationDate") or p.get("startDate") or p["insertedDate"]
        return instant(text)

    keys = [(-when(p).timestamp(), p["id"]) for p in points]
    return keys == sorted(keys)


@pytest.fixture(scope="module")
def pt1(proto_session: Proto) -> dict[str, list[dict[str, Any]]]:
    """PT-0001's points by namespace, fetched once over HTTP (seeded state)."""
    proto_session.server.reset()
    token = proto_session.participant_token("PT-0001", "DeviceData:read")
    return {ns: _points(proto_session, token, ns) for ns in V1_NAMESPACES}


def test_every_namespace_has_more_than_a_page_for_pt_0001_most_recent_first(
        pt1: dict[str, list[dict[str, Any]]]) -> None:
    for namespace, points in pt1.items():
        assert len(points) > 100, namespace
        assert {p["namespace"] for p in points} == {namespace}
        assert {p["type"] for p in points} == set(V1_TYPES[namespace]), namespace
        assert _sorted_most_recent_first(points), namespace
        assert len({p["id"] for p in points}) == len(points)


def test_point_shape_and_the_wire_quirks(pt1: dict[str, list[dict[str, Any]]]) -> None:
    points = [p for ps in pt1.values() for p in ps]
    forms: Counter[str] = Counter()
    states: dict[str, Counter[str]] = defaultdict(Counter)
    for p in points:
        assert KEYS <= set(p) <= KEYS | OPTIONAL, set(p)
        assert isinstance(p["value"], str) and isinstance(p["properties"], dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in p["properties"].items())
        uuid.UUID(p["id"])
        assert instant(p["insertedDate"]) <= instant(p["modifiedDate"])
        assert instant(p["observationDate"]) < instant(p["insertedDate"])
        if p.get("startDate"):
            assert instant(p["startDate"]) <= instant(p["observationDate"])
        for key in ("observationDate", "startDate", "insertedDate"):
            if p.get(key):
                forms[_form(p[key])] += 1
        for key in OPTIONAL:
            states[key]["absent" if key not in p else "null" if p[key] is None else "value"] += 1
        if p.get("source") is not None:
            assert isinstance(p["source"]["identifier"], str) and isinstance(p["source"]["properties"], dict)
    assert set(forms) == {"Z", "+00:00", "local", "naive"}
    for key in OPTIONAL - {"observationDate"}:
        assert set(states[key]) == {"absent", "null", "value"}, key
    values = [p["value"] for p in points]
    assert "" in values and any(not re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values if v)
    assert "" in {p.get("units") for p in points}


def test_realistic_content_of_each_namespace(pt1: dict[str, list[dict[str, Any]]]) -> None:
    health = pt1["AppleHealth"]
    sourced = [p for p in health if p.get("source")]
    assert len(sourced) == len(health) and all(set(p["source"]["properties"]) == HK_SOURCE for p in sourced)
    assert {p["source"]["properties"]["DeviceModel"] for p in sourced} == {"Watch", "iPhone"}
    heart = [p for p in health if p["type"] == "HeartRate"]
    assert all(30 <= int(p["value"]) <= 220 and p["units"] == "count/min" for p in heart)
    motion = Counter(p["properties"].get("Metadata_HKMetadataKeyHeartRateMotionContext") for p in heart)
    assert {"0", "1", "2", None} <= set(motion)
    assert all(re.fullmatch(r"[0-9A-F-]{36}", p["identifier"]) for p in health)
    assert {p["value"] for p in health if p["type"] == "SleepAnalysis"} >= {"InBed", "AsleepCore", "AsleepDeep"}

    by_context: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in pt1["Omron"]:
        by_context[p["deviceDataContextID"]].append(p)
    for group in by_context.values():
        assert sorted(p["type"] for p in group) == ["BloodPressureDiastolic", "BloodPressureSystolic", "Pulse"]
        assert len({instant(p["observationDate"]) for p in group}) == 1
        values = {p["type"]: int(p["value"]) for p in group}
        assert 70 < values["BloodPressureSystolic"] < 200 and values["BloodPressureDiastolic"] < \
            values["BloodPressureSystolic"]
    pairs = Counter(p["deviceDataContextID"] for p in pt1["GoogleFit"] if p["type"].startswith("blood_pressure"))
    assert pairs and set(pairs.values()) == {2}

    zones = {p["value"] for p in pt1["Fitbit"] if p["type"] == "HeartRateZone"}
    assert zones == {"Out of Range", "Fat Burn", "Cardio", "Peak"}
    assert all("MinuteCount" in p["properties"] for p in pt1["Fitbit"] if p["type"] == "HeartRateIntradayCount")
    steps = [int(p["value"]) for p in pt1["Fitbit"] if p["type"] == "Steps"]
    assert 2000 < sum(steps) / len(steps) < 15000
    aqi = [p for p in pt1["AirNowApi"] if p["value"]]
    assert all(0 < int(p["value"]) < 500 and p["properties"]["CategoryName"] for p in aqi)
    assert all("source" not in p or p["source"] is None for p in pt1["AirNowApi"] + pt1["WeatherBit"])
    assert all(-30 < float(p["value"]) < 45 for p in pt1["WeatherBit"] if p["type"].endswith("Temperature"))
    assert all("Steps" in p["properties"] for p in pt1["Garmin"] if p["type"] == "Daily")
    entries = [p for p in pt1["Project"] if p["type"] == "Asthma-LogEntry"]
    assert entries and all(json.loads(p["value"])["identifier"] == p["identifier"] for p in entries)


def test_sources_enrollment_and_withdrawal_for_every_participant(proto: Proto) -> None:
    service = proto.service_token()
    backend = proto.server.backend
    seen_without: set[str] = set()
    for participant in backend.participants:
        token = proto.participant_token(participant.identifier, "DeviceData:read")
        admin = proto.get(f"{proto.admin}/participants/{participant.identifier}", service).json()
        enrolled = instant(admin["enrollmentDate"])
        withdrawn = instant(admin["withdrawDate"]) if admin.get("withdrawDate") else None
        for namespace in V1_NAMESPACES:
            first = proto.get(PATH, token, namespace=namespace, limit=1).json()[ITEMS]
            if namespace not in participant.sources:
                assert first == [], (participant.identifier, namespace)
                seen_without.add(namespace)
                continue
            if participant.index in (0, 4, 6):  # everyone's first page; the edge cases' every point
                points = _points(proto, token, namespace)
                assert points or participant.index != 0, namespace
                for p in points:
                    assert instant(p.get("startDate") or p["observationDate"]) >= enrolled
                    assert withdrawn is None or instant(p["observationDate"]) < withdrawn
    assert seen_without, "some participants lack some sources"


def test_namespace_is_required_and_checked(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "DeviceData:read")
    for params in ({}, {"namespace": ""}, {"namespace": "  "}):
        response = proto.get(PATH, token, **params)
        assert response.status_code == 400 and "namespace is required" in response.json()["message"]
    wrong = proto.get(PATH, token, namespace="Fitbt")
    assert wrong.status_code == 400 and "not one of" in wrong.json()["message"]
    assert proto.get(PATH, token, namespace="v2").status_code == 400
    lower = proto.get(PATH, token, namespace="fitbit", limit=5).json()[ITEMS]
    upper = proto.get(PATH, token, NAMESPACE="FITBIT", limit=5).json()[ITEMS]
    assert lower == upper and {p["namespace"] for p in lower} == {"Fitbit"}


def test_filters_types_and_exclusive_bounds(proto: Proto, pt1: dict[str, list[dict[str, Any]]]) -> None:
    token = proto.participant_token("PT-0001", "DeviceData:read")
    fitbit = pt1["Fitbit"]
    chosen = _points(proto, token, "Fitbit", type="steps,RestingHeartRate")
    assert chosen == [p for p in fitbit if p["type"] in ("Steps", "RestingHeartRate")]
    middle = fitbit[len(fitbit) // 2]
    bound = middle["observationDate"]
    after = _points(proto, token, "Fitbit", observedAfter=bound)
    assert after == [p for p in fitbit if instant(p["observationDate"]) > instant(bound)]
    before = _points(proto, token, "Fitbit", observedBefore=bound, type="Steps")
    assert before == [p for p in fitbit if instant(p["observationDate"]) < instant(bound) and p["type"] == "Steps"]
    modified = sorted({instant(p["modifiedDate"]) for p in fitbit})[len(fitbit) // 3]
    text = modified.isoformat()
    assert _points(proto, token, "Fitbit", modifiedAfter=text) == \
        [p for p in fitbit if instant(p["modifiedDate"]) > modified]
    assert _points(proto, token, "Fitbit", modifiedBefore=text) == \
        [p for p in fitbit if instant(p["modifiedDate"]) < modified]
    day = _points(proto, token, "WeatherBit", observedAfter="2026-10-20", observedBefore="2026-10-21")
    assert day and all(dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc) < instant(p["observationDate"])
                       < dt.datetime(2026, 10, 21, tzinfo=dt.timezone.utc) for p in day)
    for bad in ({"observedAfter": "yesterday"}, {"modifiedBefore": "2026-13-01"}, {"limit": "0"}):
        response = proto.get(PATH, token, namespace="Fitbit", **bad)
        assert response.status_code == 400 and response.json()["message"]
    assert len(proto.get(PATH, token, namespace="Fitbit", limit=500).json()[ITEMS]) == 100


def test_one_point_by_id(proto: Proto, pt1: dict[str, list[dict[str, Any]]]) -> None:
    token = proto.participant_token("PT-0001", "DeviceData:read")
    for namespace in ("AppleHealth", "Omron"):
        point = pt1[namespace][7]
        assert proto.get(f"{PATH}/{point['id']}", token).json() == point
        assert proto.get(f"{PATH}/{point['id'].upper()}", token).json() == point
    for unknown in (str(uuid.uuid4()), "not-a-guid", "%20"):
        response = proto.get(f"{PATH}/{unknown}", token)
        assert response.status_code == 404 and "not found" in response.json()["message"]
    other = proto.participant_token("PT-0002", "DeviceData:read")
    assert proto.get(f"{PATH}/{pt1['Fitbit'][0]['id']}", other).status_code == 404  # not theirs
    writer = proto.participant_token("PT-0001", "DeviceData:write")
    assert proto.get(f"{PATH}/{pt1['Fitbit'][0]['id']}", writer).status_code == 403


def test_persist_read_back_upsert_and_delete(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    before = _points(proto, token, "Project")
    body = [
        {"type": "Weight", "value": "70.5", "units": "kg", "identifier": "w-1",
         "observationDate": "2026-11-02T08:00:00.25-05:00", "startDate": "2026-11-02T07:59:00-05:00",
         "properties": {"Scale": "Body+", "Battery": 80, "Synced": True, "Skip": None},
         "source": {"identifier": "withings", "properties": {"Model": "WBS05"}}},
        {"type": "Mood", "value": ""},
        {"type": "Note", "value": "walked, then rain", "observationDate": "2026-11-01"},
    ]
    response = _post(proto, token, body)
    assert response.status_code == 200 and response.content == b""
    after = _points(proto, token, "Project")
    new = [p for p in after if p["id"] not in {q["id"] for q in before}]
    assert len(after) == len(before) + 3 and len(new) == 3
    weight = next(p for p in new if p["type"] == "Weight")
    assert weight["value"] == "70.5" and weight["units"] == "kg" and weight["identifier"] == "w-1"
    assert weight["observationDate"] == "2026-11-02T08:00:00.25-05:00"
    assert weight["startDate"] == "2026-11-02T07:59:00-05:00"
    assert weight["properties"] == {"Scale": "Body+", "Battery": "80", "Synced": "true"}
    assert weight["source"] == {"identifier": "withings", "properties": {"Model": "WBS05"}}
    assert weight["insertedDate"] == weight["modifiedDate"] and weight["namespace"] == "Project"
    mood = next(p for p in new if p["type"] == "Mood")
    assert mood["value"] == "" and mood["observationDate"] is None and "source" not in mood
    note = next(p for p in new if p["type"] == "Note")
    assert instant(note["observationDate"]) == dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    assert _sorted_most_recent_first(after)

    # the same natural key (type case-insensitively, identifier, dates as instants) updates in place
    again = {"type": "weight", "value": "70.1", "identifier": "w-1", "observationDate": "2026-11-02T13:00:00.250Z",
             "startDate": "2026-11-02T12:59:00Z", "id": "ignored", "namespace": "Fitbit", "participantID": "x"}
    assert _post(proto, token, [again]).status_code == 200
    updated = [p for p in _points(proto, token, "Project") if p["id"] == weight["id"]]
    assert len(updated) == 1 and updated[0]["value"] == "70.1" and updated[0]["type"] == "weight"
    assert updated[0]["insertedDate"] == weight["insertedDate"]
    assert instant(updated[0]["modifiedDate"]) >= instant(weight["modifiedDate"])
    assert len(_points(proto, token, "Project")) == len(before) + 3
    # another identifier or date is another point; two equal keys in one body: the last wins
    twice = [{"type": "Weight", "value": str(v), "identifier": "w-2"} for v in (1, 2)]
    assert _post(proto, token, twice).status_code == 200
    w2 = [p for p in _points(proto, token, "Project", type="Weight") if p["identifier"] == "w-2"]
    assert [p["value"] for p in w2] == ["2"]

    for point in new:
        assert proto.http.delete(f"{PATH}/{point['id']}", headers=_auth(token)).status_code == 200
        gone = proto.http.delete(f"{PATH}/{point['id']}", headers=_auth(token))
        assert gone.status_code == 404 and "not found" in gone.json()["message"]
        assert proto.get(f"{PATH}/{point['id']}", token).status_code == 404
    assert len(_points(proto, token, "Project")) == len(before) + 1  # w-2 stays
    proto.server.reset()
    assert _points(proto, token, "Project") == before


def test_a_seeded_point_can_be_deleted_and_reset_restores_it(proto: Proto,
                                                            pt1: dict[str, list[dict[str, Any]]]) -> None:
    token = proto.participant_token("PT-0001", "DeviceData:read DeviceData:write")
    point = pt1["Garmin"][3]
    assert proto.http.delete(f"{PATH}/{point['id']}", headers=_auth(token)).status_code == 200
    assert point not in _points(proto, token, "Garmin")
    proto.server.reset()
    assert _points(proto, token, "Garmin") == pt1["Garmin"]


def test_a_comma_in_a_type_is_escaped_in_the_filter(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    assert _post(proto, token, [{"type": "a,b", "value": "1"}, {"type": "a", "value": "2"}]).status_code == 200
    assert [p["value"] for p in _points(proto, token, "Project", type="a\\,b")] == ["1"]
    assert sorted(p["value"] for p in _points(proto, token, "Project", type="a,b")) == ["2"]


@pytest.mark.parametrize("body, message", [
    ({"type": "x", "value": "1"}, "must be a JSON array"),
    ([1], "point 0 must be a JSON object"),
    ([{"value": "1"}], "point 0: type is required"),
    ([{"type": "x", "value": "1"}, {"type": " ", "value": "1"}], "point 1: type is required"),
    ([{"type": "x"}], "value is required"),
    ([{"type": "x", "value": 72}], "value is required and must be a string"),
    ([{"type": "x", "value": "1", "units": 5}], "units must be a string or null"),
    ([{"type": "x", "value": "1", "properties": []}], "properties must be an object"),
    ([{"type": "x", "value": "1", "properties": {"a": {"b": "c"}}}], "'a' must be a string"),
    ([{"type": "x", "value": "1", "source": "me"}], "source must be an object"),
    ([{"type": "x", "value": "1", "source": {"properties": {}}}], "source.identifier is required"),
    ([{"type": "x", "value": "1", "observationDate": "tomorrow"}], "observationDate is not a valid ISO-8601"),
    ([{"type": "x", "value": "1", "startDate": 20261001}], "startDate must be an ISO-8601 string"),
    ([{"type": "x", "value": "1", "startDate": "0001-01-01T00:00:00+05:00"}], "startDate is not a valid"),
])
def test_a_bad_body_is_a_400_naming_the_point(proto: Proto, body: Any, message: str) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    response = _post(proto, token, body)
    assert response.status_code == 400 and message in response.json()["message"]


def test_a_body_with_one_bad_point_stores_none_of_them(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    before = _points(proto, token, "Project")
    response = _post(proto, token, [{"type": "kept?", "value": "no"}, {"type": "x", "value": None}])
    assert response.status_code == 400 and "point 1: value is required" in response.json()["message"]
    assert _points(proto, token, "Project") == before


def test_persist_edge_cases(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    assert _post(proto, token, []).status_code == 200
    assert proto.http.post(PATH, content=b"", headers=_auth(token)).status_code == 400
    assert proto.http.post(PATH, content=b"[{", headers=_auth(token)).status_code == 400
    for number in (b"NaN", b"Infinity", b"1e999"):  # JSON's non-numbers, as Python's json reads them
        body = b'[{"type": "x", "value": "1", "properties": {"n": ' + number + b"}}]"
        assert proto.http.post(PATH, content=body, headers=_auth(token)).status_code == 400
    reader = proto.participant_token("PT-0002", "DeviceData:read")
    assert _post(proto, reader, [{"type": "x", "value": "1"}]).status_code == 403
    assert proto.http.delete(f"{PATH}/{uuid.uuid4()}", headers=_auth(reader)).status_code == 403


def test_concurrent_persists_of_one_natural_key_leave_one_point(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "DeviceData:read DeviceData:write")
    before = _points(proto, token, "Project")
    racers = 12
    start = threading.Barrier(racers)

    def persist(n: int) -> int:
        body = [{"type": "Weight" if n % 2 else "weight", "value": str(n), "identifier": "race",
                 "observationDate": "2026-11-05T08:00:00Z" if n % 3 else "2026-11-05T03:00:00-05:00"},
                {"type": "Steps", "value": str(n), "identifier": f"own-{n}"}]
        with httpx.Client(base_url=proto.server.url, timeout=30) as http:
            start.wait(timeout=30)
            return http.post(PATH, json=body, headers=_auth(token)).status_code

    with ThreadPoolExecutor(racers) as pool:
        statuses = list(pool.map(persist, range(racers)))
    assert statuses == [200] * racers
    after = _points(proto, token, "Project")
    raced = [p for p in after if p.get("identifier") == "race"]
    assert len(raced) == 1 and raced[0]["value"] in {str(n) for n in range(racers)}
    own = sorted(p["identifier"] for p in after if (p.get("identifier") or "").startswith("own-"))
    assert own == sorted(f"own-{n}" for n in range(racers)), "every other point of every body is stored"
    assert len(after) == len(before) + 1 + racers
    proto.server.reset()


def test_cursors_stay_exact_while_points_are_persisted_between_pages(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "DeviceData:read DeviceData:write")
    seeded = _points(proto, token, "Project")
    first = proto.get(PATH, token, namespace="Project").json()
    newer = [{"type": "Steps", "value": str(i), "observationDate": f"2026-11-30T0{i}:00:00Z"} for i in range(3)]
    older = [{"type": "Steps", "value": str(i), "observationDate": f"2020-01-0{i + 1}T00:00:00Z"} for i in range(3)]
    assert _post(proto, token, newer + older).status_code == 200
    rest, _ = proto.all_pages(PATH, token, ITEMS, namespace="Project", pageID=first["nextPageID"])
    served = first[ITEMS] + rest
    assert [p["id"] for p in served if p["observationDate"] and p["observationDate"] >= "2026-11-30"] == []
    assert [p["id"] for p in served[: len(seeded)]] == [p["id"] for p in seeded]
    assert [p["value"] for p in served[len(seeded):]] == ["2", "1", "0"]


def test_same_seed_same_points_other_seed_other_points() -> None:
    def pull(seed: int) -> list[dict[str, Any]]:
        with SandboxServer(seed=seed, participants=2, days=12) as server:
            proto = Proto(server)
            token = proto.participant_token("PT-0001", "DeviceData:read")
            try:
                return [p for ns in V1_NAMESPACES for p in _points(proto, token, ns)]
            finally:
                proto.http.close()

    first = pull(3)
    assert first and first == pull(3)
    assert [p["id"] for p in pull(4)] != [p["id"] for p in first]


json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                          | st.text(max_size=12),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=3), max_leaves=8)
point_like = st.dictionaries(
    st.sampled_from(["type", "value", "units", "identifier", "properties", "source", "startDate", "observationDate",
                     "id", "x"]),
    json_value | st.sampled_from(["2026-10-01", "2026-10-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "", "Steps"]),
    max_size=8)


class _Fuzzed:
    """The fuzzing sandbox and a token (its repr hides the token: hypothesis prints its arguments)."""

    def __init__(self, proto: Proto) -> None:
        self.proto = proto
        self.token = proto.participant_token("PT-0001", "api")

    def __repr__(self) -> str:
        return "Fuzzed(PT-0001, token hidden)"


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[_Fuzzed]:
    with SandboxServer(seed=0, participants=2, days=10) as server:
        proto = Proto(server)
        yield _Fuzzed(proto)
        proto.http.close()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(json_value, st.lists(point_like, max_size=4)),
       params=st.dictionaries(st.sampled_from(["namespace", "type", "observedAfter", "observedBefore",
                                               "modifiedAfter", "modifiedBefore", "limit", "pageID"]),
                              st.text(max_size=30) | st.sampled_from(["Project", "2026-10-01", "a\\,b"]), max_size=4),
       ident=st.text(max_size=40).filter(lambda s: s not in (".", "..")))  # httpx resolves dot segments
def test_no_body_query_or_id_is_a_500(fuzz_server: _Fuzzed, body: Any, params: dict[str, str], ident: str) -> None:
    proto, token = fuzz_server.proto, fuzz_server.token
    response = _post(proto, token, body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200 and isinstance(body, list):
        assert proto.get(PATH, token, namespace="Project", limit=100).status_code == 200
    listed = proto.get(PATH, token, **params)
    assert listed.status_code in (200, 400), listed.text
    one = proto.http.get(f"{PATH}/{quote(ident, safe='')}", headers=_auth(token))
    assert one.status_code in (200, 404), one.text
