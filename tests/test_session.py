"""ParticipantSession against the real sandbox over loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer


@pytest.fixture
def session(client: mdh.Client) -> mdh.ParticipantSession:
    return client.connect("PT-0001", ["Participant:read", "SurveyAnswers:read", "FitbitSleepLogs:read"])


def test_frames_are_the_records_the_api_sent(session: mdh.ParticipantSession,
                                             raw_answers: list[dict[str, Any]]) -> None:
    answers = session.survey_answers()
    assert len(answers) == len(raw_answers) > 100  # more than one page
    assert answers.attrs["pages"] == -(-len(raw_answers) // 100)
    pd.testing.assert_frame_equal(answers.drop(columns=[], errors="ignore"),
                                  mdh.to_frame("survey_answers", raw_answers), check_like=False,
                                  check_exact=True, check_flags=False)
    assert str(answers["inserted_date"].dtype) == "datetime64[ns, UTC]"
    assert answers["participant_identifier"].dropna().eq("PT-0001").all()


def test_participant_info_and_sleep_logs(session: mdh.ParticipantSession) -> None:
    info = session.participant_info()
    assert len(info) == 1
    assert info.loc[0, "participant_identifier"] == "PT-0001"
    assert info.loc[0, "participant_id"] == session.participant_id
    sleep = session.fitbit_sleep_logs()
    assert len(sleep) > 25 and sleep.attrs["pages"] >= 2
    assert str(sleep["start_timestamp"].dtype) == "datetime64[ns, UTC]"
    assert (sleep["end_timestamp"] > sleep["start_timestamp"]).all()


def test_connect_by_internal_id_and_unknown_participants(client: mdh.Client, session: mdh.ParticipantSession) -> None:
    by_id = client.connect(session.participant_id, ["SurveyAnswers:read"])
    assert by_id.participant_identifier == "PT-0001"
    # the GUID forms every filter takes (filters.as_guid): braces, no dashes, upper case
    for form in ("{" + session.participant_id.upper() + "}", session.participant_id.replace("-", "")):
        assert client.find_participant(form)["id"] == session.participant_id, form
    with pytest.raises(mdh.ParticipantNotFound, match="PT-9999"):
        client.connect("PT-9999", ["SurveyAnswers:read"])
    with pytest.raises(mdh.ParticipantNotFound, match="00000000-0000-4000-8000-000000000000"):
        client.connect("00000000-0000-4000-8000-000000000000", ["SurveyAnswers:read"])


def test_scope_guard_refuses_before_any_request(client: mdh.Client, stats: Any) -> None:
    narrow = client.connect("PT-0001", ["SurveyAnswers:read"])
    before = stats()["requests"]
    with pytest.raises(mdh.ScopeError, match="FitbitSleepLogs:read"):
        narrow.fitbit_sleep_logs()
    with pytest.raises(mdh.ScopeError, match="Participant:read"):
        narrow.participant_info()
    assert stats()["requests"] == before


def test_unknown_scope_is_refused_at_connect_with_a_suggestion(client: mdh.Client, stats: Any) -> None:
    before = stats()["requests"]
    with pytest.raises(mdh.ScopeError, match="did you mean 'SurveyAnswers:read'"):
        client.connect("PT-0001", ["SurveyAnswer:read"])
    with pytest.raises(mdh.ScopeError, match="did you mean 'FitbitSleepLogs:read'"):
        client.connect("PT-0001", ["fitbitsleeplogs"])
    assert stats()["requests"] == before


def test_api_and_user_read_scopes_cover_reads(client: mdh.Client) -> None:
    assert len(client.connect("PT-0002", ["api"]).fitbit_sleep_logs()) > 0
    assert len(client.connect("PT-0002", ["user/*.read"]).participant_info()) == 1


def test_bad_arguments_are_refused_before_any_request(client: mdh.Client, stats: Any) -> None:
    before = stats()["requests"]
    with pytest.raises(mdh.ScopeError, match="list of names"):
        client.connect("PT-0001", None)  # type: ignore[arg-type]
    with pytest.raises(mdh.ScopeError, match="list of names"):
        client.connect("PT-0001", {"SurveyAnswers:read": True})  # type: ignore[arg-type]
    with pytest.raises(mdh.InvalidArgumentError, match="participantIdentifier like 'PT-0001'"):
        client.connect(123, ["SurveyAnswers:read"])  # type: ignore[arg-type]
    assert stats()["requests"] == before


def test_a_bad_zone_is_refused_before_any_request(session: mdh.ParticipantSession, stats: Any) -> None:
    before = stats()["requests"]
    with pytest.raises(mdh.InvalidArgumentError, match="IANA"):
        session.survey_answers(tz="Mars/Olympus")
    assert stats()["requests"] == before


def test_a_closed_session_says_so(config: mdh.Config) -> None:
    with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config) as session:
        assert len(session.survey_answers(survey_name="PHQ-9")) > 0
    with pytest.raises(mdh.ClosedError, match="connect again"):
        session.survey_answers()
    with pytest.raises(mdh.ConfigurationError, match="not both"):
        mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config, base_url="https://example.org/")


def test_no_data_and_no_permission_are_different_answers(client: mdh.Client) -> None:
    participants = client.participants()
    ids = participants["participant_identifier"].tolist()
    empty_counts = {}
    for pid in ids:
        s = client.connect(pid, ["FitbitSleepLogs:read"])
        empty_counts[pid] = len(s.fitbit_sleep_logs())
    no_fitbit = [pid for pid, n in empty_counts.items() if n == 0]
    assert no_fitbit, "the sandbox should have a participant without Fitbit"
    frame = client.connect(no_fitbit[0], ["FitbitSleepLogs:read"]).fitbit_sleep_logs()
    assert frame.empty and list(frame.columns) == mdh.KINDS["fitbit_sleep_logs"].column_names
    with pytest.raises(mdh.ScopeError):
        client.connect(no_fitbit[0], ["SurveyAnswers:read"]).fitbit_sleep_logs()


def test_local_time_is_the_participants_zone(session: mdh.ParticipantSession) -> None:
    assert session.time_zone
    local = session.survey_answers(tz="local", survey_name="PHQ-9")
    utc = session.survey_answers(survey_name="PHQ-9")
    assert str(local["inserted_date"].dt.tz) == session.time_zone
    assert (local["inserted_date"] == utc["inserted_date"]).all()
    assert set(utc["survey_name"]) == {"PHQ-9"}


def test_bad_filters_are_refused_before_any_request(session: mdh.ParticipantSession, stats: Any) -> None:
    before = stats()["requests"]
    with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'survey_name'"):
        session.survey_answers(surveyName="PHQ-9")
    with pytest.raises(mdh.InvalidArgumentError, match="ISO 8601"):
        session.survey_answers(after="yesterday-ish")
    with pytest.raises(mdh.InvalidArgumentError, match="takes filters as keywords"):
        session.survey_answers("PHQ-9")
    assert stats()["requests"] == before


def test_list_filters_and_comma_escaping(session: mdh.ParticipantSession) -> None:
    full = session.survey_answers()
    two = session.survey_answers(survey_name=["PHQ-9", "WeeklyActivity"])
    assert len(two) == full["survey_name"].isin(["PHQ-9", "WeeklyActivity"]).sum()
    with_comma = [a for answers in full["answers"] for a in answers if "," in a]
    if with_comma:
        hits = session.survey_answers(answer=with_comma[0])
        assert len(hits) == full["answers"].map(lambda a: with_comma[0] in a).sum()


# -- paging at the edges: windows on insertedDate that hold exactly N records ----------------

def _window(times: pd.Series, n: int, start: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """An exclusive (after, before) window holding exactly n records, the first such from ``start``
    whose edges fall between two distinct instants (records may share an instant)."""
    t = times.sort_values(ignore_index=True)
    for s in range(start, len(t) - n + 1):
        e = s + n
        if (s == 0 or t[s - 1] < t[s]) and (e == len(t) or t[e - 1] < t[e]):
            lo = t[s - 1] if s else t[0] - pd.Timedelta(seconds=1)
            hi = t[e] if e < len(t) else t.iloc[-1] + pd.Timedelta(seconds=1)
            return lo, hi
    raise AssertionError(f"no window of exactly {n} records")


@pytest.fixture(scope="module")
def year_session(config_for: Any) -> Iterator[mdh.ParticipantSession]:
    """PT-0001 over a year, so one step alone (one record per survey result) spans 3+ pages."""
    with SandboxServer(days=365).start() as server, mdh.Client(config_for(server)) as client:
        yield client.connect("PT-0001", ["SurveyAnswers:read"])


@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 200, 201])
def test_survey_answer_paging_at_the_edges(year_session: mdh.ParticipantSession, n: int) -> None:
    moods = year_session.survey_answers(step_identifier="Mood")
    assert len(moods) > 201 and moods["inserted_date"].is_unique
    if n == 0:
        after, before = pd.Timestamp("1999-01-01", tz="UTC"), pd.Timestamp("1999-01-02", tz="UTC")
    else:
        after, before = _window(moods["inserted_date"], n, start=5)
    frame = year_session.survey_answers(step_identifier="Mood", inserted_after=after, inserted_before=before)
    assert len(frame) == n
    assert frame.attrs["pages"] == max(1, -(-n // 100))  # 100 → one page, 101 → two; 0 → one empty page
    assert frame["id"].is_unique


@pytest.mark.parametrize("n", [0, 25, 26, 50])
def test_sleep_log_paging_at_the_edges(session: mdh.ParticipantSession, n: int) -> None:
    full = session.fitbit_sleep_logs()
    assert len(full) > 50
    if n == 0:
        frame = session.fitbit_sleep_logs(start="1999-01-01", end="1999-02-01")
    else:
        start, end = _window(full["start_timestamp"], n, start=3)
        # startDate is inclusive, endDate exclusive
        frame = session.fitbit_sleep_logs(start + pd.Timedelta(milliseconds=1), end)  # start is inclusive
    assert len(frame) == n
    assert frame.attrs["pages"] == max(1, -(-n // 25))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(a=st.floats(0, 1), b=st.floats(0, 1))
def test_date_windows_match_filtering_the_whole_frame(session: mdh.ParticipantSession, a: float, b: float) -> None:
    full = _full_answers(session)
    lo, hi = full["date"].min(), full["date"].max()
    after, before = sorted([lo + (hi - lo) * a, lo + (hi - lo) * b])
    frame = session.survey_answers(after=after.floor("ms"), before=before.ceil("ms"))
    expected = full[(full["date"] > after.floor("ms")) & (full["date"] < before.ceil("ms"))]
    assert sorted(frame["id"]) == sorted(expected["id"])


_FULL: dict[str, pd.DataFrame] = {}


def _full_answers(session: mdh.ParticipantSession) -> pd.DataFrame:
    if "answers" not in _FULL:
        _FULL["answers"] = session.survey_answers()
    return _FULL["answers"]


# -- tokens over several lifetimes ---------------------------------------------------------

@pytest.fixture
def short_lived() -> Iterator[SandboxServer]:
    with SandboxServer(participant_token_lifetime=3, service_token_lifetime=5).start() as server:
        yield server


def test_session_runs_through_short_lifetimes_without_a_401(short_lived: SandboxServer, config_for: Any) -> None:
    import httpx

    events: list[mdh.RenewalEvent] = []
    with mdh.Client(config_for(short_lived)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read", "FitbitSleepLogs:read"], on_renew=events.append)
        deadline = time.monotonic() + 10
        calls = 0
        while time.monotonic() < deadline:
            session.survey_answers(survey_name="PHQ-9")
            calls += 1
    stats = httpx.get(short_lived.url + "_sandbox/stats").json()
    assert stats["responses"].get("401", 0) == 0
    renewals = [e for e in events if e.reason != "initial"]
    assert session.renewals >= 3 and len(renewals) == session.renewals
    assert all(e.reason == "expiring" and e.previous_remaining is not None and e.previous_remaining > 0
               for e in renewals), "every renewal happened ahead of expiry"
    assert stats["tokens_issued"]["delegated_participant"] == session.renewals + 1
    assert calls > 3


def test_a_token_the_server_stopped_honouring_is_renewed_once_and_the_call_succeeds(
        short_lived: SandboxServer, config_for: Any) -> None:
    import httpx

    with mdh.Client(config_for(short_lived)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        httpx.post(short_lived.url + "_sandbox/clock", json={"advance": 60})  # both tokens now expired
        frame = session.survey_answers(survey_name="PHQ-9")
    assert len(frame) > 0
    stats = httpx.get(short_lived.url + "_sandbox/stats").json()
    assert stats["responses"]["401"] == 1
    assert session.renewals == 1


def test_one_renewal_however_many_threads(sandbox: SandboxServer, stats: Any, config_for: Any) -> None:
    class Clock:
        offset = 0.0

        def __call__(self) -> float:
            return time.time() + self.offset

    clock = Clock()
    with mdh.Client(config_for(sandbox), clock=clock) as client:
        session = client.connect("PT-0003", ["SurveyAnswers:read"])
        issued = stats()["tokens_issued"]["delegated_participant"]
        clock.offset = 3600 - 60  # within the 120 s margin of a one-hour token
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                barrier.wait()
                session.survey_answers(survey_name="PHQ-9")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert stats()["tokens_issued"]["delegated_participant"] - issued == 1
    assert session.renewals == 1


def test_rate_limit_is_reported_per_bucket_with_its_reset(config_for: Any) -> None:
    """The session's budget is its participant's, the client's the service account's; once the last
    answer said none is left, the next call is refused before sending (its reset is past the cap)."""
    with SandboxServer(rate_limit=3).start() as server, mdh.Client(config_for(server)) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read"])
        for _ in range(3):
            session.survey_answers(survey_name="PHQ-9")
        assert session.rate_limit is not None and session.rate_limit.remaining == 0 and session.rate_limit.limit == 3
        assert client.rate_limit is not None and client.rate_limit.limit == 10000  # the admin lookup's bucket
        other = client.connect("PT-0002", ["SurveyAnswers:read"])
        assert other.rate_limit is None  # nothing spent from PT-0002's bucket yet
        sent = httpx.get(server.url + "_sandbox/stats").json()["requests"]
        with pytest.raises(mdh.RateLimitError) as info:
            session.survey_answers(survey_name="PHQ-9")
        assert httpx.get(server.url + "_sandbox/stats").json()["requests"] == sent  # refused before sending
        other.survey_answers(survey_name="PHQ-9")  # another participant's budget is untouched
        assert other.rate_limit is not None and other.rate_limit.remaining == 2
    assert info.value.reset is not None and 3000 < info.value.reset <= 3600
    assert info.value.limit == 3
    text = str(info.value)
    assert "participant 'PT-0001'" in text and "resets in" in text and "--rate-limit" in text
    assert "rate_limit_wait=300 s" in text and "device_data_aggregate()" in text


def test_fetch_tells_on_page_of_every_page_with_the_pager_state(config: mdh.Config) -> None:
    seen: list[tuple[int, int, bool]] = []
    with mdh.Client(config) as c:
        session = c.connect("PT-0001", ["SurveyAnswers:read"])
        frame = session.fetch("survey_answers", progress=False,
                              on_page=lambda state: seen.append((state.pages, state.records, state.done)))
    assert len(seen) == frame.attrs["pages"] > 1  # PT-0001 has more than one page of everything
    assert [pages for pages, _, _ in seen] == list(range(1, len(seen) + 1))
    assert seen[-1][1] == len(frame) and seen[-1][2] and not any(done for _, _, done in seen[:-1])


def test_kind_methods_take_on_page_too(config: mdh.Config) -> None:
    pages: list[int] = []
    with mdh.Client(config) as c:
        frame = c.connect("PT-0001", ["SurveyAnswers:read"]).survey_answers(on_page=lambda s: pages.append(s.pages))
    assert pages == list(range(1, frame.attrs["pages"] + 1)) and len(pages) > 1


def test_a_session_on_a_client_without_a_service_account_takes_tokens_from_its_token_source(
        config: mdh.Config, stats: Any) -> None:
    """What the authenticator's sessions do: Client.for_api (no key) + ParticipantSession(token_source=...)."""
    from mdh_notebook.auth import ParticipantTokenSource

    with mdh.Client(config) as admin, mdh.Client.for_api(config.base_url) as api:
        record = admin.find_participant("PT-0001")
        source = ParticipantTokenSource(admin.service_tokens, admin.token_url, record["id"], ["SurveyAnswers:read"])
        session = mdh.ParticipantSession.open(api, {"id": record["id"], "participantIdentifier": "PT-0001"},
                                              ["SurveyAnswers:read"], token_source=source)
        assert session.tokens.source is source and session.participant_identifier == "PT-0001"
        answers = session.survey_answers(survey_name="PHQ-9")
        pd.testing.assert_frame_equal(answers, admin.connect("PT-0001", ["SurveyAnswers:read"])
                                      .survey_answers(survey_name="PHQ-9"))
        assert session.rate_limit is not None and repr(api).endswith("service_account=None)")
        with pytest.raises(mdh.ConfigurationError, match="no service account"):
            api.participants()
