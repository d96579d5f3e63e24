"""An independent client (raw httpx, paging written here from the reference's facts, not from
the catalogue) pages every read endpoint of the sandbox for PT-0001 and counts the rows; every
session method returns exactly those rows — every kind, every v1 namespace, every v2 type.

v2 types are counted over the last two weeks of the window (minute-level types carry ~1,440
points a day), and one minute-level type over the whole window, more than a thousand pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_independent_client import Independent

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.kinds import KINDS

V1 = "api/v1/delegated/"
V2 = "api/v2/delegated/"
SINCE = "2026-10-18T00:00:00Z"

# method -> (path, items key or "" for a bare array / "=" for one object, size parameter, its maximum)
ENDPOINTS: dict[str, tuple[str, str, str, int]] = {
    "participant_info": (V1 + "participant", "=", "", 0),
    "project_info": (V1 + "project", "=", "", 0),
    "data_collection_settings": (V1 + "datacollectionsettings", "=", "", 0),
    "data_availability": (V1 + "dataavailability", "=", "", 0),
    "survey_answers": (V1 + "surveyanswers", "surveyAnswers", "limit", 100),
    "survey_results": (V1 + "surveyresults", "surveyResults", "limit", 100),
    "survey_tasks": (V1 + "surveytasks", "surveyTasks", "limit", 100),
    "notifications": (V1 + "notifications", "notifications", "limit", 100),
    "inbox": (V1 + "inbox", "items", "limit", 100),
    "files": (V1 + "files", "files", "limit", 100),
    "fitbit_daily_summaries": (V1 + "fitbit/dailySummaries", "results", "pageSize", 25),
    "fitbit_sleep_logs": (V1 + "fitbit/sleepLogs", "results", "pageSize", 25),
    "apple_health_workouts": (V1 + "appleHealth/workouts", "results", "pageSize", 25),
    "apple_health_activity_summaries": (V1 + "appleHealth/activitySummaries", "results", "pageSize", 25),
    "external_accounts": (V1 + "externalaccounts", "", "", 0),
    "featured_external_account_providers": (V1 + "featuredexternalaccountproviders", "", "", 0),
}
# kinds counted by the tests below with the parameters they need
SPECIAL = {"device_data", "device_data_v2", "device_data_aggregate", "daily_sleep", "device_data_types",
           "external_account_providers"}


class Counter(Independent):
    def token(self) -> str:
        service = self.service_token()
        pid = self.participant(service, "PT-0001").json()["id"]
        return self.participant_token(service, pid, "api")

    def page_all(self, token: str, path: str, items: str, size_param: str, size: int,
                 **params: Any) -> list[dict[str, Any]]:
        if items == "=":
            response = self.get(path, token, **params)
            response.raise_for_status()
            return [response.json()]
        if not items:
            response = self.get(path, token, **params)
            response.raise_for_status()
            body = response.json()
            assert isinstance(body, list)
            return body
        rows: list[dict[str, Any]] = []
        query = {**params, size_param: size}
        seen = set()
        while True:
            response = self.get(path, token, **query)
            response.raise_for_status()
            body = response.json()
            rows += body[items]
            cursor = body.get("nextPageID")
            if not cursor:
                return rows
            assert cursor not in seen
            seen.add(cursor)
            query["pageID"] = cursor


@pytest.fixture(scope="module")
def counter(sandbox: SandboxServer) -> Counter:
    return Counter(sandbox)


@pytest.fixture(scope="module")
def token(counter: Counter) -> str:
    return counter.token()


@pytest.fixture(scope="module")
def session(config: mdh.Config) -> Iterator[mdh.ParticipantSession]:
    with mdh.connect("PT-0001", ["api"], config=config) as s:
        yield s


def ids_of(rows: list[dict[str, Any]]) -> list[str]:
    return [str(r["id"]) for r in rows]


def test_the_table_covers_every_participant_kind() -> None:
    kinds = {k.name for k in KINDS.values() if k.token == "participant"}
    assert kinds == set(ENDPOINTS) | SPECIAL


@pytest.mark.parametrize("method", sorted(ENDPOINTS))
def test_plain_kinds(counter: Counter, token: str, session: mdh.ParticipantSession, method: str) -> None:
    path, items, size_param, size = ENDPOINTS[method]
    rows = counter.page_all(token, path, items, size_param, size)
    frame = getattr(session, method)(progress=False)
    assert len(frame) == len(rows)
    if items not in ("", "=") and method not in ("fitbit_daily_summaries", "fitbit_sleep_logs"):
        assert len(rows) > size, f"PT-0001 has more than one page of {method}"
    if rows and "id" in rows[0] and "id" in frame.columns:
        assert [str(v) for v in frame["id"]] == ids_of(rows)
    if method == "files":
        assert frame["key"].tolist() == [r["key"] for r in rows]


def test_external_account_providers_by_page_number(counter: Counter, token: str,
                                                   session: mdh.ParticipantSession) -> None:
    rows: list[dict[str, Any]] = []
    number = 0
    while True:
        body = counter.get(V1 + "externalaccountproviders", token, pageSize=100, pageNumber=number).json()
        rows += body["externalAccountProviders"]
        if (number + 1) * 100 >= body["totalExternalAccountProviders"]:
            break
        number += 1
    assert number >= 2
    frame = session.external_account_providers()
    assert [int(v) for v in frame["id"]] == [r["id"] for r in rows]


def test_every_v1_namespace(counter: Counter, token: str, session: mdh.ParticipantSession) -> None:
    namespaces = ("Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron")
    for ns in namespaces:
        rows = counter.page_all(token, V1 + "devicedata", "deviceDataPoints", "limit", 100, namespace=ns)
        assert len(rows) > 100, f"PT-0001 has more than a page of {ns}"
        assert [str(v) for v in session.device_data(namespace=ns, progress=False)["id"]] == ids_of(rows), ns
    for version in (1, 2):
        listed = counter.page_all(token, f"api/v{version}/delegated/devicedata/allDataTypes", "", "", 0)
        assert len(session.device_data_types(version=version)) == len(listed) > 0


def _v2_types(counter: Counter, token: str) -> list[tuple[str, str]]:
    listed = counter.page_all(token, V2 + "devicedata/allDataTypes", "", "", 0)
    return sorted({(r["namespace"], r["type"]) for r in listed})


def test_every_v2_type(counter: Counter, token: str, session: mdh.ParticipantSession) -> None:
    pairs = _v2_types(counter, token)
    namespaces = {ns for ns, _ in pairs}
    assert namespaces == {"Fitbit", "AppleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "GoogleHealth"}
    with_data = 0
    for ns, kind in pairs:
        rows = counter.page_all(token, V2 + "devicedata", "deviceDataPoints", "limit", 100, namespace=ns, type=kind,
                                observedAfter=SINCE)
        frame = session.device_data_v2(namespace=ns, type=kind, observed_after=SINCE, progress=False)
        assert [str(v) for v in frame["id"]] == ids_of(rows), (ns, kind)
        with_data += bool(rows)
    assert with_data >= 0.75 * len(pairs)


def test_a_minute_level_type_over_the_whole_window(counter: Counter, token: str,
                                                   session: mdh.ParticipantSession) -> None:
    rows = counter.page_all(token, V2 + "devicedata", "deviceDataPoints", "limit", 100, namespace="Fitbit",
                            type="heart-rate")
    assert len(rows) > 100_000
    frame = session.device_data_v2(namespace="Fitbit", type="heart-rate", progress=False)
    assert len(frame) == len(rows) and frame["id"].is_unique


def test_aggregates_and_daily_sleep(counter: Counter, token: str, session: mdh.ParticipantSession) -> None:
    for interval, functions in (("Hours", ["avg", "min", "max"]), ("Days", ["count", "sum"])):
        rows = counter.page_all(token, V2 + "devicedata/aggregate", "intervals", "limit", 100, namespace="Fitbit",
                                type="heart-rate", intervalAmount=1, intervalType=interval,
                                aggregateFunctions=",".join(functions), observedAfter=SINCE)
        frame = session.device_data_aggregate(namespace="Fitbit", type="heart-rate", interval_type=interval,
                                              functions=functions, observed_after=SINCE, progress=False)
        assert len(frame) == len(rows) > 0, interval
        for fn in functions:
            assert frame[f"statistics_{fn}"].tolist() == [r["statistics"][fn] for r in rows]
    for ns, kind in (("Fitbit", "sleep"), ("GoogleHealth", "sleep-list-session-asleep")):
        rows = counter.page_all(token, V2 + "devicedata/aggregate/dailysleep", "sleepStageSummaries", "limit", 100,
                                namespace=ns, type=kind)
        frame = session.daily_sleep(namespace=ns, type=kind, progress=False)
        assert len(frame) == len(rows), (ns, kind)


def test_no_answer_is_a_server_error(counter: Counter, token: str) -> None:
    statuses = [r.status_code for r in counter.responses]
    assert statuses and all(s == 200 for s in statuses)
    assert all("RateLimit-Remaining" in r.headers for r in counter.responses)
    assert isinstance(counter.http, httpx.Client)
