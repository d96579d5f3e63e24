"""Plots: every read kind's real sandbox frame draws data (dispatching on its catalogue entry), empty
frames say so, wrong frames are named, and figures render to PNG without pyplot."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import mdh_notebook as mdh
from mdh_notebook.analysis import survey_scores
from mdh_notebook.errors import InvalidArgumentError
from mdh_notebook.kinds import KINDS, CatalogueError, Column, How, Kind, Timeline
from mdh_notebook.plots import (
    MAX_POINTS,
    Chart,
    counts,
    plot_kind,
    png_bytes,
    score_over_time,
    sleep_over_time,
    time_series,
)

# the filters a kind cannot be read without (the last days only of a minute-level type)
REQUIRED: dict[str, dict[str, Any]] = {
    "device_data": {"namespace": "Fitbit"},
    "device_data_v2": {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-28"},
    "device_data_aggregate": {"namespace": "Fitbit", "type": "steps"},
    "daily_sleep": {"namespace": "Fitbit", "type": "sleep"},
}
PLOTTED = {k.name for k in KINDS.values() if k.timeline is not None or k.count_by}


def drawn(fig: Figure) -> bool:
    return any(ax.lines or ax.patches or ax.collections for ax in fig.axes)


def texts(fig: Figure) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


Frames = Callable[[str], pd.DataFrame]


@pytest.fixture(scope="module")
def frames(config: mdh.Config) -> Iterator[Frames]:
    """frames(kind) → PT-0001's frame of that kind (every scope), fetched once."""
    with mdh.Client(config) as client:
        session = client.connect("PT-0001", ["api"])

        @functools.cache
        def fetch(name: str) -> pd.DataFrame:
            if KINDS[name].token == "service":
                return client.frame(name)
            return session.fetch(name, progress=False, **REQUIRED.get(name, {}))

        yield fetch


def test_the_kinds_needing_filters_have_them() -> None:
    assert {k.name for k in KINDS.values() if any(p.required for p in k.params)} == set(REQUIRED)
    assert len(PLOTTED) >= 17  # most kinds have a plot: a kind losing its timeline shows here


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_plots_its_sandbox_frame(frames: Frames, name: str) -> None:
    frame = frames(name)
    assert len(frame) > 0
    fig = plot_kind(name, frame)
    assert isinstance(fig, Figure) and fig.axes
    if name in PLOTTED:
        assert drawn(fig), f"{name}: nothing drawn"
        assert "no rows" not in texts(fig)
    else:
        assert not drawn(fig)
        assert texts(fig) == f"nothing to plot for {name}; it has no time axis or category"
    data = png_bytes(fig)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000


@pytest.mark.parametrize("name", sorted(KINDS))
def test_an_empty_frame_says_no_rows(name: str) -> None:
    fig = plot_kind(KINDS[name], mdh.to_frame(name, []), title="empty")
    assert not drawn(fig) and texts(fig) == "no rows"
    assert fig.axes[0].get_title() == "empty"


@pytest.mark.parametrize("name", sorted(PLOTTED))
def test_a_frame_without_the_plotted_column_is_named(name: str) -> None:
    entry = KINDS[name]
    column = entry.timeline.column if entry.timeline is not None else entry.count_by
    frame = mdh.to_frame(name, []).drop(columns=column)
    with pytest.raises(InvalidArgumentError, match=rf"plot_kind\('{name}'\): the frame has no column '{column}'"):
        plot_kind(name, frame)


def test_a_dense_series_is_averaged_per_hour() -> None:
    minutes = pd.date_range("2026-08-01", periods=90 * 1440, freq="min", tz="UTC")  # minute heart rate
    frame = pd.DataFrame({"at": minutes, "bpm": pd.Series(np.arange(len(minutes)) % 60, dtype="Float64")})
    fig = time_series(frame, "at", "bpm")
    (line,) = fig.axes[0].lines
    assert len(line.get_xdata()) == 90 * 24  # 15-minute means would be too many
    assert np.allclose(np.asarray(line.get_ydata(), dtype=float), 29.5)
    assert "mean per hour" in fig.axes[0].get_ylabel()
    sparse = time_series(frame.iloc[:MAX_POINTS], "at", "bpm")
    assert len(sparse.axes[0].lines[0].get_xdata()) == MAX_POINTS
    ten_days = time_series(frame.iloc[:10 * 1440], "at", "bpm")
    assert len(ten_days.axes[0].lines[0].get_xdata()) == 10 * 24 * 4  # 15-minute means
    daily = time_series(frame, "at", "bpm", every="1D")
    assert len(daily.axes[0].lines[0].get_xdata()) == 90 and "mean per day" in daily.axes[0].get_ylabel()


