"""Time-sliced parallel paging (mdh_notebook.slicing) against the real sandbox: a sliced pull returns
exactly the frame of one paged one after another (same rows, same order), for no more requests than
records ÷ page size plus one per slice (one for a one-page pull), resumes after a fault mid-slice,
and ``parallel=1`` sends what it always sent. Requests are counted with ``/_sandbox/stats``."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from suite import SUITE_BUDGETS, config_for

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.errors import InvalidArgumentError

HEART = {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-09-01T00:00:00Z",
         "observed_before": "2026-09-04T00:00:00Z"}  # three days of minute-level points: thousands
SCOPES = ["DeviceData:read", "DeviceData:write", "SurveyAnswers:read"]


def data_requests(server: SandboxServer) -> int:
    """Requests so far, token requests left out."""
    counts = httpx.get(server.url + "_sandbox/stats").json()["requests"]
    return sum(n for route, n in counts.items() if "token" not in route)


def pull(server: SandboxServer, parallel: int, kind: str, filters: dict[str, Any],
         **options: Any) -> tuple[pd.DataFrame, int]:
    """The frame of one pull and the data requests it made; sliced whenever it can be (slice_above=0:
    a loopback sandbox answers too fast for the default to cut these pulls)."""
    with mdh.Client(config_for(server), parallel=parallel, slice_above=0) as client:
        session = client.connect("PT-0001", SCOPES)
        before = data_requests(server)
        frame = client.frame(kind, filters, auth=session.auth, **{"progress": False, **options})
        return frame, data_requests(server) - before


@pytest.fixture(scope="module")
def year() -> Iterator[SandboxServer]:
    """A sandbox of one participant with a year of data: survey answers enough to slice."""
    with SandboxServer(participants=1, days=365, **SUITE_BUDGETS).start() as server:
        yield server


def test_a_sliced_pull_is_the_sequential_frame_for_the_minimum_plus_one_per_slice(sandbox: SandboxServer) -> None:
    one, sequential = pull(sandbox, 1, "device_data_v2", HEART)
    four, sliced = pull(sandbox, 4, "device_data_v2", HEART)
    pd.testing.assert_frame_equal(four, one)
    minimum = math.ceil(len(one) / 100)
    assert len(one) > 2000 and sequential == one.attrs["pages"] == minimum and "slices" not in one.attrs
    assert four.attrs["slices"] >= 2 and sliced == four.attrs["pages"]
    assert minimum <= sliced <= minimum + four.attrs["slices"]
    assert four["id"].is_unique


def test_an_open_upper_bound_stays_open_and_loses_nothing(sandbox: SandboxServer) -> None:
    filters = {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-27T00:00:00Z"}
    one, _ = pull(sandbox, 1, "device_data_v2", filters)
    four, _ = pull(sandbox, 4, "device_data_v2", filters)
    assert four.attrs["slices"] >= 2 and len(one) > 1000
    pd.testing.assert_frame_equal(four, one)


def test_survey_answers_slice_by_when_they_were_stored(year: SandboxServer) -> None:
    one, sequential = pull(year, 1, "survey_answers", {})
    eight, sliced = pull(year, 8, "survey_answers", {})
    pd.testing.assert_frame_equal(eight, one)
    assert eight.attrs["slices"] >= 2
    assert sliced <= math.ceil(len(one) / 100) + eight.attrs["slices"] and sequential == math.ceil(len(one) / 100)
    # the caller's own date filters are kept beside the slices' insertedAfter/Before
    dated = {"after": "2026-03-01T00:00:00Z", "before": "2026-09-01T00:00:00Z"}
    pd.testing.assert_frame_equal(pull(year, 8, "survey_answers", dated)[0], pull(year, 1, "survey_answers", dated)[0])


def test_a_one_page_pull_costs_one_request(sandbox: SandboxServer) -> None:
    hour = {**HEART, "observed_before": "2026-09-01T01:00:00Z"}
    frame, requests = pull(sandbox, 4, "device_data_v2", hour)
    assert 0 < len(frame) <= 100 and requests == 1 == frame.attrs["pages"] and "slices" not in frame.attrs


def test_parallel_1_sends_what_it_always_sent(sandbox: SandboxServer) -> None:
    sent: list[httpx.URL] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.url)
            return super().handle_request(request)

    with mdh.Client(config_for(sandbox), parallel=1, transport=Recording()) as client:
        assert client.parallel == 1
        session = client.connect("PT-0001", SCOPES)
        sent.clear()
        frame = client.frame("device_data_v2", HEART, auth=session.auth, progress=False)
    wanted = {"namespace": "Fitbit", "type": "heart-rate", "observedAfter": "2026-09-01T00:00:00.000Z",
              "observedBefore": "2026-09-04T00:00:00.000Z", "limit": "100"}
    assert len(sent) == frame.attrs["pages"] == math.ceil(len(frame) / 100)
    for number, url in enumerate(sent):  # the same filters on every page; page n+1 follows page n's cursor
        params = dict(url.params)
        cursor = params.pop("pageID", None)
        assert (cursor is None) == (number == 0) and params == wanted


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "4"])
def test_parallel_must_be_a_whole_number_of_at_least_one(config: mdh.Config, bad: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="parallel"):
        mdh.Client(config, parallel=bad)


def test_a_fault_mid_slice_says_which_and_resuming_returns_the_whole_frame(sandbox: SandboxServer) -> None:
    whole, _ = pull(sandbox, 1, "device_data_v2", HEART)
    pages: list[mdh.PagerState] = []
    threads: set[int] = set()

    def on_page(state: mdh.PagerState) -> None:
        pages.append(state)
        threads.add(threading.get_ident())
        if len(pages) == 6:  # page 1 and a few slice pages in: every later request fails, retries too
            sandbox.set_faults(error_rate=1.0)

    try:
        with pytest.raises(mdh.ServerError) as caught:
            pull(sandbox, 4, "device_data_v2", HEART, on_page=on_page)
    finally:
        sandbox.clear_faults()
    state = caught.value.pager_state
    assert state is not None and len(state.slices) >= 2 and not state.done
    assert "of" in str(caught.value) and "failed at its page" in str(caught.value)
    assert "resume=exc.pager_state" in str(caught.value)
    kept = len(state.rows) + sum(len(piece.state.rows) for piece in state.slices)
    assert kept == state.records >= 500 and threads == {threading.get_ident()}  # on_page: the caller's thread
    before = len(pages)
    resumed, requests = pull(sandbox, 4, "device_data_v2", HEART, resume=state, on_page=on_page)
    pd.testing.assert_frame_equal(resumed, whole)
    assert requests == resumed.attrs["pages"] - state.pages == len(pages) - before  # nothing fetched twice
    # a sequential client resumes a sliced state in slices (its state says how), and the filters must match
    again, _ = pull(sandbox, 1, "device_data_v2", HEART, resume=state)
    pd.testing.assert_frame_equal(again, whole)
    with pytest.raises(InvalidArgumentError, match="other filters"):
        pull(sandbox, 4, "device_data_v2", {**HEART, "observed_before": "2026-09-03T00:00:00Z"}, resume=state)


def test_a_sequential_state_still_resumes_page_after_page(sandbox: SandboxServer) -> None:
    whole, _ = pull(sandbox, 1, "device_data_v2", HEART)

    def on_page(state: mdh.PagerState) -> None:
        if state.pages == 3:
            sandbox.set_faults(error_rate=1.0)

    try:
        with pytest.raises(mdh.ServerError) as caught:
            pull(sandbox, 1, "device_data_v2", HEART, on_page=on_page)
    finally:
        sandbox.clear_faults()
    state = caught.value.pager_state
    assert state is not None and state.pages == 3 and not state.slices
    resumed, requests = pull(sandbox, 4, "device_data_v2", HEART, resume=state)
    pd.testing.assert_frame_equal(resumed, whole)
    assert requests == whole.attrs["pages"] - 3 and "slices" not in resumed.attrs


# -- rows on the edges: many at one instant, sub-second instants, instants on whole seconds ----------

BASE = datetime(2026, 11, 10, tzinfo=timezone.utc)  # after the seeded points: only these are pulled


@pytest.fixture(scope="module")
def edges() -> Iterator[SandboxServer]:
    with SandboxServer(participants=1, days=7, **SUITE_BUDGETS).start() as server:
        yield server


def _point(index: int, at: datetime) -> dict[str, Any]:
    return {"type": "EdgeTest", "identifier": f"p{index}", "value": str(index),
            "observationDate": at.isoformat(timespec="milliseconds")}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crowd=st.integers(101, 260),
       rest=st.lists(st.tuples(st.integers(0, 300), st.sampled_from([0, 0, 1, 500, 999])), min_size=150, max_size=450))
def test_rows_on_slice_edges_are_neither_lost_nor_doubled(edges: SandboxServer, crowd: int,
                                                          rest: list[tuple[int, int]]) -> None:
    """v1 device data is most recent first: the newest instant holds ``crowd`` points (more than page 1),
    so page 1 ends inside them and slicing cuts at once; the rest sit on whole seconds (where split
    points fall) or a millisecond either side, many sharing one."""
    edges.reset()
    top = BASE + timedelta(seconds=301)
    points = [_point(i, top) for i in range(crowd)]
    points += [_point(crowd + i, BASE + timedelta(seconds=s, milliseconds=ms)) for i, (s, ms) in enumerate(rest)]
    filters = {"namespace": "Project", "observed_after": BASE - timedelta(seconds=1)}
    with mdh.Client(config_for(edges)) as client:
        session = client.connect("PT-0001", SCOPES)
        client.call("persist_device_data", json=points, auth=session.auth)
    one, _ = pull(edges, 1, "device_data", filters)
    four, requests = pull(edges, 4, "device_data", filters)
    assert len(one) == len(points) and four.attrs["slices"] >= 2
    pd.testing.assert_frame_equal(four, one)
    assert requests <= math.ceil(len(points) / 100) + four.attrs["slices"]


def test_a_token_running_out_mid_slices_is_renewed_once_for_every_worker() -> None:
    """The participant's token expires while four slices are in flight: each worker's next request is
    refused (401) or seen stale, and the token cache renews it once for all of them."""
    offset = [0.0]
    with SandboxServer(participants=1, days=14, participant_token_lifetime=600, **SUITE_BUDGETS).start() as server:
        filters = {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-20T00:00:00Z"}
        with mdh.Client(config_for(server), parallel=1) as client:
            whole = client.frame("device_data_v2", filters, auth=client.connect("PT-0001", SCOPES).auth,
                                 progress=False)

        def expire(state: mdh.PagerState) -> None:
            if state.pages == 8:
                server.advance_clock(700)
                offset[0] += 700

        with mdh.Client(config_for(server), parallel=4, slice_above=0,
                        clock=lambda: time.time() + offset[0]) as client:
            session = client.connect("PT-0001", SCOPES)
            frame = client.frame("device_data_v2", filters, auth=session.auth, progress=False, on_page=expire)
            assert frame.attrs["slices"] >= 2 and session.renewals == 1
    pd.testing.assert_frame_equal(frame, whole)


@pytest.mark.parametrize(("kind", "scope"), [
    ("survey_results", "SurveyAnswers:read"),
    ("notifications", "Notifications:read"),
])
def test_every_sliced_kind_joins_to_its_sequential_frame(year: SandboxServer, kind: str, scope: str) -> None:
    frames, counts = [], []
    for parallel in (1, 8):
        with mdh.Client(config_for(year), parallel=parallel, slice_above=0) as client:
            session = client.connect("PT-0001", [scope])
            before = data_requests(year)
            frames.append(client.frame(kind, auth=session.auth, progress=False))
            counts.append(data_requests(year) - before)
    one, eight = frames
    pd.testing.assert_frame_equal(eight, one)
    size = mdh.KINDS[kind].paging.max_size
    assert counts[0] == math.ceil(len(one) / size) and counts[1] <= counts[0] + eight.attrs.get("slices", 0)
    if counts[0] >= 8:  # a year of each is enough to slice (survey results, five pages, may go page after page)
        assert eight.attrs.get("slices", 0) >= 2, (counts, eight.attrs)


@pytest.mark.parametrize(("kind", "scope"), [
    ("fitbit_sleep_logs", "FitbitSleepLogs:read"),
    ("fitbit_daily_summaries", "FitbitDailySummaries:read"),
    ("apple_health_workouts", "AppleHealthWorkouts:read"),
    ("apple_health_activity_summaries", "AppleHealthActivitySummaries:read"),
])
def test_fitbit_and_apple_health_go_page_after_page(year: SandboxServer, kind: str, scope: str) -> None:
    """Their ``startDate``/``endDate`` may be calendar dates or inclusive on the real API (the reference
    does not say), so a cut with a time of day could double or lose rows at an edge: never sliced."""
    assert mdh.KINDS[kind].slicing is None
    with mdh.Client(config_for(year), parallel=8, slice_above=0) as client:
        session = client.connect("PT-0001", [scope])
        before = data_requests(year)
        frame = client.frame(kind, auth=session.auth, progress=False)
        spent = data_requests(year) - before
    assert "slices" not in frame.attrs and spent == frame.attrs["pages"] >= 2


def test_a_sliced_pull_shows_one_bar_counting_every_record(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    frame, _ = pull(sandbox, 4, "device_data_v2", HEART, progress=True)
    bar = capsys.readouterr().err
    counted = [int(n) for n in re.findall(r"device_data_v2: (\d+) records", bar)]  # tqdm redraws at most 10/s
    assert frame.attrs["slices"] >= 2 and counted, bar
    assert counted == sorted(counted) and 0 < counted[-1] <= len(frame) + 100  # one bar, counting up


def test_any_fault_schedule_resumed_gives_the_sliced_frame(sandbox: SandboxServer) -> None:
    """Random 5xx and dropped connections while slices run: each stop is resumed from its state (few
    retries, so tries run out mid-slice) until the pull completes with the fault-free frame."""
    whole, _ = pull(sandbox, 1, "device_data_v2", HEART)
    mid_slice = 0  # stops whose state held slices: resumed in slices, not from the start

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 2**32 - 1), error=st.integers(5, 40), drop=st.integers(0, 15))
    def one_schedule(seed: int, error: int, drop: int) -> None:
        nonlocal mid_slice
        with mdh.Client(config_for(sandbox), parallel=4, retries=1, slice_above=0) as client:
            session = client.connect("PT-0001", SCOPES)
            sandbox.set_faults(seed=seed, error_rate=error / 100, drop_rate=drop / 100)
            try:
                resume: mdh.PagerState | None = None
                for _ in range(200):
                    try:
                        frame = client.frame("device_data_v2", HEART, auth=session.auth, progress=False,
                                             resume=resume)
                        break
                    except (mdh.ServerError, mdh.TransportError) as exc:
                        assert exc.pager_state is not None and "resume=exc.pager_state" in str(exc)
                        resume = exc.pager_state
                        mid_slice += bool(resume.slices)
                else:
                    pytest.fail("the pull never completed")
            finally:
                sandbox.clear_faults()
        pd.testing.assert_frame_equal(frame, whole)

    one_schedule()
    assert mid_slice > 0


# -- when a pull is worth cutting: page 1's round trip × the pages it predicts, against slice_above ---------


def test_slice_above_infinity_never_cuts_a_pull(year: SandboxServer) -> None:
    """``slice_above=math.inf``: the rest is never worth cutting, whatever page 1 cost — the same
    frame and requests as page after page (the decision itself, on a given round trip, is unit-tested
    in test_slicing_plan.py; timing a loopback sandbox here would flip on a loaded machine)."""
    frames, counts = [], []
    for parallel, above in ((1, 0.0), (4, math.inf)):
        with mdh.Client(config_for(year), parallel=parallel, slice_above=above) as client:
            session = client.connect("PT-0001", SCOPES)
            before = data_requests(year)
            frames.append(client.frame("survey_answers", auth=session.auth, progress=False))
            counts.append(data_requests(year) - before)
    one, four = frames
    pd.testing.assert_frame_equal(four, one)
    assert counts[0] == counts[1] == math.ceil(len(one) / 100) >= 5 and "slices" not in four.attrs
    zero, _ = pull(year, 4, "survey_answers", {})
    assert zero.attrs.get("slices", 0) >= 2  # slice_above=0: cut whenever it can be
    pd.testing.assert_frame_equal(zero, one)


def test_a_pull_behind_latency_is_cut_by_default(sandbox: SandboxServer) -> None:
    """30 ms a request: the three days of heart rate (40-odd pages) would take over a second page
    after page, so the default client cuts them, for the same frame."""
    one, _ = pull(sandbox, 1, "device_data_v2", HEART)
    with mdh.Client(config_for(sandbox), parallel=4) as client:
        session = client.connect("PT-0001", SCOPES)
        sandbox.set_faults(latency_ms=30)
        try:
            four = client.frame("device_data_v2", HEART, auth=session.auth, progress=False)
        finally:
            sandbox.clear_faults()
    assert four.attrs.get("slices", 0) >= 2
    pd.testing.assert_frame_equal(four, one)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), True, "1"])
def test_slice_above_must_be_seconds_of_at_least_zero(config: mdh.Config, bad: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="slice_above"):
        mdh.Client(config, slice_above=bad)
