"""Plots of the frames the session returns: matplotlib figures built without pyplot.

Every function returns a :class:`Chart`, a :class:`matplotlib.figure.Figure` made directly (no
pyplot state: nothing is shown twice, figures are independent across threads, they render with
Agg on a headless machine) that Jupyter displays as a PNG when it is a cell's last value or passed
to ``display()`` — also where pyplot's inline backend was never switched on. ``fig.savefig(path)``
writes a file.

:func:`plot_kind` picks the plot from the catalogue's declaration of the kind
(:class:`~mdh_notebook.kinds.Timeline`, ``count_by``); the primitives it uses are public:

* :func:`time_series` — a value over time (one panel per group: the groups' units may differ), or
  rows per day (stacked bars by group) when there is no value. Values are combined per bucket
  (``how``: the mean of a level such as heart rate, the sum of an amount such as steps, or the
  median, min or max) when ``every`` names the bucket or the series is dense: more than
  :data:`MAX_POINTS` points → the smallest of 5 minutes, 15 minutes, an hour, 6 hours, a day, a
  week that leaves at most that many (minute heart rate over 90 days → hourly means). Sums and
  counts are drawn from zero;
* :func:`score_over_time` — survey totals per result (:func:`~mdh_notebook.analysis.survey_scores`),
  one line per survey (or per participant, ``by=``), over shaded severity ``bands``;
* :func:`sleep_over_time` — hours asleep per night (stacked by stage where the stages are known),
  with sleep efficiency in a panel of its own below;
* :func:`counts` — rows per category, as horizontal bars.

Times are drawn as the frame shows them: a tz-aware column in its zone (``tz="local"`` on a
session gives the participant's wall clock), the zone named on the axis; a naive ``date`` or
``wallclock`` column (the participant's calendar) as it is. A frame without rows gives a figure
saying "no rows".
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar, get_args

import matplotlib
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .analysis import survey_scores
from .errors import InvalidArgumentError
from .kinds import How, Kind
from .kinds import kind as lookup_kind

__all__ = ["DPI", "FIGSIZE", "MAX_POINTS", "Band", "Chart", "How", "counts", "plot_kind", "png_bytes",
           "score_over_time", "sleep_over_time", "time_series"]

FIGSIZE = (9.0, 3.6)
"""Width and height (inches) of a one-panel figure; a panel more adds :data:`PANEL_HEIGHT`."""
PANEL_HEIGHT = 1.9
DPI = 100
MAX_POINTS = 2500
"""A series with more points than this is combined over buckets (see the module docstring)."""
MAX_PANELS = 4
MAX_BARS = 20
BUCKETS: tuple[tuple[str, pd.Timedelta], ...] = (
    ("5 min", pd.Timedelta(minutes=5)), ("15 min", pd.Timedelta(minutes=15)), ("hour", pd.Timedelta(hours=1)),
    ("6 hours", pd.Timedelta(hours=6)), ("day", pd.Timedelta(days=1)), ("week", pd.Timedelta(days=7)),
)
_STAGES = ("deep", "light", "rem", "wake", "asleep", "restless", "awake")
Band = tuple[float, float, str]
"""A score band ``(low, high, label)``, e.g. ``(5, 10, "mild")`` of the PHQ-9."""
_Data = TypeVar("_Data", pd.Series, pd.DataFrame)


class Chart(Figure):
    """A matplotlib Figure that shows itself in Jupyter as one PNG (``_repr_png_``)."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, the same for the same figure (no software or date metadata)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


@contextmanager
def _style() -> Iterator[None]:
    # the same look whatever the user's rcParams say about these
    with matplotlib.rc_context({
        "figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 9, "axes.titlesize": 10, "axes.grid": True,
        "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False, "legend.fontsize": 8,
        "legend.frameon": False,
    }):
        yield


def _figure(panels: int = 1) -> Chart:
    width, height = FIGSIZE
    return Chart(figsize=(width, height + PANEL_HEIGHT * (panels - 1)), dpi=DPI, layout="constrained")


def _note(text: str, title: str | None = None) -> Chart:
    """A figure that says ``text`` (no rows, nothing to plot) instead of drawing data."""
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="0.35", transform=ax.transAxes)
        if title:
            ax.set_title(title)
    return fig


