"""A cohort's call stops when it is interrupted (Ctrl-C, or any exception that is not a participant's
MDHError): participants not yet started are never asked for, those under way stop at their next page —
counted in the sandbox's own request stats. And the paging keywords (``parallel=``, ``slice_above=``) of
``cohort()`` keep ``workers`` as the bound on requests in flight."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cohort_helpers import InFlight
from suite import config_for, requests_served

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer

EIGHT = [f"PT-{n:04d}" for n in range(1, 9)]
WITH_FITBIT = [p for p in EIGHT if p != "PT-0003"]  # PT-0003 has no Fitbit
SCOPES = ["DeviceData:read"]
HALF_DAY = {"observed_after": "2026-10-30T12:00:00Z"}  # minute heart rate: several pages each


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(participants=8, days=2, rate_limit=10_000, admin_rate_limit=10_000).start() as started:
        yield started


def tokens(server: SandboxServer) -> int:
    return int(server.stats()["tokens_issued"]["delegated_participant"])


class Interrupt:
    """An ``on_page`` hook that presses Ctrl-C once, at the first page any participant reads."""

    def __init__(self) -> None:
        self.pages = 0
        self._lock = threading.Lock()

    def __call__(self, state: Any) -> None:
        with self._lock:
            self.pages += 1
            if self.pages == 1:
                raise KeyboardInterrupt


def test_a_ctrl_c_at_the_first_page_asks_for_nothing_more(server: SandboxServer) -> None:
    with mdh.cohort(WITH_FITBIT, SCOPES, config=config_for(server), workers=1) as group:
        before, tokens_before = requests_served(server), tokens(server)
        with pytest.raises(KeyboardInterrupt):
            group.device_data_v2("Fitbit", "heart-rate", on_page=Interrupt(), **HALF_DAY)
        # the first participant's token and page 1: the six queued behind it never started
        assert requests_served(server) - before == 2
        assert tokens(server) - tokens_before == 1


def test_participants_under_way_stop_at_their_next_page(server: SandboxServer) -> None:
    interrupt = Interrupt()
    with mdh.cohort(WITH_FITBIT[:4], SCOPES, config=config_for(server), workers=4) as group:
        assert group.client.parallel == 1  # each pull page after page: its pages are its requests
        full = group.device_data_v2("Fitbit", "heart-rate", progress=False, **HALF_DAY).attrs["pages"]
        before = requests_served(server)
        with pytest.raises(KeyboardInterrupt):
            group.device_data_v2("Fitbit", "heart-rate", on_page=interrupt, **HALF_DAY)
        asked = requests_served(server) - before
        again = group.device_data_v2("Fitbit", "heart-rate", **HALF_DAY)  # the cohort still works afterwards
    assert full > 4 * 3  # several pages each, so stopping early shows
    assert asked <= 4 * 2  # each participant: the page it was on, then the page it stopped at (no token: held)
    assert interrupt.pages <= 4
    assert again.attrs["pages"] == full and again.attrs["failures"] == {}


def test_an_unexpected_exception_in_one_participant_stops_the_others_and_is_raised(server: SandboxServer) -> None:
    def broken(state: Any) -> None:
        raise RuntimeError("a bug in the hook")

    with mdh.cohort(WITH_FITBIT, SCOPES, config=config_for(server), workers=2) as group:
        before = requests_served(server)
        with pytest.raises(RuntimeError, match="a bug in the hook"):
            group.device_data_v2("Fitbit", "heart-rate", on_page=broken, **HALF_DAY)
        assert requests_served(server) - before <= 2 * 2  # two under way (token, page 1); five queued never ran


# -- parallel= and slice_above= ---------------------------------------------------------------


def test_an_explicit_parallel_gives_each_pull_that_many_and_the_cohort_fewer_threads(server: SandboxServer) -> None:
    counter = InFlight()
    four = WITH_FITBIT[:4]
    with mdh.cohort(four, SCOPES, config=config_for(server), workers=6, parallel=3, slice_above=0,
                    transport=counter) as group:
        assert (group.client.parallel, group.threads) == (3, 2)  # 2 participants × 3 requests = workers
        frame = group.device_data_v2("Fitbit", "heart-rate", **HALF_DAY)
    assert list(dict.fromkeys(frame["participant_identifier"])) == four
    assert 1 <= counter.peak <= 6


def test_by_default_workers_are_shared_between_the_participants(server: SandboxServer) -> None:
    with mdh.cohort(WITH_FITBIT[:3], SCOPES, config=config_for(server), workers=8) as group:
        assert (group.client.parallel, group.threads) == (2, 3)
    with mdh.cohort(EIGHT, SCOPES, config=config_for(server), workers=4) as group:
        assert (group.client.parallel, group.threads) == (1, 4)


def test_slice_above_reaches_the_client(server: SandboxServer) -> None:
    asked: dict[float, int] = {}
    for threshold in (1e9, 0):  # never worth cutting; always cut (each slice has a first page of its own)
        counter = InFlight()
        with mdh.cohort(["PT-0001"], SCOPES, config=config_for(server), workers=4, slice_above=threshold,
                        transport=counter) as group:
            assert group.client.parallel == 4
            before = requests_served(server)
            group.device_data_v2("Fitbit", "heart-rate", **HALF_DAY)
            asked[threshold] = requests_served(server) - before
        if threshold:
            assert counter.peak == 1  # page after page
    assert asked[0] > asked[1e9]


@pytest.mark.parametrize(("options", "match"), [
    ({"workers": 4, "parallel": 5}, r"parallel=5 is more than workers=4.*raise workers to at least 5"),
    ({"parallel": 0}, r"parallel is how many requests .* at least 1"),
    ({"parallel": True}, r"parallel is how many requests"),
    ({"slice_above": -1}, r"slice_above is in seconds"),
])
def test_bad_paging_settings_are_refused_naming_the_fix(server: SandboxServer, options: dict[str, Any],
                                                        match: str) -> None:
    before = requests_served(server)
    with pytest.raises(mdh.InvalidArgumentError, match=match):
        mdh.cohort(["PT-0001"], SCOPES, config=config_for(server), **options)
    assert requests_served(server) == before  # refused before the listing
