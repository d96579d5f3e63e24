"""The official MyDataHelps JS SDK (npm @careevolution/mydatahelps-js 5.7.0, unmodified, in Node)
as a second, independent client of the sandbox: every data function answers as the real API
would, with the same rows as the session's frames, and its writes are visible afterwards.

The SDK gets a participant token from the sandbox the way an Embeddable would (handed over by
a server: ``setParticipantAccessToken(token, baseUrl)``). Each read is paged to its end the way
MyDataHelpsUI's ``query-all-*`` helpers page (following ``nextPageID``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from js_clients import Node

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

READ_SCOPES = ["api"]  # the SDK is exercised over every endpoint; per-scope refusals are tested elsewhere


@pytest.fixture(scope="module")
def js_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of its own: the writes below must not disturb the shared one."""
    with SandboxServer(seed=0).start() as server:
        yield server


@pytest.fixture(scope="module")
def session(js_sandbox: SandboxServer) -> Iterator[mdh.ParticipantSession]:
    creds = js_sandbox.credentials
    config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                    project_id=creds.project_id, private_key=creds.private_key_pem)
    with mdh.connect("PT-0001", READ_SCOPES, config=config) as s:
        yield s


def token_of(session: mdh.ParticipantSession) -> dict[str, Any]:
    token = session.token
    assert token is not None
    return {"access_token": token.value, "expires_in": int(token.lifetime), "token_type": "Bearer"}


def run(node: Node, sandbox: SandboxServer, session: mdh.ParticipantSession,
        calls: list[dict[str, Any]]) -> dict[str, Any]:
    out = node.sdk(sandbox.url, token_of(session), calls)
    failed = {k: v["error"] for k, v in out["results"].items() if not v["ok"]}
    assert not failed, f"JS SDK calls failed: {failed}"
    return out["results"]  # type: ignore[no-any-return]


def ids(frame: pd.DataFrame, column: str = "id") -> list[str]:
    return [str(v) for v in frame[column].tolist()]


def test_the_sdk_reads_the_same_rows_as_the_session(node: Node, js_sandbox: SandboxServer,
                                                    session: mdh.ParticipantSession) -> None:
    calls = [
        {"id": "participant", "fn": "getParticipantInfo"},
        {"id": "answers", "fn": "querySurveyAnswers", "args": [{}], "paging": "cursor", "items": "surveyAnswers"},
        {"id": "phq9", "fn": "querySurveyAnswers", "args": [{"surveyName": ["PHQ-9", "Weekly,Activity"],
                                                             "after": "2026-09-01T00:00:00Z"}],
         "paging": "cursor", "items": "surveyAnswers"},
        {"id": "sleep", "fn": "queryFitbitSleepLogs", "args": [{"startDate": "2026-09-01"}], "paging": "cursor",
         "items": "results"},
    ]
    results = run(node, js_sandbox, session, calls)
    assert results["participant"]["value"]["participantIdentifier"] == "PT-0001"
    assert results["participant"]["value"]["participantID"] == session.participant_info()["participant_id"][0]
    assert [r["id"] for r in results["answers"]["items"]] == ids(session.survey_answers())
    assert results["answers"]["pages"] > 1
    phq9 = session.survey_answers(survey_name=["PHQ-9", "Weekly,Activity"], after="2026-09-01T00:00:00Z")
    assert [r["id"] for r in results["phq9"]["items"]] == ids(phq9) and len(phq9) > 0
    sleep = session.fitbit_sleep_logs(start="2026-09-01")
    js_starts = pd.to_datetime([r["startTimestamp"] for r in results["sleep"]["items"]], utc=True, format="ISO8601")
    assert list(js_starts) == list(sleep["start_timestamp"]) and results["sleep"]["pages"] > 1


def _instants(values: list[Any]) -> list[pd.Timestamp]:
    return list(pd.to_datetime(values, utc=True, format="ISO8601"))


