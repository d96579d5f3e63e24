"""The bad-input catalogue: each mistake a newcomer makes, answered by one of our exceptions with a
message that names the fix, and no traceback from inside a library.

Every case asserts three things (:func:`refusal`): the exception is an ``mdh_notebook.errors``
class, its message holds the words of the fix, and it carries no library's chain or words. The
client-side cases (``pt-0001`` for ``PT-0001``, a server that is down, a drop mid-paging, timeouts)
are in tests/test_bad_input_client.py. ``.env`` files are written into ``tmp_path``, never the repo.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

import mdh_notebook as mdh
from mdh_notebook import errors
from mdh_notebook.emulator import SandboxConfig, SandboxServer
from mdh_notebook.emulator.clock import Clock
from mdh_notebook.emulator.models import SandboxBackend
from mdh_notebook.filters import encode_params
from mdh_notebook.kinds import KINDS

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                        serialization.NoEncryption()).decode()
PROJECT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SCOPES = ["SurveyAnswers:read"]

#: words that only a library's own error would bring into a message
LIBRARY_WORDS = ("Traceback", "httpx", "cryptography", "python-dotenv", "ValueError", "TypeError", "KeyError",
                 "AttributeError", "Could not deserialize", "<html", "<body", "unsupported", "InvalidURL")


def refusal(info: pytest.ExceptionInfo[BaseException], *fix_words: str) -> str:
    """The message of a clean refusal: our class, the fix named, no library's chain or words, no key."""
    exc = info.value
    assert type(exc).__module__ == "mdh_notebook.errors", type(exc)
    assert exc.__cause__ is None, exc.__cause__
    assert exc.__context__ is None or exc.__suppress_context__, repr(exc.__context__)
    message = str(exc)
    for words in fix_words:
        assert words in message, f"{words!r} not in {message!r}"
    for words in LIBRARY_WORDS:
        assert words not in message, f"library text {words!r} in {message!r}"
    assert "PRIVATE KEY-----\n" not in message and PEM.splitlines()[1] not in message
    return message


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory of our own (for .env) and an environment with no MDH_/RKS_ settings."""
    for name in list(os.environ):
        if name.startswith(("MDH_", "RKS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings_of(server: SandboxServer, **changes: Any) -> dict[str, Any]:
    creds = server.credentials
    values = {"base_url": creds.base_url, "service_account": creds.service_account,
              "project_id": creds.project_id, "private_key": creds.private_key_pem}
    return {**values, **changes}


def write_env(folder: Path, key_line: str, project: str = PROJECT) -> Path:
    env = folder / ".env"
    env.write_text(f"MDH_BASE_URL=https://mydatahelps.org/\nRKS_SERVICE_ACCOUNT=Acme.Account\n"
                   f"RKS_PROJECT_ID={project}\n{key_line}")
    return env


def resolve(folder: Path, **arguments: Any) -> mdh.Config | None:
    return mdh.Config.resolve(environ={}, dotenv_path=folder / ".env", **arguments)


def with_key(pem: str | bytes) -> dict[str, Any]:
    return {"service_account": "Acme.Account", "project_id": PROJECT, "private_key": pem}


# -- the base URL -------------------------------------------------------------------------------

@pytest.mark.parametrize("url, root", [
    ("https://mydatahelps.org/api/v1/", "use the site root https://mydatahelps.org/"),
    ("https://mydatahelps.org/identityserver/connect/token", "use the site root https://mydatahelps.org/"),
    ("https://proxy.example/mdh/api/v1/administration/", "use the site root https://proxy.example/mdh/"),
    ("https://mydatahelps.org/?project=1", "use the site root https://mydatahelps.org/"),
], ids=["api-path", "token-url", "proxy-prefix-kept", "query"])
def test_a_base_url_with_an_extra_path_names_the_site_root(clean: Path, url: str, root: str) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES, base_url=url, **with_key(PEM))
    refusal(info, root, "base_url=")


@pytest.mark.parametrize("url, secret, words", [
    ("http://user:s3cretpw@mydatahelps.org/", "s3cretpw", "a user name or password"),
    ("https://mydatahelps.org/?token=abc123secret", "abc123secret", "a query"),
    ("https://mydatahelps.org/api/v1/?token=abc123secret", "abc123secret", "a query"),
    ("https://mydatahelps.org/#abc123secret", "abc123secret", "a fragment"),
    ("user:s3cretpw@mydatahelps.org/", "s3cretpw", "has no scheme"),
], ids=["password", "query", "api-path-and-query", "fragment", "password-no-scheme"])
def test_a_base_url_with_a_secret_in_it_is_refused_without_showing_it(clean: Path, url: str, secret: str,
                                                                        words: str) -> None:
    """A password or a query in the base URL would go into every message, repr and assertion: it is
    refused saying what to remove, the URL not shown — from an argument, the environment or .env."""
    for attempt in (lambda: mdh.Config.from_values(base_url=url, **with_key(PEM)),
                    lambda: mdh.connect("PT-0001", SCOPES, base_url=url, **with_key(PEM)),
                    lambda: resolve(clean, base_url=url, **with_key(PEM))):
        with pytest.raises(mdh.ConfigurationError) as info:
            attempt()
        assert info.value.setting == "base_url"
        message = refusal(info, words, "mydatahelps.org/")
        for text in (message, repr(info.value), repr(info.value.args)):
            assert secret not in text, text
    write_env(clean, f'RKS_PRIVATE_KEY="{PEM}"\n')
    (clean / ".env").write_text((clean / ".env").read_text().replace("https://mydatahelps.org/", url))
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES)
    assert secret not in refusal(info, "MDH_BASE_URL (from .env)", words)


@pytest.mark.parametrize("url, fixed", [("mydatahelps.org", "https://mydatahelps.org/"),
                                        ("localhost:8080", "http://localhost:8080/")])
def test_a_base_url_without_a_scheme_gets_one(clean: Path, url: str, fixed: str) -> None:
    write_env(clean, f'RKS_PRIVATE_KEY="{PEM}"\n')
    with pytest.raises(mdh.ConfigurationError) as info:
        resolve(clean, base_url=url)
    assert info.value.setting == "base_url"
    refusal(info, "has no scheme", f"write {fixed}")


# -- the project id -----------------------------------------------------------------------------

def test_a_garbled_project_id_is_not_a_guid(clean: Path) -> None:
    write_env(clean, f'RKS_PRIVATE_KEY="{PEM}"\n', project="3f2504e0-4f89-41d3-9a0c")
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES)  # from ./.env, as a newcomer runs it
    refusal(info, "RKS_PROJECT_ID (from .env)", "'3f2504e0-4f89-41d3-9a0c'", "project ids are GUIDs")


def test_a_secret_pasted_as_the_project_id_is_not_echoed(clean: Path) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9." + "x" * 60 + ".signature"
    with pytest.raises(mdh.ConfigurationError) as info:
        resolve(clean, project_id=token, **{k: v for k, v in with_key(PEM).items() if k != "project_id"})
    message = refusal(info, "project ids are GUIDs", f"({len(token)} characters)")
    assert token[:12] not in message


def test_a_wrong_project_id_is_no_access_to_project(sandbox: SandboxServer, clean: Path) -> None:
    with pytest.raises(mdh.PermissionDeniedError) as info:
        mdh.connect("PT-0001", SCOPES, **settings_of(sandbox, project_id=str(uuid.uuid4())))
    refusal(info, "no access to project", "check RKS_PROJECT_ID")


# -- the private key ----------------------------------------------------------------------------

def test_a_multi_line_key_left_unquoted_in_dotenv(clean: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Our message says what is wrong; python-dotenv's own "could not parse" lines (one per key line,
    from each of the readers) stay off stderr."""
    write_env(clean, f"RKS_PRIVATE_KEY={PEM}")  # python-dotenv then reads the BEGIN line only
    capfd.readouterr()
    # pytest's own log capture stands in front of Python's last-resort handler (what prints a bare
    # warning on stderr outside pytest): a handler on stderr, as logging.basicConfig() adds, shows it
    to_stderr = logging.StreamHandler(sys.stderr)
    logging.getLogger().addHandler(to_stderr)
    try:
        with pytest.raises(mdh.ConfigurationError) as info:
            mdh.connect("PT-0001", SCOPES)
        with pytest.raises(mdh.ConfigurationError):
            mdh.open_client()
    finally:
        logging.getLogger().removeHandler(to_stderr)
    assert info.value.setting == "private_key"
    refusal(info, "RKS_PRIVATE_KEY (from .env) stops after its first line",
            'quoted in .env: RKS_PRIVATE_KEY="-----BEGIN', "MDH_PRIVATE_KEY_FILE")
    captured = capfd.readouterr()
    assert "could not parse" not in captured.err + captured.out, captured.err


