"""concat_frames: pages, slices and cache parts joined into the frame to_frame would give for all of them."""

from __future__ import annotations

import warnings
from itertools import pairwise
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.frames import DTYPES, concat_frames
from mdh_notebook.kinds import KINDS

STAMPS = ["2026-10-01T14:00:00.123Z", "2026-10-02T09:00:05-05:00", "2026-10-03T14:00:05", None, "not a date"]
WORDS = ["HeartRate", "Steps", "bpm", "count", "Fitbit", "AppleHealth", "Ünïcode", ""]


def _value(options: list[Any]) -> Any:
    return st.sampled_from(options)


@st.composite
def device_points(draw: Any) -> dict[str, Any]:
    """A device_data_v2 point: categoricals of varying cardinality, numbers as text or not, quirks, extras."""
    record: dict[str, Any] = {"id": draw(st.uuids()).hex}
    for key in ("namespace", "type", "units"):
        if draw(st.booleans()):
            record[key] = draw(_value([*WORDS, None, 7]))
    for key in ("startDate", "observationDate", "insertedDate"):
        if draw(st.booleans()):
            record[key] = draw(_value(STAMPS))
    if draw(st.booleans()):
        record["value"] = draw(st.one_of(st.integers(-5, 200), st.floats(allow_nan=False, allow_infinity=False),
                                         st.sampled_from(["71", "n/a", None])))
    if draw(st.booleans()):
        record["properties"] = draw(st.one_of(st.none(), st.dictionaries(st.sampled_from("ab"), st.integers(0, 3))))
    for extra in draw(st.lists(st.sampled_from(["newField", "otherField"]), unique=True)):
        record[extra] = draw(st.one_of(st.integers(0, 9), st.text(max_size=3), st.none()))
    return record


@st.composite
def answer_records(draw: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"id": draw(st.uuids()).hex,
                              "surveyName": draw(_value(["PHQ-9", "DailyMood", "WeeklyActivity", None])),
                              "answers": draw(st.lists(st.text(max_size=4), max_size=2)),
                              "insertedDate": draw(_value(STAMPS))}
    if draw(st.booleans()):
        record["surveyVersion"] = draw(st.one_of(st.integers(0, 9), st.floats(0, 9), st.just("3")))
    if draw(st.booleans()):
        record["schedule"] = {"id": "sc", "name": draw(_value(["Weekly", "Daily"])), "extra": draw(st.integers(0, 3))}
    return record


def _frame(kind: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mdh.DataWarning)
        return mdh.to_frame(kind, records)


def _cut(records: list[Any], cuts: list[int]) -> list[list[Any]]:
    """``records`` split at ``cuts`` (positions; empty pieces included, as an empty page or slice is)."""
    edges = [0, *sorted(c % (len(records) + 1) for c in cuts), len(records)]
    return [records[a:b] for a, b in pairwise(edges)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["device_data_v2", "survey_answers"]), st.data(), st.lists(st.integers(0, 40), max_size=4))
def test_pieces_join_into_the_frame_of_all_records(kind: str, data: Any, cuts: list[int]) -> None:
    records = data.draw(st.lists(device_points() if kind == "device_data_v2" else answer_records(), max_size=25))
    pieces = [_frame(kind, piece) for piece in _cut(records, cuts)]
    joined = concat_frames(kind, pieces)
    pd.testing.assert_frame_equal(joined, _frame(kind, records))
    assert isinstance(joined.index, pd.RangeIndex)
    for column in KINDS[kind].columns:
        if column.dtype == "category":  # unioned, never decayed to strings or object
            assert isinstance(joined[column.name].dtype, pd.CategoricalDtype), column.name


def test_categoricals_are_unioned_and_declared_dtypes_kept() -> None:
    first = _frame("device_data_v2", [{"id": "1", "type": "Steps", "value": "5", "startDate": STAMPS[0]}])
    second = _frame("device_data_v2", [{"id": "2", "type": "HeartRate", "units": "bpm", "value": 71}])
    assert list(first["type"].cat.categories) != list(second["type"].cat.categories)
    joined = concat_frames(KINDS["device_data_v2"], [first, second])  # a Kind, as well as its name
    assert list(joined["type"].cat.categories) == ["HeartRate", "Steps"]
    assert list(joined["type"].astype("string")) == ["Steps", "HeartRate"]
    for column in KINDS["device_data_v2"].columns:
        assert str(joined[column.name].dtype) == str(first[column.name].dtype), column.name
    assert pd.isna(joined.loc[0, "units"]) and joined.loc[1, "units"] == "bpm"


