"""The widgets without a browser: set ``.value``, assert on the state and on what is rendered.

Against the real sandbox (the session fixtures); no mocks. The browser test (tests/browser)
clicks the same controls through their DOM classes.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ipywidgets
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text
from traitlets import TraitError

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxConfig, SandboxServer
from mdh_notebook.kinds import FAMILIES
from mdh_notebook.plots import png_bytes
from mdh_notebook.widgets import (
    Explorer,
    ParticipantPicker,
    ScopePicker,
    _render,
    explorer_kinds,
    scope_choices,
    scope_class,
)
from mdh_notebook.widgets.scope_picker import FAMILY_GROUPS, OTHER, WRITES

# -- ParticipantPicker ----------------------------------------------------------------------------


def _html(widget: object) -> str:
    return str(widget.value)  # type: ignore[attr-defined]


def test_participant_picker_lists_every_participant_with_enrollment_state(client: mdh.Client) -> None:
    admin = client.participants()
    picker = ParticipantPicker(client)
    assert picker.value is None and picker.list.value is None  # nothing picked until someone picks
    assert sorted(v for _, v in picker.list.options) == sorted(admin["participant_identifier"])
    assert "mdh-participant-search" in picker.search_box._dom_classes
    assert "mdh-participant-list" in picker.list._dom_classes
    labels = dict((v, label) for label, v in picker.list.options)
    for _, row in admin.iterrows():
        label = labels[row["participant_identifier"]]
        assert row["enrollment_date"].strftime("%Y-%m-%d") in label
        assert ("withdrawn" in label) == (not row["enrolled"])  # the sandbox has a withdrawn participant
    assert (~admin["enrolled"]).any()
    assert f"{len(admin)} participants" in _html(picker.status)


def test_participant_picker_searches_by_name_and_email_and_says_when_nothing_matches(client: mdh.Client) -> None:
    row = client.participants("PT-0003").iloc[0]
    picker = ParticipantPicker(client)
    picker.search_box.value = str(row["demographics_first_name"])
    assert "PT-0003" in [v for _, v in picker.list.options]
    picker.search_box.value = str(row["demographics_email"])
    assert [v for _, v in picker.list.options] == ["PT-0003"]
    picker.search_box.value = "no such person zzz"
    assert picker.list.options == ()
    assert "no participant matches" in _html(picker.status)


def test_setting_the_value_picks_the_participant_and_an_unknown_one_is_a_clear_error(client: mdh.Client) -> None:
    picker = ParticipantPicker(client)
    picker.value = "pt-0003"  # any case: the identifier as the project spells it
    assert picker.value == "PT-0003" and picker.list.value == "PT-0003"
    assert "PT-0003" in _html(picker.status)
    with pytest.raises(TraitError, match=r"no participant 'PT-9999'.*search"):
        picker.value = "PT-9999"
    assert picker.value == "PT-0003"  # unchanged
    with pytest.raises(TraitError, match="string"):
        picker.value = 3  # type: ignore[assignment]
    picker.list.value = "PT-0005"  # what a click does
    assert picker.value == "PT-0005"
    picker.value = None
    assert picker.list.value is None


def test_a_picked_participant_stays_listed_while_searching_for_others(client: mdh.Client) -> None:
    picker = ParticipantPicker(client)
    picker.value = "PT-0003"
    picker.search_box.value = "no such person zzz"
    assert picker.value == "PT-0003" and [v for _, v in picker.list.options] == ["PT-0003"]


def test_a_participant_outside_the_listed_matches_can_still_be_set(client: mdh.Client) -> None:
    picker = ParticipantPicker(client)
    picker.search_box.value = "PT-0003"
    picker.value = "PT-0007"  # not among the matches: looked up, then listed
    assert picker.value == "PT-0007" and "PT-0007" in [v for _, v in picker.list.options]


def test_a_search_that_fails_is_shown_in_the_status_not_raised(config: mdh.Config) -> None:
    client = mdh.Client(config)
    picker = ParticipantPicker(client)
    client.close()
    picker.search_box.value = "PT"
    assert "could not search participants" in _html(picker.status) and "closed" in _html(picker.status)


# -- ScopePicker ----------------------------------------------------------------------------------


def test_every_known_scope_has_one_checkbox_with_its_dom_class_and_none_is_ticked() -> None:
    picker = ScopePicker()
    assert picker.value == ()
    assert set(picker.checkboxes) == set(mdh.KNOWN_SCOPES)
    assert not any(box.value for box in picker.checkboxes.values())
    box = picker.checkboxes["SurveyAnswers:read"]
    assert "mdh-scope-SurveyAnswers-read" in box._dom_classes
    assert scope_class("user/*.read") == "mdh-scope-user---read"
    assert len({scope_class(s) for s in mdh.KNOWN_SCOPES}) == len(mdh.KNOWN_SCOPES)


def test_scopes_are_grouped_by_the_family_that_reads_them_and_write_only_scopes_under_writes() -> None:
    groups = {c.scope: c.group for c in scope_choices()}
    assert groups["SurveyAnswers:read"] == "Surveys"
    assert groups["FitbitSleepLogs:read"] == "Fitbit"
    assert groups["AppleHealthWorkouts:read"] == "Apple Health"
    assert groups["DeviceData:read"] == "Device data"
    assert groups["ExternalAccounts:read"] == "Account (external accounts)"
    assert groups["File:read"] == "Files"
    assert groups["Participant:read"] == "Participant & project"
    for kind in mdh.KINDS.values():  # every read kind's scope sits in a read group
        if kind.token == "participant":
            assert groups[kind.scope] not in (WRITES, OTHER)
    reads = {k.scope for k in mdh.KINDS.values()} | {o.scope for o in mdh.OPERATIONS.values() if o.method == "GET"}
    writes_only = {o.scope for o in mdh.OPERATIONS.values() if o.token == "participant"} - reads
    assert writes_only and {s for s, g in groups.items() if g == WRITES} == writes_only
    assert groups["user/*.read"] == OTHER


def test_the_groups_are_the_catalogue_families_own_labels() -> None:
    for family in FAMILIES:
        assert FAMILY_GROUPS[family.__name__.rsplit(".", 1)[-1]] == family.LABEL
    groups = {choice.scope: choice.group for choice in scope_choices()}
    assert groups["SurveyAnswers:read"] == "Surveys" and groups["FitbitSleepLogs:read"] == "Fitbit"
    assert groups["DeviceData:read"] == "Device data" and groups["DeviceData:write"] == WRITES


def test_each_checkbox_says_which_methods_it_unlocks() -> None:
    picker = ScopePicker()
    choices = {c.scope: c for c in picker.choices}
    for kind in mdh.KINDS.values():
        if kind.token == "participant":
            assert f"{kind.name}()" in choices[kind.scope].unlocks
    assert "call('file_download_url')" in choices["File:read"].unlocks  # no method of its own name
    assert "writes included" in choices["api"].unlocks
    assert "writes included" not in choices["user/*.read"].unlocks
    assert "survey_answers()" in str(picker.checkboxes["SurveyAnswers:read"].tooltip)


def test_write_scopes_are_collapsed_until_one_is_ticked() -> None:
    picker = ScopePicker()
    assert picker.collapsed.selected_index is None
    assert picker.groups[WRITES] in picker.collapsed.children
    picker.value = ("DeviceData:write",)
    assert picker.collapsed.selected_index == picker.collapsed.children.index(picker.groups[WRITES])


@given(st.lists(st.sampled_from(mdh.KNOWN_SCOPES), unique=True))
def test_value_and_checkboxes_agree_both_ways(scopes: list[str]) -> None:
    picker = ScopePicker()
    picker.value = tuple(scopes)
    assert set(picker.value) == set(scopes)
    assert {s for s, box in picker.checkboxes.items() if box.value} == set(scopes)
    for box in picker.checkboxes.values():  # clicking every box off again
        box.value = False
    assert picker.value == ()


def test_scope_picker_starts_with_what_it_is_given_and_refuses_unknown_names() -> None:
    assert ScopePicker(["SurveyAnswers:read"]).value == ("SurveyAnswers:read",)
    assert ScopePicker("SurveyAnswers:read DeviceData:read").value == ("SurveyAnswers:read", "DeviceData:read")
    picker = ScopePicker()
    with pytest.raises(TraitError, match="did you mean 'SurveyAnswers:read'"):
        picker.value = ("surveyanswers",)
    assert picker.value == ()
    assert picker.where("SurveyAnswers:read") == "'SurveyAnswers:read' under Surveys"



# -- Explorer -------------------------------------------------------------------------------------


@pytest.fixture
def explorer(client: mdh.Client) -> Iterator[Explorer]:
    with closing(Explorer(client)) as e:
        yield e


def _picked(explorer: Explorer, participant: str = "PT-0003", scopes: tuple[str, ...] = ("SurveyAnswers:read",),
            kind: str = "survey_answers") -> Explorer:
    explorer.participants.value = participant
    explorer.scopes.value = scopes
    explorer.kind.value = kind
    return explorer


def _shown(output: Any) -> dict[str, str]:
    """What an Output shows: its one display's MIME bundle ({} when empty)."""
    return dict(output.outputs[0]["data"]) if output.outputs else {}


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
    frame = _picked(explorer).fetch()
    assert frame is explorer.frame and frame is not None
    pd.testing.assert_frame_equal(frame, expected)
    n, m = expected.shape
    assert explorer.message == f"{n} rows of survey_answers for PT-0003 (2 pages)"
    assert explorer.message_level == "ok" and explorer.message in explorer.message_box.value
    table = _shown(explorer.table)
    assert "<table" in table["text/html"] and table["text/plain"] == f"{n} rows × {m} columns (the first 50 shown)"
    assert table["text/html"].count("<tr") == 51  # the header and the first 50 rows
    assert explorer.progress.value == explorer.progress.max
    assert f"{n} records · 2 pages" in explorer.progress_label.value
    assert isinstance(explorer.figure, Figure) and explorer.figure.axes  # the score plot of the kind
    plot = _shown(explorer.plot)
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
    _picked(explorer).fetch()
    assert explorer.frame is not None
    explorer.scopes.checkboxes["SurveyAnswers:read"].value = False  # what a click does
    assert explorer.scopes.value == ()
    assert "needs the scope SurveyAnswers:read — tick 'SurveyAnswers:read' under Surveys" in explorer.message
    assert explorer.frame is None and explorer.figure is None and _shown(explorer.table) == {}
    assert explorer.session is None  # the old session is closed, none opened for no scopes


