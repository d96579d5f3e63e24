"""Forged, tampered, replayed and revoked credentials, from an independent client (raw httpx, PyJWT,
cryptography and hmac; nothing of mdh_notebook's client wing): every forged assertion and grant is a
400 and every unusable access token a 401, and no refusal carries a token or an assertion."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxServer

PARTICIPANT = "api/v1/delegated/participant"
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _segment(value: bytes | dict[str, Any]) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HS256 JWT built by hand (PyJWT rightly refuses a PEM as an HMAC secret)."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def _public_pem(private_pem: str) -> bytes:
    key: Any = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _refused(response: httpx.Response, error: str, *secrets: str) -> str:
    """A 400 with this OAuth error, whose body carries none of ``secrets``."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == error, body
    for secret in secrets:
        assert secret not in response.text
    return str(body["error_description"])


def _assertions(proto: Proto) -> dict[str, Callable[[], str]]:
    """The issue's list of forged client assertions, each built as an attacker would."""
    now = time.time()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = _public_pem(proto.creds.private_key_pem)
    return {
        "alg_none": lambda: f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(proto.claims())}.",
        "alg_none_signed_anyway": lambda: jwt.encode(proto.claims(), None, algorithm="none"),
        "hs256_keyed_with_the_public_key": lambda: _hs256({"alg": "HS256", "typ": "JWT"}, proto.claims(), public),
        "hs256_public_key_stripped": lambda: _hs256({"alg": "HS256"}, proto.claims(), public.strip()),
        "signed_by_another_key": lambda: jwt.encode(proto.claims(), other, algorithm="RS256"),
        "rs512_by_the_right_key": lambda: jwt.encode(proto.claims(), proto.key, algorithm="RS512"),
        "past_exp": lambda: proto.assertion(exp=now - 300),
        "missing_exp": lambda: proto.assertion(exp=proto.DROP),
        "over_long_exp": lambda: proto.assertion(exp=now + 900 + 120),
        "no_jti": lambda: proto.assertion(jti=proto.DROP),
        "empty_jti": lambda: proto.assertion(jti=""),
        "wrong_aud": lambda: proto.assertion(aud="https://mydatahelps.org/identityserver/connect/token"),
        "unknown_account": lambda: proto.assertion(iss="RKStudio.Intruder", sub="RKStudio.Intruder"),
        "payload_swapped_after_signing": lambda: _swap_payload(proto.assertion(), {"sub": "someone"}),
    }


def _swap_payload(token: str, changes: dict[str, Any]) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_segment({**claims, **changes})}.{signature}"


FORGERIES = ("alg_none", "alg_none_signed_anyway", "hs256_keyed_with_the_public_key", "hs256_public_key_stripped",
             "signed_by_another_key", "rs512_by_the_right_key", "past_exp", "missing_exp", "over_long_exp", "no_jti",
             "empty_jti", "wrong_aud", "unknown_account", "payload_swapped_after_signing")


def test_the_forgery_table_is_complete(proto: Proto) -> None:
    assert set(_assertions(proto)) == set(FORGERIES)


@pytest.mark.parametrize("case", FORGERIES)
def test_forged_assertions_are_refused(proto: Proto, case: str) -> None:
    assertion = _assertions(proto)[case]()
    response = proto.token_request(proto.service_form(assertion))
    _refused(response, "invalid_client", assertion)
    assert proto.server.stats()["tokens_issued"]["client_credentials"] == 0


def test_a_replayed_jti_is_refused_within_its_lifetime(proto: Proto) -> None:
    """The same assertion twice, and the same jti in a new assertion (another aud form, a later exp)."""
    jti = str(uuid.uuid4())
    first = proto.assertion(jti=jti)
    assert proto.token_request(proto.service_form(first)).status_code == 200
    assert "jti" in _refused(proto.token_request(proto.service_form(first)), "invalid_client", first)
    port = proto.server.port
    again = proto.assertion(jti=jti, exp=time.time() + 600, aud=f"http://localhost:{port}/identityserver/connect/token")
    replay = proto.token_request(proto.service_form(again), headers={"Host": f"localhost:{port}"})
    _refused(replay, "invalid_client", again)
    assert proto.server.stats()["tokens_issued"]["client_credentials"] == 1


@pytest.mark.parametrize("ahead", [0, 1, 2])
def test_the_quickstarts_900_seconds_pass_from_a_clock_a_little_ahead(proto: Proto, ahead: int) -> None:
    """The official Python quickstart sent ``exp = now + 900`` for two years; a client whose clock
    runs a second or two ahead stamps it (and ``iat``) that much later, and must still be served."""
    now = time.time() + ahead
    assertion = proto.assertion(exp=now + 900, iat=int(now))
    assert proto.token_request(proto.service_form(assertion)).status_code == 200


@pytest.fixture(scope="module")
def strict_clock() -> Iterator[Proto]:
    """A sandbox allowing no clock skew at all (``clock_skew=0``)."""
    with SandboxServer(participants=1, days=1, clock_skew=0) as server:
        proto = Proto(server)
        yield proto
        proto.http.close()


@pytest.mark.parametrize("ahead", [0, 2])
def test_900_seconds_pass_even_without_clock_skew(strict_clock: Proto, ahead: int) -> None:
    now = time.time() + ahead
    quickstart = strict_clock.assertion(exp=now + 900)
    assert strict_clock.token_request(strict_clock.service_form(quickstart)).status_code == 200
    over = strict_clock.assertion(exp=time.time() + 900 + 30)
    assert "too long" in _refused(strict_clock.token_request(strict_clock.service_form(over)), "invalid_client")