def test_times_are_drawn_in_the_frames_zone() -> None:
    at = pd.Series(pd.to_datetime(["2026-08-01T12:00:00Z", "2026-08-02T12:00:00Z"])).dt.tz_convert("America/Chicago")
    fig = time_series(pd.DataFrame({"at": at, "v": [1.0, 2.0]}), "at", "v")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (America/Chicago)"
    assert pd.Timestamp(ax.lines[0].get_xdata()[0]) == pd.Timestamp("2026-08-01 07:00")  # the local wall clock
    naive = time_series(pd.DataFrame({"day": pd.to_datetime(["2026-08-01", "2026-08-02"])}), "day")
    assert naive.axes[0].get_xlabel() == "local calendar"


def test_rows_are_counted_per_day_stacked_by_group() -> None:
    at = pd.to_datetime(["2026-08-01T01:00Z", "2026-08-01T02:00Z", "2026-08-01T03:00Z", "2026-08-03T00:00Z"])
    frame = pd.DataFrame({"at": at, "kind": ["a", "a", "b", None]})
    fig = time_series(frame, "at", by="kind")
    ax = fig.axes[0]
    bars = sorted((p.get_x(), p.get_y(), p.get_height()) for p in ax.patches if p.get_height() > 0)
    assert [(y, h) for _, y, h in bars] == [(0, 2), (2, 1), (0, 1)]  # a and b stacked on the 1st, none the 3rd
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "(missing)", "b"]
    assert ax.get_ylabel() == "rows per day"


def test_groups_with_values_get_a_panel_each() -> None:
    at = pd.date_range("2026-08-01", periods=12, freq="D", tz="UTC")
    frame = pd.DataFrame({"at": at, "v": pd.Series(range(12), dtype="Int64"), "type": list("abcdef") * 2})
    fig = time_series(frame, "at", "v", by="type", title="six")
    assert len(fig.axes) == 4 and fig.get_suptitle() == "six (4 of 6 type values shown)"
    one = time_series(frame[frame["type"] == "a"], "at", "v", by="type")
    assert len(one.axes) == 1 and one.axes[0].get_title() == "type = a"