def test_after_the_first_fetch_every_re_pick_fetches_again(explorer: Explorer, client: mdh.Client) -> None:
    _picked(explorer)
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
        _picked(explorer, "PT-0001", ("api",), kind)
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
    _picked(explorer, participant, ("api",), kind)
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
    _picked(explorer, "PT-0001", ("api",))
    for entry in explorer_kinds():
        explorer.kind.value = entry.name
        for name, value in REQUIRED.get(entry.name, {}).items():
            explorer.filters[name].value = value
        frame = explorer.fetch()
        assert frame is not None and len(frame) > 0, explorer.message
        assert explorer.message_level == "ok", explorer.message
        assert explorer.figure is not None and "image/png" in _shown(explorer.plot), entry.name


def test_kinds_without_time_filters_disable_the_dates_and_say_so(explorer: Explorer) -> None:
    explorer.kind.value = "survey_tasks"
    assert explorer.start.disabled and explorer.end.disabled
    assert "survey_tasks cannot be filtered by date" in explorer.date_note.value
    explorer.kind.value = "survey_answers"
    assert not explorer.start.disabled and not explorer.end.disabled
    explorer.start.value, explorer.end.value = dt.date(2026, 9, 2), dt.date(2026, 9, 1)
    _picked(explorer).fetch()
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
    _picked(explorer)
    explorer.start.value = explorer.end.value = single[0]
    frame = explorer.fetch()
    assert frame is not None and len(frame) == 1
    assert explorer.message == "1 row of survey_answers for PT-0003 (1 page)"
    explorer.save_path.value = str(tmp_path / "one.csv")
    explorer.save("csv")
    assert explorer.message.startswith(f"wrote 1 row × {frame.shape[1]} columns to ")