def test_the_lifetime_cap_still_holds(proto: Proto) -> None:
    cap = proto.server.config.max_assertion_lifetime
    skew = proto.server.config.clock_skew
    over = proto.assertion(exp=time.time() + cap + skew + 10)
    assert "too long" in _refused(proto.token_request(proto.service_form(over)), "invalid_client", over)


def test_a_delegated_grant_on_a_participant_token_is_invalid_grant(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    participant = proto.participant_token("PT-0001", "Participant:read")
    response = proto.token_request(proto.delegated_form(pid, participant, "Participant:read"))
    description = _refused(response, "invalid_grant", participant, service)
    assert "participant token" in description


def test_a_delegated_grant_on_a_forged_service_token_is_invalid_grant(proto: Proto) -> None:
    """A "service token" signed by the attacker (alg none; HS256 with the sandbox's signing public key)."""
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    claims = jwt.decode(service, options={"verify_signature": False})
    signing_public = proto.server.backend.tokens.signing_public_key_pem().encode()
    for forged in (f"{_segment({'alg': 'none'})}.{_segment(claims)}.",
                   _hs256({"alg": "HS256", "typ": "JWT"}, claims, signing_public)):
        response = proto.token_request(proto.delegated_form(pid, forged, "Participant:read"))
        _refused(response, "invalid_grant", forged, service)


def test_an_unknown_scope_is_invalid_scope_naming_it(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    response = proto.token_request(proto.delegated_form(pid, service, "Participant:read SurveyAnswer:read"))
    description = _refused(response, "invalid_scope", service)
    assert "SurveyAnswer:read" in description and "Participant:read" not in description


# -- access tokens: tampered, forged, revoked ----------------------------------------------------------
def _tampered(token: str, index: int, replacement: str) -> str:
    return token[:index] + replacement + token[index + 1:]


def _changeable(token: str) -> list[int]:
    """Positions whose character decides the decoded bytes: not a dot, and not a segment's last
    character (whose low bits may be padding that base64 decoding ignores)."""
    ends = {i - 1 for i, ch in enumerate(token) if ch == "."} | {len(token) - 1}
    return [i for i, ch in enumerate(token) if ch != "." and i not in ends]


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_token_with_one_character_changed_is_a_401(proto: Proto, part: int) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    start = sum(len(s) + 1 for s in token.split(".")[:part])
    index = start + len(token.split(".")[part]) // 2
    changed = _tampered(token, index, "A" if token[index] != "A" else "B")
    response = proto.get(PARTICIPANT, changed)
    assert response.status_code == 401 and changed not in response.text and token not in response.text
    assert proto.get(PARTICIPANT, token).status_code == 200


@given(position=st.integers(min_value=0), replacement=st.sampled_from(_B64URL))
def test_any_one_character_changed_is_a_401(proto_session: Proto, position: int, replacement: str) -> None:
    token = _token_for_tampering(proto_session)
    places = _changeable(token)
    index = places[position % len(places)]
    if token[index] == replacement:
        replacement = "A" if replacement != "A" else "B"
    assert proto_session.get(PARTICIPANT, _tampered(token, index, replacement)).status_code == 401


_TAMPER_TOKEN: dict[str, str] = {}


def _token_for_tampering(proto: Proto) -> str:
    """One token for every example (issued once; the test never revokes or moves the clock)."""
    token = _TAMPER_TOKEN.get(proto.server.url)
    if token is None or proto.get(PARTICIPANT, token).status_code != 200:
        token = _TAMPER_TOKEN[proto.server.url] = proto.participant_token("PT-0001", "Participant:read")
    return token


def test_forged_access_tokens_are_a_401(proto: Proto) -> None:
    real = proto.participant_token("PT-0001", "Participant:read")
    claims = jwt.decode(real, options={"verify_signature": False})
    signing_public = proto.server.backend.tokens.signing_public_key_pem().encode()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forgeries = [
        f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}.",
        _hs256({"alg": "HS256", "typ": "JWT"}, claims, signing_public),
        jwt.encode(claims, other, algorithm="RS256"),
        _swap_payload(real, {"scope": ["Participant:read", "SurveyAnswers:read"]}),
        _swap_payload(real, {"exp": claims["exp"] + 86400}),
    ]
    for forged in forgeries:
        response = proto.get(PARTICIPANT, forged)
        assert response.status_code == 401, forged
        assert "WWW-Authenticate" in response.headers and forged not in response.text


def test_revoke_invalidates_every_token_issued_so_far(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    participant = proto.participant_token("PT-0001", "Participant:read")
    response = proto.http.post("_sandbox/revoke")
    assert response.status_code == 200 and response.json() == {"status": "revoked"}
    for token, path in ((participant, PARTICIPANT), (service, f"{proto.admin}/participants/PT-0001")):
        refused = proto.get(path, token)
        assert refused.status_code == 401 and "revoked" in refused.json()["message"]
        assert token not in refused.text
    grant = proto.token_request(proto.delegated_form(pid, service, "Participant:read"))
    assert "revoked" in _refused(grant, "invalid_grant", service)
    # tokens issued right after (within the same second) are good
    fresh = proto.service_token()
    assert proto.get(f"{proto.admin}/participants/PT-0001", fresh).status_code == 200
    delegated = proto.token_request(proto.delegated_form(pid, fresh, "Participant:read"))
    assert delegated.status_code == 200
    assert proto.get(PARTICIPANT, delegated.json()["access_token"]).status_code == 200


def test_revocation_survives_a_reset_and_works_in_process(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    proto.server.revoke()
    proto.server.reset()
    assert proto.get(PARTICIPANT, token).status_code == 401
    again = proto.participant_token("PT-0001", "Participant:read")
    assert proto.get(PARTICIPANT, again).status_code == 200
    proto.server.revoke()
    assert proto.get(PARTICIPANT, again).status_code == 401
