"""The sandbox's fast JSON encoding (``wire_json.encode``) sends exactly Starlette's stdlib bytes.

Over generated values (unicode, integers past 64 bits, tiny / huge / non-finite floats, None,
tuples, non-string keys, values the stdlib refuses) and over real pages served by the sandbox.
"""

from __future__ import annotations

import enum
import json
import math
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_protocol import Proto

from mdh_notebook.emulator.wire_json import encode, stdlib_encode


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Tag(str):
    pass


def outcome(fn: Any, value: Any) -> tuple[str, Any]:
    """The bytes, or the exception's type and message (both encoders must fail alike)."""
    try:
        return "bytes", fn(value)
    except (TypeError, ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([1e-5, 1.5e-7, 1e-4, 0.0001234, 1e15, 1e16, -1e22, 5e-324, -0.0, 2.0**53]),
)
ints = st.one_of(st.integers(), st.integers(min_value=2**62, max_value=2**70),
                 st.integers(min_value=-(2**70), max_value=-(2**62)))
scalars = st.one_of(st.none(), st.booleans(), ints, floats, st.text(),
                    st.sampled_from([Colour.RED, Level.HIGH, Tag("tagged"), uuid.UUID(int=7), "\ud800", "é\u2028😀"]))
keys = st.one_of(st.text(), st.text().map(Tag), st.integers(-5, 5), st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                            st.dictionaries(keys, inner, max_size=5)),
    max_leaves=30,
)


@given(values)
def test_encode_is_the_stdlib_byte_for_byte(value: Any) -> None:
    assert outcome(encode, value) == outcome(stdlib_encode, value)


@given(st.lists(st.fixed_dictionaries({
    "id": st.uuids().map(str), "value": st.text(), "count": ints, "score": st.one_of(st.none(), floats),
    "properties": st.dictionaries(st.text(max_size=8), st.one_of(st.text(), floats, ints, st.none()), max_size=3),
}), max_size=20))
def test_records_like_a_page_encode_alike(records: list[dict[str, Any]]) -> None:
    page = {"items": records, "nextPageID": None}
    assert outcome(encode, page) == outcome(stdlib_encode, page)


@pytest.mark.parametrize("value", [math.nan, [1.0, math.inf], {"a": -math.inf}, {"x": 1e-05}, [1.5e-07],
                                   2**64, {1: "a"}, (1, 2), Colour.RED, uuid.UUID(int=1), "\ud800", {Tag("k"): 1e-9}])
def test_values_orjson_writes_otherwise_go_to_the_stdlib(value: Any) -> None:
    assert outcome(encode, value) == outcome(stdlib_encode, value)


PAGES = [
    ("api/v1/delegated/surveyanswers", {"limit": 100}, "surveyAnswers"),
    ("api/v2/delegated/devicedata", {"namespace": "Fitbit", "type": "heart-rate", "limit": 100}, "deviceDataPoints"),
    ("api/v2/delegated/devicedata", {"namespace": "AppleHealth", "type": "HeartRate", "limit": 100},
     "deviceDataPoints"),
    ("api/v1/delegated/fitbit/sleepLogs", {"pageSize": 100}, "results"),
    ("api/v1/delegated/devicedata", {"namespace": "Fitbit", "limit": 100}, "deviceDataPoints"),
    ("api/v1/delegated/surveyresults", {"pageSize": 100}, "surveyResults"),
]


@pytest.mark.parametrize(("path", "params", "items_key"), PAGES)
def test_served_pages_are_the_stdlib_bytes(proto: Proto, path: str, params: dict[str, Any], items_key: str) -> None:
    """Three pages of each: the body sent is what the stdlib makes of the value it decodes to."""
    token = proto.participant_token("PT-0002", "api")
    page_params = dict(params)
    for _ in range(3):
        response = proto.get(path, token, **page_params)
        assert response.status_code == 200, response.text
        assert response.content == stdlib_encode(json.loads(response.content))
        assert response.headers["content-length"] == str(len(response.content))
        cursor = response.json().get("nextPageID")
        if not cursor:
            break
        page_params["pageID"] = cursor


def test_admin_listing_and_token_bodies_are_the_stdlib_bytes(proto: Proto) -> None:
    service = proto.service_token()
    for response in (proto.get(f"{proto.admin}/participants", service),
                     proto.token_request(proto.service_form()),
                     proto.get("api/v1/delegated/surveyanswers", "not-a-token")):
        assert response.content == stdlib_encode(json.loads(response.content)), response.text


def test_cycles_and_deep_nesting_fail_or_encode_as_the_stdlib_does() -> None:
    cycle: list[Any] = [1]
    cycle.append(cycle)
    deep: Any = "leaf"
    for _ in range(300):
        deep = {"d": [deep]}
    for value in (cycle, deep):
        assert outcome(encode, value) == outcome(stdlib_encode, value)
