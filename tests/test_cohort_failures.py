"""A cohort's participants fail one at a time — a spent rate budget on the real sandbox, a 5xx that outlasts
the retries at the transport — without losing the others' rows; and never more than ``workers`` requests
in flight, counted at the transport."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator

import httpx
import jwt
import pytest
from cohort_helpers import InFlight, one_after_another
from pandas.testing import assert_frame_equal
from suite import config_for

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

RESULTS = ["SurveyAnswers:read"]
EIGHT = [f"PT-{n:04d}" for n in range(1, 9)]


@pytest.fixture
def tight() -> Iterator[SandboxServer]:
    """Six delegated requests per participant per hour: a budget one participant can spend."""
    with SandboxServer(participants=4, days=30, rate_limit=6, admin_rate_limit=10_000).start() as server:
        yield server


def spend(server: SandboxServer, identifier: str) -> None:
    """Spend ``identifier``'s hourly budget on the sandbox, with a session of its own."""
    with mdh.Client(config_for(server), rate_limit_wait=0) as client:
        session = client.connect(identifier, ["Participant:read"])
        with pytest.raises(mdh.RateLimitError):
            for _ in range(10):
                session.participant_info()


def test_a_participant_with_a_spent_budget_fails_alone_and_the_others_rows_are_kept(tight: SandboxServer) -> None:
    config = config_for(tight)
    expected = one_after_another(config, ["PT-0001", "PT-0003"], "survey_results", RESULTS)  # 1 page each
    spend(tight, "PT-0002")
    with mdh.cohort(["PT-0001", "PT-0002", "PT-0003"], RESULTS, config=config, rate_limit_wait=0) as group:
        with pytest.warns(mdh.CohortWarning, match=r"1 of 3 participants failed .*PT-0002: RateLimitError") as caught:
            frame = group.survey_results()
        assert len(caught) == 1
        assert set(group.failures) == {"PT-0002"}
        assert isinstance(group.failures["PT-0002"], mdh.RateLimitError)
        assert list(frame.attrs["failures"]) == ["PT-0002"]  # the call's own, as text
        assert frame.attrs["failures"]["PT-0002"].startswith("RateLimitError: ")
    assert_frame_equal(frame, expected)


def test_when_every_participant_fails_the_cohort_raises_rather_than_return_no_data(tight: SandboxServer) -> None:
    spend(tight, "PT-0002")
    spend(tight, "PT-0004")
    with mdh.cohort(["PT-0004", "PT-0002"], RESULTS, config=config_for(tight), rate_limit_wait=0) as group:
        with pytest.raises(mdh.CohortError, match=r"every participant .* PT-0004: RateLimitError.*PT-0002") as caught:
            group.survey_results()
        assert set(caught.value.failures) == {"PT-0002", "PT-0004"}
        assert caught.value.failures == group.failures
    for error in caught.value.failures.values():  # each reason whole, never cut before the fix it names
        assert " ".join(str(error).split()) in str(caught.value)
        assert "…" not in str(caught.value)