def test_a_missing_key(clean: Path) -> None:
    write_env(clean, "")
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES)
    refusal(info, "set RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE)")


def test_an_empty_key(clean: Path) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.Config.from_values(**with_key("  \n"))
    refusal(info, "is empty", "RKS_PRIVATE_KEY", "MDH_PRIVATE_KEY_FILE")


@pytest.mark.parametrize("text, words", [
    ("my-secret-key-text", ("is not a PEM private key", "-----BEGIN PRIVATE KEY-----")),
    (PEM.replace(PEM.splitlines()[3], "!" * 64), ("text between them is damaged", "paste the key again")),
    ("\n".join(PEM.splitlines()[:6]), ("is cut off", "paste the whole key again")),
], ids=["not-pem", "damaged-body", "cut-off"])
def test_a_malformed_key(clean: Path, text: str, words: tuple[str, ...]) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.Config.from_values(**with_key(text))
    assert "my-secret" not in refusal(info, *words)  # whatever it was, it is not quoted


def test_an_encrypted_key_says_how_to_decrypt_it(clean: Path) -> None:
    key_file = clean / "service.key"
    key_file.write_bytes(KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(b"hunter2")))
    with pytest.raises(mdh.ConfigurationError) as info:
        resolve(clean, private_key_file=key_file, service_account="Acme.Account", project_id=PROJECT)
    refusal(info, "is password-protected", f"openssl pkey -in {key_file} -out")


