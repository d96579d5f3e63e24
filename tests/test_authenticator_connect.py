"""``connect(..., authenticator=URL, api_key=...)``: a notebook that holds no service key, next to a sandbox and
an authenticator over loopback. A subprocess with nothing but MDH_AUTHENTICATOR_URL and MDH_API_KEY gets its
participant's data and is refused outside its grant; in process: renewal through the authenticator, a revoked
token replaced through ``rejected_token``, the same rows as a service-account session, the configuration's
order and its mistakes, and no API key or token in a repr, a log record or an error."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from suite import config_for

import mdh_notebook as mdh
from mdh_notebook import cli
from mdh_notebook.auth import AuthenticatorTokenSource, ParticipantTokenSource, RenewalEvent
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.errors import error_for_response
from mdh_notebook.output import write_frame

API_KEY = "notebook-" + secrets.token_urlsafe(24)
STAR_KEY = "everyone-" + secrets.token_urlsafe(24)
WRONG_KEY = "wrong-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "notebook"
api_key = "{API_KEY}"
participants = ["PT-0001", "PT-0002"]
scopes = ["SurveyAnswers:read", "Participant:read"]

[[grant]]
name = "everyone"
api_key = "{STAR_KEY}"
participants = ["*"]
scopes = ["SurveyAnswers:read"]
"""
SCOPES = ["SurveyAnswers:read"]
TOKEN_ENDPOINT = "/identityserver/connect/token"
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))}


class Clock:
    """The wall clock plus an offset the test moves, with the sandbox's (the authenticator and the notebook
    both read it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Pair:
    """A sandbox and an authenticator holding its service account."""

    def __init__(self, sandbox: SandboxServer, server: AuthenticatorServer, clock: Clock) -> None:
        self.sandbox = sandbox
        self.server = server
        self.clock = clock
        self.url = server.url
        self.config = config_for(sandbox)

    def advance(self, seconds: float) -> None:
        self.sandbox.advance_clock(seconds)
        self.clock.offset += seconds

    def issued(self) -> int:
        return int(self.sandbox.stats()["tokens_issued"]["delegated_participant"])

    def refused(self) -> int:
        return int(self.sandbox.stats()["responses"].get("401", 0))

    def connect(self, participant: str = "PT-0001", scopes: list[str] | None = None, key: str = API_KEY,
                **options: Any) -> mdh.ParticipantSession:
        return mdh.connect(participant, scopes or SCOPES, authenticator=self.url, api_key=key, clock=self.clock,
                           **options)

    def secrets(self) -> list[str]:
        """The service side's secrets: the key's base64 lines and the authenticator's service token."""
        lines = [line for line in self.sandbox.credentials.private_key_pem.splitlines() if not line.startswith("-")]
        token = self.server.service.client.service_tokens.token
        return [*lines, *([token.value] if token is not None else [])]


def start(stack: ExitStack, **options: Any) -> Pair:
    sandbox = stack.enter_context(SandboxServer(**{"participants": 4, "days": 14, **options}).start())
    clock = Clock()
    service = TokenService(mdh.Client(config_for(sandbox), clock=clock, rate_limit_wait=0),
                           Grants.parse(GRANTS, origin="grants.toml"), owns_client=True)
    stack.callback(service.close)
    server = stack.enter_context(AuthenticatorServer(service).start())
    return Pair(sandbox, server, clock)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """One sandbox + authenticator for the tests that move no clock and inject no fault."""
    with ExitStack() as stack:
        yield start(stack)


@pytest.fixture
def fresh() -> Iterator[Callable[..., Pair]]:
    with ExitStack() as stack:
        yield lambda **options: start(stack, **options)


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MDH_/RKS_ setting in the environment and a working directory without .env."""
    for name in list(os.environ):
        if name.startswith(("MDH_", "RKS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def service_frame(pair: Pair, kind: str = "survey_answers", participant: str = "PT-0001") -> pd.DataFrame:
    with mdh.connect(participant, SCOPES if kind == "survey_answers" else ["Participant:read"],
                     config=pair.config) as session:
        return session.fetch(kind, progress=False)


# -- a notebook process with no service key ------------------------------------------------------------

NOTEBOOK = """
import json, logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import mdh_notebook as mdh
from mdh_notebook import cli

