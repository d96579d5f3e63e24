"""Progress bars for long pulls: shown on request (or to a watching person), never when switched off."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from fakes import client as fake_client
from fakes import query

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

SCRIPT = """
import sys
import mdh_notebook as mdh
session = mdh.connect("PT-0001", scopes=["FitbitSleepLogs:read"])
for label, progress in (("ON", True), ("AUTO", None), ("OFF", False)):
    print(f"<<{label}>>", file=sys.stderr, flush=True)
    frame = session.fitbit_sleep_logs(progress=progress)
    assert frame.attrs["pages"] > 3, frame.attrs
    print(f"<</{label}>>", file=sys.stderr, flush=True)
"""


def _bars(sandbox: SandboxServer, **env: str) -> dict[str, str]:
    creds = sandbox.credentials
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_", "TQDM_"))}
    base.update(MDH_BASE_URL=creds.base_url, RKS_SERVICE_ACCOUNT=creds.service_account,
                RKS_PROJECT_ID=creds.project_id, RKS_PRIVATE_KEY=creds.private_key_pem, **env)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=base, timeout=120)
    assert result.returncode == 0, result.stderr
    out = {}
    for label in ("ON", "AUTO", "OFF"):
        out[label] = result.stderr.split(f"<<{label}>>")[1].split(f"<</{label}>>")[0]
    return out


def test_a_long_pull_shows_a_bar_when_asked_and_none_when_off(sandbox: SandboxServer) -> None:
    bars = _bars(sandbox)
    assert "fitbit_sleep_logs" in bars["ON"] and "records" in bars["ON"]
    assert bars["AUTO"].strip() == "", "stderr is a pipe here: nobody watches, no bar"
    assert bars["OFF"].strip() == ""


def test_tqdm_disable_turns_every_bar_off(sandbox: SandboxServer) -> None:
    bars = _bars(sandbox, TQDM_DISABLE="1")
    assert all(text.strip() == "" for text in bars.values()), bars


def test_the_bar_shows_the_total_when_the_server_sends_one(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TQDM_DISABLE", raising=False)  # a run with bars off must still test them
    people = [{"id": f"00000000-0000-4000-8000-{i:012d}"} for i in range(250)]

    def admin(request: httpx.Request) -> httpx.Response:
        q = query(request)
        number, size = int(q["pageNumber"]), min(50, int(q["pageSize"]))
        return httpx.Response(200, json={"participants": people[number * size:(number + 1) * size],
                                         "totalParticipants": len(people)})

    with fake_client(admin) as client:
        assert len(client.frame("participants", progress=True)) == 250
        err = capsys.readouterr().err
        assert "participants" in err and "/250" in err
        assert len(client.frame("participants")) == 250
        assert capsys.readouterr().err == "", "not interactive: no bar by default"
        # read at each pull, and over progress=True: tqdm.notebook would ignore the variable itself
        monkeypatch.setenv("TQDM_DISABLE", "1")
        assert len(client.frame("participants", progress=True)) == 250
        assert capsys.readouterr().err == ""


def test_short_pulls_show_no_bar(sandbox: SandboxServer, config: mdh.Config,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    with mdh.Client(config) as client:
        session = client.connect("PT-0001", ["Participant:read", "SurveyAnswers:read"])
        session.participant_info(progress=True)
        session.survey_answers(survey_name="PHQ-9", progress=True)
    assert capsys.readouterr().err == ""
