"""to_frame: declared schema, quirks of the wire, nothing lost — on hand-made and generated records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.frames import DTYPES
from mdh_notebook.kinds import CURSOR, KINDS, Column, Kind, snake_case


@pytest.mark.parametrize("name", list(KINDS))
def test_empty_result_has_every_declared_column_and_dtype(name: str) -> None:
    frame = mdh.to_frame(name, [])
    kind = KINDS[name]
    assert list(frame.columns) == kind.column_names
    assert len(frame) == 0
    for column in kind.columns:
        assert str(frame[column.name].dtype) == str(pd.Series([], dtype=DTYPES[column.dtype]).dtype), column


@pytest.mark.parametrize("wire, snake", [
    ("surveyResultID", "survey_result_id"), ("participantID", "participant_id"),
    ("source.identifier", "source_identifier"), ("sleepLevelRem", "sleep_level_rem"),
    ("schedule.intervalType", "schedule_interval_type"), ("URLPath", "url_path"), ("street1", "street1"),
    ("demographics.dateOfBirth", "demographics_date_of_birth"),
])
def test_snake_case(wire: str, snake: str) -> None:
    assert snake_case(wire) == snake


QUIRKY = [
    {  # everything present, Z with 3 fraction digits
        "id": "a1", "participantID": "p", "participantIdentifier": "PT-0001", "surveyResultID": "r1",
        "surveyID": "s", "surveyVersion": 3, "taskID": "t1", "surveyName": "PHQ-9",
        "surveyDisplayName": "PHQ-9", "date": "2026-10-01T14:00:00.123Z", "stepIdentifier": "PHQ9",
        "resultIdentifier": "PHQ9_1", "answers": ["2"], "insertedDate": "2026-10-01T14:00:05.12Z",
        "schedule": {"id": "sc", "name": "Biweekly", "interval": 2, "intervalType": "weeks"},
        "event": "Enrollment",
    },
    {  # taskID null, date absent, schedule absent, offsets of every kind, empty answers
        "id": "a2", "participantID": "p", "surveyResultID": "r2", "surveyID": "s", "surveyVersion": 3,
        "taskID": None, "surveyName": "DailyMood", "surveyDisplayName": "Daily mood",
        "stepIdentifier": "Note", "resultIdentifier": "Note", "answers": [],
        "insertedDate": "2026-10-01T09:00:05-05:00",
    },
    {  # no offset at all (taken as UTC), +00:00, an unknown key and an unknown nested object
        "id": "a3", "participantID": "p", "surveyResultID": "r3", "surveyID": "s", "surveyVersion": 1,
        "surveyName": "WeeklyActivity", "surveyDisplayName": "Activity", "date": "2026-10-01T14:00:05",
        "stepIdentifier": "Activities", "resultIdentifier": "Activities", "answers": ["Walking", "Yoga, light"],
        "insertedDate": "2026-10-01T14:00:05.000+00:00", "newField": 7,
        "schedule": {"id": "w", "name": "Weekly", "category": None, "extra": "x"},
        "device": {"model": "Pixel", "os": {"name": "Android"}},
    },
]


def test_quirks_of_the_wire() -> None:
    frame = mdh.to_frame("survey_answers", QUIRKY)
    assert len(frame) == 3
    assert list(frame.columns[: len(KINDS["survey_answers"].columns)]) == KINDS["survey_answers"].column_names
    # same instant whatever the form; no offset means UTC
    assert frame.loc[1, "inserted_date"] == pd.Timestamp("2026-10-01T14:00:05Z")
    assert frame.loc[2, "date"] == pd.Timestamp("2026-10-01T14:00:05Z")
    assert frame.loc[0, "date"] == pd.Timestamp("2026-10-01T14:00:00.123Z")
    assert pd.isna(frame.loc[1, "date"]) and pd.isna(frame.loc[1, "task_id"]) and pd.isna(frame.loc[2, "task_id"])
    assert frame.loc[2, "answers"] == ["Walking", "Yoga, light"] and frame.loc[1, "answers"] == []
    assert frame.loc[0, "schedule_interval"] == 2 and pd.isna(frame.loc[1, "schedule_interval"])
    # nothing lost: unknown keys become extra columns, nested ones flattened
    assert frame.loc[2, "new_field"] == 7 and pd.isna(frame.loc[0, "new_field"])
    assert frame.loc[2, "schedule_extra"] == "x"
    assert frame.loc[2, "device_model"] == "Pixel" and frame.loc[2, "device_os_name"] == "Android"


def test_booleans_from_strings_maps_kept_whole_dates_as_dates() -> None:
    record = {"participantID": "p", "projectID": "q", "participantIdentifier": "PT-0001",
              "enrollmentDate": "2020-05-12T16:50:55.528+00:00",
              "demographics": {"firstName": "Ada", "dateOfBirth": "1980-02-29", "unsubscribedFromEmails": "true",
                               "unsubscribedFromSms": "false", "timeZone": "America/Chicago"},
              "customFields": {"Cohort": "A", "Arm": "2"}}
    frame = mdh.to_frame("participant_info", [record])
    assert bool(frame.loc[0, "demographics_unsubscribed_from_emails"]) is True
    assert bool(frame.loc[0, "demographics_unsubscribed_from_sms"]) is False
    assert frame.loc[0, "custom_fields"] == {"Cohort": "A", "Arm": "2"}
    assert frame.loc[0, "demographics_date_of_birth"] == pd.Timestamp("1980-02-29")
    assert frame.loc[0, "enrollment_date"] == pd.Timestamp("2020-05-12T16:50:55.528Z")


def test_unreadable_values_warn_and_never_vanish_silently() -> None:
    with pytest.warns(mdh.DataWarning, match="efficiency"):
        frame = mdh.to_frame("fitbit_sleep_logs", [{"efficiency": "high", "startTimestamp": "2026-10-01T23:00:00Z"}])
    assert pd.isna(frame.loc[0, "efficiency"])
    with pytest.warns(mdh.DataWarning, match="start_timestamp"):
        mdh.to_frame("fitbit_sleep_logs", [{"startTimestamp": "last tuesday"}])


def test_tz_shows_the_same_instants_in_another_zone() -> None:
    utc = mdh.to_frame("survey_answers", QUIRKY)
    local = mdh.to_frame("survey_answers", QUIRKY, tz="America/Chicago")
    assert str(local["date"].dtype) == "datetime64[ns, America/Chicago]"
    assert (local["inserted_date"] == utc["inserted_date"]).all()
    with pytest.raises(mdh.InvalidArgumentError, match="IANA"):
        mdh.to_frame("survey_answers", QUIRKY, tz="Mars/Olympus")


def test_odd_shapes_are_kept_and_reported() -> None:
    with pytest.warns(mdh.DataWarning, match="schedule: expected an object"):
        frame = mdh.to_frame("survey_answers", [{"schedule": "weekly"}, {"schedule": {"id": "s"}}])
    assert frame.loc[0, "schedule"] == "weekly" and frame.loc[1, "schedule_id"] == "s"
    with pytest.warns(mdh.DataWarning, match="date_of_birth"):
        people = mdh.to_frame("participants", [{"demographics": {"dateOfBirth": 19800229}}])
    assert pd.isna(people.loc[0, "demographics_date_of_birth"])


def test_bad_input_names_the_fix() -> None:
    with pytest.raises(mdh.InvalidArgumentError, match="did you mean 'survey_answers'"):
        mdh.to_frame("survey_answer", [])
    with pytest.raises(mdh.InvalidArgumentError, match="dicts"):
        mdh.to_frame("survey_answers", [{}, "not a record", {}])  # type: ignore[list-item]


# -- generated records --------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1),
                        timezones=st.just(timezone.utc))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def iso_forms(draw: Any) -> tuple[str, pd.Timestamp]:
    """An instant written in one of the forms the API uses, and the instant itself (ms precision)."""
    instant = draw(instants).replace(microsecond=draw(st.integers(0, 999)) * 1000)
    form = draw(st.sampled_from(["Z3", "Z2", "Z0", "+00:00", "offset", "offset-nocolon", "naive"]))
    local = instant.astimezone(draw(offsets))
    if form == "Z2":
        instant = instant.replace(microsecond=(instant.microsecond // 10000) * 10000)
        text = instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 10000:02d}Z"
    elif form == "Z0":
        instant = instant.replace(microsecond=0)
        text = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif form == "Z3":
        text = instant.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    elif form == "+00:00":
        text = instant.isoformat(timespec="milliseconds")
    elif form == "naive":
        text = instant.replace(tzinfo=None).isoformat(timespec="milliseconds")
    else:
        text = local.isoformat(timespec="milliseconds")
        if form == "offset-nocolon":
            text = text[:-3] + text[-2:]
    return text, pd.Timestamp(instant)


def optional(value: Any) -> Any:
    """A key that is present with a value, present with null, or absent."""
    return st.one_of(st.just(("absent", None)), st.just(("null", None)), value.map(lambda v: ("value", v)))


@st.composite
def answer_records(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    record: dict[str, Any] = {"id": draw(st.uuids()).hex, "surveyName": draw(st.text(min_size=1, max_size=10)),
                              "answers": draw(st.lists(st.text(max_size=8), max_size=4))}
    expected: dict[str, Any] = {}
    for key in ("date", "insertedDate"):
        state, value = draw(optional(iso_forms()))
        if state != "absent":
            record[key] = value[0] if value else None
        expected[key] = value[1] if value else None
    state, version = draw(optional(st.integers(0, 10**6)))
    if state != "absent":
        record["surveyVersion"] = version
    expected["surveyVersion"] = version
    return record, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(answer_records(), max_size=30))
def test_generated_records_keep_rows_instants_and_values(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    records = [r for r, _ in pairs]
    frame = mdh.to_frame("survey_answers", records)
    assert len(frame) == len(records)
    assert str(frame["date"].dtype) == "datetime64[ns, UTC]"
    for i, (record, expected) in enumerate(pairs):
        for key, column in (("date", "date"), ("insertedDate", "inserted_date")):
            if expected[key] is None:
                assert pd.isna(frame.loc[i, column])
            else:
                assert frame.loc[i, column] == expected[key]
        assert frame.loc[i, "answers"] == record["answers"]
        assert frame.loc[i, "survey_name"] == record["surveyName"]
        if expected["surveyVersion"] is None:
            assert pd.isna(frame.loc[i, "survey_version"])
        else:
            assert frame.loc[i, "survey_version"] == expected["surveyVersion"]


def test_filter_instants_keep_their_precision() -> None:
    from mdh_notebook.filters import format_instant

    assert format_instant("2026-10-01T08:00:00-05:00") == "2026-10-01T13:00:00.000Z"
    assert format_instant("2026-10-01T13:00:00.123456Z") == "2026-10-01T13:00:00.123456Z"
    assert format_instant(pd.Timestamp("2026-10-01")) == "2026-10-01T00:00:00.000Z"
    with pytest.raises(mdh.InvalidArgumentError, match="ISO 8601"):
        format_instant("soon")
    with pytest.raises(mdh.InvalidArgumentError, match="datetime, date or ISO-8601"):
        format_instant(12)


# -- the converter registry, explicit names, derived columns ------------------------------

POINTS = Kind(  # device data's shape: value as sent, and a numeric copy
    name="points", path="api/v1/delegated/devicedata", token="participant", scope="DeviceData:read",
    shape="keyed", items_key="deviceDataPoints", paging=CURSOR,
    columns=(Column("namespace", "category"), Column("type", "category"), Column("value", "string"),
             Column("value", "Float64", name="value_number", quiet=True), Column("units", "category"),
             Column("properties", "object"), Column("observationDate", "datetime")),
)


def test_two_columns_read_one_key_and_a_quiet_copy_never_warns() -> None:
    records = [{"namespace": "AppleHealth", "type": "HeartRate", "value": "72", "units": "bpm", "properties": {}},
               {"namespace": "AppleHealth", "type": "Note", "value": "felt dizzy", "units": ""},
               {"namespace": "Fitbit", "type": "Steps", "value": "1e3", "observationDate": "2026-10-01T00:00:00Z"},
               {"namespace": "Fitbit", "type": "Steps", "value": ""}, {"namespace": "Fitbit", "type": "Steps"}]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", mdh.DataWarning)
        frame = mdh.to_frame(POINTS, records)
    assert list(frame.columns) == ["namespace", "type", "value", "value_number", "units", "properties",
                                   "observation_date"], "a key read by any column is declared: no extra column"
    assert list(frame["value"].astype(object).where(frame["value"].notna(), None)) == \
        ["72", "felt dizzy", "1e3", "", None]
    assert str(frame["value_number"].dtype) == "Float64"
    assert frame["value_number"].isna().tolist() == [False, True, False, True, True]  # "" and absent: missing
    assert frame.loc[0, "value_number"] == 72 and frame.loc[2, "value_number"] == 1000
    assert isinstance(frame["type"].dtype, pd.CategoricalDtype)
    assert set(frame["namespace"].cat.categories) == {"AppleHealth", "Fitbit"}
    assert pd.isna(frame.loc[1, "observation_date"])


def test_a_loud_column_on_the_same_values_does_warn() -> None:
    loud = Kind(name="loud", path="api/v1/delegated/loud", token="participant", scope="DeviceData:read",
                shape="array", columns=(Column("value", "string"), Column("value", "Float64", name="value_number")))
    with pytest.warns(mdh.DataWarning, match=r"loud\.value_number: 1 value"):
        mdh.to_frame(loud, [{"value": "felt dizzy"}, {"value": "3"}])


def test_every_dtype_has_one_converter_and_an_empty_frame_keeps_it() -> None:
    from typing import get_args

    from mdh_notebook.frames import CONVERTERS
    from mdh_notebook.kinds import Dtype

    assert set(CONVERTERS) == set(get_args(Dtype)) == set(DTYPES)
    every = Kind(name="every", path="api/v1/delegated/every", token="participant", scope="DeviceData:read",
                 shape="array", columns=tuple(Column(f"c{i}", d) for i, d in enumerate(get_args(Dtype))))
    empty = mdh.to_frame(every, [])
    assert [str(empty[c.name].dtype) for c in every.columns] == \
        [str(pd.Series([], dtype=DTYPES[c.dtype]).dtype) for c in every.columns]


# -- values of the wrong kind: read correctly, or reported; never silently changed ------------

def _warnings(kind: Kind | str, records: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = mdh.to_frame(kind, records)
    assert all(issubclass(w.category, mdh.DataWarning) for w in caught), [str(w.message) for w in caught]
    return frame, [str(w.message) for w in caught]


def test_dates_outside_what_pandas_holds_become_missing_with_a_warning() -> None:
    """.NET's DateTime.MinValue and a 9999-12-31 "never" do not raise OutOfBoundsDatetime; the
    columns keep their declared dtypes."""
    frame, said = _warnings("participants", [
        {"enrollmentDate": "0001-01-01T00:00:00", "demographics": {"dateOfBirth": "9999-12-31"}},
        {"enrollmentDate": "2026-10-01T00:00:00Z", "demographics": {"dateOfBirth": "1980-02-29"}},
    ])
    assert str(frame["enrollment_date"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["demographics_date_of_birth"].dtype) == "datetime64[ns]"
    assert pd.isna(frame.loc[0, "enrollment_date"]) and pd.isna(frame.loc[0, "demographics_date_of_birth"])
    assert frame.loc[1, "enrollment_date"] == pd.Timestamp("2026-10-01T00:00:00Z")
    assert frame.loc[1, "demographics_date_of_birth"] == pd.Timestamp("1980-02-29")
    assert len(said) == 2, said  # one per column, not one more from the generic "could not be read"
    assert any("enrollment_date: 1 value(s) outside the dates" in m and "0001-01-01" in m for m in said), said
    assert any("date_of_birth: 1 value(s) outside" in m and "9999-12-31" in m for m in said), said
    wall = Kind(name="wall", path="api/v1/delegated/wall", token="participant", scope="DeviceData:read",
                shape="array", columns=(Column("start", "wallclock"),))
    frame, said = _warnings(wall, [{"start": "0001-01-01T00:00:00"}, {"start": "2026-10-01T08:00:00"}])
    assert str(frame["start"].dtype) == "datetime64[ns]" and pd.isna(frame.loc[0, "start"]) and len(said) == 1


def test_a_session_pull_with_an_out_of_range_date_is_a_frame_not_a_pandas_error() -> None:
    """What the API sends, through the client: all pages fetched, then one frame (no exception)."""
    import httpx
    from fakes import client as fake_client

    def answers(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"surveyAnswers": [{"id": "a", "date": "0001-01-01T00:00:00"}],
                                         "nextPageID": None})

    with fake_client(answers) as client, pytest.warns(mdh.DataWarning, match="outside the dates"):
        frame = client.frame("survey_answers")
    assert pd.isna(frame.loc[0, "date"]) and list(frame["id"]) == ["a"]


MIXED = Kind(name="mixed", path="api/v1/delegated/mixed", token="participant", scope="DeviceData:read",
             shape="array", columns=(Column("n", "Int64"), Column("x", "Float64"), Column("s", "string"),
                                     Column("b", "boolean"), Column("t", "datetime")))


def test_a_boolean_is_not_a_number() -> None:
    frame, said = _warnings(MIXED, [{"n": True, "x": False}, {"n": 2, "x": "1.5"}])
    assert pd.isna(frame.loc[0, "n"]) and pd.isna(frame.loc[0, "x"])
    assert frame.loc[1, "n"] == 2 and frame.loc[1, "x"] == 1.5 and str(frame["n"].dtype) == "Int64"
    assert any("mixed.n: 1 value(s)" in m and "True" in m for m in said), said
    assert any("mixed.x: 1 value(s)" in m and "False" in m for m in said), said


def test_an_object_in_a_string_column_is_reported_not_its_python_repr() -> None:
    frame, said = _warnings(MIXED, [{"s": {"a": 1}}, {"s": ["x"]}, {"s": 7}, {"s": 2.5}, {"s": True}, {"s": "ok"}])
    assert pd.isna(frame.loc[0, "s"]) and pd.isna(frame.loc[1, "s"])
    assert list(frame["s"][2:]) == ["7", "2.5", "true", "ok"]  # scalars as JSON writes them
    assert len(said) == 1 and "mixed.s: 2 value(s)" in said[0] and "{'a': 1}" in said[0], said


def test_booleans_in_any_case() -> None:
    frame, said = _warnings(MIXED, [{"b": "TRUE"}, {"b": " False "}, {"b": "tRuE"}, {"b": False}, {"b": "yes"}])
    assert frame["b"].tolist()[:4] == [True, False, True, False] and pd.isna(frame.loc[4, "b"])
    assert len(said) == 1 and "mixed.b: 1 value(s)" in said[0] and "'yes'" in said[0], said


def test_a_number_in_a_datetime_column_is_unreadable_not_an_epoch() -> None:
    # _warnings also fails on pandas' warning about parsing numbers with a format
    frame, said = _warnings(MIXED, [{"t": 1_700_000_000}, {"t": 1.5}, {"t": "2026-10-01T00:00:00Z"}])
    assert pd.isna(frame.loc[0, "t"]) and pd.isna(frame.loc[1, "t"])
    assert frame.loc[2, "t"] == pd.Timestamp("2026-10-01T00:00:00Z")
    assert len(said) == 1 and "mixed.t: 2 value(s)" in said[0] and "1700000000" in said[0], said
