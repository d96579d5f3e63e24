"""CORS: preflights, which origins may read the API's answers (errors and faults included), and how
the allowed origins are configured (``SandboxServer(cors_origins=...)``, ``--cors-origin``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxConfig, SandboxServer

SURVEY_ANSWERS = "api/v1/delegated/surveyanswers"
ALLOWED = ["http://localhost:8888", "http://127.0.0.1:5173", "http://[::1]:3000", "https://localhost",
           "https://127.0.0.1:8443", "http://localhost"]
REFUSED = ["http://evil.example", "https://localhost.evil.example", "http://127.0.0.1.nip.io:8000",
           "http://10.0.0.2:8888", "null", "http://localhost:8888.evil.example"]


def _preflight(http: httpx.Client, origin: str, path: str = SURVEY_ANSWERS, method: str = "GET",
               headers: str = "authorization,accept,accept-language,content-type") -> httpx.Response:
    return http.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                       "Access-Control-Request-Headers": headers})


def _listed(response: httpx.Response, name: str) -> set[str]:
    return {part.strip().lower() for part in response.headers.get(name, "").split(",") if part.strip()}


@pytest.fixture(autouse=True)
def _faults_cleared(proto: Proto) -> Iterator[None]:
    yield
    proto.server.clear_faults()


@pytest.mark.parametrize("origin", ALLOWED)
def test_a_preflight_from_a_loopback_origin_is_allowed(proto: Proto, origin: str) -> None:
    response = _preflight(proto.http, origin)
    assert response.status_code in (200, 204), response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert {"authorization", "accept", "accept-language", "content-type"} <= _listed(
        response, "Access-Control-Allow-Headers")
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers  # a bearer token, not cookies


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_preflights_for_writes_and_the_token_endpoint(proto: Proto, method: str) -> None:
    for path in ("api/v1/delegated/participant", "identityserver/connect/token"):
        response = _preflight(proto.http, "http://localhost:8888", path, method)
        assert response.status_code in (200, 204) and method in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("origin", REFUSED)
def test_another_origin_gets_no_allow_origin(proto: Proto, origin: str) -> None:
    preflight = _preflight(proto.http, origin)
    assert preflight.status_code == 400 and "Access-Control-Allow-Origin" not in preflight.headers
    simple = proto.http.get("_sandbox/health", headers={"Origin": origin})
    assert simple.status_code == 200 and "Access-Control-Allow-Origin" not in simple.headers


def test_a_preflight_asking_for_another_header_is_refused(proto: Proto) -> None:
    response = _preflight(proto.http, "http://localhost:8888", headers="authorization,x-api-key")
    assert response.status_code == 400


def test_an_answer_exposes_the_ratelimit_headers(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "SurveyAnswers:read")
    response = proto.http.get(SURVEY_ANSWERS, params={"limit": 1},
                              headers={"Authorization": f"Bearer {token}", "Origin": "http://localhost:8888"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8888"
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= _listed(
        response, "Access-Control-Expose-Headers")


def test_errors_and_faults_carry_the_cors_headers(proto: Proto) -> None:
    origin = {"Origin": "http://127.0.0.1:5173"}
    token = proto.participant_token("PT-0001", "SurveyAnswers:read")
    bearer = {**origin, "Authorization": f"Bearer {token}"}
    answers: dict[str, httpx.Response] = {
        "401": proto.http.get(SURVEY_ANSWERS, headers=origin),
        "403": proto.http.get("api/v1/delegated/participant", headers=bearer),
        "404": proto.http.get("api/v1/delegated/nope", headers=bearer),
        "400 token": proto.http.post("identityserver/connect/token", data={"grant_type": "x"}, headers=origin),
    }
    for kind, settings in (("throttle", {"throttle_rate": 1}), ("expire", {"expire_rate": 1})):
        proto.server.set_faults(**settings)
        answers[kind] = proto.http.get(SURVEY_ANSWERS, headers=bearer)
    proto.server.set_faults(seed=1, error_rate=1)
    for _ in range(12):
        response = proto.http.get(SURVEY_ANSWERS, headers=bearer)
        answers.setdefault(str(response.status_code), response)
    assert {"500", "502", "503"} <= set(answers)
    assert answers["throttle"].status_code == 429 and answers["expire"].status_code == 401
    for kind, response in answers.items():
        assert response.headers.get("Access-Control-Allow-Origin") == "http://127.0.0.1:5173", kind
    assert "ratelimit-reset" in _listed(answers["throttle"], "Access-Control-Expose-Headers")


def test_the_stats_count_preflights_and_cross_origin_requests(proto: Proto) -> None:
    def cors() -> dict[str, int]:
        return proto.http.get("_sandbox/stats").json()["cors"]  # type: ignore[no-any-return]

    assert cors() == {"preflights": 0, "preflights_refused": 0, "cross_origin": 0}
    token = proto.participant_token("PT-0001", "SurveyAnswers:read")
    bearer = {"Authorization": f"Bearer {token}"}
    page = {"Origin": "http://localhost:8888"}
    assert _preflight(proto.http, page["Origin"]).status_code == 200
    assert _preflight(proto.http, "http://evil.example").status_code == 400  # refused: another origin
    assert _preflight(proto.http, page["Origin"], headers="authorization,x-api-key").status_code == 400
    assert proto.http.get(SURVEY_ANSWERS, params={"limit": 1}, headers={**bearer, **page}).status_code == 200
    assert proto.http.get(SURVEY_ANSWERS, headers=page).status_code == 401  # an error is read cross-origin too
    proto.http.get(SURVEY_ANSWERS, params={"limit": 1}, headers={**bearer, "Origin": "http://evil.example"})
    proto.http.get(SURVEY_ANSWERS, params={"limit": 1}, headers=bearer)  # no Origin: same origin, or no browser
    proto.http.get("_sandbox/health", headers=page)  # the control plane is not counted
    _preflight(proto.http, page["Origin"], "_SANDBOX/stats")
    proto.server.set_faults(error_rate=1)
    assert proto.http.get(SURVEY_ANSWERS, headers={**bearer, **page}).status_code >= 500  # CORS answers faults
    assert cors() == {"preflights": 3, "preflights_refused": 2, "cross_origin": 3}
    proto.server.reset()
    assert cors() == {"preflights": 0, "preflights_refused": 0, "cross_origin": 0}


def test_configured_origins_replace_the_loopback_default() -> None:
    with SandboxServer(participants=1, days=2, cors_origins=["https://app.example.org"]) as server, \
            httpx.Client(base_url=server.url) as http:
        assert server.config.cors_origins == ("https://app.example.org",)
        allowed = _preflight(http, "https://app.example.org")
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
        assert "Access-Control-Allow-Origin" not in _preflight(http, "http://localhost:8888").headers
    with SandboxServer(participants=1, days=2, cors_origins=["*"]) as server, \
            httpx.Client(base_url=server.url) as http:
        any_origin = http.get(SURVEY_ANSWERS, headers={"Origin": "https://anywhere.example"})
        assert any_origin.status_code == 401 and any_origin.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("bad", [["http://localhost:8888/"], ["localhost:8888"], ["http://x/app"], "http://x",
                                 [None], ["ftp://localhost"]])
def test_a_bad_origin_is_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(ValueError, match="cors_origins"):
        SandboxConfig(cors_origins=bad)  # type: ignore[arg-type]


_CLI = ("import argparse, sys\nfrom mdh_notebook.emulator import cli\np = argparse.ArgumentParser()\n"
        "cli.add_arguments(p)\nsys.exit(cli.run(p.parse_args(sys.argv[1:])))\n")


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _CLI, "--port", "0", "--participants", "1", "--days", "2", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_the_cli_takes_repeated_cors_origins() -> None:
    process = _cli("--cors-origin", "https://a.example", "--cors-origin", "https://b.example")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        with httpx.Client(base_url=url) as http:
            for origin in ("https://a.example", "https://b.example"):
                assert _preflight(http, origin).headers["Access-Control-Allow-Origin"] == origin
            assert "Access-Control-Allow-Origin" not in _preflight(http, "http://localhost:1").headers
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err


def test_the_cli_refuses_a_bad_origin() -> None:
    process = _cli("--cors-origin", "http://localhost:8888/app")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and out == ""
    assert "--cors-origin 'http://localhost:8888/app' is not an origin" in err  # the option, not the field
    assert "'http://localhost:8888' is the origin of that address" in err
    assert "SandboxConfig" not in err and "Traceback" not in err


def test_the_cli_names_the_option_of_any_bad_value() -> None:
    process = _cli("--rate-limit", "0")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and out == ""
    assert "--rate-limit must be an integer >= 1 (requests per hour), got 0" in err and "SandboxConfig" not in err
