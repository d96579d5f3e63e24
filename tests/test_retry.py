"""The retry policy (mdh_notebook.retry): what is tried again and what the error says when the tries
run out — against the sandbox's injected faults, and fakes at the transport where one exact
sequence of answers is the point. stamina's test mode keeps every backoff at zero."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pandas as pd
import pytest
from fakes import CONFIG, token_or

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.retry import RetryPolicy

ANSWERS = "/api/v1/delegated/surveyanswers"
TOKEN = "/identityserver/connect/token"
EMPTY = {"surveyAnswers": []}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    """A small sandbox of this module's own (faults are set per test and cleared by the reset)."""
    with SandboxServer(participants=2, days=60).start() as running:
        yield running


@pytest.fixture
def faulty(server: SandboxServer) -> Iterator[SandboxServer]:
    server.reset()
    yield server
    server.reset()  # clears the faults too


def injected(server: SandboxServer) -> dict[str, int]:
    return server.stats()["faults_injected"]  # type: ignore[no-any-return]


def scripted(*steps: httpx.Response | Exception) -> tuple[list[httpx.Request], Callable[[httpx.Request],
                                                                                         httpx.Response]]:
    """An API answering with ``steps`` in turn (an exception is raised as the transport's), then empty pages."""
    sent: list[httpx.Request] = []
    queue = list(steps)

    def app(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if not queue:
            return httpx.Response(200, json=EMPTY)
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step
    return sent, app


# -- what is tried again ---------------------------------------------------------------------

def test_errors_drops_and_timeouts_on_a_get_are_tried_again_through_an_injected_transport() -> None:
    """The policy lives in the client, not in httpx.HTTPTransport(retries=): a MockTransport is retried too."""
    request = httpx.Request("GET", "https://mdh.test/")
    sent, app = scripted(httpx.Response(503), httpx.RemoteProtocolError("dropped", request=request),
                         httpx.ReadTimeout("slow", request=request), httpx.Response(502, text="<html>bad gateway"))
    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app))) as client:
        assert client.frame("survey_answers").empty
    assert len(sent) == 5


def test_exhausted_retries_say_what_failed_how_often_with_the_last_error_class() -> None:
    request = httpx.Request("GET", "https://mdh.test/")
    drop = httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    _, app = scripted(httpx.Response(503), drop, httpx.Response(503), drop, httpx.Response(503))
    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app))) as client, \
            pytest.raises(mdh.ServerError) as info:
        client.frame("survey_answers")
    text = str(info.value)
    assert "gave up after 5 attempts (503 ×3, connection dropped ×2)" in text
    assert f"GET {ANSWERS}" in text and "page 1 failed; no rows had arrived" in text
    assert info.value.status_code == 503 and "MDH_BASE_URL" not in text


def test_attempts_are_configurable_and_checked() -> None:
    sent, app = scripted(*[httpx.Response(500)] * 9)
    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app)), retry=RetryPolicy(attempts=2)) as client, \
            pytest.raises(mdh.ServerError, match=r"gave up after 2 attempts \(500 ×2\)"):
        client.frame("survey_answers")
    assert len(sent) == 2
    for bad in ({"attempts": 0}, {"attempts": 2.5}, {"timeout": -1}, {"rate_limit_wait": float("nan")},
                {"renewals": -1}):
        with pytest.raises(mdh.InvalidArgumentError, match=next(iter(bad))):
            RetryPolicy(**bad)


@pytest.mark.parametrize(("failure", "tried"), [
    (httpx.ConnectError("refused"), 2),  # never arrived: sent again
    (httpx.RemoteProtocolError("dropped"), 1),  # may have arrived: sent once
    (httpx.ReadTimeout("slow"), 1),
    (httpx.Response(503, text="busy"), 1),  # it arrived: the server may have done it
])
def test_a_write_is_sent_again_only_when_it_surely_never_arrived(failure: Exception | httpx.Response,
                                                                  tried: int) -> None:
    writes: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not request.url.path.endswith("/token"):
            writes.append(request)
            if len(writes) == 1:
                if isinstance(failure, httpx.Response):
                    return failure
                raise type(failure)(str(failure), request=request)
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=EMPTY)

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app))) as client:
        session = client.connect("PT-0001", ["DeviceData:write"])
        if tried == 2:
            session.call("persist_device_data", json=[])
        else:
            error = mdh.ServerError if isinstance(failure, httpx.Response) else mdh.TransportError
            with pytest.raises(error, match="check whether it took effect before sending it again") as info:
                session.call("persist_device_data", json=[])
            if isinstance(failure, httpx.Response):
                assert str(info.value).startswith("HTTP 503 (POST /api/v1/delegated/devicedata): busy — ")
                assert info.value.status_code == 503 and info.value.message.startswith("busy — ")
    assert len(writes) == tried