def test_fitbit_apple_health_and_project(node: Node, js_sandbox: SandboxServer,
                                         session: mdh.ParticipantSession) -> None:
    calls = [
        {"id": "daily", "fn": "queryFitbitDailySummaries", "args": [{}], "paging": "cursor", "items": "results"},
        {"id": "workouts", "fn": "queryAppleHealthWorkouts", "args": [{"startDate": "2026-09-01"}],
         "paging": "cursor", "items": "results"},
        {"id": "activity", "fn": "queryAppleHealthActivitySummaries", "args": [{}], "paging": "cursor",
         "items": "results"},
        {"id": "project", "fn": "getProjectInfo"},
        {"id": "settings", "fn": "getDataCollectionSettings"},
        {"id": "availability", "fn": "getDataAvailability"},
    ]
    results = run(node, js_sandbox, session, calls)
    daily = session.fitbit_daily_summaries()
    assert len(results["daily"]["items"]) == len(daily) > 25 and results["daily"]["pages"] > 1
    assert [r["steps"] for r in results["daily"]["items"]] == daily["steps"].tolist()
    workouts = session.apple_health_workouts(start="2026-09-01")
    assert [r["id"] for r in results["workouts"]["items"]] == ids(workouts) and len(workouts) > 0
    assert [r["id"] for r in results["activity"]["items"]] == ids(session.apple_health_activity_summaries())
    assert results["project"]["value"]["id"] == session.project_info()["id"][0]
    settings = session.data_collection_settings()
    assert results["settings"]["value"]["fitbitEnabled"] == bool(settings["fitbit_enabled"][0])
    availability = session.data_availability()
    assert results["availability"]["value"]["appleHealthRecords"] == bool(availability["apple_health_records"][0])


def test_surveys_family_accounts_and_files(node: Node, js_sandbox: SandboxServer,
                                           session: mdh.ParticipantSession) -> None:
    calls = [
        {"id": "results", "fn": "querySurveyResults", "args": [{}], "paging": "cursor", "items": "surveyResults"},
        {"id": "tasks", "fn": "querySurveyTasks", "args": [{"status": ["incomplete", "closed"]}],
         "paging": "cursor", "items": "surveyTasks"},
        {"id": "notifications", "fn": "queryNotifications", "args": [{"type": "Push"}], "paging": "cursor",
         "items": "notifications"},
        {"id": "inbox", "fn": "queryInboxItems", "args": [{}], "paging": "cursor", "items": "items"},
        {"id": "accounts", "fn": "getExternalAccounts"},
        {"id": "providers", "fn": "getExternalAccountProviders", "args": [None, "Health Plan", 25],
         "paging": "pageNumber", "items": "externalAccountProviders", "total": "totalExternalAccountProviders"},
        {"id": "featured", "fn": "getFeaturedProviders", "args": []},
        {"id": "files", "fn": "queryFiles", "args": [{}], "paging": "cursor", "items": "files"},
    ]
    results = run(node, js_sandbox, session, calls)
    assert [r["id"] for r in results["results"]["items"]] == ids(session.survey_results())
    assert results["results"]["pages"] > 1
    tasks = session.survey_tasks(status=["incomplete", "closed"])
    assert [r["id"] for r in results["tasks"]["items"]] == ids(tasks) and len(tasks) > 0
    assert [r["id"] for r in results["notifications"]["items"]] == ids(session.notifications(type="Push"))
    assert [r["id"] for r in results["inbox"]["items"]] == ids(session.inbox())
    assert [r["id"] for r in results["accounts"]["value"]] == [int(v) for v in session.external_accounts()["id"]]
    providers = session.external_account_providers(category="Health Plan")
    assert [r["id"] for r in results["providers"]["items"]] == [int(v) for v in providers["id"]]
    assert results["providers"]["pages"] > 1
    assert [r["id"] for r in results["featured"]["value"]] == [
        int(v) for v in session.featured_external_account_providers()["id"]]
    assert [r["key"] for r in results["files"]["items"]] == session.files()["key"].tolist()


