"""A bearer token's signature is checked once (``TokenAuthority`` remembers the verified payload by the
token's exact text); revocation, expiry and tampering are still seen on every request."""

from __future__ import annotations

import base64
import json

from sandbox_protocol import Proto

from mdh_notebook.emulator.clock import Clock
from mdh_notebook.emulator.config import SandboxConfig
from mdh_notebook.emulator.exceptions import Unauthorized
from mdh_notebook.emulator.tokens import TokenAuthority

PARTICIPANT = "api/v1/delegated/participant"


def _message(response: object) -> str:
    assert getattr(response, "status_code", None) == 401
    return str(response.json()["message"])  # type: ignore[attr-defined]


def test_a_used_token_is_refused_once_revoked(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert proto.get(PARTICIPANT, token).status_code == 200
    assert proto.get(PARTICIPANT, token).status_code == 200
    proto.server.revoke()
    assert "revoked" in _message(proto.get(PARTICIPANT, token))


def test_a_used_token_expires_on_time(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert proto.get(PARTICIPANT, token).status_code == 200
    proto.server.advance_clock(3601)
    assert "expired" in _message(proto.get(PARTICIPANT, token))


def test_a_used_service_token_cannot_delegate_once_revoked(proto: Proto) -> None:
    service = proto.service_token()
    pid = proto.participant_id("PT-0001", service)
    assert proto.token_request(proto.delegated_form(pid, service, "api")).status_code == 200
    proto.server.revoke()
    refused = proto.token_request(proto.delegated_form(pid, service, "api"))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def _swap_payload(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_used_token_tampered_with_is_refused(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "Participant:read")
    assert proto.get(PARTICIPANT, token).status_code == 200
    for forged in (_swap_payload(token, scope=["api"]), token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                   token + " x"):
        assert "not signed by this server" in _message(proto.get(PARTICIPANT, forged))
    assert proto.get(PARTICIPANT, token).status_code == 200


def test_many_tokens_each_verify_to_their_own_claims() -> None:
    """Remembered or not, each token answers with its own claims, and expires on time."""
    clock = Clock()
    authority = TokenAuthority(SandboxConfig(), clock, "project")
    tokens = [authority.issue("participant", f"p{n}", "client", ["api"], 60 + n, "issuer")[0] for n in range(30)]
    for _ in range(2):
        assert [authority.verify(t).subject for t in tokens] == [f"p{n}" for n in range(30)]
    clock.advance(75)
    verdicts = []
    for token in tokens:
        try:
            verdicts.append(authority.verify(token).subject)
        except Unauthorized as exc:
            verdicts.append(exc.message)
    assert verdicts == ["access token has expired"] * 16 + [f"p{n}" for n in range(16, 30)]
