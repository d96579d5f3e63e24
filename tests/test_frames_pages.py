"""A frame built page by page (``FrameBuilder``, and ``PageReader`` reading pages while the request for
the next one waits) is exactly ``to_frame`` of every record at once: the same columns, dtypes, values
and extra columns, and the same ``DataWarning``s, raised by the frame — however the records fall into
pages, and whatever quirk a page holds that the first one did not.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from suite import config_for, requests_served

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.frames import FrameBuilder
from mdh_notebook.reading import PageReader

DELETE = object()  # a quirk that leaves the key out of the record
QUIRKS = [("surveyName", 7), ("surveyName", True), ("date", 20261001), ("date", {"at": "noon"}),
          ("insertedDate", "not a date"), ("insertedDate", "2026-10-01"), ("schedule", {"name": 5}),
          ("schedule", "daily"), ("type", ["Form"]), ("surveyVersion", "3"), ("surveyVersion", 2.5),
          ("stepIdentifier", None), ("newField", "x"), ("newNested", {"a": 1}), ("date", "0001-01-01T00:00:00Z"),
          ("surveyName", DELETE), ("date", DELETE), ("schedule", DELETE)]


def _answers(n: int) -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "surveyName": ["PHQ-9", "DailyMood", "GAD-7"][i % 3],
             "date": f"2026-10-01T14:{i % 60:02d}:00.{i % 1000:03d}+00:00",
             "insertedDate": f"2026-10-01T14:{i % 60:02d}:05" + ("Z" if i % 3 else ""), "stepIdentifier": "Mood",
             "schedule": {"id": "sc", "name": "Daily", "interval": 1} if i % 4 else None, "answers": [str(i)],
             "surveyVersion": i % 3, "type": "Question"} for i in range(n)]


def _points(n: int) -> list[dict[str, Any]]:
    """Device data v2: the value is sent as text and read twice (``value`` as sent, ``value_number``)."""
    return [{"id": f"p{i}", "namespace": "Fitbit", "type": "heart-rate", "value": str(60 + i % 40),
             "units": "bpm", "observationDate": f"2026-10-01T00:{i % 60:02d}:00Z",
             "startDate": f"2026-10-01T00:{i % 60:02d}:00", "insertedDate": "2026-10-02T00:00:00Z"}
            for i in range(n)]


POINT_QUIRKS = [("value", DELETE), ("value", "n/a"), ("value", "9007199254740993"), ("value", 72), ("value", " 70"),
                ("startDate", "2026-10-01 00:00:00 -05:00"), ("units", None), ("extra", [1, 2])]


def _quirk(records: list[dict[str, Any]], quirks: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    for at, (key, value) in quirks:
        record = records[at % len(records)]
        if value is DELETE:
            record.pop(key, None)
        else:
            record[key] = value
    return records


def _read(kind: str, records: list[dict[str, Any]], cuts: list[int]) -> tuple[pd.DataFrame, list[str]]:
    builder = FrameBuilder(kind)
    edges = [0, *sorted(c % (len(records) + 1) for c in cuts), len(records)]
    for low, high in itertools.pairwise(edges):
        builder.add(records[low:high])
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", mdh.DataWarning)
        frame = builder.frame(records)
    return frame, [str(w.message) for w in said]


def _whole(kind: str, records: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", mdh.DataWarning)
        frame = mdh.to_frame(kind, records)
    return frame, [str(w.message) for w in said]


KINDS_DRAWN = {"survey_answers": (_answers, QUIRKS), "device_data_v2": (_points, POINT_QUIRKS)}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(KINDS_DRAWN)), st.integers(1, 260), st.lists(st.integers(0, 300), max_size=6),
       st.data())
def test_records_in_any_pages_read_as_all_at_once(kind: str, n: int, cuts: list[int], data: st.DataObject) -> None:
    """Survey answers, and device data (whose value is text read twice), cut into pages anywhere, with
    quirks on any page (the first page's sample chooses the text paths)."""
    make, quirks = KINDS_DRAWN[kind]
    records = _quirk(make(n), data.draw(st.lists(st.tuples(st.integers(0, 259), st.sampled_from(quirks)),
                                                 max_size=3)))
    paged, paged_said = _read(kind, records, cuts)
    whole, whole_said = _whole(kind, records)
    pd.testing.assert_frame_equal(paged, whole)
    assert sorted(paged_said) == sorted(whole_said)


def test_a_frame_of_records_not_all_given_as_pages_reads_them_whole() -> None:
    records = _answers(150)
    builder = FrameBuilder("survey_answers")
    builder.add(records[:100])  # the last page never given: the frame still holds every record
    pd.testing.assert_frame_equal(builder.frame(records), mdh.to_frame("survey_answers", records))


def test_the_pages_read_are_what_the_frame_is_built_from() -> None:
    """Not only the same frame: the text columns' parts are each page's, read when it was given (a builder
    that read everything again at the end would pass every other test, and be as slow as before)."""
    records = _answers(250)
    builder = FrameBuilder("survey_answers")
    for low in (0, 100, 200):
        builder.add(records[low:low + 100])
    parts = builder._parts or {}
    assert [len(part) for part in parts["survey_name"] or []] == [100, 100, 50]
    assert [len(part) for part in parts["date"] or []] == [100, 100, 50]
    records[0]["surveyName"] = "changed after"  # what the frame holds was read when the page was given
    assert builder.frame(records)["survey_name"][0] == "PHQ-9"


def test_pages_of_another_mapping_type_read_as_to_frame_reads_them() -> None:
    records = _answers(120)
    builder = FrameBuilder("survey_answers")
    builder.add(records[:100])
    builder.add([MappingProxyType(r) for r in records[100:]])
    given = records[:100] + [MappingProxyType(r) for r in records[100:]]
    pd.testing.assert_frame_equal(builder.frame(given), mdh.to_frame("survey_answers", given))


def test_the_reader_reads_each_page_as_it_was_given() -> None:
    """A resumed pull gives the reader its kept rows, then grows the same list page by page."""
    records = _answers(300)
    growing = records[:100]
    reader = PageReader("survey_answers")
    reader.add(growing)
    growing.extend(records[100:200])  # before the first 100 are read
    reader.add(records[100:200])
    growing.extend(records[200:])
    reader.add(records[200:])
    frame = reader.frame(growing)
    pd.testing.assert_frame_equal(frame, mdh.to_frame("survey_answers", records))


def test_the_reader_reads_the_pages_given_when_a_request_waits_and_the_rest_at_the_end() -> None:
    records = _answers(300)
    records[250]["surveyVersion"] = "not a number"  # a DataWarning, from the last page only
    reader = PageReader("survey_answers")
    reader.add(records[:100])
    reader.add(records[100:200])
    assert reader.builder._rows == 0  # nothing read until a request waits
    reader.read_waiting()  # what the next page's request does once it is sent
    assert reader.builder._rows == 200
    reader.add(records[200:])
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", mdh.DataWarning)
        frame = reader.frame(records)  # the last page, then the frame; its warnings here
    assert [str(w.message) for w in said] == _whole("survey_answers", records)[1]
    assert said and all("survey_version" in str(w.message) for w in said)
    pd.testing.assert_frame_equal(frame, _whole("survey_answers", records)[0])


def test_a_page_that_cannot_be_read_never_fails_the_request_it_waits_in() -> None:
    """A lone surrogate (the stdlib JSON decoder makes one of ``"\\ud800"``) cannot be encoded by arrow:
    the read is left to the frame, which then does what to_frame does with those records."""
    records = _answers(150)
    records[120]["stepIdentifier"] = "\ud800"
    reader = PageReader("survey_answers")
    reader.add(records[:100])
    reader.add(records[100:])
    reader.read_waiting()  # no error here: this runs inside a request
    try:
        expected: object = mdh.to_frame("survey_answers", records)
    except Exception as exc:  # whatever to_frame does, the frame does the same
        expected = type(exc)
    try:
        got: object = reader.frame(records)
    except Exception as exc:
        got = type(exc)
    if isinstance(expected, pd.DataFrame):
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got, expected)
    else:
        assert got is expected