def test_bad_arguments_are_named() -> None:
    frame = pd.DataFrame({"at": pd.to_datetime(["2026-08-01"], utc=True), "word": ["x"], "n": [1]})
    with pytest.raises(InvalidArgumentError, match="the frame has no column 'value'"):
        time_series(frame, "at", "value")
    with pytest.raises(InvalidArgumentError, match=r"column 'word' is .*, not numbers"):
        time_series(frame, "at", "word")
    with pytest.raises(InvalidArgumentError, match="column 'n' is int64, not date-times"):
        time_series(frame, "n")
    with pytest.raises(InvalidArgumentError, match="every='often' is not a duration"):
        time_series(frame, "at", "n", every="often")
    with pytest.raises(InvalidArgumentError, match="takes a fitbit_sleep_logs frame"):
        sleep_over_time(frame)
    with pytest.raises(InvalidArgumentError, match=r"counts\(\) takes a DataFrame, not a list"):
        counts([], "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="unknown data kind 'sleep'"):
        plot_kind("sleep", frame)


def test_scores_one_line_per_survey(frames: Frames) -> None:
    scores = survey_scores(frames("survey_answers"))
    fig = score_over_time(scores, title="scores")
    scored = scores.dropna(subset=["date", "total"])
    lines = fig.axes[0].lines
    assert sorted(line.get_label() for line in lines) == sorted(scored["survey_name"].unique())
    assert sum(len(line.get_xdata()) for line in lines) == len(scored)
    phq = next(line for line in lines if line.get_label() == "PHQ-9")
    expected = scored[scored["survey_name"] == "PHQ-9"].sort_values("date")["total"].astype(float).tolist()
    assert list(phq.get_ydata()) == expected


def test_sleep_hours_per_night(frames: Frames) -> None:
    logs = frames("fitbit_sleep_logs")
    fig = sleep_over_time(logs)
    bars = sum(p.get_height() for p in fig.axes[0].patches)
    stages = logs[["sleep_level_deep", "sleep_level_light", "sleep_level_rem"]].astype(float).sum(axis=1, min_count=1)
    hand = stages.fillna(logs["minutes_asleep"].astype(float)).sum() / 60
    assert bars == pytest.approx(hand)
    assert fig.axes[1].get_ylabel() == "efficiency (%)"
    daily = frames("daily_sleep")
    fig = sleep_over_time(daily)
    assert sum(p.get_height() for p in fig.axes[0].patches) == pytest.approx(
        pd.to_timedelta(daily["duration"].astype(object)).sum() / pd.Timedelta(hours=1))


def test_counts_show_the_most_frequent() -> None:
    frame = pd.DataFrame({"c": [f"v{i}" for i in range(30) for _ in range(i + 1)]})
    fig = counts(frame, "c")
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert len(widths) == 20 and widths[-1] == 30 and widths == sorted(widths)
    assert "top 20 of 30 values" in fig.axes[0].get_xlabel()


def test_figures_render_the_same_twice_and_display_as_png() -> None:
    frame = pd.DataFrame({"c": list("aab")})
    first, second = counts(frame, "c"), counts(frame, "c")
    assert isinstance(first, Chart)
    assert png_bytes(first) == png_bytes(second) == first._repr_png_()
    buffer = io.BytesIO()
    first.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")


@settings(max_examples=25)  # each example renders two PNGs
@given(st.lists(st.tuples(st.integers(0, 10**7), st.one_of(st.none(), st.floats(-1e6, 1e6)),
                          st.sampled_from(["a", "b", None])), max_size=40))
def test_any_series_draws_or_says_why_not(rows: list[tuple[int, float | None, str | None]]) -> None:
    frame = pd.DataFrame({
        "at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta([r[0] for r in rows], unit="s"),
        "v": pd.Series([r[1] for r in rows], dtype="Float64"),
        "g": pd.Series([r[2] for r in rows], dtype="string"),
    })
    for fig in (time_series(frame, "at", "v", by="g"), time_series(frame, "at", by="g")):
        assert drawn(fig) or texts(fig) in ("no rows", "no rows with a at and a v")
        assert png_bytes(fig).startswith(b"\x89PNG")


# --- how a bucket combines, axis labels, bands, per-participant lines, the sleep panels ---------------------

def _ys(line: Any) -> list[float]:
    return [float(v) for v in np.asarray(line.get_ydata(), dtype=float)]


def _line_series(fig: Figure, panel: int = 0) -> pd.Series:
    (line,) = fig.axes[panel].lines
    return pd.Series(np.asarray(line.get_ydata(), dtype=float), index=pd.DatetimeIndex(line.get_xdata()))


def _hand(frame: pd.DataFrame, every: str, how: str) -> pd.Series:
    """The tz-aware hand resample, its index then drawn as the wall clock."""
    series = frame.set_index("at")["steps"].astype(float).resample(every).agg(how)
    return series.set_axis(series.index.tz_localize(None))


# a quiet week, the week clocks go forward (2026-03-08) and the week they go back (2026-11-01) in New York
@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 3 * 86400), st.integers(0, 500)), min_size=2, max_size=60),
       st.sampled_from(["15min", "1h", "1D"]), st.sampled_from(["2026-10-05", "2026-03-07", "2026-10-31"]))
def test_a_sum_bucket_is_the_hand_sum(rows: list[tuple[int, int]], every: str, start: str) -> None:
    at = pd.Timestamp(start, tz="America/New_York") + pd.to_timedelta([r[0] for r in rows], unit="s")
    frame = pd.DataFrame({"at": at, "steps": pd.Series([r[1] for r in rows], dtype="Int64")})
    fig = time_series(frame, "at", "steps", every=every, how="sum", ylabel="steps")
    drawn_sums = _line_series(fig)
    hand = _hand(frame, every, "sum")
    assert drawn_sums.index.equals(hand.index) and drawn_sums.tolist() == hand.tolist()
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylabel().startswith("steps\n(sum per ")
    means = _line_series(time_series(frame, "at", "steps", every=every))
    counted = _hand(frame, every, "count")
    assert means.fillna(0).mul(counted).tolist() == pytest.approx(hand.tolist())  # the mean is not the sum


