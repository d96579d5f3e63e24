"""to_frame's fast paths (arrow's ISO-8601 and number casts) read every value exactly as the per-value rules do.

Each converter tries arrow first and falls back to pandas for the whole column when arrow refuses any
value; these properties hold the result against a reference written value by value from the rules in
frames.py's docstring, on strings drawn near the edges of what either parser takes.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.kinds import Column, Kind

LOW, HIGH = pd.Timestamp.min.ceil("us"), pd.Timestamp.max.floor("us")
ZONE = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")


def _kind(dtype: str) -> Kind:
    return Kind(name="probe", path="api/v1/delegated/probe", token="participant", scope="DeviceData:read",
                shape="array", columns=(Column("v", dtype),))  # type: ignore[arg-type]


@st.composite
def iso_like(draw: Any) -> str:
    """Date-times near the edges: years pandas cannot hold, missing parts, 0–10 fraction digits, every
    offset form, wrong cases and separators, spaces around, an impossible day or hour, or any text."""
    if draw(st.integers(0, 9)) == 0:
        return str(draw(st.text(alphabet="0123456789-:T+Z. tz", max_size=26)))
    if draw(st.booleans()):  # well formed, as the API writes them (the fast path's case)
        instant = draw(st.datetimes(min_value=datetime(1600, 1, 1), max_value=datetime(2300, 1, 1)))
        text = instant.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "microseconds"])))
        return text + str(draw(st.sampled_from(["", "Z", "+00:00", "-05:00", "-0500", "+05"])))
    year = draw(st.sampled_from(["2026", "1677", "1678", "2262", "2261", "0001", "9999", "1970", "26"]))
    month, day = draw(st.sampled_from(["01", "02", "09", "12", "13", "1", "00"])), \
        draw(st.sampled_from(["01", "09", "28", "29", "30", "31", "32", "5"]))
    text = "-".join(p for p in (year, month, day) if p) if draw(st.booleans()) else f"{year}{month}{day}"
    if draw(st.integers(0, 5)):
        text += draw(st.sampled_from(["T", " ", "t", "TT"]))
        text += ":".join(draw(st.lists(st.sampled_from(["00", "09", "23", "24", "59", "60", "7"]),
                                       min_size=1, max_size=3)))
        digits = draw(st.integers(0, 10))
        if digits:
            text += draw(st.sampled_from([".", ","])) + "1234567890"[:digits]
    text += draw(st.sampled_from(["", "", "Z", "z", "+00:00", "-05:00", "-0500", "+05", "+14:00", "+24:00",
                                  "+05:30:00", " Z", "-5"]))
    return str(draw(st.sampled_from(["", "", " "]))) + text + str(draw(st.sampled_from(["", "", " "])))


def _instant(text: str, naive: bool) -> Any:
    """The rules, one value at a time: pandas' ISO-8601 parser; naive taken as UTC (or kept naive for a
    wall clock, its offset dropped); outside what datetime64[ns] holds, missing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if naive:
                parsed = pd.to_datetime(ZONE.sub("", text.strip()), format="ISO8601")
            else:
                parsed = pd.to_datetime(text, format="ISO8601", utc=True)
        except (ValueError, OverflowError):
            return pd.NaT
    if pd.isna(parsed):
        return pd.NaT
    bare = parsed.tz_localize(None) if parsed.tzinfo else parsed
    return parsed if LOW <= bare <= HIGH else pd.NaT


def _convert(dtype: str, values: list[Any]) -> tuple[pd.Series, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = mdh.to_frame(_kind(dtype), [{"v": v} for v in values])
    return frame["v"], [str(w.message) for w in caught if issubclass(w.category, mdh.DataWarning)]


def _check(column: pd.Series, expected: list[Any], values: list[Any], said: list[str]) -> None:
    for got, want, value in zip(column, expected, values, strict=True):
        assert (pd.isna(got) and pd.isna(want)) or got == want, (value, got, want)
    lost = any(v is not None and pd.isna(e) for v, e in zip(values, expected, strict=True))
    assert bool(said) == lost, (said, values)  # reported exactly when a value was lost


# a column of one form (the fast path's case) or of many (some naive, some refused: the fallback's)
columns = st.one_of(
    iso_like().flatmap(lambda one: st.lists(st.sampled_from([one, None]), min_size=1, max_size=6)),
    st.lists(st.one_of(iso_like(), st.none()), min_size=1, max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns)
def test_instants_read_as_pandas_reads_each_value(values: list[str | None]) -> None:
    column, said = _convert("datetime", values)
    assert str(column.dtype) == "datetime64[ns, UTC]"
    _check(column, [None if v is None else _instant(v, naive=False) for v in values], values, said)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns)
def test_wall_clocks_read_as_pandas_reads_each_value(values: list[str | None]) -> None:
    column, said = _convert("wallclock", values)
    assert str(column.dtype) == "datetime64[ns]"
    _check(column, [None if v is None else _instant(v, naive=True) for v in values], values, said)


def _day(text: str) -> Any:
    try:
        parsed = pd.to_datetime(text[:10], format="%Y-%m-%d")
    except (ValueError, OverflowError):
        return pd.NaT
    return parsed if LOW <= parsed <= HIGH else pd.NaT


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns)
def test_dates_read_as_pandas_reads_each_value(values: list[str | None]) -> None:
    column, said = _convert("date", values)
    assert str(column.dtype) == "datetime64[ns]"
    _check(column, [None if v is None else _day(v) for v in values], values, said)


