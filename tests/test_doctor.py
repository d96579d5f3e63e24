"""``mdh-notebook doctor``: one line per step, the failing step named with its fix, the steps that need
it left unchecked, exit 0 only when all pass — and never a secret. Against real sandboxes and a real
authenticator over loopback; each configuration is a ``.env`` in ``tmp_path``."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import mdh_notebook as mdh
from mdh_notebook import cli
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService
from mdh_notebook.doctor import AUTHENTICATOR_STEPS, SERVICE_STEPS
from mdh_notebook.emulator import SandboxServer

API_KEY = "doctor-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "notebook"
api_key = "{API_KEY}"
participants = ["PT-0002"]
scopes = ["SurveyAnswers:read"]
"""


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The doctor's working directory (its ./.env) and an environment with no MDH_/RKS_ settings."""
    for name in list(os.environ):
        if name.startswith(("MDH_", "RKS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def configure(sandbox: SandboxServer, folder: Path, **replace: str) -> str:
    """Write the sandbox's settings into ``folder/.env``, some replaced (verbatim lines); return its key's PEM."""
    creds = sandbox.credentials
    settings = {"MDH_BASE_URL": creds.base_url, "RKS_SERVICE_ACCOUNT": creds.service_account,
                "RKS_PROJECT_ID": creds.project_id, "RKS_PRIVATE_KEY": f'"{creds.private_key_pem}"', **replace}
    (folder / ".env").write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return creds.private_key_pem


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = cli.main(["doctor", *args])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out.splitlines()


def line_of(lines: list[str], step: str) -> str:
    found = [line for line in lines if line[2:].startswith(step + ":") or line[2:].startswith(step + " —")]
    assert len(found) == 1, (step, lines)
    return found[0]


def passed(lines: list[str], *steps: str) -> None:
    for step in steps:
        assert line_of(lines, step).startswith("✓ "), lines


def failed(lines: list[str], step: str, *fix_words: str, chain: tuple[str, ...] = SERVICE_STEPS) -> str:
    """The failing step's line names the fix; every later step of its chain is listed as not checked."""
    line = line_of(lines, step)
    assert line.startswith(f"✗ {step} — fix: "), line
    for words in fix_words:
        assert words in line, (words, line)
    later = chain[chain.index(step) + 1:]
    skipped = [text for text in lines if text.startswith("· not checked:")]
    if later:
        assert skipped and all(name in skipped[-1] for name in later), lines
    assert not any(text[2:].startswith(name) for text in lines for name in later), lines  # not run
    return line


def no_secret(lines: list[str], pem: str) -> None:
    text = "\n".join(lines)
    body = "".join(pem.strip().splitlines()[1:-1])
    assert "eyJ" not in text and API_KEY not in text  # the BEGIN label may be named; never the body
    assert not any(body[i:i + 40] in text for i in range(0, len(body) - 40, 20))


def test_a_good_configuration_passes_every_step(sandbox: SandboxServer, workdir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    pem = configure(sandbox, workdir)
    code, lines = doctor(capsys)
    assert code == 0, lines
    passed(lines, *SERVICE_STEPS)
    assert "private_key=<hidden>" in line_of(lines, "configuration") and str(workdir / ".env") in lines[0]
    assert line_of(lines, "private key") == "✓ private key: RSA 2048-bit, from RKS_PRIVATE_KEY (from .env)"
    assert "participants: 12 in project " + sandbox.project_id in line_of(lines, "participant lookup")
    assert "with Participant:read" in line_of(lines, "participant token")
    assert "participant_info() answered (1 record" in line_of(lines, "a read with it")
    no_secret(lines, pem)


def test_a_named_participant_and_scopes(sandbox: SandboxServer, workdir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir)
    code, lines = doctor(capsys, "--participant", "PT-0002", "--scopes", "SurveyAnswers:read, Participant:read")
    assert code == 0, lines
    assert line_of(lines, "participant lookup") == "✓ participant lookup: PT-0002 found"
    assert "for PT-0002 with SurveyAnswers:read Participant:read" in line_of(lines, "participant token")
    assert "survey_answers() answered" in line_of(lines, "a read with it")


def test_a_bad_key_stops_at_the_key(sandbox: SandboxServer, workdir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    pem = configure(sandbox, workdir, RKS_PRIVATE_KEY=sandbox.credentials.private_key_pem)  # unquoted: one line
    code, lines = doctor(capsys)
    assert code == 1
    assert line_of(lines, "configuration").startswith("✓ configuration: found in ")
    failed(lines, "private key", "stops after its first line", 'RKS_PRIVATE_KEY="-----BEGIN …"')
    no_secret(lines, pem)


def test_a_garbled_project_id_stops_at_the_configuration(sandbox: SandboxServer, workdir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir, RKS_PROJECT_ID="my-study")
    code, lines = doctor(capsys)
    assert code == 1
    failed(lines, "configuration", "RKS_PROJECT_ID (from .env) 'my-study'", "project ids are GUIDs")


def test_a_wrong_project_id_stops_at_the_participant_lookup(sandbox: SandboxServer, workdir: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir, RKS_PROJECT_ID=str(uuid.uuid4()))
    code, lines = doctor(capsys)
    assert code == 1
    passed(lines, "configuration", "private key", "token endpoint", "service token")
    failed(lines, "participant lookup", "no access to project", "check RKS_PROJECT_ID")


def test_a_down_server_stops_at_the_token_endpoint(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SandboxServer(participants=1, days=1) as gone:
        configure(gone, workdir)
    code, lines = doctor(capsys)  # the sandbox has stopped: nothing listens on its port
    assert code == 1
    passed(lines, "configuration", "private key")
    failed(lines, "token endpoint", "cannot reach http://127.0.0.1:", "(no connection ×5)", "check MDH_BASE_URL",
           "is `mdh-notebook sandbox` still running?")


def test_a_dropped_connection_to_the_token_endpoint_is_tried_again(workdir: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The doctor's own requests go through the client's retry policy: one dropped connection is not
    'cannot reach … check MDH_BASE_URL'."""
    with SandboxServer(participants=1, days=1) as flaky:
        configure(flaky, workdir)
        flaky.set_faults(seed=3, drop_rate=0.5, paths=["/identityserver/connect/token"])
        code, lines = doctor(capsys)
        dropped = flaky.stats()["faults_injected"]["drop"]
    assert code == 0, lines
    passed(lines, *SERVICE_STEPS)
    assert dropped >= 1  # the seed drops some: each was tried again


def test_a_wrong_scope_stops_at_the_participant_token(sandbox: SandboxServer, workdir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir)
    code, lines = doctor(capsys, "--scopes", "SurveyAnswer:read")
    assert code == 1
    passed(lines, *SERVICE_STEPS[:5])
    failed(lines, "participant token", "unknown scope 'SurveyAnswer:read'", "did you mean 'SurveyAnswers:read'?")


def test_an_unknown_participant_stops_at_the_lookup(sandbox: SandboxServer, workdir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir)
    code, lines = doctor(capsys, "--participant", "PT-4040")
    assert code == 1
    failed(lines, "participant lookup", "no participant 'PT-4040'")


def test_an_unknown_service_account_stops_at_the_service_token(sandbox: SandboxServer, workdir: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    configure(sandbox, workdir, RKS_SERVICE_ACCOUNT="Acme.Typo")
    code, lines = doctor(capsys)
    assert code == 1
    failed(lines, "service token", "unknown service account", "check RKS_SERVICE_ACCOUNT")


def test_nothing_configured_says_how(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys)
    assert code == 1
    failed(lines, "configuration", "none found", "RKS_SERVICE_ACCOUNT", "`mdh-notebook sandbox --env-file .env`")


# -- the authenticator ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def authenticator(sandbox: SandboxServer, config: mdh.Config) -> Iterator[AuthenticatorServer]:
    service = TokenService(mdh.Client(config), Grants.parse(GRANTS, origin="grants.toml"), owns_client=True)
    try:
        with AuthenticatorServer(service).start() as server:
            yield server
    finally:
        service.close()


def test_an_authenticator_alone_needs_no_service_account(authenticator: AuthenticatorServer, workdir: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MDH_AUTHENTICATOR_URL", authenticator.url)
    monkeypatch.setenv("MDH_API_KEY", API_KEY)
    code, lines = doctor(capsys)
    assert code == 0, lines
    assert lines[0].startswith("· configuration: no service account here")
    passed(lines, *AUTHENTICATOR_STEPS)
    assert "participants PT-0002; scopes SurveyAnswers:read" in line_of(lines, "authenticator grant")
    assert "for PT-0002 with SurveyAnswers:read (expires in " in line_of(lines, "authenticator token")
    no_secret(lines, "")


def test_an_authenticator_after_the_service_account(sandbox: SandboxServer, authenticator: AuthenticatorServer,
                                                    workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    pem = configure(sandbox, workdir)
    monkeypatch.setenv("MDH_API_KEY", API_KEY)
    code, lines = doctor(capsys, "--authenticator", authenticator.url, "--participant", "PT-0002")
    assert code == 0, lines
    passed(lines, *SERVICE_STEPS, *AUTHENTICATOR_STEPS)
    no_secret(lines, pem)


def test_an_authenticator_configured_in_dotenv(authenticator: AuthenticatorServer, workdir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """MDH_AUTHENTICATOR_URL and MDH_API_KEY in ./.env, as connect() reads them: the doctor finds them too."""
    (workdir / ".env").write_text(f"MDH_AUTHENTICATOR_URL={authenticator.url}\nMDH_API_KEY={API_KEY}\n")
    code, lines = doctor(capsys)
    assert code == 0, lines
    assert lines[0].startswith("· configuration: no service account here")
    passed(lines, *AUTHENTICATOR_STEPS)
    no_secret(lines, "")


def test_an_authenticator_url_without_a_key_in_dotenv(authenticator: AuthenticatorServer, workdir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / ".env").write_text(f"MDH_AUTHENTICATOR_URL={authenticator.url}\n")
    code, lines = doctor(capsys)
    assert code == 1
    passed(lines, "authenticator")
    failed(lines, "authenticator grant", "no API key", "MDH_API_KEY", chain=AUTHENTICATOR_STEPS)


def test_an_authenticator_url_with_a_key_in_it_is_not_shown(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / ".env").write_text(f"MDH_AUTHENTICATOR_URL=http://127.0.0.1:9/?key={API_KEY}\n")
    code, lines = doctor(capsys)
    assert code == 1
    failed(lines, "authenticator", "MDH_AUTHENTICATOR_URL (from .env) has a query", chain=AUTHENTICATOR_STEPS)
    no_secret(lines, "")


def test_a_wrong_api_key_stops_at_the_grant(authenticator: AuthenticatorServer, workdir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    wrong = "wrong-" + secrets.token_urlsafe(24)
    code, lines = doctor(capsys, "--authenticator", authenticator.url, "--api-key", wrong)
    assert code == 1
    passed(lines, "authenticator")
    failed(lines, "authenticator grant", "does not know this API key", "check MDH_API_KEY",
           chain=AUTHENTICATOR_STEPS)
    assert wrong not in "\n".join(lines)


def test_a_participant_outside_the_grant_stops_at_the_token(authenticator: AuthenticatorServer, workdir: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys, "--authenticator", authenticator.url, "--api-key", API_KEY,
                         "--participant", "PT-0001")
    assert code == 1
    failed(lines, "authenticator token", "outside your grant", "PT-0001", chain=AUTHENTICATOR_STEPS)


def test_an_authenticator_that_is_not_running(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SandboxServer(participants=1, days=1) as gone:
        url = gone.url
    code, lines = doctor(capsys, "--authenticator", url, "--api-key", API_KEY)
    assert code == 1
    failed(lines, "authenticator", "cannot reach", "is `mdh-notebook authenticator` running",
           chain=AUTHENTICATOR_STEPS)
    assert API_KEY not in "\n".join(lines)