def test_the_hour_repeated_when_clocks_go_back_is_two_buckets() -> None:
    # 00:00 to 03:00 New York time on 2026-11-01, one row every 15 minutes: 01:00-02:00 happens twice
    at = pd.date_range("2026-11-01T04:00Z", "2026-11-01T07:45Z", freq="15min").tz_convert("America/New_York")
    frame = pd.DataFrame({"at": at, "steps": pd.Series(1, index=range(len(at)), dtype="Int64")})
    drawn_sums = _line_series(time_series(frame, "at", "steps", every="1h", how="sum"))
    assert drawn_sums.tolist() == [4, 4, 4, 4]  # 00:00, 01:00 (EDT), 01:00 (EST), 02:00 — not 8 at 01:00
    assert [str(t.time()) for t in drawn_sums.index] == ["00:00:00", "01:00:00", "01:00:00", "02:00:00"]
    counted = time_series(frame.assign(g="a"), "at", by="g", every="1h")  # rows counted: the same buckets
    assert [p.get_height() for p in counted.axes[0].patches] == [4, 4, 4, 4]
    forward = pd.date_range("2026-03-08T05:00Z", "2026-03-08T07:45Z", freq="15min").tz_convert("America/New_York")
    frame = pd.DataFrame({"at": forward, "steps": pd.Series(1, index=range(len(forward)), dtype="Int64")})
    drawn_sums = _line_series(time_series(frame, "at", "steps", every="1h", how="sum"))
    assert drawn_sums.tolist() == [4, 4, 4]  # 00:00, 01:00, 03:00: no empty bucket for the skipped 02:00
    assert [t.hour for t in drawn_sums.index] == [0, 1, 3]
    counted = time_series(frame.assign(g="a"), "at", by="g", every="1h")
    assert [p.get_height() for p in counted.axes[0].patches] == [4, 4, 4]
    daily = _line_series(time_series(frame, "at", "steps", every="1D", how="sum"))
    assert daily.tolist() == [12] and str(daily.index[0]) == "2026-03-08 00:00:00"  # the local calendar day


def test_an_empty_untyped_frame_says_no_rows() -> None:
    untyped = pd.DataFrame(columns=["at", "v", "g", "date", "total", "survey_name", "start_timestamp",
                                    "minutes_asleep"])
    assert all(pd.api.types.is_object_dtype(dtype) for dtype in untyped.dtypes)
    for fig in (time_series(untyped, "at", "v", by="g"), time_series(untyped, "at", by="g"),
                score_over_time(untyped), sleep_over_time(untyped), counts(untyped, "g")):
        assert not drawn(fig) and texts(fig) == "no rows"
    for name in sorted(KINDS):
        fig = plot_kind(name, pd.DataFrame(columns=mdh.to_frame(name, []).columns), title="empty")
        assert not drawn(fig) and texts(fig) == "no rows"


def test_how_per_group_and_the_other_combinations() -> None:
    at = pd.to_datetime(["2026-10-05T01:00Z", "2026-10-05T02:00Z", "2026-10-06T01:00Z"] * 2)
    frame = pd.DataFrame({"at": at, "v": [1.0, 3.0, 5.0, 60.0, 80.0, 70.0], "type": ["steps"] * 3 + ["bpm"] * 3})
    fig = time_series(frame, "at", "v", by="type", every="1D", how={"steps": "sum"}, ylabel={"bpm": "heart rate"})
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["type = bpm", "type = steps"]  # equal sizes: by name
    assert _line_series(fig, 0).tolist() == [70.0, 70.0] and fig.axes[0].get_ylabel() == "heart rate\n(mean per day)"
    assert _line_series(fig, 1).tolist() == [4.0, 5.0] and fig.axes[1].get_ylabel() == "v\n(sum per day)"
    one = frame[frame["type"] == "bpm"]
    combinations: list[tuple[How, list[float]]] = [("max", [80.0, 70.0]), ("min", [60.0, 70.0]),
                                                    ("median", [70.0, 70.0])]
    for how, expected in combinations:
        assert _line_series(time_series(one, "at", "v", every="1D", how=how)).tolist() == expected
    with pytest.raises(InvalidArgumentError, match=r"how='total' is not one of mean, median, sum, min, max"):
        time_series(one, "at", "v", how="total")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"ylabel= takes a string or a mapping"):
        time_series(one, "at", "v", ylabel=3)  # type: ignore[arg-type]
    counted = time_series(one, "at", ylabel="answers")
    assert counted.axes[0].get_ylabel() == "answers per day"


