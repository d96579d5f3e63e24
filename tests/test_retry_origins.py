"""The retry policy judges each server by its own answers (mdh_notebook/retry.py's per-origin notes).

A session through an authenticator sends its API requests to the sandbox and its renewals to the
authenticator: with the authenticator down, a renewal's error names the authenticator's URL — never the
sandbox's, which answered — and says it cannot be reached (or, when it answered this client before, that
it is failing part-way). An HTML 5xx page from a server that gave 2xx JSON answers before is a gateway's
(the service behind it failing), not a sign of a wrong MDH_BASE_URL; from a server that did not, or when
only another server did, it still may be.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from suite import SUITE_BUDGETS, config_for

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService
from mdh_notebook.emulator import SandboxServer

API_KEY = "origins-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "notebook"
api_key = "{API_KEY}"
participants = ["PT-0001"]
scopes = ["SurveyAnswers:read"]
"""
SCOPES = ["SurveyAnswers:read"]
SURVEY_ANSWERS = "/api/v1/delegated/surveyanswers"
WRONG_URL = "is MDH_BASE_URL a MyDataHelps API"
GATEWAY = "a proxy or gateway answered with an HTML page (502 Bad Gateway)"


class Pair:
    """A sandbox, an authenticator holding its service account, and a session connected through it."""

    def __init__(self, stack: ExitStack) -> None:
        self.sandbox = stack.enter_context(SandboxServer(participants=2, days=7, **SUITE_BUDGETS).start())
        service = TokenService(mdh.Client(config_for(self.sandbox), rate_limit_wait=0),
                               Grants.parse(GRANTS, origin="grants.toml"), owns_client=True)
        stack.callback(service.close)
        self.authenticator = stack.enter_context(AuthenticatorServer(service).start())
        self.session = stack.enter_context(mdh.connect("PT-0001", SCOPES, authenticator=self.authenticator.url,
                                                       api_key=API_KEY))
        assert len(self.session.survey_answers(progress=False)) > 0  # the sandbox answered this session

    def renew(self) -> None:
        """A forced renewal, as after a 401 (through the session's own client, to the authenticator)."""
        tokens, stale = self.session.tokens, self.session.token
        self.session.client.run_flow(lambda: tokens.fresh_flow(force=True, stale=stale))


@pytest.fixture
def pair() -> Iterator[Pair]:
    with ExitStack() as stack:
        yield Pair(stack)


def _forced(pair: Pair) -> None:
    pair.renew()


def _revoked(pair: Pair) -> None:
    pair.sandbox.revoke()  # the session's token is refused: the 401 renews it inside the API request
    pair.session.survey_answers(progress=False)


@pytest.mark.parametrize("renewal", [_forced, _revoked], ids=["forced", "after-a-401"])
def test_a_renewal_with_the_authenticator_down_names_the_authenticator(pair: Pair,
                                                                       renewal: Callable[[Pair], None]) -> None:
    pair.authenticator.stop()
    with pytest.raises(mdh.TransportError) as info:
        renewal(pair)
    message = str(info.value)
    assert message.startswith("POST /token: cannot reach " + pair.authenticator.url), message
    assert "gave up after 5 attempts (no connection ×5)" in message
    assert "it has never answered this client: check that the server there is running" in message
    assert str(pair.sandbox.port) not in message and "answered earlier requests" not in message
    assert "MDH_BASE_URL" not in message and API_KEY not in message
    assert info.value.__cause__ is None


def test_an_authenticator_that_answered_before_is_failing_part_way(pair: Pair) -> None:
    pair.renew()  # the authenticator answers this session's client once
    pair.authenticator.stop()
    with pytest.raises(mdh.TransportError) as info:
        pair.renew()
    message = str(info.value)
    assert message.startswith("POST /token: gave up after 5 attempts"), message
    assert f"{pair.authenticator.url} answered earlier requests, so the connection or the server is failing" in message
    assert str(pair.sandbox.port) not in message and "cannot reach" not in message


def test_the_sandbox_s_502_page_after_json_answers_is_a_gateway_s(pair: Pair) -> None:
    """Every request fails with a 5xx (a mix of 500, 502 and 503: the status is drawn), so whichever
    ends the tries is the error; until a 502 has ended one, each says what its status says."""
    statuses: list[int] = []
    try:
        pair.sandbox.set_faults(seed=3, error_rate=1.0, paths=[SURVEY_ANSWERS])
        while 502 not in statuses and len(statuses) < 40:
            with pytest.raises(mdh.ServerError) as info:
                pair.session.survey_answers(progress=False)
            message = str(info.value)
            statuses.append(info.value.status_code)
            assert WRONG_URL not in message and "MDH_BASE_URL" not in message and "<" not in message
            if info.value.status_code == 502:
                assert GATEWAY in message and "the service behind it is failing or restarting" in message
                assert "gave up after 5 attempts" in message
    finally:
        pair.sandbox.clear_faults()
    assert 502 in statuses, statuses


# -- which answers count: 2xx JSON, from the same origin ------------------------------------------------------

BASE = "http://127.0.0.1:9/"  # never dialled: the transport below answers in its place
OTHER = "http://127.0.0.2:9/"


def _server(request: httpx.Request) -> httpx.Response:
    """A site whose front page is a 200 HTML page, whose /ok is 200 JSON, and whose API is a proxy's 502."""
    if request.url.path == "/":
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>Sign in</html>")
    if request.url.path == "/ok":
        return httpx.Response(200, json={"ok": True})
    return httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>Bad Gateway</html>")


def _api_502(client: mdh.Client) -> str:
    with pytest.raises(mdh.ServerError) as info:
        client.request("GET", "api/v1/delegated/surveyanswers")
    assert info.value.status_code == 502
    return str(info.value)


def test_only_a_2xx_json_answer_from_the_same_origin_makes_a_5xx_page_a_gateway_s() -> None:
    with mdh.Client.for_api(BASE, transport=httpx.MockTransport(_server)) as client:
        assert WRONG_URL in _api_502(client)  # nothing heard yet: the URL is in question
        client.request("GET", "")  # a 200, but an HTML page (a login page answers like that)
        assert WRONG_URL in _api_502(client)
        client.request("GET", OTHER + "ok")  # JSON, from another server
        assert WRONG_URL in _api_502(client)
        client.request("GET", "ok")  # JSON from this one
        later = _api_502(client)
        assert GATEWAY in later and WRONG_URL not in later and "gave up after 5 attempts (502 ×5)" in later