class ServerDownFor(httpx.BaseTransport):
    """httpx's own transport, except that API requests carrying ``participant_id``'s token are answered
    503 while ``down`` is set (the token's subject read from the JWT, not verified: this is the network)."""

    def __init__(self, participant_id: str) -> None:
        self._inner = httpx.HTTPTransport()
        self.participant_id = participant_id
        self.down = threading.Event()
        self.down.set()

    def _subject(self, request: httpx.Request) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return None
        return str(jwt.decode(token, options={"verify_signature": False}).get("sub"))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down.is_set() and "/api/" in request.url.path and self._subject(request) == self.participant_id:
            return httpx.Response(503, json={"message": "the service is unavailable"}, request=request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_a_5xx_that_outlasts_the_retries_fails_that_participant_and_the_next_call_starts_afresh(
        sandbox: SandboxServer, config: mdh.Config) -> None:
    with mdh.Client(config) as client:
        victim = str(client.find_participant("PT-0002")["id"])
    transport = ServerDownFor(victim)
    order = ["PT-0003", "PT-0002", "PT-0001"]
    with mdh.cohort(order, RESULTS, config=config, transport=transport) as group:
        with pytest.warns(mdh.CohortWarning, match=r"PT-0002: ServerError: .*503"):
            frame = group.survey_results()
        assert set(group.failures) == {"PT-0002"}
        error = group.failures["PT-0002"]
        assert isinstance(error, mdh.ServerError) and error.tries > 1  # retried, then given up
        assert error.pager_state is not None  # to resume that participant alone
        assert_frame_equal(frame, one_after_another(config, ["PT-0003", "PT-0001"], "survey_results", RESULTS))
        transport.down.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("error", mdh.CohortWarning)
            again = group.survey_results()
        assert group.failures == {}  # the last call's
        assert list(dict.fromkeys(again["participant_identifier"])) == order
        resumed = group.sessions["PT-0002"].survey_results(resume=error.pager_state, progress=False)
    theirs = again[again["participant_identifier"] == "PT-0002"]
    assert len(theirs) > 0 and list(resumed["id"]) == list(theirs["id"])
    assert_frame_equal(again, one_after_another(config, order, "survey_results", RESULTS))


# -- bounded workers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow() -> Iterator[SandboxServer]:
    """Every request waits 20 ms first, so concurrent ones overlap at the transport."""
    with SandboxServer(participants=8, days=2, rate_limit=10_000, admin_rate_limit=10_000).start() as server:
        server.set_faults(latency_ms=20)
        yield server


@pytest.mark.parametrize("workers", [1, 3])
def test_never_more_than_workers_requests_are_in_flight(slow: SandboxServer, workers: int) -> None:
    counter = InFlight()
    with mdh.cohort(EIGHT, ["DeviceData:read"], config=config_for(slow), workers=workers, transport=counter) as group:
        # half a day of minute heart rate, several pages each: a pull the client would cut in time slices
        frame = group.device_data_v2("Fitbit", "heart-rate", observed_after="2026-10-30T12:00:00Z")
    assert group.failures == {}
    assert list(dict.fromkeys(frame["participant_identifier"])) == [p for p in EIGHT if p != "PT-0003"]  # no Fitbit
    assert counter.sent > 4 * len(EIGHT)  # tokens and pages for everyone went through the counter
    assert 1 <= counter.peak <= workers
    if workers == 1:
        assert counter.peak == 1


def test_fewer_participants_than_workers_share_them_as_time_slices_still_within_workers(slow: SandboxServer) -> None:
    counter = InFlight()
    two = ["PT-0001", "PT-0002"]
    with mdh.cohort(two, ["DeviceData:read"], config=config_for(slow), workers=6, transport=counter) as group:
        frame = group.device_data_v2("Fitbit", "heart-rate", observed_after="2026-10-30T12:00:00Z")
        assert (group.client.parallel, group.threads) == (3, 2)  # 6 workers // 2 participants each
    assert list(dict.fromkeys(frame["participant_identifier"])) == two
    assert 1 <= counter.peak <= 6
    assert_frame_equal(frame, one_after_another(config_for(slow), two, "device_data_v2", ["DeviceData:read"],
                                                namespace="Fitbit", type="heart-rate",
                                                observed_after="2026-10-30T12:00:00Z"))


def test_participants_failing_alike_are_named_together_and_many_reasons_are_counted_not_cut() -> None:
    from mdh_notebook.cohort import _listed

    same = {f"PT-{n:04d}": mdh.ScopeError("spent; wait 60 s, or pass rate_limit_wait=") for n in (1, 2)}
    assert _listed(same) == "PT-0001, PT-0002: ScopeError: spent; wait 60 s, or pass rate_limit_wait="
    many = {f"PT-{n:04d}": mdh.MDHError(f"reason {n} " + "word " * 80) for n in range(1, 8)}
    text = _listed(many)
    assert all(" ".join(str(many[f"PT-{n:04d}"]).split()) in text for n in range(1, 5))
    assert text.endswith("and 3 more participants failing for other reasons (see cohort.failures)")
