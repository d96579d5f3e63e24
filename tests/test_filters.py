"""Filters → query parameters: one encoder per type; required, choices and prefix filters refused or
corrected before any request."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest
from fakes import client as fake_client
from fakes import query
from hypothesis import given
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.filters import ENCODERS, encode_params
from mdh_notebook.kinds import CURSOR, Column, Kind, Param, ParamType

V2 = Kind(  # the shape of v2 device data: a required namespace with choices, dynamic keys, every type
    name="points_v2", path="api/v2/delegated/devicedata", token="participant", scope="DeviceData:read",
    shape="keyed", items_key="deviceDataPoints", paging=CURSOR, columns=(Column("id", "string"),),
    params=(
        Param("namespace", "namespace", "str", "the source", required=True, choices=("Fitbit", "AppleHealth")),
        Param("type", "type", "list", "data type(s)"),
        Param("interval", "intervalType", "list", "interval(s)", choices=("Minutes", "Hours", "Days")),
        Param("properties", "properties", "str", "point properties", prefix=True),
        Param("data_source", "dataSource", "str", "source properties", prefix=True),
        Param("day", "day", "date", "a calendar day"),
        Param("after", "observedAfter", "datetime", "observed after"),
        Param("amount", "intervalAmount", "int", "interval length"),
        Param("enabled", "enabled", "bool", "enabled types only"),
        Param("version", "version", "int", "API version", choices=(1, 2)),
    ),
    positional=("namespace",),
)


def unescape_list(wire: str) -> list[str]:
    """The reference's list form read back: split on unescaped commas, then unescape."""
    items, current, chars = [], "", iter(wire)
    for ch in chars:
        if ch == "\\":
            current += next(chars)
        elif ch == ",":
            items.append(current)
            current = ""
        else:
            current += ch
    return [*items, current]


@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6))
def test_list_values_round_trip_through_the_escaping(items: list[str]) -> None:
    wire = encode_params(V2, {"namespace": "Fitbit", "type": items})["type"]
    assert unescape_list(wire) == items


@given(st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: "=" not in k and "&" not in k),
                       st.text(min_size=1, max_size=8), min_size=1, max_size=4))
def test_prefix_filters_send_one_parameter_per_key(props: dict[str, str]) -> None:
    params = encode_params(V2, {"namespace": "Fitbit", "properties": props})
    assert {k: v for k, v in params.items() if k.startswith("properties.")} == \
        {f"properties.{k}": v for k, v in props.items()}


def test_every_type_has_one_encoder_and_each_writes_the_wire_form() -> None:
    from typing import get_args

    assert set(ENCODERS) == set(get_args(ParamType))
    params = encode_params(V2, {
        "namespace": "fitbit", "interval": ["minutes", "Days"], "data_source": {"sourceName": "Watch, 2"},
        "day": date(2026, 10, 1), "after": datetime(2026, 10, 1, 8, tzinfo=timezone.utc), "amount": 15,
        "enabled": False, "version": 2,
    })
    assert params == {"namespace": "Fitbit", "intervalType": "Minutes,Days", "dataSource.sourceName": "Watch, 2",
                      "day": "2026-10-01", "observedAfter": "2026-10-01T08:00:00.000Z", "intervalAmount": "15",
                      "enabled": "false", "version": "2"}
    # as the command line gives them
    assert encode_params(V2, {"namespace": "Fitbit", "amount": "15", "enabled": "TRUE", "day": "2026-10-01"}) == \
        {"namespace": "Fitbit", "intervalAmount": "15", "enabled": "true", "day": "2026-10-01"}
    assert encode_params(V2, {"namespace": "Fitbit", "amount": " +15 "})["intervalAmount"] == "15"
    assert encode_params(V2, {"namespace": "Fitbit", "amount": "-5"})["intervalAmount"] == "-5"
    assert encode_params(V2, {"namespace": "Fitbit", "day": "2026-10-01T00:00:00-05:00"})["day"] == "2026-10-01"


@pytest.mark.parametrize("filters, message", [
    ({}, r"points_v2\(\) needs namespace=\.\.\. \(one of 'Fitbit', 'AppleHealth'\): the source"),
    ({"namespace": None}, "needs namespace="),
    ({"namespace": "Fitbt"}, "did you mean 'Fitbit'.*one of 'Fitbit', 'AppleHealth'"),
    ({"namespace": "Fitbit", "interval": ["Hours", "Weeks"]}, "got 'Weeks'.*one of 'Minutes', 'Hours', 'Days'"),
    ({"namespace": "Fitbit", "properties": "Watch"}, r"mapping of keys to values.*properties\.<key>=<value>"),
    ({"namespace": "Fitbit", "properties": {"": "x"}}, "non-empty names"),
    ({"namespace": "Fitbit", "properties": {"k": 3}}, r"properties=\.\.\.\)\['k'\] must be a non-empty string"),
    ({"namespace": "Fitbit", "day": "2026-10-01T08:30:00Z"}, "calendar date like '2026-10-01'"),
    ({"namespace": "Fitbit", "day": "soon"}, "ISO 8601"),
    ({"namespace": "Fitbit", "amount": 1.5}, "must be an integer"),
    ({"namespace": "Fitbit", "amount": True}, "must be an integer"),
    ({"namespace": "Fitbit", "amount": "--5"}, "must be an integer, got '--5'"),
    ({"namespace": "Fitbit", "amount": "²"}, "must be an integer, got '²'"),
    ({"namespace": "Fitbit", "amount": "1_0"}, "must be an integer"),
    ({"namespace": "Fitbit", "amount": "١٢"}, "must be an integer"),  # Arabic-Indic digits: int() reads them
    ({"namespace": "Fitbit", "enabled": "yes"}, "True or False"),
    ({"namespace": "Fitbit", "version": 3}, "one of 1, 2"),
    ({"namespace": "Fitbit", "namespce": "x"}, "did you mean 'namespace'"),
])
def test_bad_filters_name_the_fix_before_any_request(filters: dict[str, Any], message: str) -> None:
    requests: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={"deviceDataPoints": []})

    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:read"])
        before = len(requests)
        with pytest.raises(mdh.InvalidArgumentError, match=message):
            session.fetch(V2, **filters)
        assert len(requests) == before


def test_required_filters_go_out_and_positional_ones_may_come_by_position() -> None:
    seen: list[dict[str, str]] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return httpx.Response(200, json={"deviceDataPoints": [{"id": "p1"}]})

    from mdh_notebook.methods import read_method

    with fake_client(app) as client:
        session = client.connect("PT-0001", ["DeviceData:read"])
        method = read_method(V2).__get__(session)
        assert list(method("Fitbit", properties={"a.b": "c"})["id"]) == ["p1"]
        with pytest.raises(mdh.InvalidArgumentError, match="'namespace' twice"):
            method("Fitbit", namespace="Fitbit")
    assert seen[-1] == {"namespace": "Fitbit", "properties.a.b": "c", "limit": "100"}
