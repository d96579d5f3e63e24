"""The explorer without a browser: set ``.value``, assert on the state and on what is rendered.

Against the real sandbox (the session fixtures); no mocks. The browser test (tests/browser)
clicks the same controls through their DOM classes.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text
from traitlets import TraitError
from widget_helpers import Tags, picked, shown

import mdh_notebook as mdh
from mdh_notebook.plots import png_bytes
from mdh_notebook.widgets import (
    Explorer,
    explorer_kinds,
)

# -- ParticipantPicker ----------------------------------------------------------------------------

def test_the_explorer_lists_participant_listings_and_starts_on_survey_answers(explorer: Explorer) -> None:
    names = [v for _, v in explorer.kind.options]
    assert names == [k.name for k in explorer_kinds()]
    assert explorer.kind.value == "survey_answers" and names[0] == "survey_answers"
    assert "participants" not in names and "participant_info" not in names  # service-token and single records
    assert {"survey_answers", "device_data_v2", "fitbit_sleep_logs", "files"} <= set(names)
    assert explorer.participants.value is None and explorer.scopes.value == ()
    assert explorer.frame is None and explorer.figure is None and explorer.session is None
    for widget, name in ((explorer.kind, "mdh-kind"), (explorer.fetch_button, "mdh-fetch"),
                         (explorer.table, "mdh-table"), (explorer.plot, "mdh-plot"),
                         (explorer.message_box, "mdh-message"), (explorer.token_state, "mdh-token-state"),
                         (explorer.save_csv_button, "mdh-save-csv"),
                         (explorer.save_parquet_button, "mdh-save-parquet")):
        assert name in widget._dom_classes


def test_fetch_shows_the_rows_as_a_table_a_plot_and_the_token_state(explorer: Explorer, client: mdh.Client) -> None:
    expected = client.connect("PT-0003", ["SurveyAnswers:read"]).survey_answers()
    frame = picked(explorer).fetch()
    assert frame is explorer.frame and frame is not None
    pd.testing.assert_frame_equal(frame, expected)
    n, m = expected.shape
    assert explorer.message == f"{n} rows of survey_answers for PT-0003 (2 pages)"
    assert explorer.message_level == "ok" and explorer.message in explorer.message_box.value
    table = shown(explorer.table)
    assert "<table" in table["text/html"] and table["text/plain"] == f"{n} rows × {m} columns (the first 50 shown)"
    assert table["text/html"].count("<tr") == 51  # the header and the first 50 rows
    assert explorer.progress.value == explorer.progress.max
    assert f"{n} records · 2 pages" in explorer.progress_label.value
    assert isinstance(explorer.figure, Figure) and explorer.figure.axes  # the score plot of the kind
    plot = shown(explorer.plot)
    assert base64.b64decode(plot["image/png"]) == png_bytes(explorer.figure)
    assert base64.b64decode(plot["image/png"]).startswith(b"\x89PNG")
    session = explorer.session
    assert session is not None and session.participant_identifier == "PT-0003"
    assert session.scopes == ("SurveyAnswers:read",)
    state = explorer.token_state.value
    assert "scopes SurveyAnswers:read" in state and "expires in" in state and "renewals so far 0" in state
    assert session.token is not None
    at = dt.datetime.fromtimestamp(session.token.expires_at, dt.timezone.utc)
    assert f"(at {at:%Y-%m-%d %H:%M} UTC)" in state  # the absolute time beside the countdown
    assert session.rate_limit is not None and f"{session.rate_limit.remaining:,} of" in state


def test_no_participant_and_a_missing_scope_are_refused_before_any_request(explorer: Explorer,
                                                                          stats: Any) -> None:
    before = stats()
    assert explorer.fetch() is None
    assert explorer.message.startswith("Pick a participant first")
    explorer.participants.value = "PT-0003"
    explorer.scopes.value = ("DeviceData:read",)
    assert explorer.fetch() is None
    assert explorer.message == ("survey_answers needs the scope SurveyAnswers:read — tick 'SurveyAnswers:read' "
                                "under Surveys")
    assert explorer.message_level == "warning" and explorer.session is None
    assert stats() == before  # not one request, not one token
    explorer.kind.value = "fitbit_sleep_logs"
    explorer.fetch()
    assert "tick 'FitbitSleepLogs:read' under Fitbit" in explorer.message


def test_unticking_the_scope_after_a_fetch_names_it_and_clears_the_rows(explorer: Explorer) -> None:
    picked(explorer).fetch()
    assert explorer.frame is not None
    explorer.scopes.checkboxes["SurveyAnswers:read"].value = False  # what a click does
    assert explorer.scopes.value == ()
    assert "needs the scope SurveyAnswers:read — tick 'SurveyAnswers:read' under Surveys" in explorer.message
    assert explorer.frame is None and explorer.figure is None and shown(explorer.table) == {}
    assert explorer.session is None  # the old session is closed, none opened for no scopes


def test_after_the_first_fetch_every_re_pick_fetches_again(explorer: Explorer, client: mdh.Client) -> None:
    picked(explorer)
    explorer.participants.value = "PT-0001"
    assert explorer.frame is None  # nothing fetched before the first Fetch
    explorer.fetch_button.click()
    first = explorer.session
    assert explorer.frame is not None and set(explorer.frame["participant_identifier"]) == {"PT-0001"}
    explorer.participants.value = "PT-0002"
    assert set(explorer.frame["participant_identifier"]) == {"PT-0002"}
    assert explorer.session is not first and explorer.session.participant_identifier == "PT-0002"
    explorer.kind.value = "survey_results"
    assert list(explorer.frame.columns) == mdh.KINDS["survey_results"].column_names
    explorer.scopes.value = ("SurveyAnswers:read", "SurveyTasks:read")
    assert explorer.session.scopes == ("SurveyAnswers:read", "SurveyTasks:read")
    explorer.start.value = dt.date(2026, 9, 1)
    assert explorer.frame["date"].min() >= pd.Timestamp("2026-09-01", tz="UTC")
    assert len(explorer.frame) == len(client.connect("PT-0002", ["SurveyAnswers:read"]).survey_results(
        after=pd.Timestamp("2026-09-01", tz="UTC") - pd.Timedelta(milliseconds=1)))


RANGED = {"survey_answers": ("date", "id"), "fitbit_daily_summaries": ("date", "date")}  # when, and a row's key


@pytest.fixture(scope="module")
def ranged(config: mdh.Config) -> Iterator[tuple[Explorer, dict[str, pd.DataFrame]]]:
    """An explorer on PT-0001, and every row of each RANGED kind (to filter by hand)."""
    with mdh.Client(config) as client, closing(Explorer(client)) as explorer:
        session = client.connect("PT-0001", ["api"])
        yield explorer, {kind: session.fetch(kind) for kind in RANGED}


@settings(max_examples=10)
@given(start=st.dates(dt.date(2026, 7, 25), dt.date(2026, 11, 2)), days=st.integers(0, 12))
def test_the_date_range_is_utc_days_with_both_ends_included(ranged: tuple[Explorer, dict[str, pd.DataFrame]],
                                                             start: dt.date, days: int) -> None:
    explorer, everything = ranged
    end = start + dt.timedelta(days=days)
    for kind, (column, key) in RANGED.items():
        picked(explorer, "PT-0001", ("api",), kind)
        explorer.start.value, explorer.end.value = start, end
        frame = explorer.fetch()
        assert frame is not None, explorer.message
        rows = everything[kind]
        day = pd.to_datetime(rows[column]).dt.date  # a UTC instant's day; a naive date read as UTC
        inside = rows[(day >= start) & (day <= end)]
        assert sorted(frame[key]) == sorted(inside[key]), kind


LOCAL = {"device_data_aggregate": {"namespace": "Fitbit", "type": "steps"},
         "daily_sleep": {"namespace": "Fitbit", "type": "sleep"}, "fitbit_daily_summaries": {}}
ZONED = ("PT-0001", "PT-0006", "PT-0012", "PT-0004")  # New York, Honolulu, Berlin, no zone on record


@pytest.fixture(scope="module")
def local(config: mdh.Config) -> Iterator[tuple[Explorer, dict[tuple[str, str], pd.DataFrame]]]:
    """An explorer, and every row of each LOCAL kind per ZONED participant (to filter by hand)."""
    with mdh.Client(config) as client, closing(Explorer(client)) as explorer:
        rows = {}
        for participant in ZONED:
            with client.connect(participant, ["api"]) as session:
                rows.update({(participant, kind): session.fetch(kind, **f) for kind, f in LOCAL.items()})
        yield explorer, rows


def _rows(frame: pd.DataFrame) -> list[str]:
    return sorted(map(str, frame.astype(str).itertuples(index=False)))


@settings(max_examples=12)
@given(participant=st.sampled_from(ZONED), kind=st.sampled_from(sorted(LOCAL)),
       start=st.dates(dt.date(2026, 7, 30), dt.date(2026, 11, 2)), days=st.integers(0, 6))
def test_kinds_keyed_by_a_local_day_keep_exactly_the_picked_local_days(
        local: tuple[Explorer, dict[tuple[str, str], pd.DataFrame]], participant: str, kind: str, start: dt.date,
        days: int) -> None:
    explorer, everything = local
    end = start + dt.timedelta(days=days)
    rows = everything[participant, kind]
    picked(explorer, participant, ("api",), kind)
    for name, value in LOCAL[kind].items():
        explorer.filters[name].value = value
    explorer.start.value, explorer.end.value = start, end
    frame = explorer.fetch()
    assert frame is not None, explorer.message
    day = pd.to_datetime(rows["date"]).dt.date  # the participant's own calendar day, as the API gives it
    assert _rows(frame) == _rows(rows[(day >= start) & (day <= end)]), (participant, kind)
    session = explorer.session
    assert session is not None
    zone = session.time_zone
    assert "local calendar days" in explorer.date_note.value
    assert (f"({zone}, {participant})" if zone else "no time zone on record") in explorer.date_note.value
    explorer.kind.value = "survey_answers"
    assert "UTC calendar days" in explorer.date_note.value


# a kind's required filters: one example each (checked to cover every such kind the explorer lists)
REQUIRED: dict[str, dict[str, str]] = {
    "device_data": {"namespace": "AppleHealth"},
    "device_data_v2": {"namespace": "Fitbit", "type": "resting-heart-rate"},
    "device_data_aggregate": {"namespace": "Fitbit", "type": "steps"},
    "daily_sleep": {"namespace": "Fitbit", "type": "sleep"},
}


def test_every_listed_kind_fetches_rows_and_draws_a_plot(explorer: Explorer) -> None:
    assert set(REQUIRED) == {k.name for k in explorer_kinds() if any(p.required for p in k.params)}
    picked(explorer, "PT-0001", ("api",))
    for entry in explorer_kinds():
        explorer.kind.value = entry.name
        for name, value in REQUIRED.get(entry.name, {}).items():
            explorer.filters[name].value = value
        frame = explorer.fetch()
        assert frame is not None and len(frame) > 0, explorer.message
        assert explorer.message_level == "ok", explorer.message
        assert explorer.figure is not None and "image/png" in shown(explorer.plot), entry.name


def test_kinds_without_time_filters_disable_the_dates_and_say_so(explorer: Explorer) -> None:
    explorer.kind.value = "survey_tasks"
    assert explorer.start.disabled and explorer.end.disabled
    assert "survey_tasks cannot be filtered by date" in explorer.date_note.value
    explorer.kind.value = "survey_answers"
    assert not explorer.start.disabled and not explorer.end.disabled
    explorer.start.value, explorer.end.value = dt.date(2026, 9, 2), dt.date(2026, 9, 1)
    picked(explorer).fetch()
    assert "start date 2026-09-02 is after the end date 2026-09-01" in explorer.message
    for kind, scope in (("survey_tasks", "SurveyTasks:read"), ("files", "File:read")):  # the range is not used
        explorer.scopes.value = (scope,)
        explorer.kind.value = kind
        assert explorer.fetch() is not None, explorer.message
        assert "start date" not in explorer.message and explorer.message_level == "ok", explorer.message


def test_one_row_is_one_row(explorer: Explorer, client: mdh.Client, tmp_path: Path) -> None:
    everything = client.connect("PT-0003", ["SurveyAnswers:read"]).survey_answers()
    day = everything["date"].dropna().dt.date.value_counts()
    single = day[day == 1].index
    assert not single.empty, "the sandbox has no UTC day with one survey answer for PT-0003"
    picked(explorer)
    explorer.start.value = explorer.end.value = single[0]
    frame = explorer.fetch()
    assert frame is not None and len(frame) == 1
    assert explorer.message == "1 row of survey_answers for PT-0003 (1 page)"
    explorer.save_path.value = str(tmp_path / "one.csv")
    explorer.save("csv")
    assert explorer.message.startswith(f"wrote 1 row × {frame.shape[1]} columns to ")


def test_an_empty_result_says_no_rows_not_no_permission(explorer: Explorer) -> None:
    picked(explorer)
    explorer.start.value, explorer.end.value = dt.date(2020, 1, 1), dt.date(2020, 1, 31)
    frame = explorer.fetch()
    assert frame is not None and frame.empty and list(frame.columns) == mdh.KINDS["survey_answers"].column_names
    assert explorer.message.startswith("no rows: PT-0003 has no survey_answers in that date range")
    assert "scope" in explorer.message and "tick" not in explorer.message
    assert shown(explorer.table)["text/plain"] == f"0 rows × {frame.shape[1]} columns"
    assert explorer.figure is not None and "image/png" in shown(explorer.plot)  # a plot saying "no rows"
    assert "no rows" in [t.get_text() for t in explorer.figure.findobj(Text)]


def test_an_empty_result_says_when_the_source_is_switched_off(explorer: Explorer) -> None:
    picked(explorer, "PT-0003", ("FitbitDailySummaries:read", "DataCollectionSettings:read"), "fitbit_daily_summaries")
    explorer.fetch()
    assert explorer.message.startswith("no rows") and "Fitbit data collection switched off" in explorer.message
    assert "tick" not in explorer.message
    explorer.scopes.value = ("FitbitDailySummaries:read",)  # may not read the settings: says how to find out
    assert explorer.message.startswith("no rows") and "switched off" not in explorer.message.split("—")[0]
    assert explorer.message.endswith("the project may have this source switched off for them: tick "
                                     "'DataCollectionSettings:read' under Participant & project to find out")


def test_required_filters_are_asked_for_and_offered_from_the_vocabulary(explorer: Explorer) -> None:
    picked(explorer, "PT-0001", ("DeviceData:read",), "device_data_v2")
    assert set(explorer.filters) == {"namespace", "type"}
    explorer.fetch()
    assert explorer.message.startswith("device_data_v2 needs namespace=")
    explorer.filters["namespace"].value = "Fitbit"
    assert explorer.message.startswith("device_data_v2 needs type=")  # re-fetched: armed by the first Fetch
    session = explorer.session
    assert session is not None
    types = session.device_data_types(version=2, namespace="Fitbit")
    assert list(explorer.filters["type"].options) == sorted(types["type"].astype(str).unique())
    explorer.filters["type"].value = "resting-heart-rate"
    assert explorer.frame is not None and len(explorer.frame) > 0
    assert set(explorer.frame["type"]) == {"resting-heart-rate"}


def test_type_suggestions_are_each_participants_own(explorer: Explorer, stats: Any) -> None:
    def listed() -> int:
        return sum(n for key, n in stats()["requests"].items() if key.endswith("devicedata/allDataTypes"))

    picked(explorer, "PT-0001", ("DeviceData:read",), "device_data_v2")
    before = listed()
    explorer.filters["namespace"].value = "Fitbit"
    assert listed() == before + 1 and explorer.filters["type"].options
    explorer.filters["namespace"].value = "Garmin"  # the same participant's listing, filtered again
    assert listed() == before + 1
    explorer.participants.value = "PT-0002"  # another participant's token: their own listing
    assert listed() == before + 2
    session = explorer.session
    assert session is not None and session.participant_identifier == "PT-0002"
    types = session.device_data_types(version=2, namespace="Garmin")
    assert list(explorer.filters["type"].options) == sorted(types["type"].astype(str).unique())
    explorer.scopes.value = ("DeviceData:read", "SurveyAnswers:read")  # other scopes, another token: listed again
    assert listed() == before + 4  # the test's own listing, and the explorer's
    explorer.scopes.value = ("SurveyAnswers:read",)  # may not list types: none suggested
    assert explorer.filters["type"].options == ()


def test_save_csv_and_parquet_round_trip(explorer: Explorer, tmp_path: Path) -> None:
    assert explorer.save("csv") is None and explorer.message == "Nothing to save yet: Fetch first."
    frame = picked(explorer).fetch()
    assert frame is not None
    assert explorer.save_path.value == "PT-0003_survey_answers.csv"
    explorer.save_path.value = str(tmp_path / "answers.csv")
    explorer.kind.value = "survey_results"  # the user's own path is kept
    assert explorer.save_path.value == str(tmp_path / "answers.csv")
    frame = explorer.frame
    assert frame is not None
    explorer.save_csv_button.click()
    written = tmp_path / "answers.csv"
    assert explorer.message == f"wrote {len(frame)} rows × {frame.shape[1]} columns to {written.resolve()}"
    back = pd.read_csv(written, dtype="string")
    assert list(back.columns) == list(frame.columns) and list(back["id"]) == list(frame["id"])
    assert explorer.save("parquet") == (tmp_path / "answers.parquet").resolve()
    parquet = pd.read_parquet(tmp_path / "answers.parquet")
    assert list(parquet["id"]) == list(frame["id"])
    pd.testing.assert_series_equal(parquet["date"], frame["date"], check_dtype=False)
    explorer.save_path.value = str(tmp_path)  # a folder: the default name inside it
    assert explorer.save("csv") == (tmp_path / "PT-0003_survey_results.csv").resolve()
    explorer.save_path.value = str(tmp_path / "missing" / "x.csv")
    explorer.save_parquet_button.click()
    assert "the folder" in explorer.message and "does not exist" in explorer.message


def test_save_says_replaced_takes_a_trailing_slash_as_a_folder_and_names_a_file_in_the_way(
        explorer: Explorer, tmp_path: Path) -> None:
    frame = picked(explorer).fetch()
    assert frame is not None
    size = f"{len(frame)} rows × {frame.shape[1]} columns"
    explorer.save_path.value = str(tmp_path / "a.csv")
    assert explorer.save("csv") == (tmp_path / "a.csv").resolve() and explorer.message.startswith("wrote ")
    assert explorer.save("csv") == (tmp_path / "a.csv").resolve()
    assert explorer.message == f"replaced {(tmp_path / 'a.csv').resolve()} with {size}"
    explorer.save_path.value = str(tmp_path / "new") + "/"  # a folder that does not exist yet
    assert explorer.save("csv") is None and explorer.message_level == "error"
    assert f"the folder {tmp_path / 'new'} does not exist" in explorer.message
    (tmp_path / "new").mkdir()
    assert explorer.save("parquet") == (tmp_path / "new" / "PT-0003_survey_answers.parquet").resolve()
    explorer.save_path.value = str(tmp_path / "a.csv" / "x.csv")  # a.csv is a file
    assert explorer.save("csv") is None
    assert explorer.message == (f"cannot save to {tmp_path / 'a.csv' / 'x.csv'}: {tmp_path / 'a.csv'} is a file, "
                                "not a folder; type another path in 'Save as'")
    explorer.save_path.value = str(tmp_path / "a.csv") + "/"  # a file typed as a folder
    assert explorer.save("csv") is None and f"{tmp_path / 'a.csv'} is a file, not a folder" in explorer.message
    (tmp_path / "d.csv").mkdir()
    explorer.save_path.value = str(tmp_path / "d.csv")  # a folder: the default name inside it
    assert explorer.save("csv") == (tmp_path / "d.csv" / "PT-0003_survey_answers.csv").resolve()
    assert explorer.frame is frame and shown(explorer.table)  # saving never touches the rows


def test_an_unexpected_save_failure_keeps_the_rows_and_shows_its_traceback(explorer: Explorer,
                                                                            tmp_path: Path) -> None:
    frame = picked(explorer).fetch()
    assert frame is not None
    explorer.save_path.value = str(tmp_path / "bad\x00<name>.csv")  # a NUL byte: no OSError, a ValueError
    explorer.save_csv_button.click()
    assert explorer.message_level == "error" and explorer.message.startswith("unexpected ValueError")
    assert "the rows shown are unchanged" in explorer.message and "state is unchanged" not in explorer.message
    assert explorer.frame is frame and shown(explorer.table) and explorer.figure is not None  # still shown
    box = explorer.message_box.value
    assert "<details><summary>traceback</summary>" in box and "Traceback (most recent call last)" in box
    parsed = Tags()
    parsed.feed(box)
    assert {tag for tag, _ in parsed.tags} == {"span", "details", "summary", "pre"}  # the traceback is text


def test_an_unknown_participant_is_a_clear_error(client: mdh.Client) -> None:
    with pytest.raises(TraitError, match="no participant 'PT-9999'"):
        Explorer(client, participant="PT-9999")
    with closing(Explorer(client, participant="PT-0003", scopes=["SurveyAnswers:read"])) as explorer:
        with pytest.raises(TraitError, match="no participant 'PT-9999'"):
            explorer.participants.value = "PT-9999"
        assert explorer.participants.value == "PT-0003"


def test_a_kind_the_explorer_does_not_list_is_refused_before_anything_is_built(
        client: mdh.Client, stats: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)  # where an error in __del__ goes
    before = stats()
    for bad in ("participants", "participant_info", "no_such_kind"):
        with pytest.raises(mdh.InvalidArgumentError, match=rf"Explorer\(kind='{bad}'\): not a kind the explorer "
                           r"lists.*choose one of survey_answers, "):
            Explorer(client, kind=bad)
    with pytest.raises(mdh.InvalidArgumentError, match="service account"):
        Explorer(kind="participants")  # no client opened for a kind that cannot be explored
    gc.collect()
    assert stats() == before  # not one request
    with pytest.raises(TraitError, match="no participant 'PT-9999'"):
        Explorer(client, participant="PT-9999")  # fails part-way through building
    gc.collect()
    assert unraisable == []  # closing the half-built explorers raised nothing
    assert not client.closed