def test_device_data_v1_every_namespace_and_v2_every_type(node: Node, js_sandbox: SandboxServer,
                                                          session: mdh.ParticipantSession) -> None:
    since = "2026-10-24T00:00:00Z"  # a week: minute-level types have ~10,000 points a week
    v1_types = session.device_data_types(version=1)
    v2_types = session.device_data_types(version=2)
    calls: list[dict[str, Any]] = [
        {"id": "types1", "fn": "getDeviceDataAllDataTypes", "args": []},
        {"id": "types2", "fn": "getDeviceDataV2AllDataTypes", "args": []},
    ]
    namespaces = sorted(set(v1_types["namespace"]))
    for ns in namespaces:
        calls.append({"id": f"v1/{ns}", "fn": "queryDeviceData", "args": [{"namespace": ns}], "paging": "cursor",
                      "items": "deviceDataPoints"})
    pairs = sorted(set(zip(v2_types["namespace"], v2_types["type"], strict=True)))
    for ns, kind in pairs:
        calls.append({"id": f"v2/{ns}/{kind}", "fn": "queryDeviceDataV2",
                      "args": [{"namespace": ns, "type": kind, "observedAfter": since}],
                      "paging": "cursor", "items": "deviceDataPoints"})
    calls += [
        {"id": "aggregate", "fn": "queryDeviceDataV2Aggregate",
         "args": [{"namespace": "Fitbit", "type": "heart-rate", "intervalAmount": 1, "intervalType": "Hours",
                   "aggregateFunctions": ["avg", "max"], "observedAfter": since}],
         "paging": "cursor", "items": "intervals"},
        {"id": "dailysleep", "fn": "queryDeviceDataV2DailySleep",
         "args": [{"namespace": "Fitbit", "type": "sleep"}], "paging": "cursor", "items": "sleepStageSummaries"},
    ]
    results = run(node, js_sandbox, session, calls)
    assert sorted((r["namespace"], r["type"]) for r in results["types1"]["value"]) == sorted(
        zip(v1_types["namespace"], v1_types["type"], strict=True))
    assert len(results["types2"]["value"]) == len(v2_types)
    assert len(namespaces) == 8  # every v1 namespace of the reference, Project included
    for ns in namespaces:
        frame = session.device_data(namespace=ns, progress=False)
        got = results[f"v1/{ns}"]
        assert [r["id"] for r in got["items"]] == ids(frame) and len(frame) > 0, ns
    empty = []
    for ns, kind in pairs:
        frame = session.device_data_v2(namespace=ns, type=kind, observed_after=since, progress=False)
        assert [r["id"] for r in results[f"v2/{ns}/{kind}"]["items"]] == ids(frame), (ns, kind)
        if frame.empty:
            empty.append((ns, kind))
    assert len(empty) < len(pairs) / 4, f"most v2 types have data in the last week: {empty}"
    aggregate = session.device_data_aggregate(namespace="Fitbit", type="heart-rate", interval_type="Hours",
                                              functions=["avg", "max"], observed_after=since)
    js = results["aggregate"]["items"]
    assert len(js) == len(aggregate) > 24
    assert [r["statistics"]["max"] for r in js] == aggregate["statistics_max"].tolist()
    sleep = session.daily_sleep(namespace="Fitbit", type="sleep")
    assert len(results["dailysleep"]["items"]) == len(sleep) > 0