def test_an_empty_result_says_no_rows_not_no_permission(explorer: Explorer) -> None:
    _picked(explorer)
    explorer.start.value, explorer.end.value = dt.date(2020, 1, 1), dt.date(2020, 1, 31)
    frame = explorer.fetch()
    assert frame is not None and frame.empty and list(frame.columns) == mdh.KINDS["survey_answers"].column_names
    assert explorer.message.startswith("no rows: PT-0003 has no survey_answers in that date range")
    assert "scope" in explorer.message and "tick" not in explorer.message
    assert _shown(explorer.table)["text/plain"] == f"0 rows × {frame.shape[1]} columns"
    assert explorer.figure is not None and "image/png" in _shown(explorer.plot)  # a plot saying "no rows"
    assert "no rows" in [t.get_text() for t in explorer.figure.findobj(Text)]


def test_an_empty_result_says_when_the_source_is_switched_off(explorer: Explorer) -> None:
    _picked(explorer, "PT-0003", ("FitbitDailySummaries:read", "DataCollectionSettings:read"), "fitbit_daily_summaries")
    explorer.fetch()
    assert explorer.message.startswith("no rows") and "Fitbit data collection switched off" in explorer.message
    assert "tick" not in explorer.message
    explorer.scopes.value = ("FitbitDailySummaries:read",)  # may not read the settings: says how to find out
    assert explorer.message.startswith("no rows") and "switched off" not in explorer.message.split("—")[0]
    assert explorer.message.endswith("the project may have this source switched off for them: tick "
                                     "'DataCollectionSettings:read' under Participant & project to find out")


