"""answers_wide and survey_scores: random answer records built as the API sends them (through
mdh.to_frame), and the sandbox's own survey answers against hand sums of the raw records."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.analysis import LEADING, answers_wide, scored_surveys, survey_scores
from mdh_notebook.errors import InvalidArgumentError


@dataclass(frozen=True)
class Item:
    name: str
    step: str
    kind: str  # int, float, text, multi


ITEMS = (Item("Mood", "Mood", "int"), Item("Weight", "Weight", "float"), Item("Note", "Note", "text"),
         Item("Activities", "Activities", "multi"), Item("F_2", "F", "int"), Item("F_10", "F", "int"),
         Item("F_1", "F", "float"))
WORDS = st.text(alphabet="abcdefghij ,\"\\é😊", min_size=1, max_size=8).map(lambda s: "t" + s)


def _answer(kind: str) -> st.SearchStrategy[list[Any]]:
    if kind == "int":
        return st.one_of(st.integers(-50, 50).map(lambda v: [str(v)]), st.integers(0, 9).map(lambda v: [v]),
                         st.just([]))
    if kind == "float":
        return st.one_of(st.integers(-400, 400).map(lambda v: [f"{v / 4}"]), st.just([]))
    if kind == "text":
        return st.one_of(WORDS.map(lambda v: [v]), st.integers(0, 5).map(lambda v: [str(v)]), st.just([]))
    return st.lists(WORDS, max_size=3)


@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[Any]]]]:
    """Records (shuffled) and, per result id, each item's answers."""
    n = draw(st.integers(0, 6))
    records: list[dict[str, Any]] = []
    truth: dict[str, dict[str, list[Any]]] = {}
    for r in range(n):
        rid = f"result-{r}"
        survey = draw(st.sampled_from(["PHQ-9", "DailyMood", "Other"]))
        items = draw(st.lists(st.sampled_from(ITEMS), unique=True, max_size=len(ITEMS)))
        truth[rid] = {}
        for item in items:
            answers = draw(_answer(item.kind))
            truth[rid][item.name] = answers
            day = draw(st.one_of(st.none(), st.integers(1, 28)))
            record: dict[str, Any] = {
                "id": f"{rid}-{item.name}", "participantID": "p-1", "participantIdentifier": "PT-0001",
                "surveyResultID": rid, "surveyName": survey, "stepIdentifier": item.step,
                "resultIdentifier": item.name, "answers": answers,
            }
            if day is not None:
                record["date"] = f"2026-08-{day:02d}T10:00:00Z"
            records.append(record)
    return draw(st.permutations(records)), truth


def _natural(name: str) -> list[Any]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]


def _expected_dtype(item: Item, cells: list[list[Any]]) -> str:
    given_ = [c for c in cells if c]
    if item.kind == "multi" and any(len(c) > 1 for c in given_):
        return "object"
    if not given_:
        return "string"
    values = [str(c[0]) for c in given_]
    if all(re.fullmatch(r"-?\d+", v) for v in values):
        return "Int64"
    if all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values):
        return "Int64" if all(float(v).is_integer() for v in values) else "Float64"
    return "string"


