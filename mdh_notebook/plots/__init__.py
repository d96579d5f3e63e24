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

from collections.abc import Callable

import pandas as pd

from ..analysis import scored_surveys, survey_scores
from ..kinds import How, Kind, PlotStyle, Timeline
from ..kinds import kind as lookup_kind
from ._common import DPI, FIGSIZE, MAX_POINTS, Band, Chart, _labels, _note, _require, png_bytes
from ._series import counts, time_series
from ._sleep import sleep_over_time
from ._survey import score_over_time

__all__ = ["DPI", "FIGSIZE", "MAX_POINTS", "Band", "Chart", "How", "counts", "plot_kind", "png_bytes",
           "score_over_time", "sleep_over_time", "time_series"]


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
    return _PLOTS[timeline.plot](timeline, frame, label)


def _series(timeline: Timeline, frame: pd.DataFrame, label: str) -> Chart:
    """A ``series`` timeline's plot (see :func:`plot_kind`)."""
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


def _scores(frame: pd.DataFrame, label: str) -> Chart:
    """Totals of the scored instruments only (every item a number: the PHQ-9, not a diary with a
    note, whose sum means nothing); every survey when none is scored."""
    scored = scored_surveys(frame) if len(frame) else []
    title = f"{label} · {', '.join(scored)}" if len(scored) == 1 else label  # one line has no legend
    return score_over_time(survey_scores(frame, survey_name=scored or None), title=title)


_PLOTS: dict[PlotStyle, Callable[[Timeline, pd.DataFrame, str], Chart]] = {
    "series": _series,
    "score": lambda _, frame, label: _scores(frame, label),
    "sleep": lambda _, frame, label: sleep_over_time(frame, title=label),
}
"""A timeline's plot style → the plot it draws (every :data:`~mdh_notebook.kinds.PlotStyle` has one)."""


def _axis_name(frame: pd.DataFrame, units: str, group: str, name: str) -> str:
    """A measurement's axis: its name (the group value, a device data type) and its unit, where the
    rows name one."""
    if not units or units not in frame.columns:
        return name
    found = frame.loc[_labels(frame[group]) == name, units].dropna().astype(str)
    found = found[found.str.strip() != ""].unique()
    return f"{name} ({found[0]})" if len(found) == 1 and found[0].casefold() != name.casefold() else name