def _certificate() -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acme")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("make, words", [
    (lambda: ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
     ("is an EC key, not an RSA key", "sign with RS256")),
    (lambda: KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
     ("is a public key", "the private key it pairs with")),
    (_certificate, ("is a certificate", "RSA private key your service account was registered with")),
    (lambda: KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                               serialization.NoEncryption()).decode(),
     ("OpenSSH's own format", "ssh-keygen -p -m PEM")),
], ids=["ec", "public-key", "certificate", "openssh"])
def test_a_key_of_the_wrong_type(clean: Path, make: Callable[[], str], words: tuple[str, ...]) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.Config.from_values(**with_key(make()))
    refusal(info, *words)


def test_a_binary_der_key_file(clean: Path) -> None:
    key_file = clean / "service.der"
    key_file.write_bytes(KEY.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    with pytest.raises(mdh.ConfigurationError) as info:
        resolve(clean, private_key_file=key_file, service_account="Acme.Account", project_id=PROJECT)
    refusal(info, "not PEM text", f"openssl pkey -inform DER -in {key_file}")


@pytest.mark.parametrize("where, words", [("missing.pem", "does not exist"), (".", "is a folder, not a file")],
                         ids=["missing", "folder"])
def test_a_key_file_path_that_is_no_file(clean: Path, where: str, words: str) -> None:
    write_env(clean, f"MDH_PRIVATE_KEY_FILE={clean / where}\n")
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES)
    refusal(info, "MDH_PRIVATE_KEY_FILE (from .env)", words)


def test_a_key_file_path_given_as_the_key(clean: Path) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.Config.from_values(**with_key("~/keys/service-account.pem"))
    refusal(info, "looks like a file path", "MDH_PRIVATE_KEY_FILE (or pass private_key_file=)")


