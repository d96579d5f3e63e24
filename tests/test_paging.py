"""The pager against servers that misbehave in ways the reference allows: fakes at the transport."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import mdh_notebook as mdh

CONFIG = mdh.Config.from_values(base_url="https://mdh.test/", service_account="acct", project_id="proj",
                                private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))


def token_or(handler):  # type: ignore[no-untyped-def]
    def app(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/connect/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600, "token_type": "Bearer"})
        return handler(request)  # type: ignore[no-any-return]
    return app


def test_page_number_paging_trusts_the_total_over_a_short_page() -> None:
    """A server that caps pageSize at 50 (the admin maximum is unconfirmed) still yields everyone."""
    people = [{"id": f"00000000-0000-4000-8000-{i:012d}", "participantIdentifier": f"PT-{i:04d}"} for i in range(120)]
    asked: list[dict[str, list[str]]] = []

    def admin(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/participants"):
            return httpx.Response(404, json={"message": "no participant with that identifier"})
        params = parse_qs(request.url.query.decode())
        asked.append(params)
        number, size = int(params["pageNumber"][0]), min(50, int(params["pageSize"][0]))
        return httpx.Response(200, json={"participants": people[number * size:(number + 1) * size],
                                         "totalParticipants": len(people), "pageNumber": number})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(admin))) as client:
        frame = client.participants()
        assert len(frame) == 120 and frame["participant_identifier"].is_unique
        assert [p["pageSize"] for p in asked] == [["100"]] * 3  # always the maximum
        # lookup by internal id: a 404 by identifier, then the listing, which must reach page 3
        assert client.find_participant(people[110]["id"])["participantIdentifier"] == "PT-0110"


def test_a_repeated_cursor_is_an_error_not_an_endless_loop() -> None:
    def looping(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"surveyAnswers": [{"id": "a"}], "nextPageID": "same"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(looping))) as client:
        pager = client.pager("survey_answers")
        with pytest.raises(mdh.TransportError, match="repeated page cursor"):
            list(pager)
        assert pager.pages_fetched == 2


def test_a_body_without_the_items_key_is_named() -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": []})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(wrong))) as client, \
            pytest.raises(mdh.TransportError, match="no list 'surveyAnswers'"):
        client.frame("survey_answers")


def test_server_errors_are_retried_then_raised_and_tokens_in_bodies_redacted() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(503, text="busy")
        return httpx.Response(400, json={"message": "bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln echoed"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(flaky))) as client, \
            pytest.raises(mdh.BadRequestError) as info:
        client.frame("survey_answers")
    assert len(calls) == 3
    assert "eyJ" not in str(info.value) and "<redacted>" in str(info.value)


def test_an_unreachable_server_is_named_with_the_fix() -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = mdh.Config.from_values(base_url=f"http://127.0.0.1:{port}/", service_account="a", project_id="p",
                                    private_key=CONFIG.private_key)
    with pytest.raises(mdh.TransportError) as info:
        mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config)
    assert f"127.0.0.1:{port}" in str(info.value) and "MDH_BASE_URL" in str(info.value)
