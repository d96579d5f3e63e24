"""Rate-limit budgets per bucket, against sandboxes with tiny budgets. The client's ``sleep`` moves
the sandbox's clock (and the client's own clock follows it), so an hour's wait takes no real time."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

ANSWERS = "/api/v1/delegated/surveyanswers"
TOKEN = "/identityserver/connect/token"


class SandboxTime:
    """A clock for the client that is the sandbox's, and a sleep that moves both on instead of waiting."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.offset = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.server.advance_clock(seconds)
        self.offset += seconds


@pytest.fixture
def tiny() -> Iterator[SandboxServer]:
    """Three delegated requests per participant per hour."""
    with SandboxServer(participants=2, days=90, rate_limit=3).start() as server:
        yield server


def client_for(server: SandboxServer, config_for: Any, **options: Any) -> tuple[mdh.Client, SandboxTime]:
    at = SandboxTime(server)
    return mdh.Client(config_for(server), clock=at.clock, sleep=at.sleep, **options), at


def responses(server: SandboxServer) -> dict[str, int]:
    return server.stats()["responses"]  # type: ignore[no-any-return]


def test_a_spent_budget_is_waited_out_before_sending_instead_of_provoking_a_429(
        tiny: SandboxServer, config_for: Any, caplog: pytest.LogCaptureFixture) -> None:
    client, at = client_for(tiny, config_for, rate_limit_wait=3600)
    with client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        first = [session.survey_answers(survey_name="PHQ-9") for _ in range(3)]
        assert session.rate_limit is not None and session.rate_limit.remaining == 0
        with caplog.at_level(logging.WARNING, logger="mdh_notebook"):
            again = session.survey_answers(survey_name="PHQ-9")
        assert session.rate_limit is not None and session.rate_limit.remaining == 2  # a new hour
    pd.testing.assert_frame_equal(again, first[0])
    assert len(at.slept) == 1 and 3500 < at.slept[0] <= 3600
    assert "429" not in responses(tiny)
    [record] = [r for r in caplog.records if r.name.startswith("mdh_notebook")]
    assert record.levelno == logging.WARNING and f"GET {ANSWERS}: waiting {at.slept[0]:.0f} s for the rate-limit " \
        "budget of participant 'PT-0001' (3 requests per hour) to return" in record.getMessage()


def test_a_429_the_budget_did_not_foresee_is_waited_out_and_tried_again(tiny: SandboxServer,
                                                                        config_for: Any) -> None:
    """Another client spends the same participant's bucket: ours learns of it from the 429."""
    client, at = client_for(tiny, config_for, rate_limit_wait=3600)
    with client, mdh.Client(config_for(tiny)) as other:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        spender = other.connect("PT-0001", ["SurveyAnswers:read"])
        for _ in range(3):
            spender.survey_answers(survey_name="PHQ-9")
        assert session.rate_limit is None  # ours has heard nothing yet
        assert not session.survey_answers(survey_name="PHQ-9").empty
    assert responses(tiny)["429"] == 1 and len(at.slept) == 1 and 3500 < at.slept[0] <= 3600


def test_a_budget_returning_past_the_cap_is_raised_naming_when_and_what_spends_less(
        tiny: SandboxServer, config_for: Any) -> None:
    client, at = client_for(tiny, config_for)  # rate_limit_wait: the default, 300 s
    with client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        for _ in range(3):
            session.survey_answers(survey_name="PHQ-9")
        sent = tiny.stats()["requests"]
        with pytest.raises(mdh.RateLimitError) as info:
            session.survey_answers(survey_name="PHQ-9")
        assert tiny.stats()["requests"] == sent and at.slept == []  # refused before sending, nothing waited
    text = str(info.value)
    assert text.startswith("not sent (GET /api/v1/delegated/surveyanswers): ") and not info.value.sent, text
    returns = re.search(r"it returns at (\d\d:\d\d:\d\d) (UTC\S*) \(resets in (\d+) s\)", text)
    assert returns is not None, text
    assert 3500 < int(returns[3]) <= 3600 and info.value.reset == int(returns[3])
    assert "rate_limit_wait=300 s" in text and "larger rate_limit_wait=" in text
    assert "device_data_aggregate()" in text and "narrower date ranges" in text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_each_participant_has_a_bucket_of_its_own(tiny: SandboxServer, config_for: Any) -> None:
    client, at = client_for(tiny, config_for, rate_limit_wait=3600)
    with client:
        one = client.connect("PT-0001", ["SurveyAnswers:read"])
        two = client.connect("PT-0002", ["SurveyAnswers:read"])
        for _ in range(3):
            one.survey_answers(survey_name="PHQ-9")
        two.survey_answers(survey_name="PHQ-9")  # PT-0001's spent budget keeps PT-0002 waiting for nothing
        assert at.slept == []
        assert one.rate_limit is not None and two.rate_limit is not None
        assert (one.rate_limit.remaining, two.rate_limit.remaining) == (0, 2)
        assert client.rate_limit is not None and client.rate_limit.limit == 10000


def test_the_wait_shows_on_the_progress_bar(tiny: SandboxServer, config_for: Any, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    client, at = client_for(tiny, config_for, rate_limit_wait=3600)
    with client:
        session = client.connect("PT-0001", ["FitbitSleepLogs:read"])
        logs = session.fitbit_sleep_logs(progress=True)  # 25 a page: pages 1-3 spend the budget, page 4 waits
    assert logs.attrs["pages"] >= 4 and len(at.slept) == 1
    err = capsys.readouterr().err
    assert "fitbit_sleep_logs" in err and "waiting " in err and "rate-limit budget of participant 'PT-0001'" in err


def test_throttling_is_waited_out_for_the_seconds_it_names(config_for: Any) -> None:
    with SandboxServer(participants=1, days=60).start() as server:
        client, at = client_for(server, config_for)
        with client:
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            whole = session.survey_answers()
            server.set_faults(seed=5, throttle_rate=0.4, throttle_reset=7, paths=[ANSWERS, TOKEN])
            again = session.survey_answers()
            fresh = client.connect("PT-0001", ["SurveyAnswers:read"])  # a token request throttled too, maybe
            fresh.survey_answers()
        throttled = server.stats()["faults_injected"]["throttle"]
    pd.testing.assert_frame_equal(again, whole)
    assert throttled > 0 and at.slept == [7.0] * throttled


def test_sessions_for_one_participant_share_its_budget_and_another_participant_keeps_its_own(
        tiny: SandboxServer, config_for: Any) -> None:
    """The server keeps one bucket per participant: a second session for PT-0001 on the same client
    knows it is spent without a 429, while PT-0002's is untouched."""
    client, at = client_for(tiny, config_for)  # rate_limit_wait: the default, 300 s, so a spent hour is refused
    with client:
        spender = client.connect("PT-0001", ["SurveyAnswers:read"])
        other = client.connect("PT-0001", ["SurveyAnswers:read"])
        elsewhere = client.connect("PT-0002", ["SurveyAnswers:read"])
        for _ in range(3):
            spender.survey_answers(survey_name="PHQ-9")
        assert other.rate_limit is not None and other.rate_limit.remaining == 0
        sent = tiny.stats()["requests"]
        with pytest.raises(mdh.RateLimitError) as info:
            other.survey_answers(survey_name="PHQ-9")
        assert tiny.stats()["requests"] == sent and not info.value.sent
        assert "participant 'PT-0001'" in str(info.value)
        assert not elsewhere.survey_answers(survey_name="PHQ-9").empty
        assert elsewhere.rate_limit is not None and elsewhere.rate_limit.remaining == 2
    assert "429" not in responses(tiny) and at.slept == []
