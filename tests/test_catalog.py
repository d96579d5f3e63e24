"""The catalogue as a table, and as family modules each declaring its own kinds and writes."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import httpx
import pytest

import mdh_notebook as mdh
from mdh_notebook import kinds
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.filters import encode_params, encode_path
from mdh_notebook.kinds import KINDS, OPERATIONS, Kind, Param

FAMILIES = ("surveys", "devicedata", "fitbit", "applehealth", "accounts", "files", "project", "admin")


def test_catalog_is_one_row_per_kind_and_write_by_scope() -> None:
    table = mdh.catalog()
    assert list(table.columns) == ["scope", "method", "http_method", "path", "token", "access", "filters",
                                   "columns", "doc"]
    assert len(table) == len(KINDS) + len(OPERATIONS)
    assert set(table["method"]) == set(KINDS) | set(OPERATIONS)
    row = table.set_index("method").loc["survey_answers"]
    assert (row["scope"], row["http_method"], row["path"], row["token"], row["access"]) == \
        ("SurveyAnswers:read", "GET", "api/v1/delegated/surveyanswers", "participant", "read")
    assert row["columns"] == KINDS["survey_answers"].column_names and "survey_name" in row["filters"]
    participant = table[table["token"] == "participant"]
    assert list(participant["scope"]) == sorted(participant["scope"]), "grouped by scope"
    assert table["token"].iloc[-1] == "service", "service-account kinds come last"


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_module_declares_its_own_entries(family: str) -> None:
    module = importlib.import_module(f"mdh_notebook.kinds.{family}")
    assert isinstance(module.KINDS, tuple) and isinstance(module.OPERATIONS, tuple)
    for entry in (*module.KINDS, *module.OPERATIONS):
        assert KINDS.get(entry.name, OPERATIONS.get(entry.name)) is entry


def test_every_entry_names_a_known_scope_and_setting() -> None:
    for entry in (*KINDS.values(), *OPERATIONS.values()):
        assert (entry.scope in mdh.KNOWN_SCOPES) == (entry.token == "participant"), entry.name
    assert KINDS["fitbit_sleep_logs"].setting == "fitbitEnabled"


def test_unknown_names_are_refused_with_a_suggestion(client: mdh.Client) -> None:
    with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'fitbit_sleep_logs'"):
        kinds.kind("fitbit_sleeplogs")
    with pytest.raises(mdh.InvalidArgumentError, match="unknown operation 'persist'"):
        kinds.operation("persist")
    with pytest.raises(mdh.InvalidArgumentError, match="unknown data kind"):
        client.connect("PT-0001", ["api"]).fetch("nothing")


def test_the_catalog_function_and_the_declarations_do_not_collide() -> None:
    import mdh_notebook.kinds as declarations

    assert callable(mdh.catalog) and declarations.KINDS is mdh.KINDS


def _guid_params() -> Iterator[tuple[str, Param]]:
    for entry in (*KINDS.values(), *OPERATIONS.values()):
        for param in (*entry.params, *getattr(entry, "path_params", ())):
            if param.type in ("guid", "guids"):
                yield entry.name, param


GUID_PARAMS = list(_guid_params())


def test_the_guid_ids_are_declared_where_the_api_takes_only_guids() -> None:
    assert {(name, p.name) for name, p in GUID_PARAMS} == {
        ("survey_answers", "survey_result_id"), ("survey_answers", "survey_id"), ("survey_results", "survey_id"),
        ("survey_tasks", "survey_id"), ("survey_tasks", "link_identifier"), ("delete_survey_result", "id"),
        ("inbox_item", "id"), ("mark_inbox_item_read", "id"), ("device_data_point", "id"),
        ("delete_device_data", "id")}


@pytest.mark.parametrize("entry, param", GUID_PARAMS, ids=[f"{e}-{p.name}" for e, p in GUID_PARAMS])
def test_a_guid_filter_names_frame_columns_that_hold_guids(client: mdh.Client, entry: str, param: Param) -> None:
    """The refusal says where to take an id from: those columns exist and the sandbox's values there
    are taken (a GUID of the seed in its column, sent back as the filter would send it)."""
    session = client.connect("PT-0001", ["api"])
    for name, column in param.taken_from:
        kind = KINDS[name]
        assert column in kind.column_names, (entry, name, column)
        needed = {p.name: p.choices[0] for p in kind.params if p.required}
        if kind.name == "device_data":
            needed = {"namespace": "AppleHealth"}  # a namespace the seed fills for PT-0001
        values = session.fetch(kind, **needed)[column].dropna()
        assert len(values) > 0, (name, column)
        holder = Kind(name="k", path="api/v1/delegated/k", token="participant", scope="SurveyAnswers:read",
                      shape="array", columns=(), params=(Param("x", "x", param.type, taken_from=param.taken_from),))
        for value in values.unique()[:50]:
            assert encode_params(holder, {"x": value}) == {"x": str(value).lower()}


def _free_text_filters() -> Iterator[tuple[Kind, Param]]:
    for kind in KINDS.values():
        if kind.token == "participant":
            for param in kind.params:
                if not (param.in_path or param.prefix or param.choices) and param.type in ("str", "list", "guid"):
                    yield kind, param


FREE = list(_free_text_filters())


@pytest.mark.parametrize("kind, param", FREE, ids=[f"{k.name}-{p.name}" for k, p in FREE])
def test_the_sandbox_refuses_as_not_a_guid_exactly_the_guid_filters(sandbox: SandboxServer, client: mdh.Client,
                                                                      kind: Kind, param: Param) -> None:
    """Held against the sandbox's own reading (the other wing): a filter it answers 400 "must be a
    GUID" is declared ``guid``, so the client refuses it first; any other takes free text."""
    session = client.connect("PT-0001", [kind.scope])
    assert session.token is not None
    needed = {p.name: p.choices[0] if p.choices else "x" for p in kind.params if p.required}
    url = sandbox.url + kind.path.format(**encode_path(kind, needed))
    query = {**encode_params(kind, needed), param.wire: "not-a-guid"}
    answer = httpx.get(url, params=query, headers={"Authorization": f"Bearer {session.token.value}"})
    refused = answer.status_code == 400 and "must be a GUID" in answer.text
    assert refused == (param.type == "guid"), (answer.status_code, answer.text[:200])
    if param.type == "guid":
        with pytest.raises(mdh.InvalidArgumentError, match="must be a GUID"):
            encode_params(kind, {**needed, param.name: "not-a-guid"})
