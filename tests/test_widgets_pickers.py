"""The pickers without a browser: set ``.value``, assert on the state and on what is rendered.

Against the real sandbox (the session fixtures); no mocks. The browser test (tests/browser)
clicks the same controls through their DOM classes.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from traitlets import TraitError

import mdh_notebook as mdh
from mdh_notebook.kinds import FAMILIES
from mdh_notebook.widgets import (
    ParticipantPicker,
    ScopePicker,
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