def test_both_spellings_of_the_key(clean: Path) -> None:
    write_env(clean, f'RKS_PRIVATE_KEY="{PEM}"\nMDH_PRIVATE_KEY_FILE=key.pem\n')
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES)
    refusal(info, "both RKS_PRIVATE_KEY and MDH_PRIVATE_KEY_FILE", "keep one of them")


# -- what config= takes -------------------------------------------------------------------------

def test_sandbox_credentials_are_not_a_config(sandbox: SandboxServer) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES, config=sandbox.credentials)  # type: ignore[arg-type]
    refusal(info, "config= takes a Config", "mdh.sandbox(", "mdh.Config.from_values(")


@pytest.mark.parametrize("given", ["settings/.env", Path("settings/.env")], ids=["str", "path"])
def test_a_path_is_not_a_config(clean: Path, given: str | Path) -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.connect("PT-0001", SCOPES, config=given)  # type: ignore[arg-type]
    refusal(info, "config= takes a Config", "mdh.Config.resolve(dotenv_path='settings/.env')")


# -- participants, scopes, kinds, filters --------------------------------------------------------

@pytest.fixture(scope="module")
def session(sandbox: SandboxServer, config: mdh.Config) -> Iterator[mdh.ParticipantSession]:
    with mdh.connect("PT-0001", ["api"], config=config) as opened:
        yield opened


def test_an_unknown_participant_is_named(client: mdh.Client) -> None:
    with pytest.raises(mdh.ParticipantNotFound) as info:
        client.connect("PT-4040", SCOPES)
    refusal(info, "no participant 'PT-4040'", "client.participants()", "mdh-notebook participants")


def test_a_scope_typo_suggests_the_nearest(config: mdh.Config) -> None:
    with pytest.raises(mdh.ScopeError) as info:
        mdh.connect("PT-0001", ["SurveyAnswer:read"], config=config)
    refusal(info, "did you mean 'SurveyAnswers:read'?")


@pytest.mark.parametrize("scopes", ["SurveyAnswers:read,FitbitSleepLogs:read",
                                    "SurveyAnswers:read, FitbitSleepLogs:read",
                                    ["SurveyAnswers:read,FitbitSleepLogs:read"]], ids=["str", "spaced", "in-list"])
def test_scopes_joined_with_commas_show_the_list_meant(config: mdh.Config, scopes: Any) -> None:
    with pytest.raises(mdh.ScopeError) as info:
        mdh.connect("PT-0001", scopes, config=config)
    refusal(info, "joined with commas", "scopes=['SurveyAnswers:read', 'FitbitSleepLogs:read']")


def test_no_scopes_at_all(config: mdh.Config) -> None:
    with pytest.raises(mdh.ScopeError) as info:
        mdh.connect("PT-0001", [], config=config)
    refusal(info, "scopes=['SurveyAnswers:read']")


def test_a_call_outside_the_sessions_scopes(client: mdh.Client) -> None:
    with client.connect("PT-0001", SCOPES) as narrow, pytest.raises(mdh.ScopeError) as info:
        narrow.fitbit_sleep_logs()
    refusal(info, "needs the scope 'FitbitSleepLogs:read'", "reconnect with scopes=[..., 'FitbitSleepLogs:read']")


