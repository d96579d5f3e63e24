"""``python -m mdh_notebook.authenticator`` (the same ``configure``/``run`` as ``mdh-notebook
authenticator``) as a subprocess next to a sandbox: start, read the ready line, ask for tokens, stop
with SIGTERM, exit 0 — and the refusals to start, each naming the fix."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from authenticator_helpers import (
    API_KEY,
    GRANTS,
    SURVEY_ANSWERS,
    TOKEN_PATH,
    WRONG_KEY,
    Running,
    clean_env,
    first_line,
    start,
)

from mdh_notebook.authenticator import Grants, hash_api_key

#: A line of the authenticator process's log: a time, a level, the logger, the message.
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: .+")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with ExitStack() as stack:
        yield start(stack, tmp_path_factory.mktemp("authenticator-cli"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdh_notebook.authenticator", *args], cwd=tmp_path,
                          env=clean_env(), capture_output=True, text=True, timeout=120, input=stdin)


@pytest.mark.parametrize("configured", ["env-file", "arguments", "environment"])
def test_the_cli_serves_tokens_and_stops_cleanly(running: Running, tmp_path: Path, configured: str) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    grants.chmod(0o644 if configured == "env-file" else 0o600)  # it holds api_key values: readable is warned of
    creds = running.sandbox.credentials
    args, env = ["--config", str(grants), "--port", "0"], clean_env()
    if configured == "env-file":
        args += ["--env-file", str(creds.write_env_file(tmp_path / "sandbox.env"))]
    elif configured == "arguments":
        key = tmp_path / "key.pem"
        key.write_text(creds.private_key_pem)
        args += ["--base-url", creds.base_url, "--service-account", creds.service_account, "--project-id",
                 creds.project_id, "--private-key-file", str(key)]
    else:
        env.update(MDH_BASE_URL=creds.base_url, RKS_SERVICE_ACCOUNT=creds.service_account,
                   RKS_PROJECT_ID=creds.project_id, RKS_PRIVATE_KEY=creds.private_key_pem)
        args += ["--host", "0.0.0.0"]  # every interface: warned of (plain HTTP beyond this machine)
    proc = subprocess.Popen([sys.executable, "-m", "mdh_notebook.authenticator", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = first_line(proc)
        found = re.fullmatch(r"MDH authenticator listening on (http://127\.0\.0\.1:\d+/)\n", line)
        assert found, line
        url = found.group(1)
        body = httpx.post(url + "token", headers={"Authorization": f"Bearer {API_KEY}"},
                          json={"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}).json()
        assert running.api(SURVEY_ANSWERS, body["access_token"]).status_code == 200
        assert httpx.post(url + "token", headers={"Authorization": f"Bearer {WRONG_KEY}"}, json={}).status_code == 401
        if configured == "arguments":  # MyDataHelps failing: the client's retries are logged in words
            running.sandbox.set_faults(error_rate=1.0, paths=[TOKEN_PATH])
            try:
                failed = httpx.post(url + "token", headers={"Authorization": f"Bearer {API_KEY}"},
                                    json={"participant": "PT-0002"}, timeout=120)
            finally:
                running.sandbox.clear_faults()
            assert failed.status_code == 502 and failed.json()["error"] == "upstream_error"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "grant 'web' got a token for 'PT-0001'" in err and "unknown API key" in err
    assert ("others can read it: chmod 600" in err) == (configured == "env-file"), err
    assert ("mdh-notebook authenticator --hash-key" in err) == (configured == "env-file"), err
    assert ("0.0.0.0, which is not a loopback address" in err) == (configured == "environment"), err
    assert ("TLS-terminating reverse proxy" in err) == (configured == "environment"), err
    lines = err.splitlines()
    assert lines and all(LOG_LINE.fullmatch(line) for line in lines), err  # every line the process logged
    if configured == "arguments":
        retries = [line for line in lines if " mdh_notebook.retry: " in line]
        assert retries and all(re.search(r"INFO mdh_notebook.retry: POST /identityserver/connect/token: 50\d on try "
                                         r"\d+ of \d+; trying again in [\d.–]+ s$", r) for r in retries), retries
        assert " stamina" not in err and "stamina.retry_scheduled" not in err and "stamina.args" not in err
    for secret in (body["access_token"], API_KEY, WRONG_KEY, *creds.private_key_pem.splitlines()[1:-1]):
        assert secret not in out + err


def test_the_cli_with_nothing_configured_says_how(tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    done = _run(tmp_path, "--config", str(grants))
    assert done.returncode == 2 and done.stdout == ""
    assert "no MyDataHelps service account is configured" in done.stderr
    assert "RKS_SERVICE_ACCOUNT" in done.stderr and "mdh-notebook sandbox" in done.stderr
    assert "Traceback" not in done.stderr
    neither = _run(tmp_path)
    assert neither.returncode == 2 and "one of the arguments --config --hash-key is required" in neither.stderr


def test_the_cli_names_a_bad_grants_file(tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text('[[grant]]\napi_key = "short"\nparticipants = ["PT-0001"]\nscopes = ["SurveyAnswers:read"]\n')
    done = _run(tmp_path, "--config", str(grants))
    assert done.returncode == 2
    assert f"{grants}: grant 1: api_key is 5 characters" in done.stderr and "Traceback" not in done.stderr
    missing = _run(tmp_path, "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "cannot read the grants file" in missing.stderr


def test_a_server_that_is_down_is_said_in_the_authenticator_s_words(running: Running, tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    grants.chmod(0o600)
    key = tmp_path / "key.pem"
    key.write_text(running.sandbox.credentials.private_key_pem)
    down = f"http://127.0.0.1:{_free_port()}/"
    creds = running.sandbox.credentials
    done = _run(tmp_path, "--config", str(grants), "--base-url", down, "--service-account", creds.service_account,
                "--project-id", creds.project_id, "--private-key-file", str(key))
    assert done.returncode == 2 and done.stdout == ""
    assert f"MyDataHelps at {down} could not be reached" in done.stderr, done.stderr
    assert "--base-url" in done.stderr and "MDH_BASE_URL" in done.stderr
    assert "embedded sandbox" not in done.stderr and "Traceback" not in done.stderr


def test_a_misspelt_cors_origin_or_a_taken_port_stops_it_naming_the_option(running: Running, tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    grants.chmod(0o600)
    env_file = str(running.sandbox.credentials.write_env_file(tmp_path / "sandbox.env"))
    origin = _run(tmp_path, "--config", str(grants), "--env-file", env_file, "--cors-origin", "http://localhost:8888/")
    assert origin.returncode == 2
    assert "--cors-origin 'http://localhost:8888/' is not a web origin" in origin.stderr
    assert "e.g. --cors-origin http://localhost:8888" in origin.stderr
    taken = httpx.URL(running.url).port
    port = _run(tmp_path, "--config", str(grants), "--env-file", env_file, "--port", str(taken))
    assert port.returncode == 2 and port.stdout == ""
    assert f"cannot listen on 127.0.0.1:{taken}: Address already in use" in port.stderr, port.stderr
    assert "SystemExit" not in port.stderr and "Traceback" not in port.stderr


def test_hash_key_prints_the_grants_file_line_for_a_key_on_stdin(tmp_path: Path) -> None:
    key = "a-key-from-stdin-" + "x" * 16
    done = _run(tmp_path, "--hash-key", stdin=key + "\n")  # echo's newline is no part of the key
    assert done.returncode == 0, done.stderr
    assert done.stdout == f'api_key_sha256 = "{hash_api_key(key)}"\n'
    assert key not in done.stdout + done.stderr
    text = "[[grant]]\n" + done.stdout + 'participants = ["PT-0001"]\nscopes = ["SurveyAnswers:read"]\n'
    grants = Grants.parse(text)
    assert grants.match(key) is not None
    short = _run(tmp_path, "--hash-key", stdin="short-key\n")
    assert short.returncode == 2 and short.stdout == ""
    assert "the key on stdin is 9 characters; use at least 16" in short.stderr and "short-key" not in short.stderr
