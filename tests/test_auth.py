"""The auth flow stepped by hand with an injected clock, over httpx.MockTransport (a fake at the
transport, not a mock of our code); the real-sandbox behaviour is in test_session.py."""

from __future__ import annotations

import itertools
import time
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh
from mdh_notebook.auth import (
    ASSERTION_LIFETIME,
    BearerAuth,
    ParticipantTokenSource,
    ServiceTokenSource,
    TokenCache,
)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CONFIG = mdh.Config.from_values(base_url="https://mdh.test/", service_account="MyDataHelps.1.test",
                                project_id="proj", private_key=KEY)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeIdentityServer:
    """A token endpoint and one API path, with lifetimes and 401s under the test's control."""

    def __init__(self, lifetime: int = 60) -> None:
        self.lifetime = lifetime
        self.issued: list[dict[str, list[str]]] = []
        self.counter = itertools.count(1)
        self.reject_next_api_call = False
        self.api_tokens: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/identityserver/connect/token":
            form = parse_qs(request.content.decode())
            self.issued.append(form)
            return httpx.Response(200, json={"access_token": f"tok-{next(self.counter)}",
                                             "expires_in": self.lifetime, "token_type": "Bearer"})
        self.api_tokens.append(request.headers.get("Authorization", ""))
        if self.reject_next_api_call:
            self.reject_next_api_call = False
            return httpx.Response(401, json={"message": "expired"})
        return httpx.Response(200, json={"ok": True})


def test_assertion_claims_are_what_the_quickstarts_send() -> None:
    clock = Clock()
    source = ServiceTokenSource(CONFIG, clock=clock)
    first, second = source.assertion(), source.assertion()
    claims = jwt.decode(first, KEY.public_key(), algorithms=["RS256"], audience=CONFIG.token_url,
                        options={"verify_exp": False})
    assert claims["iss"] == claims["sub"] == "MyDataHelps.1.test"
    assert claims["aud"] == "https://mdh.test/identityserver/connect/token"
    assert claims["exp"] == pytest.approx(time.time() + ASSERTION_LIFETIME, abs=2)
    assert jwt.get_unverified_header(first)["alg"] == "RS256"
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]


def test_token_is_renewed_ahead_of_expiry_not_before_and_the_hook_hears_it() -> None:
    clock, server = Clock(), FakeIdentityServer(lifetime=600)
    events: list[mdh.RenewalEvent] = []
    cache = TokenCache(ServiceTokenSource(CONFIG, clock=clock), clock=clock, on_renew=[events.append])
    with httpx.Client(transport=httpx.MockTransport(server), base_url=CONFIG.base_url) as http:
        auth = BearerAuth(cache)
        http.get("api/x", auth=auth)
        assert len(server.issued) == 1 and server.api_tokens[-1] == "Bearer tok-1"
        clock.now += 600 - 121  # 121 s left: more than the 120 s margin, keep it
        http.get("api/x", auth=auth)
        assert len(server.issued) == 1
        clock.now += 2  # 119 s left: renew before use
        http.get("api/x", auth=auth)
        assert len(server.issued) == 2 and server.api_tokens[-1] == "Bearer tok-2"
    assert [e.reason for e in events] == ["initial", "expiring"]
    assert events[1].count == 1 and events[1].previous_remaining == pytest.approx(119)
    assert "tok-" not in repr(events) and "tok-" not in repr(cache)


def test_margin_scales_down_for_short_lifetimes() -> None:
    clock, server = Clock(), FakeIdentityServer(lifetime=4)
    cache = TokenCache(ServiceTokenSource(CONFIG, clock=clock), clock=clock)
    with httpx.Client(transport=httpx.MockTransport(server), base_url=CONFIG.base_url) as http:
        http.get("api/x", auth=BearerAuth(cache))
        assert cache.token is not None and cache.token.margin == pytest.approx(1.0)
        clock.now += 2.9  # 1.1 s left of 4: still good
        http.get("api/x", auth=BearerAuth(cache))
        assert len(server.issued) == 1
        clock.now += 0.2
        http.get("api/x", auth=BearerAuth(cache))
        assert len(server.issued) == 2


def test_a_401_renews_once_and_retries_once() -> None:
    clock, server = Clock(), FakeIdentityServer()
    cache = TokenCache(ServiceTokenSource(CONFIG, clock=clock), clock=clock)
    with httpx.Client(transport=httpx.MockTransport(server), base_url=CONFIG.base_url) as http:
        http.get("api/x", auth=BearerAuth(cache))
        server.reject_next_api_call = True
        response = http.get("api/x", auth=BearerAuth(cache))
    assert response.status_code == 200
    assert server.api_tokens == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert cache.renewals == 1


def test_participant_exchange_sends_the_documented_form_with_exactly_the_scopes() -> None:
    clock, server = Clock(), FakeIdentityServer()
    service = TokenCache(ServiceTokenSource(CONFIG, clock=clock), clock=clock)
    source = ParticipantTokenSource(service, CONFIG.token_url, "guid-1", ("SurveyAnswers:read", "Participant:read"),
                                    clock=clock)
    cache = TokenCache(source, clock=clock)
    with httpx.Client(transport=httpx.MockTransport(server), base_url=CONFIG.base_url) as http:
        http.get("api/v1/delegated/participant", auth=BearerAuth(cache))
    service_form, participant_form = server.issued
    assert service_form["grant_type"] == ["client_credentials"] and service_form["scope"] == ["api"]
    assert "client_id" not in service_form
    assert participant_form == {
        "scope": ["SurveyAnswers:read Participant:read"], "grant_type": ["delegated_participant"],
        "participant_id": ["guid-1"], "client_id": ["MyDataHelps.DelegatedParticipant"],
        "client_secret": ["secret"], "token": ["tok-1"],
    }
    assert server.api_tokens == ["Bearer tok-2"]


def test_token_endpoint_refusal_is_a_token_error_without_secrets() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "invalid_client", "error_description": "bad signature"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(refuse)) as client, \
            pytest.raises(mdh.TokenRequestError) as info:
        client.run_flow(client.service_tokens.fresh_flow())
    assert info.value.error == "invalid_client" and "bad signature" in str(info.value)
    assert "eyJ" not in str(info.value)


def test_garbage_from_the_token_endpoint_is_named() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>login</html>")

    with mdh.Client(CONFIG, transport=httpx.MockTransport(html)) as client, \
            pytest.raises(mdh.TransportError, match="MDH_BASE_URL"):
        client.run_flow(client.service_tokens.fresh_flow())


def test_repr_of_everything_hides_secrets() -> None:
    clock, server = Clock(), FakeIdentityServer()
    cache = TokenCache(ServiceTokenSource(CONFIG, clock=clock), clock=clock)
    with httpx.Client(transport=httpx.MockTransport(server), base_url=CONFIG.base_url) as http:
        http.get("api/x", auth=BearerAuth(cache))
    texts: list[Any] = [CONFIG, cache, cache.token, cache.source]
    for obj in texts:
        assert "tok-1" not in repr(obj) and "PRIVATE" not in repr(obj)


def test_token_says_its_lifetime_and_the_seconds_left_now_without_its_value() -> None:
    from mdh_notebook.auth import Token

    now = time.time()
    token = Token("secret-value-123", issued_at=now - 600, expires_at=now + 3000, scopes=("SurveyAnswers:read",))
    assert "lifetime=3600s" in repr(token) and "secret-value-123" not in repr(token)
    assert 2990 < token.expires_in <= 3000 and token.remaining(now) == 3000
