"""Hours asleep per night, by stage, with sleep efficiency below."""

from __future__ import annotations

import pandas as pd

from ..errors import InvalidArgumentError
from ._common import Chart, _figure, _format_time_axis, _labels, _local, _note, _numeric, _require, _style

_STAGES = ("deep", "light", "rem", "wake", "asleep", "restless", "awake")


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
