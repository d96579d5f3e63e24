"""Property tests of the sandbox's wire helpers: list escaping, date rendering, cursors."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_protocol import instant

from mdh_notebook.emulator.exceptions import BadRequest
from mdh_notebook.emulator.isotime import FORMS, format_instant, parse_filter_instant
from mdh_notebook.emulator.paging import Cursor, CursorCodec, fingerprint, split_list
from mdh_notebook.emulator.urlpaths import path_value, routing_path

ZONES = ["America/New_York", "Pacific/Honolulu", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"]


def escape(value: str) -> str:
    """What the JS SDK does: backslash first, then commas."""
    return value.replace("\\", "\\\\").replace(",", "\\,")


@given(st.lists(st.text(min_size=1), max_size=6))
def test_escaped_lists_round_trip(values: list[str]) -> None:
    assert split_list([",".join(escape(v) for v in values)]) == values


def test_split_list_edge_cases() -> None:
    assert split_list(["a,,b", "c"]) == ["a", "b", "c"]
    assert split_list(["x\\y", "end\\"]) == ["x\\y", "end\\"]  # other backslashes are literal
    assert split_list([]) == []


@given(
    st.integers(min_value=0, max_value=4_102_444_800_000 // 10).map(lambda n: n * 10),
    st.sampled_from(FORMS),
    st.sampled_from(ZONES),
)
def test_every_form_denotes_the_same_instant(ms: int, form: str, zone: str) -> None:
    text = format_instant(ms, form, ZoneInfo(zone))
    expected = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)
    assert instant(text) == expected
    assert parse_filter_instant(text) == ms * 1000


def test_filter_instant_forms() -> None:
    base = parse_filter_instant("2026-10-01T00:00:00Z")
    for text in ("2026-10-01", "2026-10-01T00:00:00", "2026-09-30T20:00:00-0400", "2026-09-30T20:00:00-04",
                 "2026-10-01T02:00:00.0000000+02:00", "2026-10-01T02:00:00 02:00"):
        assert parse_filter_instant(text) == base, text
    with pytest.raises(ValueError):
        parse_filter_instant("01/10/2026")


sort_keys = st.tuples(st.integers(-(2**63), 2**63), st.text(max_size=40)) | st.tuples(st.integers(0, 10**6))


@given(sort_keys, st.one_of(st.none(), sort_keys), st.integers(0, 2**40), st.binary(min_size=1, max_size=20))
def test_cursor_round_trip_and_binding(after: tuple[object, ...], skip_to: tuple[object, ...] | None, stamp: int,
                                       filters: bytes) -> None:
    codec = CursorCodec(b"k" * 32)
    query = fingerprint("surveyanswers", filters)
    cursor = Cursor(after=after, skip_to=skip_to, stamp=stamp)
    text = codec.encode(cursor, query)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    assert codec.decode(text, query) == cursor
    with pytest.raises(BadRequest, match="different query"):
        codec.decode(text, fingerprint("surveyanswers", filters + b"x"))
    with pytest.raises(BadRequest, match="not valid"):
        CursorCodec(b"other" * 8).decode(text, query)
    for variant in (text[:-1], text + "A", text + "=", text[:-1] + ("B" if text[-1] == "A" else "A")):
        with pytest.raises(BadRequest, match="not valid"):
            codec.decode(variant, query)


@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1), st.integers(1, 3))
def test_encoded_path_segments_round_trip(value: str, slashes: int) -> None:
    """Any value, percent-encoded as one segment, is one segment of the routing path and reads back
    exactly; runs of literal slashes around it collapse."""
    raw = ("/" * slashes + "api" + "/" * slashes + "x/" + quote(value, safe="")).encode("ascii")
    path = routing_path(raw)
    assert path.startswith("/api/x/") and path.count("/") == 3
    assert path_value(path.rsplit("/", 1)[1]) == value
