"""The explorer's date range: the two pickers as a kind's time filters, and which days they mean.

Most kinds are filtered by instants, so the picked days are UTC calendar days. A kind keyed by the
participant's local day (a ``date`` or ``wallclock`` timeline column: device data aggregates, daily
sleep, Fitbit daily summaries) means the participant's own days: the query is a day wider on each
side (a local day is not the UTC one, by up to 14 hours) and :func:`trim` keeps the rows whose own
date is a picked day.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..kinds import Kind
    from ..session import ParticipantSession

__all__ = ["local_days", "note", "range_filters", "trim"]

_MS = pd.Timedelta(milliseconds=1)


def local_days(entry: Kind) -> bool:
    """Whether the kind's rows are keyed by the participant's local day (a date or wall-clock column)."""
    timeline = entry.timeline
    column = next((c for c in entry.columns if c.name == timeline.column), None) if timeline is not None else None
    return column is not None and column.dtype in ("date", "wallclock")


def range_filters(entry: Kind, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """The picked days as the kind's time filters, both ends included (the reference's after/before
    bounds are exclusive: the lower one is sent a millisecond before the first day's midnight, the
    upper one at the midnight after the last day); a day wider for a local-day kind. A reversed
    range is a ValueError only for a kind filtered by both bounds."""
    timeline = entry.timeline
    filters: dict[str, Any] = {}
    if timeline is None:
        return filters
    if timeline.after and timeline.before and start is not None and end is not None and start > end:
        raise ValueError(f"the start date {start} is after the end date {end}; swap them or clear one")
    wider = 1 if local_days(entry) else 0
    for name, day, shift in ((timeline.after, start, -1), (timeline.before, end, 1)):
        param = entry.param(name) if name else None
        if param is None or day is None:
            continue
        day += dt.timedelta(days=shift * wider)
        if param.type == "date":
            filters[name] = day + dt.timedelta(days=shift)
        else:
            midnight = pd.Timestamp(day, tz="UTC")
            filters[name] = midnight - _MS if shift < 0 else midnight + pd.Timedelta(days=1)
    return filters


def trim(entry: Kind, frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """A local-day kind's rows on the picked days only (its date or wall-clock column, as it is)."""
    timeline = entry.timeline
    if timeline is None or not local_days(entry) or timeline.column not in frame.columns:
        return frame
    start = start if timeline.after else None
    end = end if timeline.before else None
    if start is None and end is None:
        return frame
    days = pd.to_datetime(frame[timeline.column]).dt.normalize()
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= days >= pd.Timestamp(start)
    if end is not None:
        keep &= days <= pd.Timestamp(end)
    trimmed = frame[keep.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
    trimmed.attrs = dict(frame.attrs)
    return trimmed


def note(entry: Kind, session: ParticipantSession | None) -> str:
    """Which days the pickers mean for the kind: none, UTC days, or the participant's own local days."""
    timeline = entry.timeline
    if timeline is None or not (timeline.after or timeline.before):
        return f"{entry.name} cannot be filtered by date: the range is not used"
    if local_days(entry):
        zone = session.time_zone if session is not None else None
        whose = (f" ({zone}, {session.participant_identifier})" if session is not None and zone
                 else " (no time zone on record)" if session is not None else "")
        return (f"the participant's local calendar days{whose}, as the rows' {timeline.column} — both "
                "included; leave empty for all dates")
    return "UTC calendar days, both included; leave empty for all dates"
