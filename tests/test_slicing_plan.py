"""When a pull is worth cutting (mdh_notebook.slicing.plan), decided on numbers: page 1's own round
trip (``page_seconds``) × the pages page 1's density predicts, against ``slice_above`` — no timing."""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fakes import CONFIG, query, token_or

import mdh_notebook as mdh
from mdh_notebook.kinds import kind
from mdh_notebook.slicing import in_order, plan, spec_of
from mdh_notebook.stopping import stop_on

ANSWERS = kind("survey_answers")
SPEC = spec_of(ANSWERS)
assert SPEC is not None
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
NOW = (START + timedelta(days=100)).timestamp()  # the client's clock: the open upper bound's far end


def page_one(hours: int = 24) -> list[dict[str, Any]]:
    """100 answers stored over ``hours`` from START: the rest (to NOW) is ~100 days ÷ that many pages."""
    step = timedelta(hours=hours) / 100
    return [{"id": str(i), "insertedDate": (START + i * step).isoformat()} for i in range(100)]


@pytest.mark.parametrize(("page_seconds", "worth", "cut"), [
    (0.001, 0.3, False),  # ~100 pages × 1 ms = 0.1 s: not worth a request more per slice
    (0.010, 0.3, True),   # ~100 pages × 10 ms = 1 s
    (0.0, 0.0, True),     # slice_above=0: cut whenever it can be, whatever the round trip
    (10.0, math.inf, False),  # slice_above=inf: never
])
def test_the_rest_is_cut_when_it_is_expected_to_take_longer_than_slice_above(page_seconds: float, worth: float,
                                                                              cut: bool) -> None:
    slices = plan(SPEC, ANSWERS, {}, page_one(), now=NOW, parallel=4, page_seconds=page_seconds, worth=worth)
    assert bool(slices) is cut
    if cut:
        assert 2 <= len(slices) <= 8 and slices[-1].before is None  # the open bound stays open


def test_a_crowded_page_one_is_cut_unless_slice_above_is_infinite() -> None:
    """Every row of page 1 at one instant predicts infinitely many pages: cut, even at 0 s a page."""
    crowded = [{"id": str(i), "insertedDate": START.isoformat()} for i in range(100)]
    assert plan(SPEC, ANSWERS, {}, crowded, now=NOW, parallel=4, page_seconds=0.0, worth=0.3)
    assert not plan(SPEC, ANSWERS, {}, crowded, now=NOW, parallel=4, page_seconds=1.0, worth=math.inf)


# -- the join rests on the API's order: checked, never a silently wrong frame ----------------------------


def test_records_out_of_the_kinds_order_are_caught() -> None:
    rows = page_one()
    assert in_order(SPEC, rows) and in_order(SPEC, rows[:1] * 3)  # ties are in order
    assert not in_order(SPEC, [rows[1], rows[0]])
    assert not in_order(SPEC, [rows[0], {"id": "x"}])  # no instant: a time filter would lose it
    descending = spec_of(kind("device_data"))
    assert descending is not None
    points = [{"observationDate": r["insertedDate"]} for r in rows]
    assert in_order(descending, points[::-1]) and not in_order(descending, points)
    shuffled = [rows[0], rows[2], rows[1], *rows[3:]]
    assert not plan(SPEC, ANSWERS, {}, shuffled, now=NOW, parallel=4, page_seconds=1.0, worth=0.0)


def test_a_slice_out_of_order_goes_on_page_after_page_from_page_ones_cursor() -> None:
    """A server whose time slices come back unordered (page 1 and the pages after it are in order):
    the slices are thrown away and the rest paged from page 1's cursor — the sequential frame."""
    rows = [{"id": str(i), "surveyName": "s", "insertedDate": (START + timedelta(hours=i)).isoformat()}
            for i in range(300)]

    def app(request: httpx.Request) -> httpx.Response:
        sent = query(request)
        if "insertedAfter" in sent:  # a slice: its rows reversed
            return httpx.Response(200, json={"surveyAnswers": rows[150:160][::-1]})
        start = int(sent.get("pageID", "0"))
        more = {"nextPageID": str(start + 100)} if start + 100 < len(rows) else {}
        return httpx.Response(200, json={"surveyAnswers": rows[start:start + 100], **more})

    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app)), parallel=4, slice_above=0) as client:
        frame = client.frame("survey_answers", progress=False)
    assert list(frame["id"]) == [r["id"] for r in rows] and "slices" not in frame.attrs


# -- a stopped sliced pull does not wait out its workers (stopping.stop_on) ----------------------------------


def test_a_stop_wakes_a_rate_limit_wait_and_sends_no_more_tries() -> None:
    """A worker waiting out a spent budget (30 s, in real time) is woken by its pull's stop event and
    gives up without sending again; a request under a stop already set is not sent at all. (Were the
    wait not woken, the retry after it would be answered 200 and the test would fail.)"""
    sent: list[str] = []

    def app(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if len(sent) == 1:
            return httpx.Response(429, headers={"RateLimit-Limit": "100", "RateLimit-Remaining": "0",
                                                "RateLimit-Reset": "30"}, json={})
        return httpx.Response(200, json={"surveyAnswers": []})

    stop = threading.Event()
    with mdh.Client(CONFIG, transport=httpx.MockTransport(token_or(app)), rate_limit_wait=60) as client:
        with stop_on(stop):
            with pytest.raises(mdh.MDHError, match="stopped, not sent"):  # stopped once the wait has begun
                client.get_json("api/v1/delegated/surveyanswers", auth=client.service_auth,
                                on_wait=lambda note: threading.Timer(0.05, stop.set).start())
            assert len(sent) == 1
            with pytest.raises(mdh.MDHError, match="stopped, not sent"):
                client.get_json("api/v1/delegated/surveyanswers", auth=client.service_auth)
        assert len(sent) == 1