def test_required_filters_are_asked_for_and_offered_from_the_vocabulary(explorer: Explorer) -> None:
    _picked(explorer, "PT-0001", ("DeviceData:read",), "device_data_v2")
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

    _picked(explorer, "PT-0001", ("DeviceData:read",), "device_data_v2")
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
    frame = _picked(explorer).fetch()
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
    frame = _picked(explorer).fetch()
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
    assert explorer.frame is frame and _shown(explorer.table)  # saving never touches the rows


def test_an_unexpected_save_failure_keeps_the_rows_and_shows_its_traceback(explorer: Explorer,
                                                                            tmp_path: Path) -> None:
    frame = _picked(explorer).fetch()
    assert frame is not None
    explorer.save_path.value = str(tmp_path / "bad\x00<name>.csv")  # a NUL byte: no OSError, a ValueError
    explorer.save_csv_button.click()
    assert explorer.message_level == "error" and explorer.message.startswith("unexpected ValueError")
    assert "the rows shown are unchanged" in explorer.message and "state is unchanged" not in explorer.message
    assert explorer.frame is frame and _shown(explorer.table) and explorer.figure is not None  # still shown
    box = explorer.message_box.value
    assert "<details><summary>traceback</summary>" in box and "Traceback (most recent call last)" in box
    parsed = _Tags()
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


def _all_state(widget: Any) -> str:
    """Every synced trait of a widget tree, as the front-end (and a saved notebook) would get it."""
    seen: list[Any] = []

    def walk(w: Any) -> None:
        if isinstance(w, ipywidgets.Widget) and w not in seen:
            seen.append(w)
            for value in w.get_state().values():
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    walk(item)
    walk(widget)
    return json.dumps([w.get_state() for w in seen], default=str)


def test_the_token_state_never_shows_the_token(config_for: Any) -> None:
    server = SandboxServer(SandboxConfig(participant_token_lifetime=600)).start()
    try:
        with mdh.Client(config_for(server)) as client, closing(Explorer(client)) as explorer:
            _picked(explorer).fetch()
            session = explorer.session
            assert session is not None and session.token is not None
            secrets = [session.token.value]
            assert "renewals so far 0" in explorer.token_state.value
            server.advance_clock(3600)  # the server refuses the token: the next fetch renews it
            explorer.fetch()
            assert session.token is not None and session.renewals == 1
            secrets.append(session.token.value)
            assert client.service_tokens.token is not None
            secrets.append(client.service_tokens.token.value)
            assert "renewals so far 1" in explorer.token_state.value
            shown = _all_state(explorer) + repr(explorer) + explorer.message
            assert "PT-0003" in shown and "SurveyAnswers:read" in shown  # the state really is in there
            for secret in secrets:
                assert secret not in shown
    finally:
        server.stop()


