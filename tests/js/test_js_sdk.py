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
from mdh_notebook.sandbox import SandboxServer

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
