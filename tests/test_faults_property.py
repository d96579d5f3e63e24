"""Under random fault schedules a pull returns exactly the rows of a fault-free pull: none lost, none
twice. Hypothesis draws the sandbox's fault plan (seed; error, drop, throttle and expire rates; a
little latency) over every path, the token endpoint included, and the page after which the
participant's token runs out (the client renews it through the same faults).

A schedule can be hostile enough that a request's tries run out (a 0.75 chance of failure per
request leaves a 24 % chance of five failures in a row). That is not skipped: the error is checked
exactly (which page, how many rows had arrived and are kept, what failed how often, its class),
and the pull is resumed from it (``resume=exc.pager_state``) until it completes. The rates are
bounded (each ≤ 0.3, in all ≤ 0.75) only so that some request gets through and a pull ends.

No real time passes: stamina's test mode zeroes the backoff, and the client's ``sleep`` (a
throttle's wait) moves the sandbox's clock, which the client's clock follows."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
import stamina
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

TOKEN_LIFETIME = 600
RANGES = (None, "2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z")  # survey answers after: 5, 4 and 3 pages
EXAMPLES = 200
ran = 0  # fault schedules that ran to the end: proves Hypothesis ran them all, not a few
LABELS = {"500": mdh.ServerError, "502": mdh.ServerError, "503": mdh.ServerError,
          "connection dropped": mdh.TransportError, "429": mdh.RateLimitError, "401": mdh.AuthenticationError,
          "invalid_grant": mdh.TokenRequestError}


@dataclass
class World:
    server: SandboxServer
    config: mdh.Config
    baselines: dict[str | None, pd.DataFrame]
    offset: float = 0.0
    resumed: int = 0

    def clock(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.server.advance_clock(seconds)
        self.offset += seconds


@pytest.fixture(scope="module")
def world(config_for: Any) -> Iterator[World]:
    with stamina.set_testing(True, attempts=10, cap=True), \
            SandboxServer(participants=1, days=120, participant_token_lifetime=TOKEN_LIFETIME).start() as server:
        baselines = {}
        with mdh.Client(config_for(server), parallel=1) as client:  # page after page: its messages are checked
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            for after in RANGES:
                baselines[after] = session.survey_answers(after=after, progress=False)
        assert [frame.attrs["pages"] for frame in baselines.values()] == [5, 4, 3]
        yield World(server, config_for(server), baselines)


def check_stopped(exc: mdh.MDHError, policy: mdh.client.RetryPolicy) -> mdh.PagerState:
    """The error of a pull whose tries ran out, checked exactly; its state to resume from."""
    state = exc.pager_state
    assert state is not None and not state.done and len(state.rows) == state.records
    text = str(exc)
    page = state.pages + 1
    kept = (f"{state.records} rows (page{'s 1–' if state.pages > 1 else ' '}{state.pages}) had arrived and are kept"
            if state.pages else "no rows had arrived")
    assert f"[survey_answers: page {page} failed; {kept} — the same call with resume=exc.pager_state goes on from " \
           f"page {page}]" in text, text
    gave_up = re.search(r"gave up after (\d+) attempts? \(([^)]*)\)", text)
    assert gave_up is not None, text
    counted = dict(re.fullmatch(r"(.+) ×(\d+)", part).groups() for part in gave_up[2].split(", "))  # type: ignore[union-attr]
    assert set(counted) <= set(LABELS), counted
    tries = sum(int(n) for n in counted.values())
    renewals = int(counted.get("401", 0)) + int(counted.get("invalid_grant", 0))
    assert tries == int(gave_up[1]) and (tries == policy.attempts or renewals == policy.renewals + 1), text
    assert isinstance(exc, tuple(LABELS[label] for label in counted)), (type(exc), text)
    assert "cannot reach" not in text  # the server answered before: never the never-reached message
    assert exc.__cause__ is None
    return state


def test_any_fault_schedule_gives_the_fault_free_frame(world: World) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1), rates=st.tuples(*[st.integers(0, 30)] * 4).filter(lambda r: sum(r) <= 75),
           latency_ms=st.integers(0, 2), expire_after_page=st.integers(1, 2), after=st.sampled_from(RANGES))
    def one_schedule(seed: int, rates: tuple[int, int, int, int], latency_ms: int, expire_after_page: int,
                     after: str | None) -> None:
        error, drop, throttle, expire = (rate / 100 for rate in rates)
        with mdh.Client(world.config, clock=world.clock, sleep=world.advance, parallel=1) as client:
            session = client.connect("PT-0001", ["SurveyAnswers:read"])
            world.server.set_faults(seed=seed, error_rate=error, drop_rate=drop, throttle_rate=throttle,
                                    expire_rate=expire, latency_ms=latency_ms)

            def on_page(state: mdh.PagerState) -> None:
                if state.pages == expire_after_page:  # the token runs out: the next page renews it first
                    world.advance(TOKEN_LIFETIME)

            try:
                resume: mdh.PagerState | None = None
                for _ in range(100):
                    try:
                        frame = session.survey_answers(after=after, progress=False, on_page=on_page, resume=resume)
                        break
                    except mdh.MDHError as exc:
                        resume = check_stopped(exc, client.retry)
                        world.resumed += 1
                else:
                    pytest.fail("the pull never completed")
            finally:
                world.server.clear_faults()
            renewed = session.renewals
        pd.testing.assert_frame_equal(frame, world.baselines[after])
        assert frame["id"].is_unique
        assert renewed >= 1
        global ran
        ran += 1

    one_schedule()
    assert ran >= EXAMPLES, f"only {ran} of {EXAMPLES} fault schedules ran"
    injected = world.server.stats()["faults_injected"]
    assert all(injected[kind] > 0 for kind in ("error", "drop", "throttle", "expire", "latency")), injected
    assert world.resumed > 0  # some schedules ran a request's tries out: their errors were checked
