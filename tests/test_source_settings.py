"""No data and a switched-off source are different answers, also where a filter picks the source
(device data's namespace): the empty frame comes with a SourceDisabledWarning naming it."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import mdh_notebook as mdh
from mdh_notebook.kinds import KINDS


@pytest.mark.parametrize(("method", "filters"), [
    ("device_data", {"namespace": "Fitbit"}),
    ("device_data_v2", {"namespace": "GoogleHealth", "type": "steps-daily"}),
    ("daily_sleep", {"namespace": "Fitbit", "type": "sleep"}),
    ("fitbit_sleep_logs", {}),
])
def test_a_source_switched_off_is_said(config: mdh.Config, method: str, filters: dict[str, str]) -> None:
    with mdh.connect("PT-0003", ["DeviceData:read", "FitbitSleepLogs:read", "DataCollectionSettings:read"],
                     config=config) as session:  # PT-0003 has neither Fitbit nor GoogleHealth
        with pytest.warns(mdh.SourceDisabledWarning, match="switched off"):
            frame = getattr(session, method)(**filters)
        assert frame.empty and list(frame.columns[: len(KINDS[method].columns)]) == KINDS[method].column_names


def test_the_project_namespace_and_present_sources_say_nothing(config: mdh.Config) -> None:
    with mdh.connect("PT-0003", ["DeviceData:read", "DataCollectionSettings:read"], config=config) as session:
        settings = session.data_collection_settings()
        assert not settings["fitbit_enabled"].iloc[0] and settings["apple_health_enabled"].iloc[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error", mdh.SourceDisabledWarning)
            warnings.simplefilter("ignore", mdh.UnknownValueWarning)  # NoSuchType is unlisted, on purpose
            assert session.device_data(namespace="Project", type="NoSuchType").empty  # the project's own data
            assert session.device_data(namespace="AppleHealth", type="NoSuchType").empty  # on, just no such type


def test_without_the_settings_scope_no_warning_and_no_extra_request(config: mdh.Config, stats: Any) -> None:
    def settings_reads() -> int:
        return sum(n for key, n in stats()["requests"].items() if "datacollectionsettings" in key)

    before = settings_reads()
    with mdh.connect("PT-0003", ["DeviceData:read"], config=config) as session, warnings.catch_warnings():
        warnings.simplefilter("error", mdh.SourceDisabledWarning)
        assert session.device_data(namespace="Fitbit").empty
    assert settings_reads() == before


@pytest.mark.parametrize(("method", "filters", "suggestion"), [
    ("device_data_v2", {"namespace": "Fitbit", "type": "heartrate"}, "heart-rate"),
    ("device_data", {"namespace": "Fitbit", "type": ["Stepz"]}, "Steps"),
    ("daily_sleep", {"namespace": "Fitbit", "type": "slep"}, "sleep"),
])
def test_a_type_no_listing_names_is_said_with_the_closest(config: mdh.Config, method: str,
                                                          filters: dict[str, Any], suggestion: str) -> None:
    with mdh.connect("PT-0001", ["DeviceData:read"], config=config) as session, \
            pytest.warns(mdh.UnknownValueWarning, match=f"did you mean {suggestion!r}"):
        assert getattr(session, method)(**filters).empty


def test_a_listed_type_with_no_rows_in_range_says_nothing(config: mdh.Config) -> None:
    with mdh.connect("PT-0001", ["DeviceData:read"], config=config) as session, warnings.catch_warnings():
        warnings.simplefilter("error", mdh.UnknownValueWarning)
        assert session.device_data_v2(namespace="Fitbit", type="heart-rate", observed_after="2030-01-01").empty