def _types(item: Item, truth: dict[str, Any], survey_of: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The item's column dtype, and each survey's own type of it (a survey that never answered has none):
    the surveys' common type where they agree (numbers of both kinds agree), ``object`` where they do not."""
    per_survey: dict[str, str] = {}
    for survey in dict.fromkeys(survey_of.values()):
        cells = [truth[rid][item.name] for rid in truth if survey_of.get(rid) == survey and item.name in truth[rid]]
        if any(cells):
            per_survey[survey] = _expected_dtype(item, cells)
    kinds = {"number" if t in ("Int64", "Float64") else t for t in per_survey.values()}
    everything = [truth[rid][item.name] for rid in truth if item.name in truth[rid]]
    return (_expected_dtype(item, everything) if len(kinds) <= 1 else "object"), per_survey


def _check_value(dtype: str, value: Any, answer: list[Any] | None) -> None:
    if answer is None:
        assert value is None or pd.isna(value)
    elif dtype == "object":
        assert value == answer
    elif not answer:
        assert pd.isna(value)
    elif dtype == "string":
        assert value == str(answer[0])
    else:
        assert value == float(answer[0])


@given(answer_sets())
def test_one_row_per_result_one_column_per_item(data: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records, truth = data
    frame = mdh.to_frame("survey_answers", records)
    wide = answers_wide(frame)
    answered = {rid for rid in truth if truth[rid]}
    assert sorted(wide["survey_result_id"]) == sorted(answered)
    # columns: the leading ones, then items by first-seen step, a step's items in natural order
    steps = list(dict.fromkeys(r["stepIdentifier"] for r in records))
    items = [i.name for s in steps for i in sorted((i for i in ITEMS if i.step == s), key=lambda i: _natural(i.name))
             if any(i.name in truth[rid] for rid in truth)]
    assert list(wide.columns) == [*LEADING, *items]
    for rid, row in zip(wide["survey_result_id"], wide.itertuples(index=False), strict=True):
        dated = [pd.Timestamp(r["date"]) for r in records if r["surveyResultID"] == rid and "date" in r]
        assert (pd.isna(row.date) and not dated) or row.date == min(dated)
    dates = wide["date"]
    assert dates.isna().is_monotonic_increasing and dates.dropna().is_monotonic_increasing
    survey_of = {r["surveyResultID"]: r["surveyName"] for r in records}
    for item in ITEMS:
        if item.name not in wide.columns:
            continue
        column = wide[item.name]
        dtype, per_survey = _types(item, truth, survey_of)
        assert str(column.dtype) == dtype, (item, per_survey)
        for rid, value in zip(wide["survey_result_id"], column, strict=True):
            mixed = dtype == "object" and len(set(per_survey.values())) > 1
            silent = "object" if "object" in per_survey.values() else "string"  # a survey that never answered it
            _check_value(per_survey.get(survey_of[rid], silent) if mixed else dtype, value, truth[rid].get(item.name))


@given(answer_sets())
def test_scores_add_up_the_numeric_items(data: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records, truth = data
    frame = mdh.to_frame("survey_answers", records)
    wide = answers_wide(frame)
    scores = survey_scores(frame)
    assert list(scores.columns) == [*LEADING, "items", "total"]
    assert scores["survey_result_id"].tolist() == wide["survey_result_id"].tolist()
    survey_of = {r["surveyResultID"]: r["surveyName"] for r in records}
    types = {i.name: _types(i, truth, survey_of)[1] for i in ITEMS}
    for rid, items, total in zip(scores["survey_result_id"], scores["items"], scores["total"], strict=True):
        numeric = [c for c, per_survey in types.items() if per_survey.get(survey_of[rid]) in ("Int64", "Float64")]
        values = [float(truth[rid][c][0]) for c in numeric if truth[rid].get(c)]
        assert items == len(values)
        assert (pd.isna(total) and not values) or total == pytest.approx(sum(values))
        alone = survey_scores(frame, survey_name=survey_of[rid])  # the same with no other survey in the frame
        again = alone.loc[alone["survey_result_id"] == rid]
        assert again["items"].tolist() == [items]
        assert (pd.isna(total) and again["total"].isna().all()) or again["total"].tolist() == [total]


def test_an_empty_frame_gives_the_leading_columns() -> None:
    empty = mdh.to_frame("survey_answers", [])
    wide = answers_wide(empty)
    assert list(wide.columns) == list(LEADING) and wide.empty
    assert wide.dtypes.to_dict() == empty[list(LEADING)].dtypes.to_dict()
    scores = survey_scores(empty)
    assert list(scores.columns) == [*LEADING, "items", "total"] and scores.empty
    assert str(scores["total"].dtype) == "Int64"


def test_a_frame_that_is_not_survey_answers_is_named() -> None:
    with pytest.raises(InvalidArgumentError, match=r"answers_wide\(\) takes the frame of session.survey_answers\(\)"
                       r".*; it has no columns 'survey_result_id', 'step_identifier', 'answers'"):
        answers_wide(mdh.to_frame("survey_results", []))
    with pytest.raises(InvalidArgumentError, match=r"it has no column 'survey_result_id'$"):
        answers_wide(mdh.to_frame("survey_answers", []).drop(columns="survey_result_id"))
    with pytest.raises(InvalidArgumentError, match=r"survey_scores\(\) takes .* not a list"):
        survey_scores([{"surveyResultID": "x"}])


def _records(*rows: tuple[str, str, str, list[Any]]) -> pd.DataFrame:
    return mdh.to_frame("survey_answers", [
        {"surveyResultID": rid, "surveyName": "S", "participantIdentifier": "PT-1", "participantID": "p",
         "stepIdentifier": step, "resultIdentifier": item, "answers": answers, "date": "2026-08-01T00:00:00Z"}
        for rid, step, item, answers in rows])


def test_the_first_answer_of_an_item_counts_and_names_do_not_clash() -> None:
    with pytest.warns(mdh.DataWarning, match=r"answers_wide\(\): 2 answer records repeat an item already answered"):
        wide = answers_wide(_records(("r", "date", "date", ["1"]), ("r", "Q", "Q", ["2"]), ("r", "Q", "Q", ["3"]),
                                     ("r", "Q", "Q", ["4"]), ("r", "form", "", ["x"])))
    assert list(wide.columns) == [*LEADING, "date_", "Q", "form"]
    assert wide.loc[0, "date_"] == 1 and wide.loc[0, "Q"] == 2 and wide.loc[0, "form"] == "x"


def test_numbers_large_and_odd() -> None:
    wide = answers_wide(_records(("a", "big", "big", [str(2**70)]), ("a", "whole", "whole", ["3.0"]),
                                 ("a", "inf", "inf", ["inf"]), ("a", "b", "b", [True]), ("a", "sp", "sp", [" 4 "])))
    assert str(wide["big"].dtype) == "Float64" and wide.loc[0, "big"] == float(2**70)
    assert str(wide["whole"].dtype) == "Int64" and wide.loc[0, "whole"] == 3
    assert str(wide["inf"].dtype) == "string"  # not a finite number
    assert str(wide["b"].dtype) == "string" and wide.loc[0, "b"] == "True"  # a boolean is no number
    assert str(wide["sp"].dtype) == "Int64"


def test_nan_answers_are_missing_and_answers_read_back_from_csv_are_refused() -> None:
    nan = float("nan")
    frame = _records(("a", "Note", "Note", [nan]), ("a", "Q", "Q", [nan]), ("b", "Note", "Note", ["x"]),
                     ("b", "Q", "Q", ["2"]), ("b", "M", "M", ["y", nan, "z"]))
    wide = answers_wide(frame)
    assert str(wide["Note"].dtype) == "string" and pd.isna(wide.loc[0, "Note"]) and wide.loc[1, "Note"] == "x"
    assert str(wide["Q"].dtype) == "Int64" and pd.isna(wide.loc[0, "Q"]) and wide.loc[1, "Q"] == 2
    assert wide.loc[1, "M"] == ["y", "z"]
    text = io.StringIO()
    frame.to_csv(text, index=False)
    again = pd.read_csv(io.StringIO(text.getvalue()))
    with pytest.raises(InvalidArgumentError, match=r"answers column holds text like '\[nan\]', not lists.*read "
                       r"back from CSV.*Parquet.*ast.literal_eval"):
        answers_wide(again)
    with pytest.raises(InvalidArgumentError, match="read back from CSV"):
        survey_scores(again)


def test_answers_read_back_from_parquet() -> None:
    frame = _records(("a", "Q", "Q", ["1"]), ("a", "M", "M", ["x", "y"]), ("b", "Q", "Q", ["2"]),
                     ("b", "M", "M", []))
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    again = pd.read_parquet(io.BytesIO(buffer.getvalue()))
    assert isinstance(again.loc[0, "answers"], np.ndarray)
    wide = answers_wide(again)
    assert wide["Q"].tolist() == [1, 2] and wide["M"].tolist() == [["x", "y"], []]


def test_mixed_surveys_keep_each_surveys_types_and_totals() -> None:
    frame = mdh.to_frame("survey_answers", [
        {"surveyResultID": rid, "surveyName": survey, "stepIdentifier": step, "answers": answers}
        for rid, survey, step, answers in (("a", "A", "Q1", ["3"]), ("a", "A", "Q2", ["4"]),
                                           ("b", "B", "Q1", ["often"]), ("c", "C", "Q1", ["0.5"]))])
    scores = survey_scores(frame)
    assert scores["total"].tolist()[0] == 7 and pd.isna(scores["total"].tolist()[1]) and scores["total"][2] == 0.5
    assert survey_scores(frame, survey_name="A")["total"].tolist() == [7]
    wide = answers_wide(frame)
    assert wide["Q1"].dtype == object and wide["Q1"].tolist() == [3, "often", 0.5]  # each survey's own type
    assert str(answers_wide(frame[frame["survey_name"] == "A"])["Q1"].dtype) == "Int64"
    with pytest.raises(InvalidArgumentError, match=r"item 'Q1' is not numeric in survey 'B'.*survey_name="):
        survey_scores(frame, steps=["Q1"])
    assert survey_scores(frame, survey_name=["A", "C"], steps="Q1")["total"].tolist() == [3.0, 0.5]


def test_scores_choose_surveys_and_steps() -> None:
    frame = mdh.to_frame("survey_answers", [
        {"surveyResultID": rid, "surveyName": survey, "stepIdentifier": step, "answers": answers}
        for rid, survey, step, answers in (("1", "A", "x", ["1"]), ("1", "A", "y", ["2"]), ("1", "A", "n", ["hi"]),
                                           ("2", "B", "x", ["5"]), ("2", "B", "z", ["0.5"]))])
    assert survey_scores(frame)["total"].tolist() == [3.0, 5.5]
    only_a = survey_scores(frame, survey_name="A")
    assert only_a["total"].tolist() == [3] and str(only_a["total"].dtype) == "Int64"
    assert survey_scores(frame, steps=["x"])["items"].tolist() == [1, 1]
    assert survey_scores(frame, steps="y")["total"].isna().tolist() == [False, True]
    with pytest.raises(InvalidArgumentError, match=r"no item 'w' in these answers \(items: x, y, n, z\)"):
        survey_scores(frame, steps=["w"])
    with pytest.raises(InvalidArgumentError, match="item 'n' is not numeric in survey 'A'"):
        survey_scores(frame, steps=["x", "n"])
    with pytest.raises(InvalidArgumentError, match="survey_name takes a name or a list of names"):
        survey_scores(frame, survey_name=[1])  # type: ignore[list-item]


@pytest.fixture(scope="module")
def answers(config: mdh.Config) -> Iterator[pd.DataFrame]:
    with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config) as session:
        yield session.survey_answers(progress=False)


def test_the_sandbox_phq9(answers: pd.DataFrame, raw_answers: list[dict[str, Any]]) -> None:
    scores = survey_scores(answers, survey_name="PHQ-9")
    hand: dict[str, int] = {}
    for record in raw_answers:
        if record["surveyName"] == "PHQ-9":
            hand[record["surveyResultID"]] = hand.get(record["surveyResultID"], 0) + int(record["answers"][0])
    assert len(scores) == len(hand) >= 5
    assert (scores["items"] == 9).all()
    assert dict(zip(scores["survey_result_id"], scores["total"].astype(int), strict=True)) == hand
    wide = answers_wide(answers[answers["survey_name"] == "PHQ-9"])
    assert list(wide.columns) == [*LEADING, *(f"PHQ9_{k}" for k in range(1, 10))]
    assert all(str(wide[f"PHQ9_{k}"].dtype) == "Int64" for k in range(1, 10))


def test_the_sandbox_surveys_wide(answers: pd.DataFrame, raw_answers: list[dict[str, Any]]) -> None:
    wide = answers_wide(answers)
    assert len(wide) == len({r["surveyResultID"] for r in raw_answers})
    assert str(wide["Mood"].dtype) == "Int64" and str(wide["Note"].dtype) == "string"
    activities = wide.loc[wide["survey_name"] == "WeeklyActivity", "Activities"]
    assert wide["Activities"].dtype == object and all(isinstance(v, list) for v in activities)
    assert any(len(v) > 1 for v in activities)
    dated = {r["surveyResultID"] for r in raw_answers if r.get("date")}
    assert set(wide.loc[wide["date"].notna(), "survey_result_id"]) == dated
    mood = {r["surveyResultID"]: int(r["answers"][0]) for r in raw_answers if r["stepIdentifier"] == "Mood"}
    rows = wide[wide["survey_name"] == "DailyMood"]
    assert dict(zip(rows["survey_result_id"], rows["Mood"].astype(int), strict=True)) == mood


def test_scored_surveys_are_those_answered_only_in_numbers(answers: pd.DataFrame) -> None:
    assert scored_surveys(answers) == ["PHQ-9"]  # DailyMood has a free-text Note, WeeklyActivity a multi-select
    frame = mdh.to_frame("survey_answers", [
        {"surveyResultID": rid, "surveyName": survey, "stepIdentifier": step, "answers": answers}
        for rid, survey, step, answers in (("a", "A", "Q1", ["3"]), ("a", "A", "Q2", ["4"]),
                                           ("b", "B", "Q1", ["2"]), ("b", "B", "Q2", ["fine"]),
                                           ("c", "C", "Q1", ["1", "2"]))])
    assert scored_surveys(frame) == ["A"]
    assert scored_surveys(frame.iloc[0:0]) == []
    with pytest.raises(InvalidArgumentError, match="scored_surveys"):
        scored_surveys(pd.DataFrame({"x": [1]}))