def test_errors_from_the_server_are_shown_not_raised(config_for: Any) -> None:
    server = SandboxServer(SandboxConfig(rate_limit=3)).start()
    try:
        with mdh.Client(config_for(server)) as client, closing(Explorer(client)) as explorer:
            _picked(explorer)
            explorer.fetch_button.click()  # 2 pages
            assert explorer.frame is not None
            assert "rate budget 1 of 3 requests left" in explorer.token_state.value
            explorer.fetch_button.click()  # the callback must not raise
            assert explorer.message_level == "error"
            assert explorer.message.startswith("survey_answers for PT-0003 failed: RateLimitError")
            assert explorer.frame is None and _shown(explorer.table) == {}
            assert explorer.progress.bar_style == "danger"
            client.close()  # a closed connection: still a message
            explorer.participants.value = "PT-0001"
            assert "ClosedError" in explorer.message and explorer.message_level == "error"
    finally:
        server.stop()


def test_closing_the_explorer_clears_what_it_showed_and_closes_its_controls(client: mdh.Client) -> None:
    explorer = _picked(Explorer(client))
    explorer.fetch()
    assert explorer.table.outputs and explorer.session is not None
    table, box = explorer.table, explorer.scopes.checkboxes["SurveyAnswers:read"]
    explorer.close()
    assert table.outputs == () and explorer.session is None and explorer.frame is None
    assert table.comm is None and box.comm is None and explorer.comm is None
    assert not client.closed  # a client passed in belongs to the caller


# -- what is rendered -----------------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


@settings(max_examples=30)
@given(note=st.one_of(st.just(HOSTILE), st.text(alphabet="<>&\"' =/abcimgsrconerr()", min_size=1, max_size=40)))
def test_a_participants_free_text_is_shown_as_text_never_as_markup(note: str) -> None:
    frame = mdh.to_frame("survey_answers", [
        {"id": "a1", "surveyResultID": "r1", "surveyName": "S", "participantIdentifier": "PT-1", "participantID": "p",
         "stepIdentifier": "Note", "resultIdentifier": "Note", "answers": [note], "date": "2026-08-01T00:00:00Z"}])
    frame[note] = note  # a column named by the participant's text, too
    frame.index = pd.Index([note])
    markup, _ = _render.table_html(frame, 50)
    parsed = _Tags()
    parsed.feed(markup)
    assert {tag for tag, _ in parsed.tags} <= {"div", "p", "b", "style", "table", "thead", "tbody", "tr", "th", "td"}
    assert all(name in ("id", "class", "style", "type") for _, attrs in parsed.tags for name, _ in attrs)
    assert parsed.text.count(note) >= 3  # the cell, the column name and the index label, shown as typed
    assert "<img" not in markup


def _loaded_after(statement: str) -> set[str]:
    probe = f"import sys\n{statement}\nprint(' '.join(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(done.stdout.split())


def test_importing_the_package_loads_neither_matplotlib_nor_ipywidgets() -> None:
    assert _loaded_after("import mdh_notebook") == set()  # a script or a CLI call pays for neither
    assert _loaded_after("import mdh_notebook.widgets") == {"ipywidgets"}  # the probe sees a loaded module
    assert _loaded_after("import mdh_notebook.plots") == {"matplotlib"}


def test_a_refusal_after_a_fetch_leaves_no_stale_progress(explorer: Explorer) -> None:
    explorer.participants.value = "PT-0003"
    explorer.scopes.value = ("SurveyAnswers:read",)
    assert explorer.fetch() is not None and explorer.progress.value > 0 and "records" in explorer.progress_label.value
    explorer.scopes.value = ()  # a re-pick re-fetches, and this one is refused
    assert "needs the scope SurveyAnswers:read" in explorer.message
    assert (explorer.progress.value, explorer.progress.bar_style, explorer.progress_label.value) == (0, "", "")


def test_the_readme_widgets_snippet_exits_cleanly_as_a_script(tmp_path: Path) -> None:
    """A script that leaves an explorer holding a frame must exit 0: Widget.__del__ closes it at
    interpreter exit, which once compared DataFrames elementwise through a trait (pyarrow aborted)."""
    script = tmp_path / "explore.py"
    script.write_text("from mdh_notebook.widgets import Explorer\n"
                      "explorer = Explorer()\n"
                      "explorer.participants.value = 'PT-0003'\n"
                      "explorer.scopes.value = ('SurveyAnswers:read',)\n"
                      "explorer.fetch()\n"
                      "print(explorer.message)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RKS_", "MDH_"))}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rows of survey_answers for PT-0003" in done.stdout
