"""Values over time and rows counted per bucket or per category."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..kinds import How
from ._common import (
    BUCKETS,
    DPI,
    FIGSIZE,
    MAX_BARS,
    MAX_PANELS,
    Chart,
    _bucket,
    _check_how,
    _figure,
    _format_time_axis,
    _groups,
    _labels,
    _note,
    _numeric,
    _per_group,
    _require,
    _resample,
    _style,
    _wall,
    _when,
)


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