PHQ9_BANDS = [(0, 5, "minimal"), (5, 10, "mild"), (10, 15, "moderate"), (15, 20, "moderately severe"),
              (20, 27, "severe")]


def test_bands_are_shaded_and_named(frames: Frames) -> None:
    scores = survey_scores(frames("survey_answers"), survey_name="PHQ-9")
    plain = score_over_time(scores)
    assert not plain.axes[0].patches and plain.axes[0].get_title() == "PHQ-9"  # one survey: named in the title
    assert plain.axes[0].get_legend() is None and not plain.legends
    fig = score_over_time(scores, bands=PHQ9_BANDS, title="PHQ-9, PT-0001")
    ax = fig.axes[0]
    spans = sorted((p.get_extents().y0, p.get_extents().y1) for p in ax.patches)
    assert len(spans) == 5 and all(low < high for low, high in spans)
    assert [t.get_text() for t in ax.texts] == [name for _, _, name in PHQ9_BANDS]
    assert ax.get_ylim() == (0.0, 27.0)
    assert _ys(ax.lines[0]) == scores.sort_values("date")["total"].astype(float).tolist()
    for bad in ([(5, 0, "upside down")], [(0, 5)], "mild", [(0, "5", "mild")]):
        with pytest.raises(InvalidArgumentError, match=r"is not .*low, high, label"):
            score_over_time(scores, bands=bad)  # type: ignore[arg-type]


def test_by_participant_draws_a_line_each(config: mdh.Config) -> None:
    with mdh.Client(config) as client:
        parts = [survey_scores(client.connect(pid, ["SurveyAnswers:read"]).survey_answers(survey_name="PHQ-9"))
                 for pid in ("PT-0001", "PT-0002", "PT-0004")]
    scores = pd.concat(parts, ignore_index=True)
    fig = score_over_time(scores, by="participant_identifier", bands=PHQ9_BANDS)
    lines = fig.axes[0].lines
    assert [line.get_label() for line in lines] == ["PT-0001", "PT-0002", "PT-0004"]
    for line, part in zip(lines, parts, strict=True):
        assert _ys(line) == part.sort_values("date")["total"].astype(float).tolist()
    (legend,) = fig.legends
    assert legend.get_title().get_text() == "participant_identifier"
    assert [t.get_text() for t in legend.get_texts()] == ["PT-0001", "PT-0002", "PT-0004"]
    by_survey = score_over_time(parts[0])
    assert [line.get_label() for line in by_survey.axes[0].lines] == ["PHQ-9"]
    with pytest.raises(InvalidArgumentError, match="the frame has no column 'who'"):
        score_over_time(scores, by="who")


def test_sleep_efficiency_has_its_own_panel(frames: Frames) -> None:
    logs = frames("fitbit_sleep_logs")
    fig = sleep_over_time(logs)
    bars, below = fig.axes
    assert bars.patches and not bars.lines and below.lines and not below.patches
    assert below.get_position().y1 <= bars.get_position().y0  # below the bars, not over them
    assert bars.get_shared_x_axes().joined(bars, below)
    assert below.get_ylabel() == "efficiency (%)" and below.get_ylim()[1] == 100
    assert bars.get_ylabel() == "hours asleep" and "night ending" in below.get_xlabel()
    assert len(sleep_over_time(frames("daily_sleep")).axes) == 1  # no efficiency there: one panel


