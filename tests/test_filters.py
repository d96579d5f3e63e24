"""Filters → query parameters: one encoder per type; required, choices and prefix filters refused or
corrected before any request."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest
from fakes import client as fake_client
from fakes import query
from hypothesis import given
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.filters import ENCODERS, encode_params, encode_path
from mdh_notebook.kinds import CURSOR, Column, Kind, Operation, Param, ParamType
from mdh_notebook.kinds.model import CatalogueError

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


# -- GUID ids ------------------------------------------------------------------------------------

FROM = (("survey_results", "id"),)
IDS = Kind(  # a GUID filter, a GUID list filter and a GUID path filter
    name="results", path="api/v1/delegated/surveyresults/{survey}", token="participant", scope="SurveyAnswers:read",
    shape="keyed", items_key="surveyResults", paging=CURSOR, columns=(Column("id", "string"),),
    params=(Param("result", "surveyResultID", "guid", "one result", taken_from=FROM),
            Param("results", "ids", "guids", "results", taken_from=FROM),
            Param("survey", "surveyID", "guid", "the survey", required=True, in_path=True, taken_from=FROM)),
)
SOME = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def refused(filters: dict[str, Any]) -> str:
    with pytest.raises(mdh.InvalidArgumentError) as info:
        encode_params(IDS, {"survey": SOME, **filters})
    return str(info.value)


def mixed_case(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips + [False] * len(text), strict=False))


@given(st.uuids(version=4), st.lists(st.booleans(), max_size=36), st.sampled_from(["{}", "", "  "]),
       st.booleans())
def test_guids_are_taken_in_any_case_and_form_and_sent_canonical(guid: uuid.UUID, flips: list[bool], wrap: str,
                                                                  dashes: bool) -> None:
    text = mixed_case(str(guid) if dashes else guid.hex, flips)
    text = f"{{{text}}}" if wrap == "{}" else f"{wrap}{text}{wrap}"
    assert encode_params(IDS, {"survey": SOME, "result": text}) == {"surveyResultID": str(guid)}
    assert encode_params(IDS, {"survey": SOME, "result": guid}) == {"surveyResultID": str(guid)}
    assert encode_path(IDS, {"survey": guid}) == {"survey": str(guid)}
    assert encode_params(IDS, {"survey": SOME, "results": [text, guid]})["ids"] == f"{guid},{guid}"


def not_a_guid(text: str) -> bool:
    """Read without the encoder's pattern: uuid.UUID takes more than the API does (dashes anywhere,
    'urn:uuid:'), so a GUID is what it reads that is also one of its own renderings, braced or not."""
    try:
        guid = uuid.UUID(text.strip())
    except ValueError:
        return True
    return text.strip().lower() not in {form.format(g) for g in (str(guid), guid.hex) for form in ("{}", "{{{}}}")}


@given(st.one_of(st.text(max_size=60),
                 st.uuids().map(str).flatmap(lambda g: st.integers(0, 35).map(lambda i: g[:i] + g[i + 1:])),
                 st.uuids().map(str).flatmap(lambda g: st.integers(0, 35).map(lambda i: g[:i] + "g" + g[i + 1:])),
                 st.uuids().map(lambda g: f"{{{g}"), st.uuids().map(lambda g: f"{g}0"),
                 st.uuids().map(lambda g: f"urn:uuid:{g}"), st.uuids().map(lambda g: g.hex[:4] + "-" + g.hex[4:]))
       .filter(not_a_guid))
def test_anything_else_is_refused_naming_the_filter_the_form_and_where_ids_come_from(text: str) -> None:
    message = refused({"result": text})
    assert message.startswith("results(result=...) must be a GUID (32 hex digits, like "
                              "'3f2504e0-4f89-41d3-9a0c-0305e82c3301', or a uuid.UUID), got ")
    assert message.endswith("; take it from the survey_results() frame's id column")
    shown = repr(text) if len(text) <= 36 else f"{text[:36]!r}… ({len(text)} characters)"
    assert f"got {shown};" in message
    with pytest.raises(mdh.InvalidArgumentError, match=r"results\(survey=\.\.\.\) must be a GUID"):
        encode_path(IDS, {"survey": text})
    assert re.search(r"results\(results=\.\.\.\)\[1\] must be a GUID", refused({"results": [SOME, text]}))


@pytest.mark.parametrize("value, shown", [(7, "got int 7;"), (uuid.UUID(SOME).bytes, "got bytes b'"),
                                          (["a"], "got list ['a'];"), (True, "got bool True;")],
                         ids=["int", "bytes", "list", "bool"])
def test_a_guid_filter_takes_no_other_type(value: Any, shown: str) -> None:
    assert shown in refused({"result": value})


def test_a_long_value_is_cut_and_a_guid_list_is_a_list() -> None:
    assert "got 'xxx" in (cut := refused({"result": "x" * 5000})) and "(5000 characters)" in cut
    assert "x" * 37 not in cut
    assert "empty list" in refused({"results": []}) and "list of GUIDs, got 7" in refused({"results": 7})
    assert encode_params(IDS, {"survey": SOME, "results": SOME}) == {"ids": SOME}


def test_guid_ids_in_an_operation_path_are_checked_and_the_rest_passed_on() -> None:
    op = Operation(name="delete_thing", method="DELETE", path="api/v1/delegated/things/{group}/{id}",
                   token="participant", scope="SurveyResults:write",
                   path_params=(Param("id", "id", "guid", "its id", required=True, in_path=True, taken_from=FROM),))
    assert encode_path(op, {"group": "a", "id": SOME.upper()}) == {"id": SOME}
    with pytest.raises(mdh.InvalidArgumentError, match=r"delete_thing\(id=\.\.\.\) must be a GUID.*got 'x'"):
        encode_path(op, {"group": "a", "id": "x"})


@pytest.mark.parametrize("build, message", [
    (lambda: Param("a", "a", "guid"), "the \\(kind, column\\) pairs a GUID is taken from"),
    (lambda: Param("a", "a", "str", taken_from=FROM), "the \\(kind, column\\) pairs a GUID is taken from"),
    (lambda: Param("a", "a", "guid", taken_from=(("kind", ""),)), "pairs of names"),
    (lambda: Param("a", "a", "guid", taken_from=FROM, choices=(SOME,)), "choices are for"),
    (lambda: Param("a", "a", "guid", taken_from=FROM, default=SOME), "does not fit type"),
    (lambda: Operation(name="o", method="GET", path="api/v1/delegated/o/{id}", token="participant",
                       scope="SurveyAnswers:read", path_params=(Param("other", "o", "guid", required=True,
                                                                      in_path=True, taken_from=FROM),)),
     "name placeholders of its path"),
    (lambda: Operation(name="o", method="GET", path="api/v1/delegated/o/{id}", token="participant",
                       scope="SurveyAnswers:read", path_params=(Param("id", "o", "guid", taken_from=FROM),)),
     "in_path and required"),
])
def test_a_guid_entry_that_contradicts_itself_fails_at_import(build: Any, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        build()