out = {"service_account_configured": mdh.Config.resolve() is not None}
session = mdh.connect("PT-0001", ["SurveyAnswers:read"])
frame = session.survey_answers()
out.update(rows=len(frame), identifiers=sorted(frame["participant_identifier"].unique()),
           ids=sorted(frame["participant_id"].unique()), base_url=session.client.base_url,
           participant_id=session.participant_id, source=type(session.tokens.source).__name__,
           shown=repr(session) + repr(session.tokens) + str(vars(session.tokens.source)))
for name, participant, scopes in (("participant", "PT-0003", ["SurveyAnswers:read"]),
                                  ("scope", "PT-0001", ["FitbitSleepLogs:read"])):
    try:
        mdh.connect(participant, scopes)
        out[name] = None
    except mdh.MDHError as exc:
        out[name] = [type(exc).__name__, str(exc)]
try:
    mdh.open_client()
    out["open_client"] = None
except mdh.MDHError as exc:
    out["open_client"] = str(exc)
sys.stdout.write(frame.to_csv(index=False))
print("RESULT " + json.dumps(out))
"""


def test_a_notebook_process_with_no_service_key_gets_data_and_is_refused_outside_its_grant(
        pair: Pair, tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "MDH_AUTHENTICATOR_URL": pair.url, "MDH_API_KEY": API_KEY}
    assert not any(name.startswith("RKS_") for name in env) and not (tmp_path / ".env").exists()
    run = subprocess.run([sys.executable, "-c", NOTEBOOK], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    csv, _, result = run.stdout.rpartition("RESULT ")
    out = json.loads(result)
    assert out["service_account_configured"] is False and out["source"] == "AuthenticatorTokenSource"
    assert out["rows"] > 0 and out["identifiers"] == ["PT-0001"] and out["ids"] == [out["participant_id"]]
    assert out["base_url"] == pair.sandbox.url  # the authenticator's answer said which API
    expected = service_frame(pair)
    assert out["rows"] == len(expected) and csv.strip() == expected.to_csv(index=False).strip()
    kind, message = out["participant"]
    assert kind == "PermissionDeniedError" and "participant 'PT-0003' is not granted" in message
    assert "ask the authenticator's operator" in message
    kind, message = out["scope"]
    assert kind == "PermissionDeniedError" and "'FitbitSleepLogs:read' not granted" in message
    assert "mdh.connect(participant, scopes)" in out["open_client"]
    assert "debug" in run.stderr.lower()  # the log really was at DEBUG
    everything = run.stdout + run.stderr
    leaked = [s[:12] + "…" for s in [*pair.secrets(), API_KEY] if s in everything]
    assert not leaked and not JWT.search(everything)


def test_the_cli_fetches_through_an_authenticator(pair: Pair, tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "MDH_API_KEY": API_KEY}
    run = subprocess.run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0001", "survey_answers",
                          "--authenticator", pair.url, "--no-progress"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    expected = io.StringIO()
    write_frame(service_frame(pair), expected, "csv")  # as the CLI writes it
    assert run.stdout == expected.getvalue() and len(run.stdout.splitlines()) > 1
    refused = subprocess.run([sys.executable, "-m", "mdh_notebook", "fetch", "PT-0003", "survey_answers",
                              "--authenticator", pair.url], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=180)
    assert refused.returncode == 1 and "not granted" in refused.stderr and "Traceback" not in refused.stderr
    assert API_KEY not in run.stdout + run.stderr + refused.stdout + refused.stderr


def test_the_cli_names_its_options(pair: Pair, nowhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def error(*args: str) -> str:
        assert cli.main(["fetch", "PT-0001", "survey_answers", *args]) == 1
        return capsys.readouterr().err

    assert "--authenticator 'localhost:9' has no scheme: write http://localhost:9/" in error(
        "--authenticator", "localhost:9", "--api-key", "x")
    assert "no API key is given: pass --api-key or set MDH_API_KEY" in error("--authenticator", pair.url)
    assert "also pass --authenticator URL" in error("--api-key", API_KEY)
    down = error("--authenticator", f"http://127.0.0.1:{_closed_port()}/", "--api-key", API_KEY)
    assert "is --authenticator the URL it printed" in down and API_KEY not in down


# -- in process ----------------------------------------------------------------------------------------


def test_the_same_rows_as_a_service_account_session(pair: Pair) -> None:
    with pair.connect(scopes=["SurveyAnswers:read", "Participant:read"]) as session:
        assert isinstance(session.tokens.source, AuthenticatorTokenSource)
        assert session.participant_identifier == "PT-0001" and session.time_zone
        pd.testing.assert_frame_equal(session.survey_answers(progress=False), service_frame(pair))
        pd.testing.assert_frame_equal(session.participant_info(), service_frame(pair, "participant_info"))
        local = session.survey_answers(tz="local", progress=False)  # the zone came with the token
        assert str(local["date"].dt.tz) == session.time_zone
        with pytest.raises(mdh.ConfigurationError, match="no service account"):
            session.client.participants()  # the notebook's client holds none


def test_renewal_ahead_of_expiry_goes_through_the_authenticator(fresh: Callable[..., Pair]) -> None:
    pair = fresh(participant_token_lifetime=600)  # renewed at 120 s left, by both
    events: list[RenewalEvent] = []
    with pair.connect(on_renew=events.append) as session:
        expected = session.survey_answers(progress=False)
        first = session.token
        assert first is not None and 590 <= first.lifetime <= 600
        for renewal in (1, 2):
            issued = pair.issued()
            pair.advance(500)  # 100 s left: less than the margin
            pd.testing.assert_frame_equal(session.survey_answers(progress=False), expected)
            assert session.renewals == renewal and pair.issued() == issued + 1  # one new token, upstream too
        assert [e.reason for e in events] == ["initial", "expiring", "expiring"]
        assert session.token is not None and session.token.value != first.value
        assert pair.refused() == 0  # renewed ahead, never refused


def test_a_revoked_token_is_replaced_through_rejected_token(fresh: Callable[..., Pair]) -> None:
    pair = fresh()
    events: list[RenewalEvent] = []
    with pair.connect(on_renew=events.append) as session:
        expected = session.survey_answers(progress=False)
        revoked = session.token
        pair.sandbox.revoke()  # every token so far is refused: the session's and the authenticator's service token
        issued = pair.issued()
        # the authenticator still holds the revoked token as good; only rejected_token makes it replace it
        pd.testing.assert_frame_equal(session.survey_answers(progress=False), expected)
        assert session.renewals == 1 and [e.reason for e in events] == ["initial", "rejected"]
        assert pair.refused() >= 1 and pair.issued() == issued + 1
        assert revoked is not None and session.token is not None and session.token.value != revoked.value


def test_a_session_expired_by_the_sandbox_clock_renews_on_its_401(fresh: Callable[..., Pair]) -> None:
    pair = fresh(participant_token_lifetime=600)
    with pair.connect() as session:
        expected = session.survey_answers(progress=False)
        pair.sandbox.advance_clock(700)  # the API's clock only: the token looks good here and to the authenticator
        pd.testing.assert_frame_equal(session.survey_answers(progress=False), expected)
        assert session.renewals == 1 and pair.refused() >= 1


class Recording(httpx.HTTPTransport):
    """A real transport noting every secret that crosses it: bearer values sent, access tokens received."""

    def __init__(self, seen: set[str]) -> None:
        super().__init__()
        self.seen = seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            self.seen.add(bearer[7:])
        response = super().handle_request(request)
        if request.url.path.endswith("/token"):
            response.read()
            with suppress(ValueError, KeyError, TypeError):
                self.seen.add(json.loads(response.content)["access_token"])
        return response


def test_no_api_key_or_token_in_reprs_logs_or_errors(fresh: Callable[..., Pair],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    pair = fresh(participant_token_lifetime=600)
    seen: set[str] = set()
    shown: list[str] = []
    with pair.connect(transport=Recording(seen)) as session:
        session.survey_answers(progress=False)
        pair.advance(500)
        session.survey_answers(progress=False)  # renewed ahead
        pair.sandbox.revoke()
        session.survey_answers(progress=False)  # refused, replaced
        source = session.tokens.source
        shown += [repr(session), str(session), repr(session.tokens), repr(session.token), repr(source), str(source),
                  str(vars(source)), repr(session.auth), repr(session.client), str(source.answer)]
        errors = []
        for call in (lambda: pair.connect(key=WRONG_KEY, transport=Recording(seen)),
                     lambda: pair.connect("PT-0003", transport=Recording(seen)),
                     lambda: pair.connect(scopes=["FitbitSleepLogs:read"], transport=Recording(seen))):
            with pytest.raises(mdh.MDHError) as info:
                call()
            errors.append(info.value)
        shown += [text for e in errors for text in (str(e), repr(e), repr(vars(e)))]
    assert session.renewals == 2
    tokens = seen - {API_KEY, WRONG_KEY}
    assert API_KEY in seen and WRONG_KEY in seen and len(tokens) >= 3  # the check has something to find
    logged = [caplog.text, *(r.getMessage() for r in caplog.records), *(repr(r.args) for r in caplog.records)]
    text = "\n".join(shown + logged)
    leaked = [value[:12] + "…" for value in [*seen, *pair.secrets()] if value in text]
    assert not leaked and not JWT.search(text)
    assert "api_key=<hidden>" in repr(source)


def test_a_wrong_api_key_is_a_clear_error(pair: Pair) -> None:
    with pytest.raises(mdh.TokenRequestError) as info:
        pair.connect(key=WRONG_KEY)
    message = str(info.value)
    assert info.value.status_code == 401 and info.value.error == "invalid_api_key"
    assert "does not know this API key" in message and "check MDH_API_KEY or api_key=" in message
    assert WRONG_KEY not in message and info.value.__cause__ is None and info.value.__context__ is None


def test_outside_the_grant_and_unknown_participants(pair: Pair) -> None:
    with pytest.raises(mdh.PermissionDeniedError, match=r"participant 'PT-0003' is not granted.*operator"):
        pair.connect("PT-0003")
    with pytest.raises(mdh.PermissionDeniedError, match=r"scope\(s\) 'FitbitSleepLogs:read' not granted"):
        pair.connect(scopes=["FitbitSleepLogs:read"])
    with pytest.raises(mdh.ParticipantNotFound, match="no participant 'PT-9999' in this project") as info:
        pair.connect("PT-9999", key=STAR_KEY)
    assert info.value.participant == "PT-9999"
    with pytest.raises(mdh.ScopeError):  # a typo is caught before any request
        pair.connect(scopes=["SurveyAnswer:read"])


def test_the_authenticator_s_5xx_is_retried(fresh: Callable[..., Pair]) -> None:
    pair = fresh()
    pair.sandbox.set_faults(seed=1, error_rate=1.0, paths=[TOKEN_ENDPOINT])  # MyDataHelps fails: a 502 from it
    with pytest.raises(mdh.ServerError) as info:
        pair.connect()
    assert "the authenticator at" in str(info.value) and "gave up after 5 attempts (502 ×5)" in str(info.value)
    pair.sandbox.clear_faults()
    with pair.connect() as session:
        assert len(session.survey_answers(progress=False)) > 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bad_authenticator_urls_name_the_fix(pair: Pair) -> None:
    def refused(url: str) -> str:
        with pytest.raises(mdh.MDHError) as info:
            mdh.connect("PT-0001", SCOPES, authenticator=url, api_key=API_KEY)
        assert info.value.__cause__ is None and API_KEY not in str(info.value)
        return str(info.value)

    port = pair.server.port
    assert f"has no scheme: write http://127.0.0.1:{port}/" in refused(f"127.0.0.1:{port}")
    assert f"names the authenticator's /token route: give its root, {pair.url}" in refused(pair.url + "token")
    hidden = refused(pair.url + "?api_key=" + API_KEY)
    assert "not shown: it may hold a key" in hidden and "MDH_API_KEY" in hidden
    down = refused(f"http://127.0.0.1:{_closed_port()}/")
    assert "no token from the authenticator at http://127.0.0.1:" in down and "cannot reach" in down
    assert "mdh-notebook authenticator" in down and "MDH_BASE_URL" not in down
    sandbox = refused(pair.sandbox.url)  # the API's URL given for the authenticator's
    assert "has no token route" in sandbox and "MDH_AUTHENTICATOR_URL" in sandbox


def test_a_retry_policy_reaches_every_client(pair: Pair, fresh: Callable[..., Pair], nowhere: Path) -> None:
    """connect(..., retry=) and open_client(..., retry=): the session's client follows it, and through an
    authenticator the first token's client too (the down authenticator's message counts its tries)."""
    policy = mdh.RetryPolicy(attempts=2, wait_initial=0.0)
    with pair.connect(retry=policy) as session:
        assert session.client.retry == policy
    with mdh.connect("PT-0001", SCOPES, config=pair.config, retry=policy) as session:
        assert session.client.retry == policy
    with mdh.open_client(pair.config, retry=policy) as client:
        assert client.retry == policy
    with pytest.raises(mdh.TransportError) as info:
        mdh.connect("PT-0001", SCOPES, authenticator=f"http://127.0.0.1:{_closed_port()}/", api_key=API_KEY,
                    retry=mdh.RetryPolicy(attempts=1))
    assert "cannot reach it" in str(info.value) and "in up to 1 try)" in str(info.value)
    failing = fresh()
    failing.sandbox.set_faults(error_rate=1.0, paths=["/api/v1/delegated/surveyanswers"])
    with failing.connect(retry=policy) as session, pytest.raises(mdh.ServerError) as failed:
        session.fetch("survey_answers", progress=False)
    assert "gave up after 2 attempts" in str(failed.value)


def test_the_configuration_order(pair: Pair, nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # .env with only the authenticator: through it
    (nowhere / ".env").write_text(f"MDH_AUTHENTICATOR_URL={pair.url}\nMDH_API_KEY={API_KEY}\n")
    with mdh.connect("PT-0001", SCOPES) as session:
        assert isinstance(session.tokens.source, AuthenticatorTokenSource)
    with pytest.raises(mdh.ConfigurationError, match=r"use mdh\.connect\(participant, scopes\)"):
        mdh.open_client()  # not the embedded sandbox
    # the environment beats .env
    monkeypatch.setenv("MDH_API_KEY", WRONG_KEY)
    with pytest.raises(mdh.TokenRequestError, match="does not know this API key"):
        mdh.connect("PT-0001", SCOPES)
    # a service account configured too: it is used
    monkeypatch.delenv("MDH_API_KEY")
    creds = pair.sandbox.credentials
    for name, value in (("MDH_BASE_URL", creds.base_url), ("RKS_SERVICE_ACCOUNT", creds.service_account),
                        ("RKS_PROJECT_ID", creds.project_id), ("RKS_PRIVATE_KEY", creds.private_key_pem)):
        monkeypatch.setenv(name, value)
    with mdh.connect("PT-0001", SCOPES) as session:
        assert isinstance(session.tokens.source, ParticipantTokenSource)
    # arguments choose
    with mdh.connect("PT-0001", SCOPES, authenticator=pair.url, api_key=API_KEY) as session:
        assert isinstance(session.tokens.source, AuthenticatorTokenSource)
    with pytest.raises(mdh.ConfigurationError, match=r"authenticator= and the service account's config=: choose"):
        mdh.connect("PT-0001", SCOPES, authenticator=pair.url, api_key=API_KEY, config=pair.config)
    with pytest.raises(mdh.ConfigurationError, match=r"pass authenticator=URL too"):
        mdh.connect("PT-0001", SCOPES, api_key=API_KEY)
    with pytest.raises(mdh.ConfigurationError, match=r"use mdh\.connect\(participant, scopes, authenticator=URL"):
        mdh.open_client(authenticator=pair.url)


def test_an_authenticator_without_a_key_or_a_key_without_an_authenticator(pair: Pair, nowhere: Path) -> None:
    with pytest.raises(mdh.ConfigurationError, match="no API key is given: pass api_key= or set MDH_API_KEY"):
        mdh.connect("PT-0001", SCOPES, authenticator=pair.url)
    with pytest.raises(mdh.ConfigurationError, match="also pass authenticator=URL"):
        mdh.connect("PT-0001", SCOPES, api_key=API_KEY)
    with pytest.raises(mdh.ConfigurationError, match="no API key for the authenticator"):
        AuthenticatorTokenSource(pair.url, "  ", "PT-0001", SCOPES)


# -- errors.py: an HTML 5xx after JSON answers -----------------------------------------------------------


def test_an_html_5xx_after_json_answers_is_a_gateway_s_page() -> None:
    request = httpx.Request("GET", "https://mydatahelps.org/api/v1/delegated/surveyanswers")
    page = httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>Bad Gateway</html>",
                          request=request)
    assert "is MDH_BASE_URL a MyDataHelps API" in str(error_for_response(page))
    later = str(error_for_response(page, answered_before=True))
    assert "a proxy or gateway answered with an HTML page (502 Bad Gateway)" in later and "MDH_BASE_URL" not in later
