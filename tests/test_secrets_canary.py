"""The secrets canary: with every logger at DEBUG, sessions run, fail and renew against a sandbox and an
authenticator, the command line runs as a subprocess — and nothing produced holds a token, the private
key or an API key.

What is searched (:class:`Haystack`): log records (message, ``msg`` and ``args``, the formatted record
with its traceback), exceptions (``str``, ``repr``, the formatted traceback with its chain, the pager
state they carry), the ``repr``/``str``/``vars`` of the client, session, tokens, caches, auths and
configs, authenticator answers, and the CLI's stdout and stderr. What is searched for
(:class:`Secrets`): every token that crossed the wire (recorded at the transport: service and
participant tokens, client assertions, a tampered token), the authenticator's tokens, any 40-character
run of a token's payload and signature or of the key's base64 body, any JWT-shaped text at all, and
the API key. Every detector is first shown to fire on a planted canary (:func:`test_each_check_fires`).
tests/test_secrets.py keeps the first, smaller check (reprs, renewal and three errors).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import stamina
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh
from mdh_notebook.authenticator import LOGGER_NAME, AuthenticatorServer, Grants, TokenService
from mdh_notebook.emulator import SandboxServer

RUN = 40  # a leaked run of this many characters of a token or key counts
API_KEY = "canary-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "canary"
api_key = "{API_KEY}"
participants = ["PT-0001", "PT-0002"]
scopes = ["SurveyAnswers:read"]
"""
LOGGERS = ("", "httpx", "httpcore", "mdh_notebook", LOGGER_NAME, "uvicorn", "uvicorn.error", "uvicorn.access",
           "stamina", "asyncio")
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_"))}
DEBUG_CLI = ("import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
             "from mdh_notebook.cli import main; sys.exit(main(sys.argv[1:]))")


def _runs(text: str) -> set[str]:
    return {text[i:i + RUN] for i in range(len(text) - RUN + 1)}


def _squeezed(text: str) -> str:
    """Text with whitespace and escaped newlines taken out, so a key split over lines is still one run."""
    return re.sub(r"\s+|\\n|\\r", "", text)


@dataclass
class Secrets:
    """What must never appear: exact values, and the runs that betray a part of one."""

    values: dict[str, str] = field(default_factory=dict)  # secret -> what it is
    runs: dict[str, str] = field(default_factory=dict)  # a RUN-long piece -> what it is part of

    def token(self, value: str, what: str) -> None:
        if not value or value in self.values:
            return
        self.values[value] = what
        tail = value.split(".", 1)[-1]  # payload and signature: the header is the same for every token
        for run in _runs(tail):
            self.runs.setdefault(run, what)

    def key(self, pem: str, what: str) -> None:
        body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
        for run in _runs(body):
            self.runs.setdefault(run, what)

    def api_key(self, value: str) -> None:
        self.values[value] = "the API key"

    def found_in(self, text: str) -> list[str]:
        hits = [what for value, what in self.values.items() if value in text]
        hits += [f"a JWT-shaped string ({match[:12]}…)" for match in JWT.findall(text)]
        squeezed = _squeezed(text)
        for i in range(len(squeezed) - RUN + 1):
            what = self.runs.get(squeezed[i:i + RUN])
            if what is not None:
                hits.append(f"a {RUN}-character run of {what}")
                break
        return hits


class Haystack:
    """Everything produced, by stream."""

    def __init__(self) -> None:
        self.streams: dict[str, list[str]] = defaultdict(list)
        self._format = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")

    def text(self, stream: str, text: str) -> None:
        self.streams[stream].append(text)

    def exception(self, exc: BaseException) -> None:
        self.text("exception str", str(exc))
        self.text("exception repr", repr(exc))
        self.text("traceback", "".join(traceback.format_exception(exc)))
        state = getattr(exc, "pager_state", None)
        if state is not None:
            self.text("pager state", repr(state))

    def records(self, records: list[logging.LogRecord]) -> None:
        for record in records:
            self.text("log message", record.getMessage())
            self.text("log msg", str(record.msg))
            self.text("log args", repr(record.args))
            self.text("log record", self._format.format(record))
            self.text("log record vars", str(vars(record)))  # extras too (stamina's caused_by, ...)

    def objects(self, *objects: object) -> None:
        for obj in objects:
            self.text("repr", repr(obj))
            self.text("str", str(obj))

    def insides(self, *objects: object) -> None:
        """``str(vars(obj))``: what printing a holder's ``__dict__`` shows (the reprs of what it holds)."""
        for obj in objects:
            self.text("vars", str(vars(obj)))

    def leaks(self, found: Secrets) -> list[str]:
        return [f"{stream}: {hit}" for stream, texts in self.streams.items() for text in texts
                for hit in found.found_in(text)]