def test_plot_kind_sums_amounts_and_averages_levels(config: mdh.Config) -> None:
    with mdh.connect("PT-0001", ["DeviceData:read", "FitbitDailySummaries:read"], config=config) as session:
        steps = session.device_data_v2("Fitbit", "steps", tz="local", progress=False)
        heart = session.device_data_v2("Fitbit", "heart-rate", observed_after="2026-10-20", tz="local",
                                       progress=False)
        aggregate = session.device_data_aggregate("Fitbit", "steps", "Days", progress=False)
        daily = session.fitbit_daily_summaries(progress=False)
    fig = plot_kind("device_data_v2", steps)
    ax = fig.axes[0]
    bucket = ax.get_ylabel().removeprefix("steps\n(sum per ").removesuffix(")")
    assert bucket in ("hour", "15 min", "6 hours")  # dense: combined, by sum
    width = {"15 min": "15min", "hour": "1h", "6 hours": "6h"}[bucket]
    hand = steps.set_index(steps["observation_date"].dt.tz_localize(None))["value_number"].astype(float)
    assert _line_series(fig).tolist() == hand.resample(width).sum().tolist() and ax.get_ylim()[0] == 0
    levels = plot_kind("device_data_v2", heart).axes[0]
    assert levels.get_ylabel().startswith("heart-rate (bpm)\n(mean per ") and levels.get_ylim()[0] > 0
    sums = plot_kind("device_data_aggregate", aggregate)
    assert _line_series(sums).tolist() == aggregate["statistics_sum"].astype(float).tolist()  # not the avg
    assert sums.axes[0].get_ylabel() == "steps"
    assert plot_kind("fitbit_daily_summaries", daily).axes[0].get_ylim()[0] == 0


def test_the_catalogue_says_which_device_data_are_amounts() -> None:
    for name in ("device_data", "device_data_v2", "device_data_aggregate"):
        timeline = KINDS[name].timeline
        assert timeline is not None
        assert all(timeline.is_amount(t) for t in ("Steps", "steps", "steps-daily", "HourlySteps", "CaloriesBMR",
                                                   "floors-daily", "MinutesSedentary", "activeEnergyBurned-daily"))
        assert not any(timeline.is_amount(t) for t in ("heart-rate", "RestingHeartRate", "Weight", "SpO2",
                                                       "heartRate-daily-min", "egv"))


def _probe(timeline: Timeline) -> Kind:
    return Kind(name="probe", path="api/v1/delegated/probe", token="participant", scope="Project:read",
                shape="array", columns=(Column("when", "datetime"), Column("amount", "Float64"),
                                        Column("label", "string"), Column("tags", "object")),
                timeline=timeline)


@pytest.mark.parametrize(("timeline", "message"), [
    (Timeline("when", value="amount", how="total"), "timeline how 'total' is not one of"),  # type: ignore[arg-type]
    (Timeline("when", how="sum"), "timeline how 'sum' combines values: it needs a value"),
    (Timeline("when", value="amount", amounts=("steps",)), "timeline amounts name values of its group"),
    (Timeline("when", value="amount", group="label", amounts=("Steps",)), "timeline amount 'Steps' is not one"),
    (Timeline("when", value="amount", group="label", amounts=("steps-daily",)), "timeline amount 'steps-daily' is"),
    (Timeline("when", value="amount", amount_value="amount"), "a timeline amount_value is plotted for amounts"),
    (Timeline("when", value="amount", group="label", amounts=("steps",), amount_value="label"),
     "timeline amount_value 'label' is a string column"),
    (Timeline("when", value="amount", units="tags"), "timeline units 'tags' is a object column"),
])
def test_a_bad_how_or_amount_is_refused_at_import(timeline: Timeline, message: str) -> None:
    with pytest.raises(CatalogueError, match="catalogue entry probe: " + message):
        _probe(timeline)
    assert _probe(Timeline("when", value="amount", group="label", how="max", amounts=("steps",),
                           amount_value="amount", units="label")).timeline is not None


def test_every_plot_style_has_a_plot() -> None:
    from typing import get_args

    from mdh_notebook import plots
    from mdh_notebook.kinds import PlotStyle

    assert set(plots._PLOTS) == set(get_args(PlotStyle))
    assert {k.timeline.plot for k in KINDS.values() if k.timeline is not None} == set(get_args(PlotStyle))


def test_plot_kind_scores_only_the_scored_instruments(frames: Frames) -> None:
    answers = frames("survey_answers")  # PHQ-9 beside a mood diary with a note and a multi-select
    fig = plot_kind("survey_answers", answers, title="PT-0001")
    lines = [line for line in fig.axes[0].lines if len(line.get_xdata())]
    expected = survey_scores(answers, survey_name="PHQ-9").dropna(subset=["date", "total"])
    assert len(lines) == 1 and _ys(lines[0]) == expected.sort_values("date")["total"].astype(float).tolist()
    assert "PHQ-9" in fig.axes[0].get_title()  # one line has no legend: the title names it