def test_extras_are_unioned_in_first_seen_order_missing_as_none() -> None:
    first = _frame("survey_answers", [{"id": "a", "newField": 7}])
    second = _frame("survey_answers", [{"id": "b", "device": {"model": "Pixel"}}])
    joined = concat_frames("survey_answers", [first, second])
    assert list(joined.columns) == [*KINDS["survey_answers"].column_names, "new_field", "device_model"]
    assert joined["new_field"].tolist() == [7, None] and joined["device_model"].tolist() == [None, "Pixel"]
    assert joined["new_field"].dtype == object


def test_extra_leading_column_keeps_its_place_and_attrs_come_from_the_first_frame() -> None:
    """A column put first on each part (as a cohort might) stays first; attrs are the first part's."""
    parts = []
    for who in ("PT-0001", "PT-0002"):
        part = _frame("survey_answers", [{"id": who, "surveyName": who}])
        part.insert(0, "member", pd.Series([who], dtype="string"))
        part.attrs["who"] = who
        parts.append(part)
    parts[1].index = pd.Index([10])
    joined = concat_frames("survey_answers", parts)
    assert joined.columns[0] == "member"
    assert joined["member"].dtype == "string"
    assert joined.attrs == {"kind": "survey_answers", "who": "PT-0001"}
    assert list(joined.index) == [0, 1]


def test_a_declared_column_missing_from_a_part_is_filled_with_its_dtype() -> None:
    full = _frame("device_data_v2", [{"id": "1", "type": "Steps", "startDate": STAMPS[0]}])
    trimmed = _frame("device_data_v2", [{"id": "2", "type": "Sleep"}]).drop(columns=["type", "start_date"])
    joined = concat_frames("device_data_v2", [full, trimmed])
    assert isinstance(joined["type"].dtype, pd.CategoricalDtype)
    assert str(joined["start_date"].dtype) == DTYPES["datetime"]
    assert joined["type"].isna().tolist() == [False, True]


def test_zones_follow_the_first_frame() -> None:
    utc = _frame("survey_answers", [{"id": "a", "insertedDate": STAMPS[0]}])
    chicago = mdh.to_frame("survey_answers", [{"id": "b", "insertedDate": STAMPS[0]}], tz="America/Chicago")
    joined = concat_frames("survey_answers", [utc, chicago])
    assert str(joined["inserted_date"].dtype) == DTYPES["datetime"]
    assert joined["inserted_date"].nunique() == 1


@pytest.mark.parametrize("name", ["survey_answers", "device_data_v2", "participants"])
def test_no_frames_is_the_empty_frame(name: str) -> None:
    pd.testing.assert_frame_equal(concat_frames(name, []), mdh.to_frame(name, []))


def test_parts_whose_categories_are_in_another_order_keep_their_values() -> None:
    """A part read back from elsewhere (a cache file) may hold its categories in another order, or hold
    plain strings: each part's codes are mapped into the sorted union, the values stay."""
    first = _frame("device_data_v2", [{"id": "1", "type": "Steps"}, {"id": "2", "type": "HeartRate"}])
    second = first.copy()
    second["type"] = second["type"].cat.reorder_categories(["Steps", "HeartRate"])
    third = _frame("device_data_v2", [{"id": "3", "type": "Sleep"}, {"id": "4"}])
    third["type"] = third["type"].astype("string")
    joined = concat_frames("device_data_v2", [first, second, third])
    assert list(joined["type"].cat.categories) == ["HeartRate", "Sleep", "Steps"]
    assert joined["type"].tolist()[:5] == ["Steps", "HeartRate", "Steps", "HeartRate", "Sleep"]
    assert pd.isna(joined["type"].iloc[5])


def test_a_column_whole_in_one_part_and_fractional_in_another_is_float() -> None:
    """An integer column kept as Float64 in a part (fractions, reported there) joins as Float64."""
    whole = _frame("survey_answers", [{"id": "a", "surveyVersion": 2}])
    fractional = _frame("survey_answers", [{"id": "b", "surveyVersion": 2.5}])
    joined = concat_frames("survey_answers", [whole, fractional])
    assert str(joined["survey_version"].dtype) == "Float64"
    assert joined["survey_version"].tolist() == [2.0, 2.5]
