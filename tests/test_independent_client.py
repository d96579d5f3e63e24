"""An independent client, written from the public protocol facts only (raw httpx + PyJWT, the
official quickstarts' form fields), against the sandbox — then the session must agree with it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


class Independent:
    def __init__(self, server: SandboxServer) -> None:
        creds = server.credentials
        self.base = creds.base_url
        self.token_url = self.base + "identityserver/connect/token"
        self.account, self.project = creds.service_account, creds.project_id
        self.key = creds.private_key_pem
        self.http = httpx.Client()
        self.responses: list[httpx.Response] = []

    def _keep(self, response: httpx.Response) -> httpx.Response:
        self.responses.append(response)
        return response

    def service_token(self) -> str:
        assertion = jwt.encode({"iss": self.account, "sub": self.account, "aud": self.token_url,
                                "exp": time.time() + 200, "jti": str(uuid.uuid4())}, self.key, algorithm="RS256")
        response = self.http.post(self.token_url, data={
            "scope": "api", "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion})
        response.raise_for_status()
        return str(response.json()["access_token"])

    def get(self, path: str, token: str | None, **params: Any) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self._keep(self.http.get(self.base + path, headers=headers, params=params))

    def participant(self, service: str, identifier: str) -> httpx.Response:
        return self.get(f"api/v1/administration/projects/{self.project}/participants/{identifier}", service)

    def participant_token(self, service: str, participant_id: str, scope: str) -> str:
        response = self.http.post(self.token_url, data={
            "scope": scope, "grant_type": "delegated_participant", "participant_id": participant_id,
            "client_id": "MyDataHelps.DelegatedParticipant", "client_secret": "secret", "token": service})
        response.raise_for_status()
        return str(response.json()["access_token"])

    def count(self, token: str, path: str, items: str, size_param: str, size: int) -> tuple[int, int]:
        total, pages, params = 0, 0, {size_param: size}
        while True:
            response = self.get(path, token, **params)
            response.raise_for_status()
            body = response.json()
            total += len(body[items])
            pages += 1
            if not body.get("nextPageID"):
                return total, pages
            params["pageID"] = body["nextPageID"]


def test_independent_client_and_session_agree(sandbox: SandboxServer, config: mdh.Config) -> None:
    ind = Independent(sandbox)
    service = ind.service_token()
    found = ind.participant(service, "PT-0001")
    assert found.status_code == 200
    pid = found.json()["id"]
    assert ind.participant(service, "PT-NOPE").status_code == 404
    token = ind.participant_token(service, pid, "SurveyAnswers:read FitbitSleepLogs:read")

    answers, answer_pages = ind.count(token, "api/v1/delegated/surveyanswers", "surveyAnswers", "limit", 100)
    sleeps, sleep_pages = ind.count(token, "api/v1/delegated/fitbit/sleepLogs", "results", "pageSize", 25)
    assert answer_pages > 1 and sleep_pages > 1

    assert ind.get("api/v1/delegated/surveyanswers", None).status_code == 401
    assert ind.get("api/v1/delegated/surveyanswers", "not-a-token").status_code == 401
    assert ind.get("api/v1/delegated/participant", token).status_code == 403  # no Participant:read
    assert ind.get("api/v1/delegated/surveyanswers", service).status_code == 403  # service token, delegated API
    assert ind.get(f"api/v1/administration/projects/{ind.project}/participants", token).status_code == 403
    for response in ind.responses:
        assert all(h in response.headers for h in RATE_HEADERS), (response.request.url, response.status_code)

    with mdh.Client(config) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read", "FitbitSleepLogs:read"])
        assert len(session.survey_answers()) == answers
        assert len(session.fitbit_sleep_logs()) == sleeps


def test_the_official_python_quickstart_flow(sandbox: SandboxServer) -> None:
    """The calls of CareEvolution's Python quickstart (float exp, 'api user/*.read' era scopes too)."""
    ind = Independent(sandbox)
    service = ind.service_token()
    participant = ind.participant(service, "PT-0002").json()
    for scope in ("Participant:read SurveyAnswers:read", "api user/*.read", "api"):
        token = ind.participant_token(service, participant["id"], scope)
        info = ind.get("api/v1/delegated/participant", token)
        assert info.status_code == 200 and info.json()["participantIdentifier"] == "PT-0002"


def test_the_current_python_quickstart_url_building(sandbox: SandboxServer) -> None:
    """PYQ since 2024-04-30 builds ``f"{base_url}/{resource_url}"`` with ``resource_url`` starting with
    ``/`` and sends ``exp`` as a float 200 s ahead: ``//api/v1/administration/...`` must be served."""
    ind = Independent(sandbox)
    assertion = jwt.encode({"iss": ind.account, "sub": ind.account, "aud": ind.token_url,
                            "exp": time.time() + 200.0, "jti": str(uuid.uuid4())}, ind.key, algorithm="RS256")
    token = ind.http.post(ind.token_url, data={
        "scope": "api", "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion}).json()["access_token"]
    base_url = ind.base.rstrip("/")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
               "Content-Type": "application/json; charset=utf-8"}
    resource_url = f"/api/v1/administration/projects/{ind.project}/participants"
    listed = ind.http.get(f"{base_url}/{resource_url}", headers=headers)
    assert listed.request.url.raw_path.startswith(b"//api/") and listed.status_code == 200
    assert listed.json()["totalParticipants"] == 12
    one = ind.http.get(f"{base_url}/{resource_url}/PT-0002", headers=headers)
    assert one.status_code == 200
    delegated = ind.participant_token(token, one.json()["id"], "Participant:read SurveyAnswers:read")
    info = ind.get("api/v1/delegated/participant", delegated)
    assert info.status_code == 200 and info.json()["participantIdentifier"] == "PT-0002"


@pytest.mark.parametrize("client_id", ["MyDataHelps.DelegatedParticipant", "RKStudio.DelegatedParticipant",
                                       "MyDataHelps-Web.DelegatedParticipant"])
def test_every_documented_client_id_spelling(sandbox: SandboxServer, client_id: str) -> None:
    ind = Independent(sandbox)
    service = ind.service_token()
    pid = ind.participant(service, "PT-0003").json()["id"]
    response = ind.http.post(ind.token_url, data={
        "scope": "SurveyAnswers:read", "grant_type": "delegated_participant", "participant_id": pid,
        "client_id": client_id, "client_secret": "secret", "token": service})
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