def _require(frame: object, columns: Sequence[str], caller: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"{caller} takes a DataFrame, not a {type(frame).__name__}")
    for name in columns:
        if name not in frame.columns:
            listed = ", ".join(map(str, frame.columns)) or "none"
            raise InvalidArgumentError(f"{caller}: the frame has no column {name!r} (its columns: {listed})")
    return frame


def _numeric(frame: pd.DataFrame, name: str, caller: str) -> pd.Series:
    column = frame[name]
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise InvalidArgumentError(f"{caller}: column {name!r} is {column.dtype}, not numbers; "
                                   "pass a numeric column (or none, to count rows)")
    return column.astype("float64")


def _when(times: pd.Series) -> tuple[pd.Series, str]:
    """Times as the frame has them (a tz-aware column keeps its zone, so that buckets are cut in
    absolute time), and the axis label saying in which zone they are drawn."""
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return times, f"time ({times.dt.tz})"
    if pd.api.types.is_datetime64_dtype(times.dtype):
        return times, "local calendar"
    raise InvalidArgumentError(f"column {times.name!r} is {times.dtype}, not date-times: pass a date-time column as x")


def _wall(index: pd.Index) -> pd.Index:
    """A time index as naive wall-clock values to draw (the zone is named on the axis)."""
    return index.tz_localize(None) if isinstance(index, pd.DatetimeIndex) and index.tz is not None else index


def _local(times: pd.Series) -> tuple[pd.Series, str]:
    """Times as naive wall-clock values to draw, and the axis label saying in which zone."""
    times, label = _when(times)
    return (times.dt.tz_localize(None) if isinstance(times.dtype, pd.DatetimeTZDtype) else times), label


def _resample(data: _Data, width: pd.Timedelta, how: str) -> _Data:
    """``data`` (indexed by time, sorted) combined per bucket of ``width`` from the first day's midnight,
    the index as wall-clock values to draw. Buckets shorter than a day are cut on the tz-aware times,
    so the hour repeated when clocks go back is two buckets and the skipped hour none; whole days and
    weeks are the participant's calendar days (23 or 25 hours across a change of clocks)."""
    index = data.index
    zoned = isinstance(index, pd.DatetimeIndex) and index.tz is not None
    if zoned and width % pd.Timedelta(days=1) == pd.Timedelta(0):
        data = data.set_axis(_wall(index))
    combined = data.resample(width).agg(how)
    return combined.set_axis(_wall(combined.index))


def _bucket(times: pd.Series, every: str | pd.Timedelta | None, points: int) -> tuple[str, pd.Timedelta] | None:
    """The bucket to average over: ``every`` if given, else the smallest of :data:`BUCKETS` leaving
    at most :data:`MAX_POINTS` (None: the series is sparse enough as it is)."""
    if every is not None:
        try:
            width = pd.Timedelta(every)
        except (ValueError, TypeError):
            raise InvalidArgumentError(f"every={every!r} is not a duration: use e.g. '1h', '1D' or "
                                       "pandas.Timedelta(hours=1)") from None
        if width <= pd.Timedelta(0):
            raise InvalidArgumentError(f"every={every!r} must be a positive duration")
        return next(((name, w) for name, w in BUCKETS if w == width), (str(every), width))
    if points <= MAX_POINTS:
        return None
    span = times.max() - times.min()
    return next(((name, w) for name, w in BUCKETS if span / w <= MAX_POINTS), BUCKETS[-1])


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    if by is None:
        return [("", frame)]
    keys = _labels(frame[by])
    tally = keys.value_counts()
    order = sorted(tally.index, key=lambda key: (-tally[key], key))  # the largest first, ties by name
    return [(key, frame[keys == key]) for key in order]


def _format_time_axis(ax: Axes, label: str) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlabel(label)


