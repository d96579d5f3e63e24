"""What every plot shares: the figure class and its PNG, the look, the checks of a frame and its
arguments, and how times are bucketed and drawn."""

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

from ..errors import InvalidArgumentError
from ..kinds import How

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


def _labels(values: pd.Series) -> pd.Series:
    return values.astype("object").where(values.notna(), "(missing)").astype(str)


def _colours(count: int) -> list[object]:
    cmap = matplotlib.colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]
