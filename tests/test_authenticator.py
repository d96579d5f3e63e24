"""The authenticator next to a sandbox over loopback: the sandbox's service account handed to it through
a tmp ``.env``, API-key holders asking it for participant tokens over HTTP (contract 3). The command
line is tests/test_authenticator_cli.py; the grants file tests/test_authenticator_grants.py."""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from authenticator_helpers import (
    API_KEY,
    GHOST_KEY,
    HASHED_KEY,
    LOOKUP,
    PARTICIPANT_INFO,
    RESPONSE_KEYS,
    SURVEY_ANSWERS,
    TOKEN_PATH,
    WRONG_KEY,
    FrozenClock,
    Running,
    start,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, AuthenticatorStartError, TokenService, hash_api_key
from mdh_notebook.authenticator.app import MAX_BODY, check_origins
from mdh_notebook.authenticator.service import ECHO_MAX, MISS_TTL
from mdh_notebook.errors import ConfigurationError


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One sandbox + authenticator (on the wall clock) for the tests that do not move clocks."""
    with ExitStack() as stack:
        yield start(stack, tmp_path_factory.mktemp("authenticator"))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """A new sandbox (with options) + an authenticator on a frozen clock, for a test that moves clocks
    or revokes: between two requests only the test's advance() moves its time."""
    with ExitStack() as stack:
        def make(*, tick: float = 0.0, **options: Any) -> Running:
            return start(stack, tmp_path, clock=FrozenClock(tick), **{"participants": 6, "days": 14, **options})

        yield make


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


PYTHON_SYNTAX = re.compile(r"\w=|\['|mdh_notebook|\bNone\b|\bTrue\b|\bFalse\b|KNOWN_SCOPES")


@pytest.mark.parametrize(("content", "says"), [
    (b"{", "not JSON"),
    (b"[" * 15_000, "not JSON"),  # nested too deep for the parser: still a 400, not a 500
    (b"[]", "JSON object"),
    (b'{"participant": "PT-0001", "scope": ["SurveyAnswers:read"]}', "unknown field(s) 'scope'"),
    (b"{}", "name the participant"),
    (b'{"participant": 7}', "name the participant"),
    (b'{"participant": "' + b"x" * 300 + b'"}', "participant is 300 characters"),
    (b'{"participant": "PT-0001", "scopes": 7}', 'scopes must be an array of scope names like ["SurveyAnswers:read"]'),
    (b'{"participant": "PT-0001", "scopes": [7]}', "an item is a number"),
    (b'{"participant": "PT-0001", "scopes": []}', "scopes is empty"),
    (b'{"participant": "PT-0001", "scopes": ["SurveyAnswer:read"]}', "did you mean 'SurveyAnswers:read'?"),
    (b'{"participant": "PT-0001", "scopes": ["SurveyAnswers:read,Participant:read"]}',
     'each scope is its own array item: ["SurveyAnswers:read", "Participant:read"]'),
    (b'{"participant": "PT-0001", "rejected_token": 7}', "rejected_token"),
])
def test_a_malformed_body_is_400_saying_what_in_json_terms(running: Running, content: bytes, says: str) -> None:
    response = httpx.post(running.url + "token", content=content, headers={
        "Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert response.json()["error"] == "invalid_request" and says in message
    assert not PYTHON_SYNTAX.search(message), message  # the caller wrote JSON, not Python
    assert httpx.get(running.url + "health").status_code == 200


def test_a_scope_string_is_split_on_spaces_as_oauth_s_scope(running: Running) -> None:
    body = running.token("PT-0002", "Participant:read  SurveyAnswers:read").json()
    assert set(body["scope"].split()) == {"Participant:read", "SurveyAnswers:read"}


def test_a_body_over_the_cap_is_413_and_never_read_whole(running: Running) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    too_long = b'{"participant": "' + b"x" * MAX_BODY + b'"}'
    declared = httpx.post(running.url + "token", headers=headers, content=too_long)
    assert declared.status_code == 413 and f"over {MAX_BODY} bytes" in declared.json()["message"]
    chunked = httpx.post(running.url + "token", headers=headers, content=iter([b" " * 4096] * 8))  # no length
    assert chunked.status_code == 413, chunked.text
    # a Content-Length of 50 MB and not one byte sent: answered from the header alone (reading the body
    # first would wait for bytes that never come, and this would time out)
    host, port = httpx.URL(running.url).host, httpx.URL(running.url).port
    with socket.create_connection((host, port), timeout=10) as raw:
        raw.sendall(f"POST /token HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {API_KEY}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = raw.recv(4096)
            assert chunk, answer
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
    unknown = httpx.post(running.url + "token", headers={"Authorization": f"Bearer {WRONG_KEY}"},
                         content=iter([b" " * 4096] * 8))
    assert unknown.status_code == 401  # who asks is checked before any of the body is read


def test_a_granted_participant_missing_from_the_project_is_404(running: Running) -> None:
    response = running.token("PT-9999", ["SurveyAnswers:read"], key=GHOST_KEY)
    assert response.status_code == 404 and response.json()["error"] == "participant_not_found"
    assert "'PT-9999'" in response.json()["message"]


@pytest.mark.parametrize(("participant", "fault", "status", "error", "message"), [
    ("PT-0008", {"error_rate": 1.0}, 502, "upstream_error", "MyDataHelps failed to answer the authenticator (HTTP 5"),
    ("PT-0009", {"drop_rate": 1.0}, 502, "upstream_unavailable", "the authenticator cannot reach MyDataHelps just now"),
    ("PT-0010", {"throttle_rate": 1.0, "throttle_reset": 7}, 503, "upstream_rate_limited",
     "MyDataHelps' request budget for this authenticator is spent; retry in 7 s"),
])
def test_a_failing_service_is_a_short_generic_answer_and_the_detail_is_logged(
        running: Running, caplog: pytest.LogCaptureFixture, participant: str, fault: dict[str, Any], status: int,
        error: str, message: str) -> None:
    caplog.set_level(logging.WARNING, logger="mdh_notebook.authenticator")
    origin = "http://127.0.0.1:8123"
    running.sandbox.set_faults(**fault, paths=[TOKEN_PATH])
    try:
        response = running.token(participant, key=HASHED_KEY, headers={"Origin": origin})
    finally:
        running.sandbox.clear_faults()
    assert response.status_code == status and response.json()["error"] == error
    text = response.json()["message"]
    assert text.startswith(message), text
    # nothing of the service account's configuration (that is for the operator, in the log)
    for detail in ("MDH_BASE_URL", "rate_limit_wait", "--rate-limit", "sandbox", running.sandbox.url, "attempts"):
        assert detail not in text, text
    assert not PYTHON_SYNTAX.search(text), text
    if status == 503:
        assert response.headers["retry-after"] == "7"
        assert "retry-after" in response.headers["access-control-expose-headers"].lower()  # a page can read it
    assert response.headers["access-control-allow-origin"] == origin
    logged = [r.getMessage() for r in caplog.records if r.name == "mdh_notebook.authenticator"]
    assert any(m.startswith(f"grant 'everyone' asked for {participant!r}, MyDataHelps failed (peer 127.0.0.1): ")
               and TOKEN_PATH in m for m in logged), logged
    assert running.token(participant, key=HASHED_KEY).status_code == 200  # and it recovers


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
    assert first["expires_in"] == 3600
    running.advance(3600 - 125)  # 125 s left: more than the 120 s margin, handed out again
    kept = running.token().json()
    assert kept["access_token"] == first["access_token"] and kept["expires_in"] == 125
    issued = running.issued()
    running.advance(10)  # 115 s left: a new one
    renewed = running.token().json()
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 3600
    assert running.issued() == issued + 1
    assert running.api(SURVEY_ANSWERS, renewed["access_token"]).status_code == 200


def test_a_short_token_is_not_handed_out_with_less_than_the_sdk_s_buffer(fresh: Callable[..., Running]) -> None:
    running = fresh(participant_token_lifetime=125)  # its own margin is 31 s; the JS SDK renews at 120 s left
    first = running.token().json()
    assert first["expires_in"] == 125
    running.advance(4)  # 121 s left: still given out, as 121
    kept = running.token().json()
    assert kept["access_token"] == first["access_token"] and kept["expires_in"] == 121
    running.advance(0.5)  # 120.5 s left, which would be sent as expires_in 120: the SDK would fire
    renewed = running.token().json()  # tokenWillExpire at once (120 − 120 s) and ask again and again
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 125


def test_the_hand_out_and_its_expires_in_are_one_reading_of_the_clock(fresh: Callable[..., Running]) -> None:
    """A clock that moves a millisecond per reading: a token found to have just over 121 s left must be
    sent as 121, never as the 120 a later reading gives (the SDK would renew at once, in a loop)."""
    running = fresh(tick=0.001)
    grant = running.service.grants.match(API_KEY)
    assert grant is not None and running.clock is not None
    token = running.service.issue(grant, "PT-0001", ["SurveyAnswers:read"]).token
    running.sandbox.advance_clock(3600 - 121)  # the sandbox keeps up, for the renewal at the end
    handed: list[tuple[float, int, bool]] = []
    for step in range(60):  # 121.03 s left, down by half a millisecond, until the token is renewed
        left = 121.03 - step * 0.0005
        running.clock.set_next(token.expires_at - left)
        again = running.service.issue(grant, "PT-0001", ["SurveyAnswers:read"])
        handed.append((round(left, 4), again.expires_in, again.reused))
        if not again.reused:
            break
    assert handed[0][2] and not handed[-1][2], handed  # handed out again, then renewed
    assert all(expires_in > 120 for _, expires_in, _ in handed), handed


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


def test_a_participant_the_project_lacks_is_remembered_briefly(fresh: Callable[..., Running]) -> None:
    """Under a ["*"] grant anyone with the key can name any identifier: asking again and again for one
    the project does not have costs the service account's admin budget once per MISS_TTL, not per ask."""
    running = fresh()
    before = running.requests(LOOKUP)
    for _ in range(5):
        missing = running.token("PT-0404", key=HASHED_KEY)
        assert missing.status_code == 404 and "'PT-0404'" in missing.json()["message"]
    assert running.requests(LOOKUP) == before + 1
    running.advance(MISS_TTL - 1)
    assert running.token("PT-0404", key=HASHED_KEY).status_code == 404
    assert running.requests(LOOKUP) == before + 1
    running.advance(2)  # remembered no longer: asked again (the participant may have enrolled since)
    assert running.token("PT-0404", key=HASHED_KEY).status_code == 404
    assert running.requests(LOOKUP) == before + 2
    assert running.token("PT-0003", key=HASHED_KEY).status_code == 200  # a participant it has is not affected


def test_echoed_values_are_clipped(running: Running) -> None:
    long_name = "PT-" + "9" * 200
    missing = running.token(long_name, key=HASHED_KEY).json()["message"]
    assert long_name not in missing and long_name[:ECHO_MAX] + "…" in missing
    outside = running.token(long_name).json()["message"]  # not granted to 'web'
    assert long_name not in outside and long_name[:ECHO_MAX] + "…" in outside
    scope = "Survey" + "x" * 200
    unknown = running.token("PT-0001", [scope]).json()["message"]
    assert scope not in unknown and scope[:ECHO_MAX] + "…" in unknown


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


@pytest.mark.parametrize("origin", ["http://localhost:8888/", "localhost:8888", "http://localhost:8888/app",
                                    "ftp://example.org", "https://Study.Example.org", "http://example.org:80", ""])
def test_a_misspelt_origin_is_refused_not_ignored(running: Running, origin: str) -> None:
    with pytest.raises(ConfigurationError, match=r"--cors-origin .* is not a web origin") as caught:
        AuthenticatorServer(running.service, cors_origins=["https://ok.example.org", origin])
    if origin.startswith("http") and "Example" in origin:
        assert "e.g. --cors-origin https://study.example.org" in str(caught.value)
    assert check_origins(["*", "https://study.example.org", "http://localhost:8888", "http://[::1]:9000"])


@given(st.sampled_from(["http", "https"]), st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){0,2}", fullmatch=True),
       st.none() | st.integers(1, 65535))
@settings(max_examples=50, deadline=None)
def test_an_origin_as_a_browser_sends_it_is_taken(scheme: str, host: str, port: int | None) -> None:
    default = {"http": 80, "https": 443}[scheme]
    origin = f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")
    assert check_origins([origin]) == [origin]
    with pytest.raises(ConfigurationError):
        check_origins([origin + "/"])


def test_an_internal_error_is_a_500_an_allowed_page_can_read(running: Running, tmp_path: Path) -> None:
    """Starlette answers an unexpected exception in its outermost layer; CORS wraps even that."""
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the transport broke")  # not an httpx error: nothing of ours expects it

    config = mdh.Config.resolve(dotenv_path=running.sandbox.credentials.write_env_file(tmp_path / "s.env"),
                                environ={})
    service = TokenService(mdh.Client(config, transport=httpx.MockTransport(broken)), running.service.grants,
                           owns_client=True)
    with AuthenticatorServer(service) as server:
        origin = "http://localhost:5173"
        response = httpx.post(server.url + "token", json={"participant": "PT-0001"},
                              headers={"Authorization": f"Bearer {API_KEY}", "Origin": origin})
    service.close()
    assert response.status_code == 500
    assert response.json() == {"error": "server_error", "message": "the authenticator failed; see its log"}
    assert response.headers["access-control-allow-origin"] == origin


def test_a_taken_port_is_said_in_the_system_s_words(running: Running) -> None:
    taken = httpx.URL(running.url).port
    assert taken is not None
    with pytest.raises(AuthenticatorStartError) as caught:
        AuthenticatorServer(running.service, port=taken).start()
    message = str(caught.value)
    assert f"cannot listen on 127.0.0.1:{taken}: Address already in use" in message, message
    assert "--port" in message and "SystemExit" not in message
    with pytest.raises(AuthenticatorStartError, match="is --host a name or address of this machine"):
        AuthenticatorServer(running.service, host="no-such-host.invalid").start()
    assert httpx.get(running.url + "health").status_code == 200  # the one listening there is untouched


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
    assert any(re.fullmatch(r"grant 'web' got a token for 'PT-0001' \(SurveyAnswers:read\), expires in \d+ s"
                            r" \(peer 127\.0\.0\.1\)", m) for m in ours), ours
    assert any(m.endswith("(cached) (peer 127.0.0.1)") for m in ours)
    assert any(m.startswith("refused grant 'web': participant 'PT-0003'") and m.endswith("(peer 127.0.0.1)")
               for m in ours)
    assert any("unknown API key" in m for m in ours)
    assert any(m.startswith("refused grant 'ghost': no participant 'PT-9999'") for m in ours)
    shown = repr(running.service) + repr(running.server) + repr(running.service.grants)
    assert not [s for s in secrets_ if s in shown]