# -- the session's pulls, against the sandbox ---------------------------------------------------------------

@dataclass
class Tracing(httpx.BaseTransport):
    """httpx's own transport, noting which data requests go out with a ``trace`` callback (the reader's
    wait). A fake at the transport, no patching."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    traced: list[tuple[bool, bool]] = field(default_factory=list)  # (a next page, traced), per data GET

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/delegated/" in request.url.path:
            self.traced.append(("pageID" in request.url.params, "trace" in request.extensions))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(participants=1, days=120, rate_limit=10_000, admin_rate_limit=10_000).start() as started:
        yield started


@pytest.fixture(scope="module")
def session(server: SandboxServer) -> Iterator[mdh.ParticipantSession]:
    with mdh.connect("PT-0001", ["SurveyAnswers:read", "DeviceData:read"], config=config_for(server),
                     parallel=1) as connected:
        yield connected


KINDS = [
    ("survey_answers", {}),
    ("device_data_v2", {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-30T12:00:00Z"}),
]


@pytest.mark.parametrize("parallel", [1, 4])
@pytest.mark.parametrize(("kind", "filters"), KINDS)
def test_a_pull_of_many_pages_is_to_frame_of_its_records_read_while_the_next_page_waits(
        server: SandboxServer, kind: str, filters: dict[str, Any], parallel: int) -> None:
    """Page after page (parallel=1, and parallel=4 with a pull not worth cutting), each next page's request
    carries the reader's wait; the frame is to_frame of the same records."""
    transport = Tracing()
    with mdh.Client(config_for(server), transport=transport, parallel=parallel, slice_above=1e9) as client:
        session = client.connect("PT-0001", ["SurveyAnswers:read", "DeviceData:read"])
        frame = session.fetch(kind, progress=False, **filters)
        pulled = list(transport.traced)
        records = list(session.pager(kind, **filters))
    assert frame.attrs["pages"] > 2 and len(frame) == len(records) and "slices" not in frame.attrs
    assert pulled and all(traced for next_page, traced in pulled if next_page)  # every page after the first
    expected = mdh.to_frame(kind, records)
    expected.attrs = frame.attrs
    pd.testing.assert_frame_equal(frame, expected)