def test_a_token_request_that_fails_is_sent_again_with_a_new_assertion() -> None:
    """A dropped token answer may have spent the assertion's jti: the next try signs a new one."""
    assertions: list[str] = []

    def app(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        assertions.append(form["client_assertion"][0])
        if len(assertions) == 1:
            raise httpx.RemoteProtocolError("dropped", request=request)
        if len(assertions) == 2:
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(app)) as client:
        token = client.run_flow(client.service_tokens.fresh_flow)
    assert token.value == "t" and len(assertions) == 3
    jtis = {jwt.decode(a, options={"verify_signature": False})["jti"] for a in assertions}
    assert len(jtis) == 3


def test_a_flow_object_is_run_once_and_a_refusal_is_not_retried() -> None:
    calls: list[int] = []

    def app(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json={"error": "invalid_client", "error_description": "bad signature"})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(app)) as client:
        with pytest.raises(mdh.TokenRequestError, match="invalid_client"):
            client.run_flow(client.service_tokens.fresh_flow)  # a refusal is an answer: sent once
        with pytest.raises(mdh.TokenRequestError):
            client.run_flow(client.service_tokens.fresh_flow())
    assert len(calls) == 2


def test_token_endpoint_faults_are_survived(faulty: SandboxServer, config_for: Any) -> None:
    faulty.set_faults(seed=3, error_rate=0.3, drop_rate=0.3, paths=[TOKEN])
    with mdh.Client(config_for(faulty)) as client:
        for _ in range(5):
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            assert session.token is not None
    assert injected(faulty)["error"] > 0 and injected(faulty)["drop"] > 0


# -- 401: renew once per 401, a bounded number of times --------------------------------------