def test_every_write_takes_effect(node: Node, js_sandbox: SandboxServer, session: mdh.ParticipantSession) -> None:
    import base64

    import httpx

    result_id = session.survey_results()["id"].iloc[0]
    inbox_id = session.inbox()["id"].iloc[0]
    account_ids = [int(v) for v in session.external_accounts()["id"]]
    provider = int(session.external_account_providers(category="Provider")["id"].iloc[0])
    payload = bytes(range(256)) * 40
    writes = [
        {"id": "persist", "fn": "persistDeviceData", "args": [[{"type": "JsSdkCheck", "value": "42",
                                                               "units": "count", "identifier": "js-1",
                                                               "observationDate": "2026-10-30T12:00:00Z"}]]},
        {"id": "delete_result", "fn": "deleteSurveyResult", "args": [result_id]},
        {"id": "event", "fn": "trackCustomEvent", "args": [{"eventType": "JsSdkCheck", "properties": {"a": "1"}}]},
        {"id": "inbox_item", "fn": "getInboxItem", "args": [inbox_id]},
        {"id": "mark_read", "fn": "updateInboxItem", "args": [inbox_id, "markRead"]},
        {"id": "upload", "fn": "uploadFile", "args": ["Lab Results", "js-check.bin"],
         "file": {"base64": base64.b64encode(payload).decode(), "type": "application/octet-stream",
                  "name": "js-check.bin"}},
        {"id": "participant", "fn": "persistParticipantInfo", "args": [{"city": "Springfield"}, {"JsCheck": "yes"}]},
        {"id": "refresh", "fn": "refreshExternalAccount", "args": [account_ids[0]]},
        {"id": "delete_account", "fn": "deleteExternalAccount", "args": [account_ids[-1]]},
        {"id": "connect", "fn": "connectExternalAccount",
         "args": [provider, {"standaloneModeFinalRedirectPath": "http://localhost/embeddable/done"}]},
    ]
    results = run(node, js_sandbox, session, writes)

    persisted = session.device_data(namespace="Project", type="JsSdkCheck")
    assert persisted["value"].tolist() == ["42"] and persisted["identifier"].tolist() == ["js-1"]
    point_id = persisted["id"].iloc[0]
    assert result_id not in set(session.survey_results()["id"])
    assert result_id not in set(session.survey_answers()["survey_result_id"])
    events = httpx.get(js_sandbox.url + "_sandbox/customevents", params={"participant": "PT-0001"}).json()
    assert any(e.get("eventType") == "JsSdkCheck" for e in (events if isinstance(events, list) else
                                                              next(iter(events.values()))))
    assert results["inbox_item"]["value"]["id"] == inbox_id
    assert results["mark_read"]["value"]["update"] == "markRead"
    assert not session.inbox_item(inbox_id)["is_new"].iloc[0]
    files = session.files(category="Lab Results")
    key = files.loc[files["file_name"] == "js-check.bin", "key"].iloc[0]
    info = session.participant_info()
    assert info["demographics_city"].iloc[0] == "Springfield" and info["custom_fields"].iloc[0]["JsCheck"] == "yes"
    accounts = session.external_accounts()
    assert accounts.loc[accounts["id"] == account_ids[0], "status"].iloc[0] == "fetchingData"
    assert account_ids[-1] not in set(int(v) for v in accounts["id"])
    assert results["connect"]["value"].startswith(js_sandbox.url) and "#verifier=" in results["connect"]["value"]

    second = run(node, js_sandbox, session, [
        {"id": "point", "fn": "getDeviceDataPoint", "args": [point_id]},
        {"id": "download", "fn": "getFileDownloadUrl", "args": [key]},
    ])
    assert second["point"]["value"]["id"] == point_id
    downloaded = httpx.get(second["download"]["value"]["preSignedUrl"])
    assert downloaded.status_code == 200 and downloaded.content == payload
    third = run(node, js_sandbox, session, [
        {"id": "delete_point", "fn": "deleteDeviceDataPoint", "args": [point_id]},
        {"id": "delete_file", "fn": "deleteFile", "args": [key]},
    ])
    with pytest.warns(mdh.UnknownValueWarning, match="JsSdkCheck"):  # gone, and no listing names that type
        assert third and session.device_data(namespace="Project", type="JsSdkCheck").empty
    assert "js-check.bin" not in set(session.files(category="Lab Results")["file_name"])
    again = node.sdk(js_sandbox.url, token_of(session), [{"id": "gone", "fn": "deleteDeviceDataPoint",
                                                          "args": [point_id]}])
    assert again["results"]["gone"] == {"ok": False, "error": "Not Found"}  # the SDK surfaces statusText only
