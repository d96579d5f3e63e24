"""Fault injection (``/_sandbox/faults``): what each kind looks like to a raw httpx client, which
requests it touches, how it is set and refused, and that a seed gives one schedule."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxServer

SURVEY_ANSWERS = "api/v1/delegated/surveyanswers"
PARTICIPANT = "api/v1/delegated/participant"
NO_FAULTS = {"error": 0, "drop": 0, "throttle": 0, "expire": 0, "latency": 0}


@pytest.fixture(autouse=True)
def _faults_cleared(proto: Proto) -> Iterator[None]:
    """No test leaves faults behind for the next (``proto`` resets before, this clears after)."""
    yield
    proto.server.clear_faults()


def _set(proto: Proto, **settings: Any) -> dict[str, Any]:
    response = proto.http.post("_sandbox/faults", json=settings)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _injected(proto: Proto) -> dict[str, int]:
    return proto.http.get("_sandbox/stats").json()["faults_injected"]  # type: ignore[no-any-return]


def _outcome(http: httpx.Client, path: str, token: str) -> int | str:
    try:
        return http.get(path, headers={"Authorization": f"Bearer {token}"}).status_code
    except httpx.TransportError as exc:
        return type(exc).__name__


def test_error_faults_are_500_502_503(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    _set(proto, seed=1, error_rate=1)
    seen: dict[int, httpx.Response] = {}
    for _ in range(60):
        response = proto.get(PARTICIPANT, token)
        seen.setdefault(response.status_code, response)
    assert set(seen) == {500, 502, 503}
    assert seen[502].headers["content-type"].startswith("text/html") and "502 Bad Gateway" in seen[502].text
    for status in (500, 503):
        assert "injected" in seen[status].json()["message"]
    assert _injected(proto) == {**NO_FAULTS, "error": 60}


def test_drop_is_a_transport_error_and_the_server_keeps_serving(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert _set(proto, drop_rate=1) == {"drop_rate": 1.0}
    for _ in range(3):  # each on a fresh connection: the pool drops the broken one
        with pytest.raises(httpx.TransportError):
            proto.get(PARTICIPANT, token)
    with httpx.Client(base_url=proto.server.url) as other, other.stream("GET", PARTICIPANT) as response:
        assert response.status_code == 200  # the start of a response arrives, then the connection closes
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    proto.server.clear_faults()
    assert proto.get(PARTICIPANT, token).status_code == 200
    assert _injected(proto) == {**NO_FAULTS, "drop": 4}


def test_throttle_is_a_429_with_the_three_ratelimit_headers(proto: Proto) -> None:
    participant = proto.participant_token("PT-0001", "Participant:read")
    service = proto.service_token()
    _set(proto, throttle_rate=1, throttle_reset=7)
    delegated = proto.get(PARTICIPANT, participant)
    admin = proto.get(f"{proto.admin}/participants/PT-0001", service)
    for response, limit in ((delegated, "10000"), (admin, "10000")):
        assert response.status_code == 429
        assert response.headers["RateLimit-Limit"] == limit
        assert response.headers["RateLimit-Remaining"] == "0"
        assert response.headers["RateLimit-Reset"] == "7"
        assert "rate limit" in response.json()["message"]
    _set(proto, throttle_rate=1)
    assert proto.get(PARTICIPANT, participant).headers["RateLimit-Reset"] == "1"  # the default reset
    proto.server.clear_faults()
    # the service never saw them: the real budget is untouched
    assert proto.get(PARTICIPANT, participant).headers["RateLimit-Remaining"] == "9999"


def test_expire_is_the_401_of_an_expired_token(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    _set(proto, expire_rate=1)
    injected = proto.get(PARTICIPANT, token)
    proto.server.clear_faults()
    proto.server.advance_clock(3601)
    expired = proto.get(PARTICIPANT, token)
    assert injected.status_code == expired.status_code == 401
    assert injected.json() == expired.json() == {"message": "access token has expired"}
    names = ("WWW-Authenticate", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Content-Type")
    assert {n: injected.headers.get(n) for n in names} == {n: expired.headers.get(n) for n in names}
    assert _injected(proto) == {**NO_FAULTS, "expire": 1}


def test_expire_on_the_token_endpoint_is_the_refusal_of_an_expired_service_token(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    _set(proto, expire_rate=1, paths=["/identityserver/connect/token"])
    injected = proto.token_request(proto.delegated_form(pid, service, "Participant:read"))
    # a client-credentials grant carries no token: it passes, and is no fault
    assert proto.token_request(proto.service_form()).status_code == 200
    assert _injected(proto)["expire"] == 1
    proto.server.clear_faults()
    proto.server.advance_clock(3601)
    expired = proto.token_request(proto.delegated_form(pid, service, "Participant:read"))
    assert injected.status_code == expired.status_code == 400
    assert injected.json() == expired.json()
    assert injected.json()["error"] == "invalid_grant" and service not in injected.text


@pytest.mark.parametrize("kind", ["error", "drop", "throttle"])
def test_token_endpoint_is_faulted_too(proto: Proto, kind: str) -> None:
    _set(proto, **{f"{kind}_rate": 1})
    if kind == "drop":
        with pytest.raises(httpx.TransportError):  # the contract; which one: the test below
            proto.token_request(proto.service_form())
    else:
        status = proto.token_request(proto.service_form()).status_code
        assert status in ((500, 502, 503) if kind == "error" else (429,))
    proto.server.clear_faults()
    assert proto.token_request(proto.service_form()).status_code == 200


def test_a_dropped_request_with_a_body_is_always_a_cut_off_response(proto: Proto) -> None:
    """Its body is read before the close (a close with unread bytes would be a reset, now and then)."""
    _set(proto, drop_rate=1)
    form = {**proto.service_form(), "padding": "x" * 20_000}
    outcomes = set()
    for _ in range(60):
        try:
            proto.token_request(form)
        except httpx.TransportError as exc:
            outcomes.add(type(exc).__name__)
    assert outcomes == {"RemoteProtocolError"}
    assert _injected(proto)["drop"] == 60


def test_latency_delays_and_counts_every_matching_request(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read SurveyAnswers:read")
    _set(proto, latency_ms=20, paths=[f"/{SURVEY_ANSWERS}"])
    for _ in range(3):
        assert proto.get(SURVEY_ANSWERS, token, limit=1).status_code == 200
    assert proto.get(PARTICIPANT, token).status_code == 200  # not a matching path
    assert _injected(proto) == {**NO_FAULTS, "latency": 3}


def test_paths_restrict_faults_to_their_templates(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read SurveyAnswers:read")
    service = proto.service_token()
    admin_template = "/API/v1/Administration/projects/{id}/participants/{who}"  # any case, any placeholder name
    _set(proto, error_rate=1, paths=["/api/v1/delegated/SurveyAnswers", admin_template])
    assert proto.get(PARTICIPANT, token).status_code == 200
    assert proto.get(SURVEY_ANSWERS, token).status_code >= 500
    assert proto.get(SURVEY_ANSWERS.upper().replace("API/V1", "api/v1"), token).status_code >= 500
    assert proto.get(f"{proto.admin}/participants/PT-0002", service).status_code >= 500
    assert proto.get(f"{proto.admin}/participants", service).status_code == 200  # another template
    assert proto.token_request(proto.service_form()).status_code == 200
    assert proto.http.get("_sandbox/faults").json()["paths"] == ["/api/v1/delegated/SurveyAnswers", admin_template]


def test_without_paths_every_request_but_the_control_plane_is_faulted(proto: Proto) -> None:
    _set(proto, error_rate=1)
    assert proto.get("api/v1/delegated/nope", "junk").status_code >= 500  # no route: still the network's
    assert proto.http.get("_sandbox/health").status_code == 200
    assert proto.http.get("_sandbox/routes").status_code == 200
    assert proto.http.get("_sandbox/clock").json() == {"offset": 0.0}
    assert proto.http.get("_sandbox/customevents").status_code == 200  # a public route under /_sandbox/
    assert proto.http.get("_sandbox/faults").json() == {"error_rate": 1.0}
    _set(proto, drop_rate=1)
    assert proto.http.get("_sandbox/stats").status_code == 200
    assert proto.http.post("_sandbox/clock", json={"advance": 1}).status_code == 200
    for path in ("_SANDBOX/health", "_Sandbox/Stats", proto.server.url + "/_sandbox//faults"):  # in any case
        assert proto.http.get(path).status_code == 200, path
    assert proto.http.get("_sandbox/stats").json()["requests"] == {}  # and never counted as an API request


def test_expire_does_not_touch_an_unknown_path(proto: Proto) -> None:
    _set(proto, expire_rate=1)
    assert proto.get("api/v1/delegated/nope", "junk").status_code == 404
    assert _injected(proto)["expire"] == 0


def test_faulted_requests_never_reach_the_service(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    before = proto.http.get("_sandbox/stats").json()
    _set(proto, error_rate=0.5, drop_rate=0.5)
    for _ in range(10):
        _outcome(proto.http, PARTICIPANT, token)
    after = proto.http.get("_sandbox/stats").json()
    assert after["requests"] == before["requests"] and after["responses"] == before["responses"]
    assert after["faults_injected"]["error"] + after["faults_injected"]["drop"] == 10


def test_empty_settings_clear_and_reset_clears(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    _set(proto, error_rate=1)
    assert _set(proto) == {}
    assert proto.http.get("_sandbox/faults").json() == {}
    assert proto.get(PARTICIPANT, token).status_code == 200
    _set(proto, error_rate=1, seed=3)
    assert proto.http.post("_sandbox/reset").status_code == 200
    assert proto.http.get("_sandbox/faults").json() == {}
    assert proto.get(PARTICIPANT, token).status_code == 200
    assert _injected(proto) == NO_FAULTS


def test_in_process_control(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert proto.server.set_faults(seed=2, throttle_rate=1.0) == {"seed": 2, "throttle_rate": 1.0}
    assert proto.server.faults() == proto.http.get("_sandbox/faults").json() == {"seed": 2, "throttle_rate": 1.0}
    assert proto.get(PARTICIPANT, token).status_code == 429
    with pytest.raises(ValueError, match="drop_rate"):
        proto.server.set_faults(drop_rate=1.5)
    with pytest.raises(ValueError, match="'bogus'"):
        proto.server.set_faults(bogus=1)
    assert proto.server.faults() == {"seed": 2, "throttle_rate": 1.0}  # a refusal changes nothing
    proto.server.clear_faults()
    assert proto.server.faults() == {}
    assert proto.get(PARTICIPANT, token).status_code == 200


_RATES = ("error_rate", "drop_rate", "throttle_rate", "expire_rate")
_NAMED = re.compile(r"unknown fault setting '(?P<unknown>[^']*)'|(?P<key>\w+)(?: must |: )")


def _post(proto: Proto, settings: dict[str, Any]) -> httpx.Response:
    return proto.http.post("_sandbox/faults", content=json.dumps(settings))


def _named(response: httpx.Response) -> str:
    """The one key a 400 names: the message starts with it (or with 'unknown fault setting')."""
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    match = _NAMED.match(message)
    assert match, message
    return match["unknown"] or match["key"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"bogus": 1}, "'bogus'"),
        ({"error_rate": 1.5}, "error_rate"),
        ({"drop_rate": -0.1}, "drop_rate"),
        ({"throttle_rate": "often"}, "throttle_rate"),
        ({"expire_rate": True}, "expire_rate"),
        ({"error_rate": float("nan")}, "error_rate"),
        ({"error_rate": 0.6, "drop_rate": 0.6}, "add up to at most 1"),
        ({"seed": 1.5}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"latency_ms": -5}, "latency_ms"),
        ({"latency_ms": 10**9}, "latency_ms"),
        ({"throttle_reset": -1}, "throttle_reset"),
        ({"paths": []}, "paths"),
        ({"paths": "/api/v1/delegated/surveyanswers"}, "paths"),
        ({"paths": [1]}, "paths"),
        ({"paths": ["/api/v1/delegated/surveyanswer"]}, "/api/v1/delegated/surveyanswer"),
        ({"paths": ["/_sandbox/health"]}, "_sandbox/routes"),
        ([1], "JSON object"),
    ],
)
def test_bad_settings_are_a_400_naming_the_key(proto: Proto, body: Any, named: str) -> None:
    _set(proto, seed=4, error_rate=0.25)
    response = proto.http.post("_sandbox/faults", content=json.dumps(body))
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
    if isinstance(body, dict) and len(body) == 1:
        assert _named(response) == next(iter(body))  # the message starts with the key it is about
    assert proto.http.get("_sandbox/faults").json() == {"seed": 4, "error_rate": 0.25}  # unchanged


def test_a_body_that_is_not_json_is_a_400(proto: Proto) -> None:
    response = proto.http.post("_sandbox/faults", content=b"{error_rate: 1")
    assert response.status_code == 400 and "JSON object" in response.json()["message"]
    assert proto.http.post("_sandbox/faults", content=b'{"paths": ["' + b"x" * 5000 + b'"]}').status_code == 413


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=20), st.lists(st.text(max_size=30), max_size=3),
                    st.lists(st.sampled_from(["/api/v1/delegated/nope", f"/{SURVEY_ANSWERS}"]), min_size=1, max_size=2))
_KEYS = st.sampled_from(["seed", "error_rate", "drop_rate", "throttle_rate", "expire_rate", "latency_ms",
                         "throttle_reset", "paths", "rate", "Seed"])
_RATE = st.floats(0, 0.25)
#: Good values of every setting (so that the one a random value spoils is any of them, not the first checked).
_GOOD = st.fixed_dictionaries({}, optional={
    "seed": st.integers(-(2**63), 2**63), "error_rate": _RATE, "drop_rate": _RATE, "throttle_rate": _RATE,
    "expire_rate": _RATE, "latency_ms": st.floats(0, 60_000), "throttle_reset": st.integers(0, 3600),
    "paths": st.lists(st.sampled_from([f"/{SURVEY_ANSWERS}", f"/{PARTICIPANT}"]), min_size=1, max_size=2)})
_SETTINGS = st.builds(lambda good, other: {**good, **other}, _GOOD,
                      st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=2))


@given(_SETTINGS)
def test_any_settings_are_taken_or_refused_by_name(proto_session: Proto, settings: dict[str, Any]) -> None:
    """Whatever is posted, the answer is 200 (and GET shows it) or a 400 naming exactly one key posted,
    which is refused on its own as well, or saying that the rates posted, each taken alone, add up to
    more than 1."""
    response = _post(proto_session, settings)
    try:
        if response.status_code == 200:
            assert proto_session.http.get("_sandbox/faults").json() == response.json()
            assert set(response.json()) == set(settings)
            return
        if "must add up to at most 1" in response.text:
            rates = {key: value for key, value in settings.items() if key in _RATES}
            assert sum(rates.values()) > 1, settings
            for key, value in rates.items():
                assert _post(proto_session, {key: value}).status_code == 200, key
            return
        key = _named(response)
        assert key in settings, (key, settings)
        assert _named(_post(proto_session, {key: settings[key]})) == key
    finally:
        proto_session.server.clear_faults()


def _schedule(proto: Proto, token: str, seed: int) -> list[int | str]:
    _set(proto, seed=seed, error_rate=0.3, drop_rate=0.2, throttle_rate=0.2, expire_rate=0.1)
    return [_outcome(proto.http, PARTICIPANT, token) for _ in range(40)]


def test_the_same_seed_gives_the_same_schedule(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    first = _schedule(proto, token, seed=11)
    assert _schedule(proto, token, seed=11) == first
    assert _schedule(proto, token, seed=12) != first
    assert {200, 401, 429, "RemoteProtocolError"} <= set(first) and set(first) & {500, 502, 503}


def test_a_latency_wait_in_flight_ends_quietly_when_the_server_stops(caplog: pytest.LogCaptureFixture) -> None:
    """The request is answered (not cancelled by uvicorn after its grace period, with a traceback)."""
    server = SandboxServer(participants=1, days=2).start()
    outcome: list[int | str] = []
    try:
        server.set_faults(latency_ms=60_000)

        def call() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as http:
                try:
                    outcome.append(http.get("_sandbox/nope-then-api").status_code)  # control plane: no wait
                    outcome.append(http.get(PARTICIPANT).status_code)
                except httpx.TransportError as exc:
                    outcome.append(type(exc).__name__)

        caller = threading.Thread(target=call)
        caller.start()
        while server.stats()["faults_injected"]["latency"] == 0:  # the request is waiting
            caller.join(0.01)
    finally:
        with caplog.at_level(logging.WARNING):
            server.stop()
    caller.join(30)
    assert outcome == [404, 401]  # served once the wait ended: no token, the answer of the service
    assert [record.getMessage() for record in caplog.records if record.name.startswith("uvicorn")] == []
