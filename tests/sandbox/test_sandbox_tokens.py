"""The token endpoint: client_credentials with a JWT assertion, and the delegated_participant grant."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sandbox_protocol import Proto


def _error(response: httpx.Response, code: str) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == code, body
    assert isinstance(body["error_description"], str) and body["error_description"]
    return str(body["error_description"])


def test_quickstart_replay(proto: Proto) -> None:
    """The official Python quickstart's calls, field for field."""
    creds = proto.creds
    token_url = creds.base_url + "identityserver/connect/token"
    assertion = jwt.encode(
        {
            "iss": creds.service_account,
            "sub": creds.service_account,
            "aud": token_url,
            "exp": time.time() + 200,  # the quickstart sends a float
            "jti": str(uuid.uuid4()),
        },
        creds.private_key_pem,
        algorithm="RS256",
    )
    response = proto.http.post(
        token_url,
        data={
            "scope": "api",
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert response.status_code == 200, response.text
    service = response.json()
    assert set(service) == {"access_token", "expires_in", "token_type", "scope"}
    assert service["token_type"] == "Bearer" and service["scope"] == "api"
    assert service["expires_in"] == 3600 and isinstance(service["expires_in"], int)

    headers = {
        "Authorization": f"Bearer {service['access_token']}",
        "Accept": "application/json",
        "Content-Type": "application/json; charset=utf-8",
    }
    url = f"{creds.base_url}api/v1/administration/projects/{creds.project_id}/participants/PT-0001"
    participant = proto.http.get(url, headers=headers)
    assert participant.status_code == 200, participant.text
    participant_id = participant.json()["id"]

    delegated = proto.http.post(
        token_url,
        data={
            "scope": "Participant:read SurveyAnswers:read",
            "grant_type": "delegated_participant",
            "participant_id": participant_id,
            "client_id": "MyDataHelps.DelegatedParticipant",
            "client_secret": "secret",
            "token": service["access_token"],
        },
    )
    assert delegated.status_code == 200, delegated.text
    body = delegated.json()
    assert body["scope"] == "Participant:read SurveyAnswers:read"
    info = proto.http.get(
        f"{creds.base_url}api/v1/delegated/participant",
        headers={"Authorization": f"Bearer {body['access_token']}", "Accept": "application/json"},
    )
    assert info.status_code == 200, info.text
    assert info.json()["participantID"] == participant_id
    assert info.json()["participantIdentifier"] == "PT-0001"
    assert proto.server.stats()["tokens_issued"] == {"client_credentials": 1, "delegated_participant": 1}


def test_access_token_claims(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "Participant:read FitbitSleepLogs:read")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == proto.participant_id("PT-0002")
    assert claims["scope"] == ["Participant:read", "FitbitSleepLogs:read"]
    assert claims["token_kind"] == "participant"
    assert claims["client_id"] == "MyDataHelps.DelegatedParticipant"
    assert claims["project_id"] == proto.creds.project_id
    assert {"iss", "iat", "nbf", "exp", "jti"} <= set(claims)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    service = jwt.decode(proto.service_token(), options={"verify_signature": False})
    assert service["token_kind"] == "service" and service["sub"] == proto.creds.service_account


@pytest.mark.parametrize("exp", ["int", "float"])
def test_exp_int_or_float_accepted(proto: Proto, exp: str) -> None:
    value = time.time() + 200
    assertion = proto.assertion(exp=int(value) if exp == "int" else value)
    assert proto.token_request(proto.service_form(assertion)).status_code == 200


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("bad_signature", "signature"),
        ("wrong_aud", "aud"),
        ("aud_other_host", "aud"),
        ("expired", "expired"),
        ("too_long", "too long"),
        ("exp_ms", "seconds"),
        ("exp_string", "number"),
        ("no_iss", "iss"),
        ("no_sub", "sub"),
        ("no_aud", "aud"),
        ("no_exp", "exp"),
        ("no_jti", "jti"),
        ("sub_differs", "sub"),
        ("unknown_account", "unknown service account"),
        ("hs256", "RS256"),
        ("garbage", "JWT"),
        ("future_nbf", "nbf"),
        ("exp_huge_int", "number"),
        ("nbf_huge_int", "nbf"),
    ],
)
def test_bad_assertions_are_invalid_client(proto: Proto, case: str, needle: str) -> None:
    now = time.time()
    drop = proto.DROP
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048) if case == "bad_signature" else None
    builders: dict[str, Callable[[], str]] = {
        "bad_signature": lambda: proto.assertion(key=other),
        "wrong_aud": lambda: proto.assertion(aud=proto.creds.base_url + "connect/token"),
        "aud_other_host": lambda: proto.assertion(aud=proto.token_url.replace("127.0.0.1", "localhost")),
        "expired": lambda: proto.assertion(exp=now - 120),
        "too_long": lambda: proto.assertion(exp=now + 3 * 3600),
        "exp_ms": lambda: proto.assertion(exp=int((now + 200) * 1000)),
        "exp_string": lambda: proto.assertion(exp=str(int(now + 200))),
        "no_iss": lambda: proto.assertion(iss=drop),
        "no_sub": lambda: proto.assertion(sub=drop),
        "no_aud": lambda: proto.assertion(aud=drop),
        "no_exp": lambda: proto.assertion(exp=drop),
        "no_jti": lambda: proto.assertion(jti=drop),
        "sub_differs": lambda: proto.assertion(sub="someone.else"),
        "unknown_account": lambda: proto.assertion(iss="RKStudio.1234.test", sub="RKStudio.1234.test"),
        "hs256": lambda: proto.assertion(key="x" * 32, algorithm="HS256"),
        "garbage": lambda: "not-a-jwt",
        "future_nbf": lambda: proto.assertion(nbf=now + 600),
        "exp_huge_int": lambda: proto.assertion(exp=10**400),
        "nbf_huge_int": lambda: proto.assertion(nbf=-(10**400)),
    }
    assertion = builders[case]()
    description = _error(proto.token_request(proto.service_form(assertion)), "invalid_client")
    assert needle.lower() in description.lower()
    assert assertion not in description