def _per_group(value: object, name: str, caller: str) -> Mapping[str, object] | None:
    """``value`` as a mapping from group label (None: one value for every group)."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    raise InvalidArgumentError(f"{caller}: {name}= takes a string or a mapping from group to string, "
                               f"not a {type(value).__name__}")


def _check_how(how: object, caller: str) -> None:
    if how not in get_args(How):
        raise InvalidArgumentError(f"{caller}: how={how!r} is not one of {', '.join(get_args(How))}")


def time_series(frame: pd.DataFrame, x: str, y: str | None = None, *, by: str | None = None,
                every: str | pd.Timedelta | None = None, how: How | Mapping[str, How] = "mean",
                ylabel: str | Mapping[str, str] | None = None, title: str | None = None) -> Chart:
    """``y`` over time ``x``, or rows counted per day when ``y`` is None.

    ``by`` splits the rows: with ``y``, one panel per group (at most four, the largest); without,
    bars stacked by group. ``every`` (e.g. ``"1h"``, ``"1D"``) combines ``y`` (or counts rows) per
    bucket of that width instead of the automatic choice (module docstring). ``how`` says how the
    values in a bucket combine: ``"mean"`` (a level: heart rate), ``"sum"`` (an amount: steps — a
    bucket is the hand sum ``frame.set_index(x)[y].resample(every).sum()``, an empty bucket 0),
    ``"median"``, ``"min"``, ``"max"``; a mapping gives each ``by`` group its own (``"mean"`` for
    a group it leaves out). A sum's axis starts at zero. ``ylabel`` names the value axis (default:
    ``y``, or "rows"), the bucket's combination added below it; a mapping names each group's panel.
    Rows without a time, or without a ``y``, are left out.
    """
    caller = "time_series()"
    frame = _require(frame, [c for c in (x, y, by) if c is not None], caller)
    hows = _per_group(how, "how", caller)
    for value in (hows or {"": how}).values():
        _check_how(value, caller)
    labels = _per_group(ylabel, "ylabel", caller)
    if frame.empty:  # before the dtypes are read: an empty frame's columns may be untyped (object)
        return _note("no rows", title)
    times, label = _when(frame[x])
    data = pd.DataFrame({"x": times}, index=frame.index)
    if y is not None:
        data["y"] = _numeric(frame, y, caller)
    if by is not None:
        data["by"] = frame[by]
    data = data[data["x"].notna() & (data["y"].notna() if y is not None else True)]
    if data.empty:
        return _note(f"no rows with a {x}" + (f" and a {y}" if y else ""), title)
    if y is None:
        return _count_series(data, label, by, every, ylabel if isinstance(ylabel, str) else None, title)
    groups = _groups(data, "by" if by is not None else None)
    shown = groups[:MAX_PANELS]
    with _style():
        fig = _figure(len(shown))
        axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
        for ax, (name, group) in zip(axes, shown, strict=True):
            combine = str(hows.get(name, "mean")) if hows is not None else str(how)
            series = group.set_index("x")["y"].sort_index()
            bucket = _bucket(series.index.to_series(), every, len(series))
            if bucket is not None:
                series = _resample(series, bucket[1], combine)
            else:
                series = series.set_axis(_wall(series.index))
            marker = "o" if series.notna().sum() <= 60 else None
            ax.plot(series.index, series.to_numpy(dtype="float64", na_value=float("nan")), marker=marker,
                    markersize=3, linewidth=1)
            named = str(labels.get(name, y)) if labels is not None else str(ylabel or y)
            ax.set_ylabel(named + (f"\n({combine} per {bucket[0]})" if bucket else ""))
            if combine == "sum" and not (series < 0).any():
                ax.set_ylim(bottom=0)
            if len(shown) > 1:
                ax.set_title(f"{by} = {name}", loc="left", fontsize=9)
        _format_time_axis(axes[-1], label)
        more = f" ({len(shown)} of {len(groups)} {by} values shown)" if len(groups) > len(shown) else ""
        if len(shown) == 1 and not more:
            axes[0].set_title(title or (f"{by} = {shown[0][0]}" if by else ""))
        elif title or more:
            fig.suptitle((title or "") + more)
    return fig


def _count_series(data: pd.DataFrame, label: str, by: str | None, every: str | pd.Timedelta | None,
                  ylabel: str | None, title: str | None) -> Chart:
    span = data["x"].max() - data["x"].min()
    name, width = _bucket(data["x"], every, 0) or (("week", BUCKETS[-1][1]) if span > pd.Timedelta(days=730)
                                                   else ("day", pd.Timedelta(days=1)))
    keys = [k for k, _ in _groups(data, "by")] if by is not None else [""]
    onehot = (pd.get_dummies(_labels(data["by"]) if by is not None else pd.Series("", index=data.index), dtype="int64")
              .reindex(columns=keys, fill_value=0).set_axis(pd.DatetimeIndex(data["x"])).sort_index())
    table = _resample(onehot, width, "sum")
    table = table[table.sum(axis=1) > 0]
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        bottom = pd.Series(0, index=table.index, dtype="int64")
        bar_width = width / pd.Timedelta(days=1) * 0.9
        for key in keys[:MAX_BARS]:
            ax.bar(table.index, table[key], width=bar_width, bottom=bottom, align="edge", label=key or None)
            bottom = bottom + table[key]
        if len(keys) > 1:
            ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylabel(f"{ylabel or 'rows'} per {name}")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _format_time_axis(ax, label)
        if title:
            ax.set_title(title)
    return fig


def _labels(values: pd.Series) -> pd.Series:
    return values.astype("object").where(values.notna(), "(missing)").astype(str)


def _check_bands(bands: object, caller: str) -> list[Band]:
    fix = "pass bands as (low, high, label) tuples, e.g. [(0, 5, 'minimal'), (5, 10, 'mild')]"
    if isinstance(bands, (str, bytes)) or not isinstance(bands, Sequence):
        raise InvalidArgumentError(f"{caller}: bands={bands!r} is not a sequence; {fix}")
    checked: list[Band] = []
    for band in bands:
        if not (isinstance(band, Sequence) and len(band) == 3 and isinstance(band[2], str)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in band[:2])
                and band[0] < band[1]):
            raise InvalidArgumentError(f"{caller}: band {band!r} is not (low, high, label) with low < high; {fix}")
        checked.append((float(band[0]), float(band[1]), band[2]))
    return checked


def _colours(count: int) -> list[object]:
    cmap = matplotlib.colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]


def score_over_time(scores: pd.DataFrame, *, by: str = "survey_name", bands: Sequence[Band] | None = None,
                    title: str | None = None) -> Chart:
    """Each survey result's total (the frame of :func:`~mdh_notebook.analysis.survey_scores`) at
    its date, one line per value of ``by`` (the survey; ``"participant_identifier"`` for one line
    per participant); results without a date or a total are left out.

    ``bands``: ``(low, high, label)`` ranges shaded behind the lines and named at the right, the
    value axis spanning them — the PHQ-9's ``[(0, 5, "minimal"), (5, 10, "mild"), (10, 15,
    "moderate"), (15, 20, "moderately severe"), (20, 27, "severe")]``. One line has no legend (the
    title, by default its name, says whose or which).
    """
    caller = "score_over_time()"
    scores = _require(scores, ("date", "total", by), caller)
    shaded = _check_bands(bands, caller) if bands is not None else []
    if scores.empty:  # before the dtypes are read (see time_series)
        return _note("no rows", title)
    times, label = _local(scores["date"])
    data = pd.DataFrame({"x": times, "y": _numeric(scores, "total", caller), "by": scores[by]})
    data = data[data["x"].notna() & data["y"].notna()]
    if data.empty:
        return _note("no scored results with a date", title)
    groups = sorted(_groups(data, "by"), key=lambda group: group[0])  # by name: participants or surveys in their order
    below = bool(shaded) and len(groups) > 1  # the band names take the right: the legend goes below
    with _style():
        fig = _figure()
        if below:
            fig.set_figheight(FIGSIZE[1] + 0.5 + 0.2 * -(-len(groups) // 6))
        ax = fig.add_subplot()
        for i, (low, high, name) in enumerate(shaded):  # lighter to darker, bottom to top
            ax.axhspan(low, high, color=str(round(0.96 - 0.15 * i / max(1, len(shaded) - 1), 3)), zorder=0,
                       linewidth=0)
            ax.text(1.005, (low + high) / 2, name, transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                    color="0.3")
        for (name, group), colour in zip(groups, _colours(len(groups)), strict=True):
            group = group.sort_values("x")
            ax.plot(group["x"], group["y"].to_numpy(dtype="float64"), marker="o", markersize=4, linewidth=1.2,
                    label=name, color=colour, clip_on=not shaded)  # the axis spans the bands and every total
        if shaded:
            low = min(min(b[0] for b in shaded), float(data["y"].min()))
            high = max(max(b[1] for b in shaded), float(data["y"].max()))
            ax.set_ylim(low, high)
        if len(groups) > 1:
            where = {"loc": "outside lower center", "ncol": min(len(groups), 6)} if below else {
                "loc": "outside right upper"}
            fig.legend(title=by, **where)
        ax.set_ylabel("total score")
        _format_time_axis(ax, label)
        ax.set_title(title if title is not None else (groups[0][0] if len(groups) == 1 else ""))
    return fig


def _nights(frame: pd.DataFrame, caller: str) -> tuple[pd.DataFrame, pd.Series | None, str]:
    """Hours per stage per night (night = the local date it ended), efficiency, the axis label."""
    end = "end_timestamp" if "end_timestamp" in frame.columns else "start_timestamp"
    when, label = _local(frame[end])
    night = when.dt.normalize()
    stages = [c for c in (f"sleep_level_{s}" for s in _STAGES) if c in frame.columns and frame[c].notna().any()]
    asleep = ["sleep_level_deep", "sleep_level_light", "sleep_level_rem"]
    if all(c in stages for c in asleep):  # stage nights: their stages; classic nights: minutes asleep
        hours = frame[asleep].astype("float64").div(60)
        classic = hours.isna().all(axis=1)
        hours.columns = [c.removeprefix("sleep_level_") for c in asleep]
        hours["asleep (no stages)"] = _numeric(frame, "minutes_asleep", caller).div(60).where(classic)
    else:
        hours = pd.DataFrame({"asleep": _numeric(frame, "minutes_asleep", caller).div(60)})
    hours = hours.groupby(night).sum(min_count=1).dropna(axis=1, how="all")
    efficiency = None
    if "efficiency" in frame.columns:
        efficiency = _numeric(frame, "efficiency", caller).groupby(night).mean()
    return hours, efficiency, f"night ending ({label.removeprefix('time ').strip('()')})"


def sleep_over_time(frame: pd.DataFrame, *, title: str | None = None) -> Chart:
    """Hours asleep per night as bars, stacked by stage where the stages are known, with sleep
    efficiency (%) as a line on its own axis.

    Takes a ``fitbit_sleep_logs`` frame (``minutes_asleep``, ``efficiency``, the ``sleep_level_*``
    minutes; a night is the local date a sleep ended, naps added to it) or a ``daily_sleep`` frame
    (``date``, the stage in ``value``, its ``duration``).
    """
    caller = "sleep_over_time()"
    frame = _require(frame, (), caller)
    efficiency: pd.Series | None = None
    if "minutes_asleep" in frame.columns:
        _require(frame, ("start_timestamp",), caller)
        rows = frame[frame["start_timestamp"].notna()]
        if rows.empty:
            return _note("no rows", title)
        hours, efficiency, label = _nights(rows, caller)
    elif {"date", "value", "duration"} <= set(frame.columns):
        rows = frame[frame["date"].notna() & frame["duration"].notna()]
        if rows.empty:
            return _note("no rows", title)
        _, label = _local(rows["date"])
        spent = pd.to_timedelta(rows["duration"].astype("object"), errors="coerce") / pd.Timedelta(hours=1)
        hours = pd.crosstab(rows["date"], _labels(rows["value"]), values=spent, aggfunc="sum").fillna(0.0)
    else:
        raise InvalidArgumentError(f"{caller} takes a fitbit_sleep_logs frame (a column 'minutes_asleep') or a "
                                   "daily_sleep frame (columns 'date', 'value', 'duration')")
    if hours.empty:
        return _note("no nights with time asleep", title)
    with _style():
        drawn = efficiency is not None and bool(efficiency.notna().any())
        fig = _figure(2 if drawn else 1)
        if drawn:
            ax, lower = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 1)})
        else:
            ax = lower = fig.add_subplot()
        bottom = pd.Series(0.0, index=hours.index)
        for stage in hours.columns:
            values = hours[stage].fillna(0.0).astype("float64")
            ax.bar(hours.index, values, width=0.8, bottom=bottom, label=str(stage))
            bottom = bottom + values
        ax.set_ylabel("hours asleep")
        ax.legend(title="stage" if len(hours.columns) > 1 else None, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if drawn and efficiency is not None:
            lower.plot(efficiency.index, efficiency.to_numpy(dtype="float64", na_value=float("nan")), color="0.25",
                       marker="o", markersize=2, linewidth=1)
            lower.set_ylabel("efficiency (%)")
            lower.set_ylim(max(0.0, float(efficiency.min()) - 5), 100)
        _format_time_axis(lower, label)
        if title:
            ax.set_title(title)
    return fig


def counts(frame: pd.DataFrame, by: str, *, title: str | None = None) -> Chart:
    """Rows per value of ``by`` as horizontal bars, the most frequent on top (at most 20)."""
    frame = _require(frame, (by,), "counts()")
    if frame.empty:
        return _note("no rows", title)
    tally = _labels(frame[by]).value_counts()
    tally = tally.loc[sorted(tally.index, key=lambda key: (-tally[key], key))]
    shown = tally.iloc[:MAX_BARS].iloc[::-1]
    with _style():
        fig = Chart(figsize=(FIGSIZE[0], max(FIGSIZE[1], 0.8 + 0.28 * len(shown))), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        ax.barh(shown.index.astype(str), shown.to_numpy())
        ax.set_xlabel("rows" + (f" (top {MAX_BARS} of {len(tally)} values)" if len(tally) > MAX_BARS else ""))
        ax.set_ylabel(by)
        ax.grid(axis="y", visible=False)
        if title:
            ax.set_title(title)
    return fig


def _title(entry: Kind, frame: pd.DataFrame) -> str:
    parts = [entry.name]
    for name in ("namespace", "type", "participant_identifier"):
        if name in frame.columns:
            values = frame[name].dropna().unique()
            if len(values) == 1:
                parts.append(str(values[0]))
    return " · ".join(parts)


def plot_kind(kind: str | Kind, frame: pd.DataFrame, *, title: str | None = None) -> Chart:
    """The plot that suits the kind's frame, from its catalogue entry.

    A timeline's ``plot``: ``series`` → :func:`time_series` of its value (the first of ``value`` and
    its fallbacks that has values; rows per day when none does) split by its group, each bucket
    combined by the timeline's ``how`` — a group value the timeline lists among its ``amounts``
    (device data ``steps``) summed, from its ``amount_value`` where declared (an aggregate's
    ``statistics_sum``), the axis named by the type and its ``units``; ``score`` →
    :func:`score_over_time` of :func:`~mdh_notebook.analysis.survey_scores`; ``sleep`` →
    :func:`sleep_over_time`. A kind without a timeline but with ``count_by`` → :func:`counts`;
    neither → a figure saying there is nothing to plot. A frame without rows → a figure saying "no
    rows"; a frame without the columns the kind's plot reads → :class:`InvalidArgumentError`.
    ``title`` defaults to the kind's name with its namespace, type and participant where the frame
    has one of each.
    """
    entry = lookup_kind(kind) if isinstance(kind, str) else kind
    caller = f"plot_kind({entry.name!r})"
    timeline = entry.timeline
    needed = ([timeline.column, *(c for c in (timeline.value, timeline.group) if c)] if timeline is not None
              else [entry.count_by] if entry.count_by else [])
    frame = _require(frame, needed, caller)
    label = title if title is not None else _title(entry, frame)
    if frame.empty:
        return _note("no rows", label)
    if timeline is None:
        if entry.count_by:
            return counts(frame, entry.count_by, title=label)
        return _note(f"nothing to plot for {entry.name}; it has no time axis or category", label)
    if timeline.plot == "score":
        return score_over_time(survey_scores(frame), title=label)
    if timeline.plot == "sleep":
        return sleep_over_time(frame, title=label)
    value = next((c for c in (timeline.value, *timeline.fallback) if c and c in frame.columns
                  and frame[c].notna().any()), None)
    if value is None or not timeline.group:
        return time_series(frame, timeline.column, value, how=timeline.how if value else "mean", title=label)
    names = _labels(frame[timeline.group]).unique().tolist()
    amounts = {name for name in names if timeline.is_amount(name)}
    if timeline.amount_value:  # amounts are summed from their own column (an aggregate's sums), if it has them
        whole = amounts == set(names) and timeline.amount_value in frame.columns
        if whole and frame[timeline.amount_value].notna().any():
            value = timeline.amount_value
        else:
            amounts = set()
    hows: dict[str, How] = {name: "sum" if name in amounts else timeline.how for name in names}
    ylabels = {name: _axis_name(frame, timeline.units, timeline.group, name) if timeline.amounts else value
               for name in names}
    return time_series(frame, timeline.column, value, by=timeline.group, how=hows, ylabel=ylabels, title=label)


def _axis_name(frame: pd.DataFrame, units: str, group: str, name: str) -> str:
    """A measurement's axis: its name (the group value, a device data type) and its unit, where the
    rows name one."""
    if not units or units not in frame.columns:
        return name
    found = frame.loc[_labels(frame[group]) == name, units].dropna().astype(str)
    found = found[found.str.strip() != ""].unique()
    return f"{name} ({found[0]})" if len(found) == 1 and found[0].casefold() != name.casefold() else name