numeric_text = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["9007199254740993", "+5", "-0", "00012", ".5", "5.", "1e3", "1E400", "nan", "NaN", "inf",
                     "-Infinity", " 80", "80 ", "", "n/a", "0x10", "1_000", "1,5", "١٢", "true", "1.2.3"]),
)


def _number(text: str) -> Any:
    number = pd.to_numeric(pd.Series([text], dtype="object"), errors="coerce")[0]
    return pd.NA if pd.isna(number) else number


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(numeric_text, st.none()), min_size=1, max_size=6))
def test_numbers_as_text_read_as_to_numeric_reads_each_value(values: list[str | None]) -> None:
    column, said = _convert("Float64", values)
    assert str(column.dtype) == "Float64"
    _check(column, [pd.NA if v is None else _number(v) for v in values], values, said)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.lists(st.one_of(st.integers(-(2**53), 2**53).map(str), st.sampled_from(["+5", "-0", "007"]), st.none()),
             min_size=1, max_size=6),
    st.lists(st.integers(-(2**62), 2**62).map(str), min_size=1, max_size=6),  # beyond 2**53 (to_numeric's int64)
))
def test_whole_numbers_as_text_keep_every_digit(values: list[str | None]) -> None:
    column, said = _convert("Int64", values)
    assert str(column.dtype) == "Int64" and not said
    assert [None if pd.isna(v) else int(v) for v in column] == [None if v is None else int(v) for v in values]


# -- the one-pass read of every text column, and its fallback -------------------------------------------

QUIRKS = [("surveyName", 7), ("surveyName", True), ("date", 20261001), ("date", {"at": "noon"}),
          ("insertedDate", "not a date"), ("schedule", {"name": 5}), ("type", ["Form"]),
          ("surveyVersion", "3"), ("stepIdentifier", None), ("newField", "x")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(48, 90), st.lists(st.tuples(st.integers(0, 89), st.sampled_from(QUIRKS)), max_size=3))
def test_a_quirk_anywhere_in_a_long_pull_reads_as_it_does_alone(n: int, quirks: list[tuple[int, Any]]) -> None:
    """Past 16 records only a sample is checked before the one-pass read: a quirk the sample misses
    makes it fail, and the columns are then read one by one — as each record alone reads. (Not a
    schedule sent as text: that keeps the whole column as sent, a rule about the column.)"""
    from mdh_notebook.frames import concat_frames

    records: list[dict[str, Any]] = [
        {"id": f"a{i}", "surveyName": ["PHQ-9", "DailyMood"][i % 2], "date": f"2026-10-01T14:{i % 60:02d}:00Z",
         "insertedDate": f"2026-10-01T14:{i % 60:02d}:05" + ("Z" if i % 3 else ""), "stepIdentifier": "Mood",
         "schedule": {"id": "sc", "name": "Daily"} if i % 4 else None, "answers": [str(i)], "type": "Question"}
        for i in range(n)]
    for at, (key, value) in quirks:
        records[at % n][key] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mdh.DataWarning)
        whole = mdh.to_frame("survey_answers", records)
        alone = concat_frames("survey_answers", [mdh.to_frame("survey_answers", [r]) for r in records])
    pd.testing.assert_frame_equal(whole, alone)


# -- categories straight from arrow's dictionary encoding; whole numbers straight from arrow ----------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=4), st.sampled_from(["b", "B", "a", "é", "Z", "10", "9"]), st.none()),
                max_size=40))
def test_categories_are_astype_category_of_the_strings(values: list[str | None]) -> None:
    """dictionary_encode + from_codes gives what ``astype("category")`` gives: the same codes, categories
    sorted the same way and of dtype string (in a text pass of many records and converted alone)."""
    expected = pd.Series(values, dtype="string").astype("category")
    column, said = _convert("category", values)
    pd.testing.assert_series_equal(column, expected, check_names=False)
    assert not said
    records = [{"surveyName": v, "type": v} for v in values]
    frame = mdh.to_frame("survey_answers", records)
    for name in ("survey_name", "type"):
        pd.testing.assert_series_equal(frame[name], expected, check_names=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.integers(-(2**53), 2**53), st.integers(-(2**63), 2**63 - 1), st.none()), max_size=12))
def test_json_integers_keep_every_digit(values: list[int | None]) -> None:
    """JSON integers go straight from arrow to Int64: every digit kept (also past 2**53, where a float
    would round), None missing, nothing reported."""
    column, said = _convert("Int64", values)
    assert str(column.dtype) == "Int64" and not said
    assert [None if pd.isna(v) else int(v) for v in column] == values
