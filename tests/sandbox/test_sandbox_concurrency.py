"""Slow work never holds up other requests: API handlers run on the thread pool, data is generated
under one lock per (participant, kind), and a large cohort is generated on a background thread, in
the gaps between requests.

Generation is held on events (a backend whose ``generate`` waits for the test), so nothing here
depends on timing; the timeouts only turn a hang into a failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TypeVar

import httpx
import pytest
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxConfig, SandboxServer
from mdh_notebook.emulator.cohort import Participant
from mdh_notebook.emulator.declarations import Collection
from mdh_notebook.emulator.models import SandboxBackend
from mdh_notebook.emulator.server import WARM_LIMIT
from mdh_notebook.emulator.stats import Activity

GUARD = 20  # seconds before a wait counts as a hang
Row = TypeVar("Row")


class GatedBackend(SandboxBackend):
    """Holds the generation of chosen participants until the test opens their gate."""

    def __init__(self, config: SandboxConfig, gated: tuple[int, ...]) -> None:
        super().__init__(config)
        self.entered = {self.participants[i].id: threading.Event() for i in gated}
        self.gates = {self.participants[i].id: threading.Event() for i in gated}

    def generate(self, collection: Collection[Row], participant: Participant) -> Sequence[Row]:
        if participant.id in self.gates:
            self.entered[participant.id].set()
            assert self.gates[participant.id].wait(GUARD), "gate never opened"
        return super().generate(collection, participant)

    def open_all(self) -> None:
        for gate in self.gates.values():
            gate.set()


@pytest.fixture()
def gated() -> Iterator[tuple[GatedBackend, Proto]]:
    # more participant-days than WARM_LIMIT: start() leaves generation to a background thread, which
    # the gate on PT-0001 stops at once; PT-0002 is then generated only by the request that asks for it
    config = SandboxConfig(seed=0, participants=WARM_LIMIT // 90 + 1, days=90)
    backend = GatedBackend(config, gated=(0, 1, 4))  # 4: shows the warm-up moving on
    server = SandboxServer(backend=backend)
    try:
        server.start()
        proto = Proto(server)
        yield backend, proto
        proto.http.close()
    finally:
        backend.open_all()
        server.stop()


def _get_in_background(url: str, token: str, results: list[httpx.Response]) -> threading.Thread:
    def run() -> None:
        results.append(httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=GUARD))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_slow_generation_blocks_nobody_else(gated: tuple[GatedBackend, Proto]) -> None:
    backend, proto = gated
    first, second = backend.participants[0], backend.participants[1]
    assert backend.entered[first.id].wait(GUARD), "the background warm-up should have started"
    assert not backend.warmed.is_set()
    tokens = {p: proto.participant_token(p, "SurveyAnswers:read") for p in ("PT-0001", "PT-0002", "PT-0003")}
    url = proto.server.url + "api/v1/delegated/surveyanswers"
    # a request whose data is being generated (by itself, for PT-0002) ...
    results: list[httpx.Response] = []
    slow = _get_in_background(url, tokens["PT-0002"], results)
    assert backend.entered[second.id].wait(GUARD)
    # ... and one waiting for another thread's generation (the warm-up's, for PT-0001)
    waiting: list[httpx.Response] = []
    waiter = _get_in_background(url, tokens["PT-0001"], waiting)
    # hold up neither the event loop nor other participants
    assert proto.http.get("_sandbox/health", timeout=GUARD).json() == {"status": "ok"}
    other = proto.get("api/v1/delegated/surveyanswers", tokens["PT-0003"], limit=3)
    assert other.status_code == 200 and len(other.json()["surveyAnswers"]) == 3
    assert proto.get(f"{proto.admin}/participants", proto.service_token(), pageSize=1).status_code == 200
    assert not results and not waiting
    first_gate, second_gate = backend.gates[first.id], backend.gates[second.id]
    first_gate.set()
    second_gate.set()
    slow.join(GUARD)
    waiter.join(GUARD)
    assert [r.status_code for r in results + waiting] == [200, 200]
    # the warm-up goes on past the participants generated meanwhile (PT-0002, PT-0003)
    assert backend.entered[backend.participants[4].id].wait(GUARD)
    assert not backend.warmed.is_set()
    # each participant was generated once, whoever asked first
    assert results[0].json()["surveyAnswers"] == proto.get(
        "api/v1/delegated/surveyanswers", tokens["PT-0002"]).json()["surveyAnswers"]


def test_small_cohorts_are_warm_when_started() -> None:
    with SandboxServer(seed=0, participants=3, days=2) as server:
        assert server.backend.warmed.is_set()


def test_long_windows_are_warmed_in_the_background() -> None:
    """A few participants over a long window are as much work as many over a short one."""
    backend = GatedBackend(SandboxConfig(seed=0, participants=WARM_LIMIT // 3660 + 1, days=3660), gated=(0,))
    assert backend.config.participants * backend.config.days > WARM_LIMIT
    with SandboxServer(backend=backend):  # returns although generation is held
        assert backend.entered[backend.participants[0].id].wait(GUARD)
        assert not backend.warmed.is_set()
        backend.open_all()


def test_stop_ends_the_background_warm_up() -> None:
    backend = GatedBackend(SandboxConfig(seed=0, participants=WARM_LIMIT // 90 + 1, days=90), gated=(5,))
    server = SandboxServer(backend=backend).start()
    assert backend.entered[backend.participants[5].id].wait(GUARD)
    name = f"mdh-sandbox-warm-{server.port}"
    warmer = next(t for t in threading.enumerate() if t.name == name)  # alive: held at the gate
    server.stop()
    backend.open_all()
    warmer.join(GUARD)
    assert not warmer.is_alive() and not backend.warmed.is_set()  # it gave up after participant 6


def test_backend_and_config_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either"):
        SandboxServer(SandboxConfig(), backend=SandboxBackend())


def test_activity_waits_for_a_quiet_moment() -> None:
    activity = Activity(quiet=0.01)
    assert activity.wait_quiet()  # nothing has happened yet
    activity.begin()
    stopped = threading.Event()
    stopped.set()
    assert activity.wait_quiet(stopped) is False  # a request in flight: not quiet
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(activity.wait_quiet()), daemon=True)
    waiter.start()
    activity.end()
    waiter.join(GUARD)
    assert results == [True]
