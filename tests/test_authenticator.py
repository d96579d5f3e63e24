"""The authenticator next to a sandbox over loopback: the sandbox's service account handed to it through
a tmp ``.env``, API-key holders asking it for participant tokens over HTTP (contract 3)."""

from __future__ import annotations

import logging
import os
import re
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService, hash_api_key
from mdh_notebook.emulator import SandboxServer

API_KEY = "web-" + secrets.token_urlsafe(24)
HASHED_KEY = "hashed-" + secrets.token_urlsafe(24)
GHOST_KEY = "ghost-" + secrets.token_urlsafe(24)
WRONG_KEY = "wrong-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "web"
api_key = "{API_KEY}"
participants = ["PT-0001", "PT-0002"]
scopes = ["SurveyAnswers:read", "Participant:read"]

[[grant]]
name = "everyone"
api_key_sha256 = "{hash_api_key(HASHED_KEY)}"
participants = ["*"]
scopes = ["SurveyAnswers:read"]

[[grant]]
name = "ghost"
api_key = "{GHOST_KEY}"
participants = ["PT-9999"]
scopes = ["SurveyAnswers:read"]
"""
SURVEY_ANSWERS = "api/v1/delegated/surveyanswers"
PARTICIPANT_INFO = "api/v1/delegated/participant"
TOKEN_PATH = "/identityserver/connect/token"
RESPONSE_KEYS = {"access_token", "expires_in", "token_type", "scope", "participant_id", "participant_identifier",
                 "time_zone", "base_url"}


class Clock:
    """The authenticator's token clock: the wall clock plus an offset a test moves (with the sandbox's)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Running:
    """A sandbox, and an authenticator holding its service account."""

    def __init__(self, sandbox: SandboxServer, server: AuthenticatorServer, clock: Clock) -> None:
        self.sandbox = sandbox
        self.server = server
        self.clock = clock
        self.url = server.url
        self.service = server.service

    def token(self, participant: str = "PT-0001", scopes: Any = ("SurveyAnswers:read",), *, key: str = API_KEY,
              **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {"participant": participant, **extra}
        if scopes is not None:
            body["scopes"] = list(scopes)
        return httpx.post(self.url + "token", headers={"Authorization": f"Bearer {key}"}, json=body)

    def issued(self) -> int:
        return int(self.sandbox.stats()["tokens_issued"]["delegated_participant"])

    def api(self, path: str, access_token: str) -> httpx.Response:
        return httpx.get(self.sandbox.url + path, headers={"Authorization": f"Bearer {access_token}"})

    def advance(self, seconds: float) -> None:
        """Time passes for both: the sandbox's clock and the authenticator's."""
        self.sandbox.advance_clock(seconds)
        self.clock.offset += seconds


def start(stack: ExitStack, tmp: Path, sandbox: SandboxServer | None = None, **sandbox_options: Any) -> Running:
    sandbox = sandbox or stack.enter_context(SandboxServer(**sandbox_options).start())
    env = sandbox.credentials.write_env_file(tmp / "sandbox.env")
    config = mdh.Config.resolve(dotenv_path=env, environ={})  # configured as connect() is: here a .env
    assert config is not None and config.base_url == sandbox.url
    clock = Clock()
    service = TokenService(mdh.Client(config, clock=clock), Grants.parse(GRANTS, origin="grants.toml"),
                           owns_client=True)
    stack.callback(service.close)
    server = stack.enter_context(AuthenticatorServer(service).start())
    return Running(sandbox, server, clock)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One sandbox + authenticator for the tests that do not move clocks."""
    with ExitStack() as stack:
        yield start(stack, tmp_path_factory.mktemp("authenticator"))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """A new sandbox (with options) + authenticator, for a test that moves clocks or revokes."""
    with ExitStack() as stack:
        yield lambda **options: start(stack, tmp_path, **{"participants": 6, "days": 14, **options})


# -- tokens that work ----------------------------------------------------------------------------


def test_a_token_for_a_granted_participant_works_against_the_sandbox(running: Running) -> None:
    response = running.token("PT-0001", ["SurveyAnswers:read"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert body["token_type"] == "Bearer" and body["scope"] == "SurveyAnswers:read"
    assert body["participant_identifier"] == "PT-0001" and body["base_url"] == running.sandbox.url
    assert 0 < body["expires_in"] <= 3600
    assert response.headers["cache-control"] == "no-store"
    answers = running.api(SURVEY_ANSWERS, body["access_token"])
    assert answers.status_code == 200
    rows = answers.json()["surveyAnswers"]
    assert rows and {row["participantIdentifier"] for row in rows} == {"PT-0001"}
    assert {row["participantID"] for row in rows} == {body["participant_id"]}


def test_a_subset_of_the_grant_gets_exactly_those_scopes(running: Running) -> None:
    narrow = running.token("PT-0002", ["SurveyAnswers:read"]).json()
    assert narrow["scope"] == "SurveyAnswers:read"
    assert running.api(PARTICIPANT_INFO, narrow["access_token"]).status_code == 403  # really that narrow
    both = running.token("PT-0002", ["Participant:read", "SurveyAnswers:read"]).json()
    assert set(both["scope"].split()) == {"Participant:read", "SurveyAnswers:read"}
    assert both["access_token"] != narrow["access_token"]
    assert running.api(PARTICIPANT_INFO, both["access_token"]).status_code == 200


def test_no_scopes_asked_means_the_grant_s(running: Running) -> None:
    body = running.token("PT-0001", None).json()
    assert set(body["scope"].split()) == {"SurveyAnswers:read", "Participant:read"}


def test_api_key_sha256_works_and_star_means_any_participant(running: Running) -> None:
    body = running.token("PT-0007", ["SurveyAnswers:read"], key=HASHED_KEY).json()
    assert body["participant_identifier"] == "PT-0007"
    assert running.api(SURVEY_ANSWERS, body["access_token"]).status_code == 200
    refused = running.token("PT-0007", ["SurveyAnswers:read"], key=hash_api_key(HASHED_KEY))  # the hash is no key
    assert refused.status_code == 401


def test_grant_lists_what_the_key_may_ask_for(running: Running) -> None:
    got = httpx.get(running.url + "grant", headers={"Authorization": f"Bearer {API_KEY}"})
    assert got.json() == {"participants": ["PT-0001", "PT-0002"], "scopes": ["SurveyAnswers:read", "Participant:read"]}
    assert httpx.get(running.url + "grant").status_code == 401
    assert httpx.get(running.url + "health").json() == {"status": "ok"}


# -- refusals ------------------------------------------------------------------------------------


def test_outside_the_grant_is_403_naming_what_and_costs_no_token(running: Running) -> None:
    before = running.issued()
    other = running.token("PT-0003", ["SurveyAnswers:read"])
    assert other.status_code == 403
    assert other.json()["error"] == "not_granted" and "'PT-0003'" in other.json()["message"]
    case = running.token("pt-0001", ["SurveyAnswers:read"])
    assert case.status_code == 403 and "did you mean 'PT-0001'?" in case.json()["message"]
    scope = running.token("PT-0001", ["SurveyAnswers:read", "DeviceData:read"])
    assert scope.status_code == 403
    assert "'DeviceData:read'" in scope.json()["message"] and "SurveyAnswers:read" not in scope.json()["message"].split(
        "not granted")[0]
    assert running.token("PT-0001", ["api"]).status_code == 403
    assert running.issued() == before


def test_an_unknown_or_missing_key_is_401(running: Running) -> None:
    before = running.issued()
    unknown = running.token(key=WRONG_KEY)
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_api_key"
    assert unknown.headers["www-authenticate"].startswith("Bearer")
    for headers in ({}, {"Authorization": API_KEY}, {"Authorization": "Basic " + API_KEY}, {"Authorization": "Bearer"}):
        missing = httpx.post(running.url + "token", headers=headers, json={"participant": "PT-0001"})
        assert missing.status_code == 401, headers
        assert "Authorization: Bearer <key>" in missing.json()["message"]
    assert running.issued() == before


@pytest.mark.parametrize(("content", "says"), [
    (b"{", "not JSON"),
    (b"[]", "JSON object"),
    (b'{"participant": "PT-0001", "scope": ["SurveyAnswers:read"]}', "unknown field(s) 'scope'"),
    (b"{}", "name the participant"),
    (b'{"participant": 7}', "name the participant"),
    (b'{"participant": "PT-0001", "scopes": 7}', "scopes must be a list"),
    (b'{"participant": "PT-0001", "scopes": ["SurveyAnswer:read"]}', "did you mean 'SurveyAnswers:read'?"),
    (b'{"participant": "PT-0001", "rejected_token": 7}', "rejected_token"),
    (b'{"participant": "' + b"x" * 20_000 + b'"}', "over 16384 bytes"),
])
def test_a_malformed_body_is_400_saying_what(running: Running, content: bytes, says: str) -> None:
    response = httpx.post(running.url + "token", content=content, headers={
        "Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request" and says in response.json()["message"]


def test_a_granted_participant_missing_from_the_project_is_404(running: Running) -> None:
    response = running.token("PT-9999", ["SurveyAnswers:read"], key=GHOST_KEY)
    assert response.status_code == 404 and response.json()["error"] == "participant_not_found"
    assert "'PT-9999'" in response.json()["message"]


def test_a_failing_service_is_a_502_not_a_token(running: Running) -> None:
    running.sandbox.set_faults(error_rate=1.0, paths=[TOKEN_PATH])
    try:
        response = running.token("PT-0004", ["SurveyAnswers:read"], key=HASHED_KEY)
    finally:
        running.sandbox.clear_faults()
    assert response.status_code == 502 and response.json()["error"].startswith("upstream_")
    assert "MyDataHelps" in response.json()["message"]
    assert running.token("PT-0004", ["SurveyAnswers:read"], key=HASHED_KEY).status_code == 200  # and it recovers


# -- the cache -----------------------------------------------------------------------------------


def test_the_cached_token_is_handed_out_again(running: Running) -> None:
    first = running.token("PT-0005", ["SurveyAnswers:read"], key=HASHED_KEY).json()
    issued = running.issued()
    again = [running.token("PT-0005", ["SurveyAnswers:read"], key=HASHED_KEY).json() for _ in range(5)]
    assert {body["access_token"] for body in again} == {first["access_token"]}
    assert all(body["expires_in"] <= first["expires_in"] for body in again)  # what is LEFT
    assert running.issued() == issued


def test_many_users_at_once_cost_one_token(running: Running) -> None:
    before = running.issued()
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def ask() -> None:
        barrier.wait()
        tokens.append(running.token("PT-0006", ["SurveyAnswers:read"], key=HASHED_KEY).json()["access_token"])

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 8 and len(set(tokens)) == 1
    assert running.issued() - before == 1


def test_a_token_is_renewed_once_its_margin_is_reached(fresh: Callable[..., Running]) -> None:
    running = fresh()
    first = running.token().json()
    running.advance(3600 - 125)  # 125 s left: more than the 120 s margin, handed out again
    kept = running.token().json()
    assert kept["access_token"] == first["access_token"] and kept["expires_in"] <= 125
    issued = running.issued()
    running.advance(10)  # 115 s left: a new one
    renewed = running.token().json()
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] > 3000
    assert running.issued() == issued + 1
    assert running.api(SURVEY_ANSWERS, renewed["access_token"]).status_code == 200


def test_a_short_token_is_not_handed_out_with_less_than_the_sdk_s_buffer(fresh: Callable[..., Running]) -> None:
    running = fresh(participant_token_lifetime=125)  # its own margin is 31 s; the JS SDK renews at 120 s left
    first = running.token().json()
    assert first["expires_in"] <= 125
    running.advance(2)  # 123 s left: still given out
    assert running.token().json()["access_token"] == first["access_token"]
    running.advance(2.5)  # 120.5 s left, handed out as expires_in 120: the SDK would fire tokenWillExpire at
    renewed = running.token().json()  # once (120 − 120 s), and ask again and again, so a new one
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] > 120


def test_a_rejected_token_is_replaced_once(fresh: Callable[..., Running]) -> None:
    running = fresh()
    first = running.token().json()
    running.sandbox.revoke()  # every token so far is refused, the service token too
    assert running.api(SURVEY_ANSWERS, first["access_token"]).status_code == 401
    assert running.token().json()["access_token"] == first["access_token"]  # the authenticator cannot know
    issued = running.issued()
    replaced = running.token(rejected_token=first["access_token"]).json()
    assert replaced["access_token"] != first["access_token"]
    assert running.api(SURVEY_ANSWERS, replaced["access_token"]).status_code == 200
    again = running.token(rejected_token=first["access_token"]).json()  # a second caller with the old one
    assert again["access_token"] == replaced["access_token"]
    assert running.issued() == issued + 1


# -- CORS ----------------------------------------------------------------------------------------


def preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(url + "token", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "authorization,content-type"})


def test_loopback_origins_are_allowed_by_default(running: Running) -> None:
    for origin in ("http://127.0.0.1:8123", "http://localhost:5173", "http://[::1]:9000", "https://localhost"):
        response = preflight(running.url, origin)
        assert response.status_code == 200, origin
        assert response.headers["access-control-allow-origin"] == origin
        assert "authorization" in response.headers["access-control-allow-headers"].lower()
    refused = preflight(running.url, "https://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    # an error answer is readable cross-origin too (a page can show the 401)
    unknown = httpx.post(running.url + "token", headers={"Origin": "http://127.0.0.1:8123",
                                                         "Authorization": f"Bearer {WRONG_KEY}"}, json={})
    assert unknown.status_code == 401 and unknown.headers["access-control-allow-origin"] == "http://127.0.0.1:8123"


def test_configured_origins_replace_the_default(running: Running) -> None:
    with AuthenticatorServer(running.service, cors_origins=["https://study.example.org"]) as other:
        assert preflight(other.url, "https://study.example.org").status_code == 200
        assert preflight(other.url, "http://127.0.0.1:8123").status_code == 400


# -- secrets -------------------------------------------------------------------------------------


def test_the_log_says_who_got_what_and_never_a_secret(fresh: Callable[..., Running],
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    running = fresh(participant_token_lifetime=125)
    tokens = [running.token().json()["access_token"], running.token().json()["access_token"]]
    running.advance(10)
    tokens.append(running.token().json()["access_token"])  # renewed
    tokens.append(running.token(rejected_token=tokens[-1]).json()["access_token"])
    tokens.append(running.token("PT-0004", key=HASHED_KEY).json()["access_token"])
    assert running.token("PT-0003").status_code == 403
    assert running.token(key=WRONG_KEY).status_code == 401
    assert running.token("PT-9999", key=GHOST_KEY).status_code == 404
    service_token = running.service.client.service_tokens.token
    assert service_token is not None
    pem = running.sandbox.credentials.private_key_pem.splitlines()
    secrets_ = {*tokens, service_token.value, API_KEY, HASHED_KEY, GHOST_KEY, WRONG_KEY, *pem[1:-1]}
    text = "\n".join([caplog.text, *(repr(r.args) for r in caplog.records), *(r.getMessage() for r in caplog.records)])
    leaked = [s[:8] + "…" for s in secrets_ if s in text]
    assert not leaked
    ours = [r.getMessage() for r in caplog.records if r.name == "mdh_notebook.authenticator"]
    assert any(re.match(r"grant 'web' got a token for 'PT-0001' \(SurveyAnswers:read\), expires in \d+ s", m)
               for m in ours), ours
    assert any("(cached)" in m for m in ours)
    assert any(m.startswith("refused grant 'web': participant 'PT-0003'") for m in ours)
    assert any("unknown API key" in m for m in ours)
    assert any(m.startswith("refused grant 'ghost': no participant 'PT-9999'") for m in ours)
    shown = repr(running.service) + repr(running.server) + repr(running.service.grants)
    assert not [s for s in secrets_ if s in shown]


# -- the command line ----------------------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))}


def _first_line(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"no ready line; exit {proc.poll()}; stderr: {proc.stderr.read() if proc.stderr else ''}")


@pytest.mark.parametrize("configured", ["env-file", "arguments", "environment"])
def test_the_cli_serves_tokens_and_stops_cleanly(running: Running, tmp_path: Path, configured: str) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    grants.chmod(0o644 if configured == "env-file" else 0o600)  # it holds api_key values: readable is warned of
    creds = running.sandbox.credentials
    args, env = ["--config", str(grants), "--port", "0"], _clean_env()
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
    proc = subprocess.Popen([sys.executable, "-m", "mdh_notebook.authenticator", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc)
        found = re.fullmatch(r"MDH authenticator listening on (http://127\.0\.0\.1:\d+/)\n", line)
        assert found, line
        url = found.group(1)
        body = httpx.post(url + "token", headers={"Authorization": f"Bearer {API_KEY}"},
                          json={"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}).json()
        assert running.api(SURVEY_ANSWERS, body["access_token"]).status_code == 200
        assert httpx.post(url + "token", headers={"Authorization": f"Bearer {WRONG_KEY}"}, json={}).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "grant 'web' got a token for 'PT-0001'" in err and "unknown API key" in err
    assert ("others can read it: chmod 600" in err) == (configured == "env-file"), err
    for secret in (body["access_token"], API_KEY, WRONG_KEY, *creds.private_key_pem.splitlines()[1:-1]):
        assert secret not in out + err


def _run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mdh_notebook.authenticator", *args], cwd=tmp_path,
                          env=_clean_env(), capture_output=True, text=True, timeout=120)


def test_the_cli_with_nothing_configured_says_how(tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text(GRANTS)
    done = _run_cli(tmp_path, "--config", str(grants))
    assert done.returncode == 2 and done.stdout == ""
    assert "no MyDataHelps service account is configured" in done.stderr
    assert "RKS_SERVICE_ACCOUNT" in done.stderr and "mdh-notebook sandbox" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_names_a_bad_grants_file(tmp_path: Path) -> None:
    grants = tmp_path / "grants.toml"
    grants.write_text('[[grant]]\napi_key = "short"\nparticipants = ["PT-0001"]\nscopes = ["SurveyAnswers:read"]\n')
    done = _run_cli(tmp_path, "--config", str(grants))
    assert done.returncode == 2
    assert f"{grants}: grant 1: api_key is 5 characters" in done.stderr and "Traceback" not in done.stderr
    missing = _run_cli(tmp_path, "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "cannot read the grants file" in missing.stderr
