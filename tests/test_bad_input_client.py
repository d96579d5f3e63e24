"""Client-side bad input and bad luck: one test per case, each answered with a message that names the
fix, with no chained exception and no frame from inside a library (httpx, stamina, tenacity) in its
traceback. (Configuration mistakes — a bad base URL, project id or key — are in test_bad_input.py.)"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import CONFIG

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

ANSWERS = "/api/v1/delegated/surveyanswers"


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(participants=3, days=60).start() as running:
        yield running


@pytest.fixture
def fresh(server: SandboxServer) -> Iterator[SandboxServer]:
    server.reset()
    yield server
    server.reset()


def assert_clean(exc: BaseException) -> None:
    """No cause, no context to print, and every frame of the traceback ours or the test's."""
    assert exc.__cause__ is None
    assert exc.__context__ is None, repr(exc.__context__)
    libraries = [f"{frame.filename}:{frame.lineno}" for frame in traceback.extract_tb(exc.__traceback__)
                 if "site-packages" in frame.filename]
    assert not libraries, libraries


def requests_to(server: SandboxServer, fragment: str) -> int:
    return sum(n for key, n in server.stats()["requests"].items() if fragment in key)


def test_an_identifier_in_the_wrong_case_gets_the_one_meant(fresh: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(fresh)) as client:
        before = requests_to(fresh, "participants")
        with pytest.raises(mdh.ParticipantNotFound) as info:
            client.connect("pt-0001", ["SurveyAnswers:read"])
        assert requests_to(fresh, "participants") - before == 2  # the lookup, then one listing query
    assert str(info.value) == ("no participant 'pt-0001' in this project; did you mean 'PT-0001'? "
                               "(participant identifiers are case-sensitive)")
    assert info.value.participant == "pt-0001"
    assert_clean(info.value)


def test_an_unknown_identifier_gets_no_suggestion(fresh: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(fresh)) as client, pytest.raises(mdh.ParticipantNotFound) as info:
        client.connect("PT-0999", ["SurveyAnswers:read"])
    assert "did you mean" not in str(info.value) and "'PT-0999'" in str(info.value)
    assert_clean(info.value)


def test_a_server_that_is_down_is_named_with_the_setting_to_check() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = mdh.Config.from_values(base_url=f"http://127.0.0.1:{port}/", service_account="a", project_id="p",
                                    private_key=CONFIG.private_key)
    with pytest.raises(mdh.TransportError) as info:
        mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config)
    text = str(info.value)
    assert f"cannot reach http://127.0.0.1:{port}/" in text and "check MDH_BASE_URL" in text
    assert "gave up after 5 attempts (no connection ×5)" in text
    assert_clean(info.value)


def test_a_drop_mid_paging_says_what_failed_not_cannot_reach(fresh: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(fresh)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])

        def after_page(state: mdh.PagerState) -> None:
            if state.pages == 1:
                fresh.set_faults(drop_rate=1.0, paths=[ANSWERS])

        with pytest.raises(mdh.TransportError) as info:
            session.survey_answers(on_page=after_page)
    text = str(info.value)
    assert text.startswith(f"GET {ANSWERS}: gave up after 5 attempts (connection dropped ×5); {fresh.url} answered "
                           "earlier requests, so the connection or the server is failing part-way — try again later")
    assert "page 2 failed; 100 rows (page 1) had arrived and are kept" in text and "resume=exc.pager_state" in text
    assert "cannot reach" not in text and "MDH_BASE_URL" not in text
    assert_clean(info.value)


def test_a_timeout_names_the_timeout_setting(fresh: SandboxServer, config_for: Any) -> None:
    with mdh.Client(config_for(fresh), timeout=0.3) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        fresh.set_faults(latency_ms=1500, paths=[ANSWERS])
        with pytest.raises(mdh.TransportError) as info:
            session.survey_answers()
    text = str(info.value)
    assert f"GET {ANSWERS}: no answer from {fresh.url} within timeout=0.3 s — gave up after 5 attempts " \
           "(read timeout ×5); try again later, or give it longer with timeout=" in text
    assert_clean(info.value)


def test_a_client_without_a_service_account_says_so(fresh: SandboxServer) -> None:
    with mdh.Client.for_api(fresh.url) as client:
        with pytest.raises(mdh.ConfigurationError) as info:
            client.participants()
        assert "this client has no service account (it was opened through an authenticator" in str(info.value)
        assert_clean(info.value)
        with pytest.raises(mdh.ConfigurationError, match="no service account"):
            client.connect("PT-0001", ["SurveyAnswers:read"])
        with pytest.raises(mdh.ConfigurationError, match="no service account"):
            _ = client.config
        assert fresh.stats()["requests"] == {}  # refused before any request
