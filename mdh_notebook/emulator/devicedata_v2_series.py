"""A v2 (namespace, type)'s points for one participant, kept as columns (numpy arrays), rendered
one point at a time as the API sends them (``Series.render``) and selected by the v2 filters
without a Python loop over the points (``Series.select``).

Wire forms (reference §3.2 DeviceDataV2Point; the MyDataHelpsUI fixtures): ``startDate`` and
``observationDate`` are the device's local wall clock with its offset (``2026-10-01T08:01:00-04:00``),
or, for a day-level value, a bare midnight (``2026-10-01T00:00:00``); each ``*Offset`` beside them is
that offset as .NET ``TimeSpan`` text (``-04:00:00``, ``00:00:00``). A point without a start has
``startDate`` and ``startDateOffset`` null, or (in some series) no such keys at all. ``insertedDate``
and ``modifiedDate`` are UTC with ``Z`` and 6 or 7 fraction digits. ``properties`` values may be
strings, numbers or objects; ``units`` may be null.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Filter", "Series", "Style", "timespan", "uuid4_text", "wall_clock"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]

_EPOCH = dt.datetime(1970, 1, 1)


#: "HH:MM:" of each minute of a day, and "SS" of each second of a minute.
_MINUTES = tuple(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{s:02d}" for s in range(60))
_DAY_LIMIT = 100_000  # the day texts kept (a few hundred days are served; a flood of others starts over)
_days: dict[int, str] = {}


def _seconds_text(seconds: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of epoch ``seconds``: ``strftime("%Y-%m-%dT%H:%M:%S")`` at a fifth of its
    cost, the day's text made once (by ``strftime``) and the time of day looked up."""
    day, second = divmod(seconds, 86_400)
    text = _days.get(day)
    if text is None:
        if len(_days) >= _DAY_LIMIT:
            _days.clear()
        text = _days[day] = (_EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%dT")
    minute, second = divmod(second, 60)
    return text + _MINUTES[minute] + _SECONDS[second]


def wall_clock(ms: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` (``.fff`` when the instant has milliseconds) of epoch ``ms``."""
    seconds, millis = divmod(int(ms), 1000)
    text = _seconds_text(seconds)
    return f"{text}.{millis:03d}" if millis else text


def timespan(minutes: int) -> str:
    """.NET ``TimeSpan`` text of an offset in minutes: ``-04:00:00``, ``05:30:00``, ``00:00:00``."""
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}:00"


def _suffix(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _stamp(us: int, digits: int) -> str:
    seconds, micros = divmod(us, 1_000_000)
    fraction = f"{micros:06d}0"
    return f"{_seconds_text(seconds)}.{fraction[:digits]}Z"


def uuid4_text(raw: bytes) -> str:
    """``str(uuid.UUID(bytes=raw, version=4))`` (the version and variant bits set over ``raw``)
    without building the ``UUID`` (a pure-Python constructor, most of a point's id cost)."""
    number = int.from_bytes(raw, "big")
    number = (number & ~(0xC000 << 48)) | (0x8000 << 48)
    number = (number & ~(0xF000 << 64)) | (4 << 76)
    h = f"{number:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclasses.dataclass(frozen=True)
class Style:
    """How a series writes what the API writes in more than one way."""

    dates: Literal["local", "naive"] = "local"  # with the offset, or a bare wall clock (day-level values)
    no_start: Literal["null", "absent"] = "null"  # a point without a start: null keys, or none
    stamp_digits: int = 6  # fraction digits of insertedDate / modifiedDate
    empty_properties: Literal["empty", "absent"] = "empty"
    empty_source: Literal["empty", "absent"] = "empty"


@dataclasses.dataclass(frozen=True)
class Filter:
    """The v2 filters, parsed: exclusive instant bounds in epoch microseconds, and the
    ``dataSource.<key>`` / ``properties.<key>`` values (keys lower case; any value matches)."""

    observed_after: int | None = None
    observed_before: int | None = None
    modified_after: int | None = None
    modified_before: int | None = None
    inserted_after: int | None = None
    inserted_before: int | None = None
    data_source: tuple[tuple[str, tuple[str, ...]], ...] = ()
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matches(record: Mapping[str, Any], wanted: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    folded = {str(k).lower(): v for k, v in record.items()}
    return all(key in folded and folded[key] is not None and _text(folded[key]) in values for key, values in wanted)


@dataclasses.dataclass(frozen=True)
class Series:
    """One participant's points of one (namespace, type), sorted by observation instant."""

    namespace: str
    type: str
    participant_id: str
    participant_identifier: str
    units: str | None
    obs_ms: Ints
    obs_off: Ints  # minutes
    start_ms: Ints | None  # None: these points have no start
    start_off: Ints | None
    number: Floats  # the value as a number (NaN where it is text)
    text: Objects | None  # the value as text, where it is not a number
    decimals: int
    inserted_us: Ints
    modified_us: Ints
    ids: bytes  # 16 per point
    identifier_bytes: bytes  # 16 per point: the device's own identifier of the point
    uuid_identifiers: bool  # identifiers are upper-case UUIDs (Apple Health) rather than hex
    props: Mapping[str, Objects]  # key -> value per point (None: the key is absent there)
    props_of: Callable[[int], dict[str, Any]] | None  # rich properties built per point
    source_codes: Ints | None  # which of ``sources`` each point came from
    sources: tuple[dict[str, str], ...]
    style: Style

    def __len__(self) -> int:
        return int(self.obs_ms.size)

    @property
    def stages(self) -> bool:
        """Whether the points are stage segments: text values with a start and an end."""
        return self.text is not None and self.start_ms is not None

    def when_ms(self) -> tuple[Ints, Ints]:
        """The instant that places each point in time (its start when it has one) and its offset."""
        if self.start_ms is not None and self.start_off is not None:
            return self.start_ms, self.start_off
        return self.obs_ms, self.obs_off

    def identifier(self, i: int) -> str:
        raw = self.identifier_bytes[16 * i: 16 * i + 16]
        return uuid4_text(raw).upper() if self.uuid_identifiers else raw[:10].hex()

    def value(self, i: int) -> str:
        if self.text is not None and self.text[i] is not None:
            return str(self.text[i])
        number = float(self.number[i])
        return str(round(number)) if self.decimals == 0 else f"{number:.{self.decimals}f}"

    def properties(self, i: int) -> dict[str, Any]:
        if self.props_of is not None:
            return self.props_of(i)
        return {key: column[i] for key, column in self.props.items() if column[i] is not None}

    def _date(self, ms: int, off: int) -> str:
        local = wall_clock(ms + off * 60_000)
        return local + _suffix(off) if self.style.dates == "local" else local

    def render(self, i: int) -> dict[str, Any]:
        raw = self.ids[16 * i: 16 * i + 16]
        record: dict[str, Any] = {
            "id": uuid4_text(raw),
            "participantID": self.participant_id,
            "participantIdentifier": self.participant_identifier,
            "namespace": self.namespace,
            "type": self.type,
            "identifier": self.identifier(i),
            "value": self.value(i),
            "units": self.units,
        }
        if self.start_ms is not None and self.start_off is not None:
            record["startDate"] = self._date(int(self.start_ms[i]), int(self.start_off[i]))
            record["startDateOffset"] = timespan(int(self.start_off[i]))
        elif self.style.no_start == "null":
            record["startDate"] = record["startDateOffset"] = None
        record["observationDate"] = self._date(int(self.obs_ms[i]), int(self.obs_off[i]))
        record["observationDateOffset"] = timespan(int(self.obs_off[i]))
        record["insertedDate"] = _stamp(int(self.inserted_us[i]), self.style.stamp_digits)
        record["modifiedDate"] = _stamp(int(self.modified_us[i]), self.style.stamp_digits)
        properties = self.properties(i)
        if properties or self.style.empty_properties == "empty":
            record["properties"] = properties
        source = dict(self.sources[int(self.source_codes[i])]) if self.source_codes is not None else {}
        if source or self.style.empty_source == "empty":
            record["dataSource"] = source
        return record

    def select(self, f: Filter) -> Ints:
        """The indices of the points that pass ``f`` (in order). The observation bounds cut a range of
        the sorted points by bisection; the other filters mask what is left."""
        lo, hi = self._observed_range(f)
        stamps = (f.modified_after, f.modified_before, f.inserted_after, f.inserted_before)
        if all(bound is None for bound in stamps) and not f.data_source and not f.properties:
            return np.arange(lo, hi, dtype=np.int64)
        keep = np.ones(hi - lo, dtype=bool)
        for bound, values, above in ((f.modified_after, self.modified_us, True),
                                     (f.modified_before, self.modified_us, False),
                                     (f.inserted_after, self.inserted_us, True),
                                     (f.inserted_before, self.inserted_us, False)):
            if bound is not None:
                keep &= (values[lo:hi] > bound) if above else (values[lo:hi] < bound)
        if f.data_source:
            allowed = [code for code, source in enumerate(self.sources) if _matches(source, f.data_source)]
            codes = self.source_codes if self.source_codes is not None else np.full(len(self), -1)
            keep &= np.isin(codes[lo:hi], allowed)
        if f.properties:
            keep &= self._properties_match(f.properties)[lo:hi]
        return (np.flatnonzero(keep) + lo).astype(np.int64)

    def _observed_range(self, f: Filter) -> tuple[int, int]:
        """``[lo, hi)``: the points observed after ``observed_after`` and before ``observed_before``
        (exclusive bounds in microseconds; ``obs_ms`` is sorted). ``obs_ms * 1000 > after`` is
        ``obs_ms > after // 1000``, and ``obs_ms * 1000 < before`` is ``obs_ms < ceil(before / 1000)``."""
        lo, hi = 0, len(self)
        if f.observed_after is not None:
            lo = int(np.searchsorted(self.obs_ms, f.observed_after // 1000, side="right"))
        if f.observed_before is not None:
            hi = int(np.searchsorted(self.obs_ms, -(-f.observed_before // 1000), side="left"))
        return lo, max(lo, hi)

    def _properties_match(self, wanted: tuple[tuple[str, tuple[str, ...]], ...]) -> npt.NDArray[np.bool_]:
        if self.props_of is not None:
            return np.array([_matches(self.props_of(i), wanted) for i in range(len(self))], dtype=bool)
        keep = np.ones(len(self), dtype=bool)
        columns = {key.lower(): column for key, column in self.props.items()}
        for key, values in wanted:
            column = columns.get(key)
            if column is None:
                return np.zeros(len(self), dtype=bool)
            keep &= np.array([v is not None and _text(v) in values for v in column.tolist()], dtype=bool)
        return keep


class Points(Sequence["Point"]):
    """The selected points of a series, as a read-only sequence of ``Point`` (made on access)."""

    def __init__(self, series: Series | None, picked: Ints) -> None:
        self.series = series
        self.picked = picked

    def __len__(self) -> int:
        return int(self.picked.size)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(len(self)))]
        assert self.series is not None
        i = int(self.picked[item])
        return Point(self.series, i, (int(self.series.obs_ms[i]), i))


@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    series: Series
    i: int
    key: tuple[int, int]

    def render(self) -> dict[str, Any]:
        return self.series.render(self.i)