def test_a_pull_stopped_part_way_resumes_to_the_same_frame(
        server: SandboxServer, session: mdh.ParticipantSession) -> None:
    whole = session.survey_answers(progress=False)
    assert whole.attrs["pages"] >= 3

    def after_page(state: mdh.PagerState) -> None:
        if state.pages == 2:  # page 3 drops on every try
            server.set_faults(drop_rate=1.0, paths=["/api/v1/delegated/surveyanswers"])

    try:
        with pytest.raises(mdh.TransportError) as info:
            session.survey_answers(progress=False, on_page=after_page)
    finally:
        server.clear_faults()
    state = info.value.pager_state
    assert state is not None and len(state.rows) == 200
    pd.testing.assert_frame_equal(session.survey_answers(progress=False, resume=state), whole)


def test_while_waiting_is_called_once_per_request_after_it_is_sent(server: SandboxServer,
                                                                    session: mdh.ParticipantSession) -> None:
    calls: list[int] = []
    before = requests_served(server)

    def waiting() -> None:  # the requests before this one have been answered, so the server counted them
        calls.append(requests_served(server) - before)

    pager = session.client.pager("survey_answers", auth=session.auth, while_waiting=waiting)
    pages = sum(1 for _ in pager.pages)
    assert pages >= 3 and len(calls) == pages
    assert all(count >= page for page, count in enumerate(calls))  # each call in its own request's wait


def test_an_error_raised_while_waiting_stops_the_request_as_it_is(session: mdh.ParticipantSession) -> None:
    def waiting() -> None:
        raise KeyboardInterrupt  # a Ctrl-C while the answer is awaited

    path = "api/v1/delegated/surveyanswers"
    with pytest.raises(KeyboardInterrupt):
        session.client.request("GET", path, auth=session.auth, while_waiting=waiting)
    assert session.client.request("GET", path, auth=session.auth).status_code == 200  # the client goes on
