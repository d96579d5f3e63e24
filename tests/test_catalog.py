"""The catalogue as a table, and as family modules each declaring its own kinds and writes."""

from __future__ import annotations

import importlib

import pytest

import mdh_notebook as mdh
from mdh_notebook import kinds
from mdh_notebook.kinds import KINDS, OPERATIONS

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