def test_replayed_jti_refused(proto: Proto) -> None:
    assertion = proto.assertion()
    assert proto.token_request(proto.service_form(assertion)).status_code == 200
    description = _error(proto.token_request(proto.service_form(assertion)), "invalid_client")
    assert "jti" in description
    # same jti in a new assertion is still a replay
    jti = str(uuid.uuid4())
    assert proto.token_request(proto.service_form(proto.assertion(jti=jti))).status_code == 200
    _error(proto.token_request(proto.service_form(proto.assertion(jti=jti))), "invalid_client")


def test_service_grant_form_errors(proto: Proto) -> None:
    form = proto.service_form()
    form.pop("scope")  # missing scope means api
    ok = proto.token_request(form)
    assert ok.status_code == 200 and ok.json()["scope"] == "api"
    _error(proto.token_request({**proto.service_form(), "scope": "Participant:read"}), "invalid_scope")
    _error(proto.token_request({**proto.service_form(), "client_assertion_type": "jwt"}), "invalid_client")
    missing = proto.service_form()
    missing.pop("client_assertion")
    _error(proto.token_request(missing), "invalid_client")
    no_grant = proto.service_form()
    no_grant.pop("grant_type")
    _error(proto.token_request(no_grant), "unsupported_grant_type")
    _error(proto.token_request({**proto.service_form(), "grant_type": "password"}), "unsupported_grant_type")