def test_an_unknown_kind_suggests_the_nearest(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.fetch("survey_answer")
    refusal(info, "unknown data kind 'survey_answer'; did you mean 'survey_answers'?")


def test_an_unknown_filter_suggests_the_nearest(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.survey_answers(surveyname="PHQ-9")
    refusal(info, "unknown filter 'surveyname'; did you mean 'survey_name'?")


def test_a_choices_filter_out_of_its_set(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.device_data(namespace="FitBitt")
    refusal(info, "did you mean 'Fitbit'?", "it takes one of 'Project', 'Fitbit'")


def test_a_required_filter_left_out(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.fetch("device_data_v2", namespace="Fitbit")
    refusal(info, "device_data_v2() needs type=...")


def test_a_value_that_is_no_date(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.survey_answers(after="last tuesday")
    refusal(info, "is not a date or date-time", "ISO 8601 like '2026-10-01'")


def _ranged() -> list[tuple[str, str, str]]:
    """(kind, lower, upper) for every time-range pair of every participant kind."""
    out = []
    for kind in KINDS.values():
        if kind.token != "participant":
            continue
        timeline = kind.timeline
        pairs = [(timeline.after, timeline.before)] if timeline is not None and timeline.after else []
        pairs += [(p.name, p.name[:-5] + "before") for p in kind.params if p.name.endswith("after")]
        out += [(kind.name, low, high) for low, high in dict.fromkeys(pairs) if kind.param(high) is not None]
    return out


RANGED = _ranged()


@pytest.mark.parametrize("kind, low, high", RANGED, ids=[f"{k}-{lo}" for k, lo, _ in RANGED])
def test_start_after_end_is_refused_naming_both(session: mdh.ParticipantSession, stats: Callable[[], Any],
                                                kind: str, low: str, high: str) -> None:
    required = {p.name: p.choices[0] if p.choices else "steps" for p in KINDS[kind].params if p.required}
    before = stats()["requests"]
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.fetch(kind, **required, **{low: "2026-10-10", high: date(2026, 10, 1)})
    refusal(info, f"{low} '2026-10-10'", f"{high} 2026-10-01", "swap them")
    assert stats()["requests"] == before  # refused before any request


def test_the_range_pairs_cover_every_kind_with_a_timeline() -> None:
    with_range = {k.name for k in KINDS.values() if k.token == "participant" and k.timeline and k.timeline.after
                  and k.timeline.before}
    assert with_range <= {kind for kind, _, _ in RANGED} and len(with_range) >= 10
    assert encode_params(KINDS["survey_answers"], {"after": "2026-10-01", "before": "2026-10-01"})  # equal: sent


def test_a_naive_datetime_is_utc_and_warned_about_once(session: mdh.ParticipantSession) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        naive = session.survey_answers(after=datetime(2026, 10, 1, 8), before="2026-10-20T00:00")
        aware = session.survey_answers(after=datetime(2026, 10, 1, 8, tzinfo=timezone.utc),
                                       before="2026-10-20T00:00Z")
        session.survey_answers(after="2026-10-01", before=date(2026, 10, 20))  # calendar dates: no warning
    found = [w for w in caught if issubclass(w.category, errors.NaiveDatetimeWarning)]
    assert len(found) == 1, [str(w.message) for w in caught]  # once per call, naming both filters
    message = str(found[0].message)
    assert "after=2026-10-01 08:00:00" in message and "before='2026-10-20T00:00'" in message
    assert "taken as UTC" in message and "'2026-10-01T08:00:00-05:00'" in message and "tzinfo=" in message
    assert found[0].filename == __file__  # it points at the caller's line, not into the package
    assert naive.equals(aware)  # the rule: naive means UTC


def test_an_unknown_time_zone(session: mdh.ParticipantSession) -> None:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.survey_answers(tz="America/Nowhere")
    refusal(info, "unknown time zone 'America/Nowhere'", "IANA name such as 'America/New_York'")


def test_a_non_guid_id_where_one_is_required(session: mdh.ParticipantSession, stats: Callable[[], Any]) -> None:
    # the server would answer 400 "surveyResultID must be a GUID": the 'guid' filter type refuses it first
    before = stats()["requests"]
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.survey_answers(survey_result_id="result-7")
    refusal(info, "survey_answers(survey_result_id=...) must be a GUID", "like '3f2504e0-4f89-41d3-9a0c-0305e82c3301'",
            "got 'result-7'", "take it from the survey_answers() frame's survey_result_id column")
    with pytest.raises(mdh.InvalidArgumentError) as info:  # a path id too (the API would answer 404)
        session.delete_device_data("point-7")
    refusal(info, "delete_device_data(id=...) must be a GUID", "got 'point-7'", "the device_data() frame's id column")
    pasted = "x" * 5000  # a pasted page is not quoted whole
    with pytest.raises(mdh.InvalidArgumentError) as info:
        session.survey_tasks(link_identifier=pasted)
    assert refusal(info, "got 'xxxx", "(5000 characters)", "the survey_tasks() frame's link_identifier column").count(
        "x" * 37) == 0
    assert stats()["requests"] == before  # refused before any request
    result = session.survey_results().iloc[0]
    mixed = str(result["id"]).upper()  # any case, and a uuid.UUID, are GUIDs
    answers = session.survey_answers(survey_result_id=mixed)
    assert len(answers) > 0 and answers["survey_result_id"].eq(result["id"]).all()
    assert session.survey_answers(survey_id=uuid.UUID(str(result["survey_id"]))).shape[0] > 0


def test_an_unknown_sandbox_option() -> None:
    with pytest.raises(mdh.ConfigurationError) as info:
        mdh.sandbox(participant=3)
    refusal(info, "unknown sandbox option(s) 'participant'", "choose from seed, participants")


# -- what the server answers ---------------------------------------------------------------------

def _through(server: SandboxServer, answer: Callable[[httpx.Request], httpx.Response | None]
             ) -> httpx.MockTransport:
    """A transport in front of the sandbox, as a proxy would stand: ``answer`` may reply itself."""
    upstream = httpx.Client()

    def handle(request: httpx.Request) -> httpx.Response:
        replied = answer(request)
        if replied is not None:
            return replied
        forwarded = upstream.send(httpx.Request(request.method, request.url, headers=request.headers,
                                                content=request.read()))
        return httpx.Response(forwarded.status_code, headers=forwarded.headers, content=forwarded.read())

    return httpx.MockTransport(handle)


PROXY_PAGE = b"<!DOCTYPE html><html><body><h1>Access denied</h1><p>Request blocked by policy 7.</p></body></html>"


def test_an_html_page_from_a_proxy_is_described_not_dumped(sandbox: SandboxServer, config: mdh.Config) -> None:
    def block_api(request: httpx.Request) -> httpx.Response | None:
        if "/api/" in request.url.path:
            return httpx.Response(403, headers={"content-type": "text/html; charset=utf-8"}, content=PROXY_PAGE)
        return None

    with pytest.raises(mdh.PermissionDeniedError) as info:
        mdh.connect("PT-0001", SCOPES, config=config, transport=_through(sandbox, block_api))
    message = refusal(info, "answered with an HTML page", "is MDH_BASE_URL a MyDataHelps API")
    assert "Access denied" not in message and "policy 7" not in message


def test_the_sandboxs_html_502_reads_as_a_gateway_s_page_after_the_retries(sandbox: SandboxServer,
                                                                          config: mdh.Config) -> None:
    """The 5xx faults (502 with an HTML body, as a proxy sends) through the retry policy: whichever
    status ends the tries, its page is described, never quoted — and, the API having answered with
    JSON before, as a gateway's page, not as a wrong MDH_BASE_URL."""
    statuses = set()
    with stamina.set_testing(True, attempts=3), mdh.connect("PT-0001", SCOPES, config=config) as opened:
        try:
            for seed in range(8):
                sandbox.set_faults(seed=seed, error_rate=1.0, paths=["/api/v1/delegated/surveyanswers"])
                with pytest.raises(mdh.ServerError) as info:
                    opened.survey_answers()
                message = refusal(info)
                statuses.add(info.value.status_code)
                if info.value.status_code == 502:
                    refusal(info, "a proxy or gateway answered with an HTML page (502 Bad Gateway)",
                            "the service behind it is failing or restarting")
                assert "<" not in message and "MDH_BASE_URL" not in message
        finally:
            sandbox.clear_faults()
    assert 502 in statuses


def _no_token_endpoint(request: httpx.Request) -> httpx.Response | None:
    if request.url.path.endswith("/connect/token"):
        return httpx.Response(404, headers={"content-type": "text/html"}, content=b"<html>Not Found</html>")
    return None


def test_a_token_endpoint_answering_404_means_a_wrong_base_url(sandbox: SandboxServer, config: mdh.Config) -> None:
    with mdh.open_client(config, transport=_through(sandbox, _no_token_endpoint)) as client, \
            pytest.raises(mdh.NotFoundError) as info:
        client.participants()
    refusal(info, "the token endpoint", "answered 404", "MDH_BASE_URL is probably wrong",
            "site root of MyDataHelps, e.g. https://mydatahelps.org/")


def test_connect_reports_the_token_endpoints_404_not_a_missing_participant(sandbox: SandboxServer,
                                                                           config: mdh.Config) -> None:
    with pytest.raises(mdh.NotFoundError) as info:
        mdh.connect("PT-0001", SCOPES, config=config, transport=_through(sandbox, _no_token_endpoint))
    refusal(info, "MDH_BASE_URL is probably wrong")


@pytest.fixture(scope="module", params=[3600, -3600], ids=["clock-behind", "clock-ahead"])
def skewed(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A sandbox whose clock is an hour off this machine's: as if this machine's clock were wrong."""
    offset = float(request.param)
    backend = SandboxBackend(SandboxConfig(participants=1, days=1), Clock(lambda: time.time() + offset))
    with SandboxServer(backend=backend).start() as server:
        yield server


def test_clock_skew_at_the_token_endpoint_hints_at_the_clock(skewed: SandboxServer, clean: Path) -> None:
    with pytest.raises(mdh.TokenRequestError) as info:
        mdh.connect("PT-0001", SCOPES, **settings_of(skewed))
    refusal(info, "invalid_client", "check this machine's clock", "timedatectl")


def test_an_unknown_service_account(sandbox: SandboxServer, clean: Path) -> None:
    with pytest.raises(mdh.TokenRequestError) as info:
        mdh.connect("PT-0001", SCOPES, **settings_of(sandbox, service_account="Acme.Typo"))
    message = refusal(info, "unknown service account", "check RKS_SERVICE_ACCOUNT")
    assert "clock" not in message


def test_a_key_that_is_not_the_accounts(sandbox: SandboxServer, clean: Path) -> None:
    other = OTHER_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    with pytest.raises(mdh.TokenRequestError) as info:
        mdh.connect("PT-0001", SCOPES, **settings_of(sandbox, private_key=other))
    refusal(info, "signature", "RKS_PRIVATE_KEY is not the key registered for RKS_SERVICE_ACCOUNT")


@pytest.mark.parametrize(("name", "where"), [("parallel", "mdh.connect(..., parallel=...)"),
                                             ("slice_above", "mdh.cohort(..., slice_above=...)"),
                                             ("cache_dir", "mdh.connect(..., cache_dir=...)"),
                                             ("retry", "mdh.connect(..., retry=...)"),
                                             ("timeout", "mdh.connect(..., timeout=...)"),
                                             ("workers", "mdh.cohort(..., workers=...)")])
def test_a_connection_setting_given_to_a_read_names_where_it_goes(session: mdh.ParticipantSession, name: str,
                                                                    where: str) -> None:
    with pytest.raises(errors.InvalidArgumentError) as info:
        session.survey_answers(**{name: 1})
    message = refusal(info, "connection setting, not a filter", where)
    assert "unknown filter" not in message


@pytest.mark.parametrize("opener", ["connect", "cohort"])
@pytest.mark.parametrize(("given", "words"), [(42, "it takes a path"), ("", "leave cache_dir out")])
def test_a_cache_dir_that_is_no_path_names_the_option(config: mdh.Config, opener: str, given: Any,
                                                      words: str) -> None:
    open_it = mdh.connect if opener == "connect" else mdh.cohort
    with pytest.raises(errors.ConfigurationError) as info:
        open_it("PT-0001", ["SurveyAnswers:read"], config=config, cache_dir=given)
    refusal(info, "cache_dir=", words)
    assert info.value.setting == "cache_dir"


@pytest.mark.parametrize("given", ["yes", 1, None])
def test_refresh_must_be_a_bool(session: mdh.ParticipantSession, given: Any) -> None:
    with pytest.raises(errors.InvalidArgumentError) as info:
        session.survey_answers(refresh=given)
    refusal(info, "refresh is True", "or False")