def test_two_401s_in_a_row_renew_each_time_and_the_call_succeeds() -> None:
    tokens: list[str] = []
    sent, app = scripted(httpx.Response(401), httpx.Response(401), httpx.Response(401))

    def counting(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/connect/token"):
            tokens.append("x")
        return token_or(app)(request)

    with mdh.Client(CONFIG, transport=httpx.MockTransport(counting)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        before = len(tokens)
        assert session.survey_answers().empty
        # 401 → renew → 401 (raised to the policy) → again with that token → 401 → renew → 200
        assert session.renewals == 2
    assert len(sent) == 4 and len(tokens) - before == 2


def test_a_credential_refused_for_good_ends_with_a_clear_error(faulty: SandboxServer, config_for: Any) -> None:
    """Every API answer a 401 (expire_rate=1 on the data path): renewals=2 more tries, each renewing once."""
    with mdh.Client(config_for(faulty)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        faulty.set_faults(expire_rate=1.0, paths=[ANSWERS])
        issued = faulty.stats()["tokens_issued"]["delegated_participant"]
        with pytest.raises(mdh.AuthenticationError) as info:
            session.survey_answers()
        assert faulty.stats()["tokens_issued"]["delegated_participant"] - issued == 3
    text = str(info.value)
    assert "refused even after renewal" in text and "gave up after 3 attempts (401 ×3)" in text
    assert injected(faulty)["expire"] == 6  # each try: the request, then once more after its renewal


def test_revoked_tokens_are_replaced_and_the_session_goes_on(faulty: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(faulty)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        before = session.survey_answers()
        faulty.revoke()  # every token so far: the participant's gets 401, the service token invalid_grant
        after = session.survey_answers()
        assert session.renewals == 1 and client.service_tokens.renewals == 1
        faulty.revoke()
        assert len(client.participants()) == 2 and client.service_tokens.renewals == 2
    pd.testing.assert_frame_equal(before, after)


# -- paging resumes ---------------------------------------------------------------------------

def test_a_pull_that_fails_on_page_n_keeps_its_rows_and_resumes_to_the_same_frame(
        faulty: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(faulty)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        whole = session.survey_answers()
        assert whole.attrs["pages"] >= 3

        def after_page(state: mdh.PagerState) -> None:
            if state.pages == 2:  # page 3 drops on every try
                faulty.set_faults(drop_rate=1.0, paths=[ANSWERS])

        with pytest.raises(mdh.TransportError) as info:
            session.survey_answers(on_page=after_page)
        state = info.value.pager_state
        assert state is not None and state.pages == 2 and state.records == 200 and len(state.rows) == 200
        text = str(info.value)
        assert f"GET {ANSWERS}: gave up after 5 attempts (connection dropped ×5)" in text
        assert "page 3 failed; 200 rows (pages 1–2) had arrived and are kept" in text
        assert "cannot reach" not in text and "MDH_BASE_URL" not in text
        faulty.clear_faults()
        resumed = session.survey_answers(resume=state)
        pd.testing.assert_frame_equal(resumed, whole)
        assert resumed.attrs["pages"] == whole.attrs["pages"]
        with pytest.raises(mdh.InvalidArgumentError, match="with other filters"):
            session.survey_answers(resume=state, survey_name="PHQ-9")


def test_a_failed_page_is_tried_again_in_place(faulty: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(faulty)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        whole = session.survey_answers()
        faulty.set_faults(seed=11, error_rate=0.25, drop_rate=0.25, paths=[ANSWERS])
        again = session.survey_answers()
    pd.testing.assert_frame_equal(again, whole)
    assert injected(faulty)["error"] + injected(faulty)["drop"] > 0


# -- a bounded lock ---------------------------------------------------------------------------

def _two_threads(work: Callable[[], Any]) -> list[BaseException | Any]:
    barrier = threading.Barrier(2)
    results: list[BaseException | Any] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        except BaseException as exc:  # reported to the test body
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_renewal_that_outlasts_the_lock_timeout_is_an_error_not_a_hang(faulty: SandboxServer,
                                                                         config_for: Any) -> None:
    faulty.set_faults(latency_ms=800, paths=[TOKEN])  # the token request takes 0.8 s; a waiter waits 0.2 s
    with mdh.Client(config_for(faulty), lock_timeout=0.2) as client:
        results = _two_threads(lambda: client.run_flow(client.service_tokens.fresh_flow))
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], mdh.TransportError), results
    assert "renewing the service token for over 0.2 s" in str(errors[0]) and "timeout=" in str(errors[0])
    assert sum(isinstance(r, mdh.Token) for r in results) == 1


def test_a_waiter_within_the_derived_bound_gets_the_one_renewal(faulty: SandboxServer, config_for: Any) -> None:
    faulty.set_faults(latency_ms=300, paths=[TOKEN])
    with mdh.Client(config_for(faulty), timeout=5.0) as client:
        assert client.lock_timeout == 15.0  # three request timeouts
        results = _two_threads(lambda: client.run_flow(client.service_tokens.fresh_flow))
    assert all(isinstance(r, mdh.Token) for r in results) and results[0] is results[1]
    assert faulty.stats()["tokens_issued"]["client_credentials"] == 1


# -- what a retry says -----------------------------------------------------------------------

def test_each_retry_is_one_line_of_ours_at_info_naming_what_failed_and_the_wait(
        caplog: pytest.LogCaptureFixture) -> None:
    request = httpx.Request("GET", "https://mdh.test/")
    _, app = scripted(httpx.Response(503), httpx.RemoteProtocolError("dropped", request=request))
    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app))) as client, \
            caplog.at_level(logging.INFO, logger="mdh_notebook.retry"):
        assert client.frame("survey_answers").empty
    lines = [r.getMessage() for r in caplog.records if r.name == "mdh_notebook.retry"]
    assert [r.levelno for r in caplog.records if r.name == "mdh_notebook.retry"] == [logging.INFO] * 2
    assert lines == [f"GET {ANSWERS}: 503 on try 1 of 5; trying again in 0.0 s",
                     f"GET {ANSWERS}: connection dropped on try 2 of 5; trying again in 0.0 s"], lines  # no token
    # stamina's own records still reach a configured handler, carrying our repr of what failed
    caused = [vars(r)["stamina.caused_by"] for r in caplog.records if r.name == "stamina"]
    assert [c.split(":")[0] for c in caused] == ["Failure('503", "Failure('connection dropped"], caused


UNCONFIGURED = textwrap.dedent("""
    import mdh_notebook as mdh
    from mdh_notebook.emulator import SandboxServer

    with SandboxServer(participants=1, days=30).start() as server:
        creds = server.credentials
        config = mdh.Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                                        project_id=creds.project_id, private_key=creds.private_key_pem)
        policy = mdh.client.RetryPolicy(attempts=20, wait_initial=0.001, wait_max=0.001, wait_jitter=0)
        with mdh.Client(config, retry=policy) as client:
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            server.set_faults(seed=3, error_rate=0.4, drop_rate=0.2)
            rows = len(session.survey_answers(progress=False))
            print("rows", rows, "faults", sum(server.stats()["faults_injected"].values()))
""")


def test_with_logging_unconfigured_a_retry_prints_no_bare_stamina_line() -> None:
    """Python's last-resort handler would print stamina's WARNING record 'stamina.retry_scheduled' for
    every retry; the NullHandler retry.py puts on the "stamina" logger keeps it off stderr."""
    done = subprocess.run([sys.executable, "-c", UNCONFIGURED], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    assert words[0] == "rows" and int(words[1]) > 0 and int(words[3]) > 0, done.stdout  # faults were retried
    assert "stamina" not in done.stderr, done.stderr
