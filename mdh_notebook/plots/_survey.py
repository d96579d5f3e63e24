"""Survey totals over time, over shaded severity bands."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..errors import InvalidArgumentError
from ._common import (
    FIGSIZE,
    Band,
    Chart,
    _colours,
    _figure,
    _format_time_axis,
    _groups,
    _local,
    _note,
    _numeric,
    _require,
    _style,
)


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
