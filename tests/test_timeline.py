"""The catalogue's timelines: every read kind that says it can be filtered by time really is, by the
column it names, against the sandbox; a timeline that names no column or filter of its kind is
refused at import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.kinds import KINDS, CatalogueError, Column, Kind, Param, Timeline

# the filters a kind cannot be read without: one example each (checked below to cover every such kind)
REQUIRED: dict[str, dict[str, Any]] = {
    "device_data": {"namespace": "Fitbit", "type": "RestingHeartRate"},
    "device_data_v2": {"namespace": "Fitbit", "type": "resting-heart-rate"},
    "device_data_aggregate": {"namespace": "Fitbit", "type": "steps"},
    "daily_sleep": {"namespace": "Fitbit", "type": "sleep"},
}
# a naive date or wall clock is the participant's local calendar (up to 14 hours from UTC) and an
# interval or sleep day starts up to a day before the instants it covers: allowed this far out
NAIVE_SLACK = pd.Timedelta(days=2)

TIMED = sorted(k.name for k in KINDS.values() if k.timeline is not None and (k.timeline.after or k.timeline.before))


@pytest.fixture(scope="module")
def session(config: mdh.Config) -> Iterator[mdh.ParticipantSession]:
    with mdh.connect("PT-0001", ["api"], config=config) as s:
        yield s


@pytest.fixture(scope="module")
def window(sandbox: SandboxServer) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Ten days well inside the sandbox's data, as UTC instants."""
    end = pd.Timestamp(sandbox.config.end_date, tz="UTC")
    return end - pd.Timedelta(days=30), end - pd.Timedelta(days=20)


def test_every_kind_with_required_filters_has_an_example() -> None:
    needing = {k.name for k in KINDS.values() if k.name in TIMED and any(p.required for p in k.params)}
    assert needing == set(REQUIRED)


def test_the_timed_kinds_are_the_ones_expected() -> None:
    # a kind gaining or losing a time filter shows up here (then the test below covers it)
    assert len(TIMED) >= 12
    assert all(KINDS[n].timeline.after and KINDS[n].timeline.before for n in TIMED)  # type: ignore[union-attr]
    assert {"survey_answers", "fitbit_sleep_logs", "device_data_v2", "daily_sleep"} <= set(TIMED)


def _inside(values: pd.Series, low: pd.Timestamp, high: pd.Timestamp) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return (values >= low) & (values <= high)
    naive_low, naive_high = low.tz_convert(None) - NAIVE_SLACK, high.tz_convert(None) + NAIVE_SLACK
    return (values >= naive_low) & (values <= naive_high)


@pytest.mark.parametrize("name", TIMED)
def test_a_time_window_keeps_only_rows_inside_it(session: mdh.ParticipantSession, name: str,
                                                 window: tuple[pd.Timestamp, pd.Timestamp]) -> None:
    entry = KINDS[name]
    timeline = entry.timeline
    assert timeline is not None
    low, high = window
    bounds = {timeline.after: low.to_pydatetime(), timeline.before: high.to_pydatetime()}
    required = REQUIRED.get(name, {})
    everything = session.fetch(name, progress=False, **required)
    inside = session.fetch(name, progress=False, **required, **bounds)
    when = inside[timeline.column]
    assert when.notna().any(), f"{name}: no dated rows in the window {low}..{high}"
    outside = when.notna() & ~_inside(when, low, high)
    assert not outside.any(), f"{name}: {timeline.column} outside the window: {when[outside].head(3).tolist()}"
    # the filter did something: rows exist outside the window without it
    every = everything[timeline.column]
    assert (every.notna() & ~_inside(every, low, high)).any(), f"{name}: the sandbox has no rows outside the window"
    assert len(inside) < len(everything)


def _kind(timeline: Timeline | None = None, count_by: str = "") -> Kind:
    return Kind(name="probe", path="api/v1/delegated/probe", token="participant", scope="Project:read",
                shape="array",
                columns=(Column("when", "datetime"), Column("day", "date"), Column("amount", "Float64"),
                         Column("label", "string"), Column("tags", "object")),
                params=(Param("since", "since", "datetime"), Param("until", "until", "datetime"),
                        Param("label", "label", "str")),
                timeline=timeline, count_by=count_by)


def test_a_good_timeline_is_taken() -> None:
    entry = _kind(Timeline("when", "since", "until", value="amount", group="label"))
    assert entry.timeline is not None and entry.timeline.column == "when"
    assert _kind(Timeline("day")).timeline == Timeline("day")
    assert _kind(count_by="label").count_by == "label"


@pytest.mark.parametrize(("timeline", "count_by", "message"), [
    (Timeline("whenever"), "", "timeline column 'whenever' is not one of its columns"),
    (Timeline("amount"), "", "timeline column 'amount' is a Float64 column"),
    (Timeline("when", after="from"), "", "timeline filter 'from' is not one of its filters"),
    (Timeline("when", before="label"), "", "timeline filter 'label' takes no date"),
    (Timeline("when", value="label"), "", "timeline value 'label' is a string column"),
    (Timeline("when", value="total"), "", "timeline value 'total' is not one of its columns"),
    (Timeline("when", value="amount", fallback=("label",)), "", "timeline value 'label' is a string column"),
    (Timeline("when", fallback=("amount",)), "", "a timeline fallback needs a value"),
    (Timeline("when", group="tags"), "", "timeline group 'tags' is a object column"),
    (Timeline("when", group="kind"), "", "timeline group 'kind' is not one of its columns"),
    (Timeline("when", plot="pie"), "", "timeline plot 'pie' is not one of"),  # type: ignore[arg-type]
    (None, "labels", "count_by 'labels' is not one of its columns"),
    (None, "tags", "count_by 'tags' is a object column"),
])
def test_a_bad_timeline_is_refused(timeline: Timeline | None, count_by: str, message: str) -> None:
    with pytest.raises(CatalogueError, match="catalogue entry probe: " + message):
        _kind(timeline, count_by)


def test_a_snake_case_name_is_required() -> None:
    # the wire spelling is not a frame column
    with pytest.raises(CatalogueError, match="'startDate' is not one of its columns"):
        Kind(name="probe", path="api/v1/delegated/probe", token="participant", scope="Project:read",
             shape="array", columns=(Column("startDate", "datetime"),), timeline=Timeline("startDate"))