def test_token_endpoint_content_types(proto: Proto) -> None:
    assertion = proto.assertion()
    body = "&".join(f"{k}={v}" for k, v in proto.service_form(assertion).items())
    charset = proto.http.post(
        "identityserver/connect/token",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert charset.status_code == 200, charset.text
    as_json = proto.http.post("identityserver/connect/token", json=proto.service_form())
    _error(as_json, "invalid_request")
    assert proto.http.get("identityserver/connect/token").status_code == 405


@pytest.mark.parametrize(
    "client_id", ["MyDataHelps.DelegatedParticipant", "RKStudio.DelegatedParticipant",
                  "MyDataHelps-Web.DelegatedParticipant"]
)
def test_each_delegated_client_id_accepted(proto: Proto, client_id: str) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0003", service)
    response = proto.token_request(proto.delegated_form(pid, service, "Participant:read", client_id=client_id))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer" and body["scope"] == "Participant:read"
    info = proto.get("api/v1/delegated/participant", body["access_token"])
    assert info.status_code == 200 and info.json()["participantIdentifier"] == "PT-0003"


def test_delegated_grant_errors(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    form = proto.delegated_form
    _error(proto.token_request(form(pid, service, "api", client_id="Someone.Else")), "invalid_client")
    _error(proto.token_request(form(pid, service, "api", client_secret="hunter2")), "invalid_client")
    unknown = _error(proto.token_request(form(str(uuid.uuid4()), service, "api")), "invalid_grant")
    assert "participant_id" in unknown
    by_identifier = _error(proto.token_request(form("PT-0001", service, "api")), "invalid_grant")
    assert "participantIdentifier" in by_identifier and "id" in by_identifier
    bad_token = _error(proto.token_request(form(pid, "not.a.token", "api")), "invalid_grant")
    assert "not.a.token" not in bad_token
    participant_token = proto.participant_token("PT-0001", "Participant:read")
    _error(proto.token_request(form(pid, participant_token, "api")), "invalid_grant")
    scope = _error(proto.token_request(form(pid, service, "Participant:read Bogus:read")), "invalid_scope")
    assert "Bogus:read" in scope and "Participant:read" not in scope
    _error(proto.token_request(form(pid, service, "")), "invalid_scope")
    extra = {"scope": "Participant:read Project:read user/*.read"}
    assert proto.token_request({**form(pid, service, "x"), **extra}).status_code == 200


def test_expired_service_token_cannot_delegate(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    proto.server.advance_clock(3601)
    description = _error(proto.token_request(proto.delegated_form(pid, service, "api")), "invalid_grant")
    assert "expired" in description
    # a fresh assertion still works after the clock moved: assertions use the client's wall clock
    fresh = proto.service_token()
    assert proto.token_request(proto.delegated_form(pid, fresh, "api")).status_code == 200


def test_token_expiry_is_precise(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    proto.server.advance_clock(3600 - 5)
    assert proto.get("api/v1/delegated/participant", token).status_code == 200
    proto.server.advance_clock(6)
    expired = proto.get("api/v1/delegated/participant", token)
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]


@pytest.mark.parametrize("host", ["localhost", "mybox.lan"])
def test_aud_may_name_the_url_the_request_reached(proto: Proto, host: str) -> None:
    """A client that reaches the sandbox as http://localhost:PORT/ (or a 0.0.0.0 server by its LAN
    name) builds its aud from that URL; the Host header it sends says the same."""
    port = proto.server.port
    reached = f"http://{host}:{port}/identityserver/connect/token"
    headers = {"Host": f"{host}:{port}"}
    ok = proto.token_request(proto.service_form(proto.assertion(aud=reached)), headers=headers)
    assert ok.status_code == 200, ok.text
    # the advertised 127.0.0.1 URL stays valid whatever the Host header says
    assert proto.token_request(proto.service_form(), headers=headers).status_code == 200
    # the path must still match exactly, and the Host header only vouches for itself
    for aud in (f"http://{host}:{port}/connect/token", reached + "/", reached.replace("http:", "https:"),
                reached.replace(f":{port}/", f":{port + 1}/")):
        _error(proto.token_request(proto.service_form(proto.assertion(aud=aud)), headers=headers), "invalid_client")
    _error(proto.token_request(proto.service_form(proto.assertion(aud=reached))), "invalid_client")


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize(
    "assertion",
    [
        pytest.param(_segment(b'{"alg":"RS256"}') + "." + _segment(b"[" * 40_000) + ".sig", id="long-nested-payload"),
        pytest.param(_segment(b'{"alg":"RS256"}') + "." + _segment(b"[" * 5000) + ".sig", id="nested-payload"),
        pytest.param(_segment(b"[" * 5000) + "." + _segment(b"{}") + ".sig", id="nested-header"),
        pytest.param(_segment(b'{"alg":"RS256"}') + "." + _segment(b'{"exp": 1' + b"0" * 400 + b"}") + ".sig",
                     id="huge-int"),
        pytest.param("a" * 9000, id="long-junk"),
        pytest.param(_segment(b'{"alg":"RS256"}') + "." + _segment(b"\xff\xfe") + ".sig", id="not-utf8"),
    ],
)
def test_crafted_assertions_are_invalid_client(proto: Proto, assertion: str) -> None:
    description = _error(proto.token_request(proto.service_form(assertion)), "invalid_client")
    assert len(description) < 200
    # the same junk as a bearer token is a 401, not a 500
    response = proto.get("api/v1/delegated/participant", assertion)
    assert response.status_code == 401, response.text


def test_assertion_size_limit(proto: Proto) -> None:
    padded = proto.assertion(pad="x" * 9000)  # signed and otherwise valid, but over 8 KB
    assert "too long" in _error(proto.token_request(proto.service_form(padded)), "invalid_client")
    assert proto.token_request(proto.service_form(proto.assertion(pad="x" * 4000))).status_code == 200


def test_token_request_body_limit_and_echo(proto: Proto) -> None:
    huge = proto.http.post("identityserver/connect/token", data={"grant_type": "x" * (20 * 1024 * 1024)})
    assert huge.status_code == 413, huge.text[:200]
    assert huge.json()["error"] == "invalid_request" and len(huge.text) < 300
    nested = _segment(b'{"alg":"RS256"}') + "." + _segment(b"[" * 100_000) + ".sig"  # 133 KB
    assert proto.token_request(proto.service_form(nested)).status_code == 413
    # without a Content-Length header (chunked) the limit holds too
    chunks = (b"grant_type=" + b"y" * 65536 for _ in range(3))
    chunked = proto.http.post("identityserver/connect/token", content=chunks,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413
    assert proto.token_request(proto.service_form()).status_code == 200  # the client is still served
    # under the limit, echoed input is cut to about 100 characters
    long_value = "z" * 60_000
    for field, code in [("grant_type", "unsupported_grant_type"), ("client_id", "invalid_client")]:
        form = proto.delegated_form(str(uuid.uuid4()), "t", "api") if field == "client_id" else {}
        description = _error(proto.token_request({**form, field: long_value}), code)
        assert "z" * 100 in description and "z" * 101 not in description and "60000 characters" in description
    scope = _error(proto.token_request({**proto.service_form(), "scope": long_value}), "invalid_scope")
    assert len(scope) < 300