class Recording(httpx.HTTPTransport):
    """A real transport that notes every token crossing it: bearer headers, assertions, issued tokens."""

    def __init__(self, found: Secrets) -> None:
        super().__init__()
        self.found = found

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            self.found.token(bearer[7:], "a bearer token sent")
        token_request = request.url.path.endswith("/connect/token")
        if token_request:
            form = parse_qs(request.read().decode())
            for name in ("client_assertion", "token"):
                for value in form.get(name, []):
                    self.found.token(value, f"a {name} sent")
        response = super().handle_request(request)
        if token_request:
            response.read()
            try:
                issued = json.loads(response.content).get("access_token")
            except (ValueError, AttributeError):
                issued = None
            if isinstance(issued, str):
                self.found.token(issued, "an issued access token")
        return response


class Collect(logging.Handler):
    """A handler on the root logger (and on any logger that does not propagate): every record, kept."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxServer, AuthenticatorServer]]:
    with SandboxServer(participants=3, days=14, participant_token_lifetime=120).start() as sandbox:
        creds = sandbox.credentials
        config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                        project_id=creds.project_id, private_key=creds.private_key_pem)
        service = TokenService(mdh.Client(config), Grants.parse(GRANTS, origin="grants.toml"), owns_client=True)
        try:
            with AuthenticatorServer(service).start() as authenticator:
                yield sandbox, authenticator
        finally:
            service.close()


@pytest.fixture
def debug(caplog: pytest.LogCaptureFixture) -> Iterator[Collect]:
    """Every logger at DEBUG, caught by caplog and by a handler of our own."""
    collect = Collect()
    touched: list[tuple[logging.Logger, int, bool]] = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        touched.append((logger, logger.level, logger.propagate))
        caplog.set_level(logging.DEBUG, logger=name or None)
        logger.setLevel(logging.DEBUG)
        if name == "" or not logger.propagate:
            logger.addHandler(collect)
    try:
        yield collect
    finally:
        for logger, level, _ in touched:
            logger.removeHandler(collect)
            logger.setLevel(level)


def cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DEBUG_CLI, *args], cwd=cwd, env=env or CLEAN_ENV,
                          capture_output=True, text=True, timeout=180)


def expect(error: type[BaseException], call: Callable[[], object], hay: Haystack) -> BaseException:
    with pytest.raises(error) as info:
        call()
    hay.exception(info.value)
    return info.value


def test_nothing_produced_holds_a_secret(servers: tuple[SandboxServer, AuthenticatorServer], debug: Collect,
                                         caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    sandbox, authenticator = servers
    creds = sandbox.credentials
    found, hay = Secrets(), Haystack()
    found.key(creds.private_key_pem, "the private key")
    found.api_key(API_KEY)
    wire = Recording(found)
    config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                    project_id=creds.project_id, private_key=creds.private_key_pem)

    with stamina.set_testing(True, attempts=4), mdh.Client(config, transport=wire, rate_limit_wait=0) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        assert len(session.survey_answers()) > 0
        sandbox.advance_clock(7200)  # every token expired: renewals, at DEBUG
        session.survey_answers(survey_name="PHQ-9")
        sandbox.revoke()  # every token issued so far refused: 401, invalid_grant, renewals
        session.survey_answers(survey_name="PHQ-9")
        assert session.token is not None
        good = session.token.value
        tampered = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
        found.token(tampered, "a tampered token")
        expect(mdh.AuthenticationError, lambda: client.request(
            "GET", "api/v1/delegated/surveyanswers", headers={"Authorization": f"Bearer {tampered}"}), hay)
        expect(mdh.PermissionDeniedError,  # the server's 403: the token lacks the scope
               lambda: client.get_json("api/v1/delegated/fitbit/sleepLogs", auth=session.auth), hay)
        expect(mdh.ScopeError, lambda: session.fitbit_sleep_logs(), hay)  # ours, before any request
        sandbox.set_faults(seed=7, throttle_rate=1.0, paths=["/api/v1/delegated/surveyanswers"])
        try:
            expect(mdh.RateLimitError, lambda: session.survey_answers(), hay)  # the server's 429
        finally:
            sandbox.clear_faults()
        sandbox.set_faults(seed=3, error_rate=0.3, drop_rate=0.2, expire_rate=0.2)
        try:
            for _ in range(3):
                try:
                    session.survey_answers()
                except mdh.MDHError as exc:  # retries spent: the error, its tally and its pager state
                    hay.exception(exc)
        finally:
            sandbox.clear_faults()
        hay.objects(client, session, config, session.token, session.tokens, session.auth, client.service_tokens,
                    client.service_auth, client.service_tokens.token, session.rate_limit, client.rate_limit,
                    creds)
        hay.insides(client, session, session.tokens, session.auth, client.service_tokens, client.service_auth)
        session.close()

    with SandboxServer(participants=1, days=2, rate_limit=4) as tiny:  # a tiny budget: spent, then refused
        small = mdh.Config.from_values(base_url=tiny.url, service_account=tiny.credentials.service_account,
                                       project_id=tiny.project_id, private_key=tiny.credentials.private_key_pem)
        found.key(tiny.credentials.private_key_pem, "the tiny sandbox's key")
        with mdh.Client(small, transport=Recording(found), rate_limit_wait=0) as client:
            session = client.connect("PT-0001", ["SurveyAnswers:read"])

            def spend() -> None:
                for _ in range(10):
                    session.survey_answers()

            expect(mdh.RateLimitError, spend, hay)
            hay.objects(session, session.rate_limit)

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    found.key(other_pem, "a wrong key")
    wrong = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                   project_id=creds.project_id, private_key=other_pem)
    expect(mdh.TokenRequestError, lambda: mdh.connect("PT-0001", ["api"], config=wrong, transport=Recording(found)),
           hay)
    damaged = creds.private_key_pem.replace(creds.private_key_pem.splitlines()[2], "#" * 64)  # the rest is real
    expect(mdh.ConfigurationError, lambda: mdh.Config.from_values(
        base_url=creds.base_url, service_account=creds.service_account, project_id=creds.project_id,
        private_key=damaged), hay)
    one_line = creds.private_key_pem.splitlines()[0]
    expect(mdh.ConfigurationError, lambda: mdh.Config.from_values(
        base_url=creds.base_url, service_account=creds.service_account, project_id=creds.project_id,
        private_key=one_line + "\n" + "\n".join(creds.private_key_pem.splitlines()[1:-1])), hay)  # no END line

    with httpx.Client(base_url=authenticator.url) as http:  # the authenticator: tokens, refusals, its log
        for key, body in ((API_KEY, {"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}),
                          (API_KEY, {"participant": "PT-0003", "scopes": ["SurveyAnswers:read"]}),
                          (API_KEY, {"participant": "PT-0001", "scopes": ["FitbitSleepLogs:read"]}),
                          ("wrong-" + API_KEY[::-1], {"participant": "PT-0001"})):
            answer = http.post("token", headers={"Authorization": f"Bearer {key}"}, json=body)
            issued = answer.json().get("access_token") if answer.status_code == 200 else None
            if issued:
                found.token(issued, "an authenticator's token")
            else:
                hay.text("authenticator answer", answer.text)
        assert sum(1 for v in found.values.values() if v == "an authenticator's token") == 1

    workdir = tmp_path / "cli"
    workdir.mkdir()
    creds.write_env_file(workdir / ".env")
    runs = {
        "fetch": cli(["fetch", "PT-0002", "survey_answers", "--filter", "survey_name=PHQ-9"], workdir),
        "doctor": cli(["doctor", "--scopes", "SurveyAnswers:read"], workdir),
        "doctor+authenticator": cli(["doctor", "--authenticator", authenticator.url, "--participant", "PT-0002"],
                                    workdir, {**CLEAN_ENV, "MDH_API_KEY": API_KEY}),
        "participants": cli(["participants"], workdir),
    }
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / ".env").write_text((workdir / ".env").read_text().replace(creds.private_key_pem.strip(), other_pem.strip()))
    runs["fetch with a wrong key"] = cli(["fetch", "PT-0001", "survey_answers"], bad)
    for name, done in runs.items():
        assert done.returncode == (1 if "wrong" in name else 0), (name, done.stderr[-2000:])
        hay.text(f"cli {name} stdout", done.stdout)
        hay.text(f"cli {name} stderr", done.stderr)
    assert "DEBUG" in runs["fetch"].stderr and "HTTP Request: POST" in runs["fetch"].stderr  # it did log
    assert "✓ authenticator token" in runs["doctor+authenticator"].stdout
    assert "invalid_client" in runs["fetch with a wrong key"].stderr

    records = caplog.records + debug.records
    hay.records(records)
    names = {record.name for record in records}
    assert {"httpx", "httpcore.http11", "mdh_notebook.auth", LOGGER_NAME} <= names, sorted(names)
    assert any(record.levelno == logging.DEBUG for record in records)
    assert len(found.values) >= 12 and len(hay.streams["exception str"]) >= 8  # it saw tokens, and errors

    assert hay.leaks(found) == []


def test_each_check_fires(servers: tuple[SandboxServer, AuthenticatorServer], debug: Collect,
                          caplog: pytest.LogCaptureFixture) -> None:
    """Every detector and every stream, planted with one canary each, is found — so a clean result means clean."""
    sandbox, _ = servers
    creds = sandbox.credentials
    found = Secrets()
    found.key(creds.private_key_pem, "the private key")
    found.api_key(API_KEY)
    token = "eyJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(90) + "." + secrets.token_urlsafe(200)
    found.token(token, "a token")
    middle = token.split(".")[2][50:50 + RUN]
    pem_lines = creds.private_key_pem.splitlines()
    across = pem_lines[1][-25:] + "\n" + pem_lines[2][:25]  # a run split over two lines still counts

    assert Haystack().leaks(found) == []
    plants: list[tuple[str, Callable[[Haystack], None]]] = [
        ("a token", lambda h: h.text("cli doctor stdout", f"token={token}")),
        (f"a {RUN}-character run of a token", lambda h: h.text("exception str", f"... {middle} ...")),
        (f"a {RUN}-character run of the private key", lambda h: h.text("repr", f"Config(key={across!r})")),
        ("the API key", lambda h: h.text("cli doctor+authenticator stderr", f"Bearer {API_KEY}")),
        ("a JWT-shaped string", lambda h: h.text("authenticator answer", mdh_jwt())),
        ("a token", lambda h: h.exception(_chained(token))),  # only in the formatted traceback's cause
        ("a token", lambda h: h.records([_record_with_secret_arg(token)])),  # only in the record's args
        ("a token", lambda h: h.records([_record_with_secret_extra(token)])),  # only in an extra (caused_by)
        (f"a {RUN}-character run of the private key", lambda h: h.insides(_Holder(pem_lines[3]))),  # vars()
    ]
    for what, plant in plants:
        hay = Haystack()
        plant(hay)
        leaks = hay.leaks(found)
        assert any(what in leak for leak in leaks), (what, leaks)

    logging.getLogger("mdh_notebook.canary").debug("value %(shown)s", {"shown": 1, "hidden": token})
    hay = Haystack()
    hay.records(debug.records)
    assert any("log args" in leak for leak in hay.leaks(found))  # the debug fixture's handler caught it
    assert any(r.name == "mdh_notebook.canary" for r in caplog.records)


def mdh_jwt() -> str:
    import jwt

    return jwt.encode({"sub": "x", "n": secrets.token_hex(8)}, "k" * 32, algorithm="HS256")


def _chained(token: str) -> BaseException:
    try:
        raise ValueError(f"upstream said {token}")
    except ValueError as cause:
        try:
            raise mdh.MDHError("a clean message") from cause
        except mdh.MDHError as exc:
            return exc


def _record_with_secret_arg(token: str) -> logging.LogRecord:
    return logging.LogRecord("mdh_notebook.test", logging.DEBUG, __file__, 1, "value %(shown)s",
                             ({"shown": 1, "hidden": token},), None)


def _record_with_secret_extra(token: str) -> logging.LogRecord:
    """As stamina logs a retry: the failure in an extra (``caused_by``), not in the message or args."""
    record = logging.LogRecord("stamina", logging.WARNING, __file__, 1, "stamina.retry_scheduled", (), None)
    record.caused_by = f"Failure('401: refused {token}')"
    return record


class _Holder:
    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "_Holder(<hidden>)"
