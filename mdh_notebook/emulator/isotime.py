"""ISO-8601 rendering in the varied forms the real API emits, and lenient parsing of filter values.

Instants are carried internally as integer milliseconds since the Unix epoch (UTC), so every
rendered form of one instant denotes exactly the same moment.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = [
    "EPOCH",
    "FORMS",
    "format_instant",
    "from_ms",
    "parse_filter_instant",
    "parse_iso",
    "to_ms",
    "utc_offset_text",
]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MS = dt.timedelta(milliseconds=1)
_US = dt.timedelta(microseconds=1)

#: Rendering forms: Z with 3 / 2 fraction digits, explicit +00:00, participant's local offset,
#: and no offset at all (meaning UTC; fraction trimmed like .NET does).
FORMS = ("Z3", "Z2", "UTC", "LOCAL", "NAIVE")


def from_ms(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


def to_ms(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return (value - EPOCH) // _MS


def _clock(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _offset(value: dt.datetime) -> str:
    off = value.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_instant(ms: int, form: str, tz: ZoneInfo | None = None) -> str:
    """Render the instant ``ms`` in ``form``. Z2 is only exact for instants on a 10 ms grid."""
    utc = from_ms(ms)
    millis = ms % 1000
    if form == "Z3":
        return f"{_clock(utc)}.{millis:03d}Z"
    if form == "Z2":
        return f"{_clock(utc)}.{millis // 10:02d}Z"
    if form == "UTC":
        return f"{_clock(utc)}.{millis:03d}+00:00"
    if form == "LOCAL":
        local = utc.astimezone(tz or dt.timezone.utc)
        return f"{_clock(local)}.{millis:03d}{_offset(local)}"
    if form == "NAIVE":
        fraction = f"{millis:03d}".rstrip("0")
        return _clock(utc) + (f".{fraction}" if fraction else "")
    raise ValueError(f"unknown form {form!r}")


def utc_offset_text(tz: ZoneInfo, at: dt.datetime) -> str:
    """.NET ``TimeSpan`` text of the zone's offset at ``at``: ``-05:00:00``, ``01:00:00``, ``00:00:00``."""
    off = at.astimezone(tz).utcoffset() or dt.timedelta(0)
    seconds = int(off.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def parse_iso(text: str) -> dt.datetime:
    """An ISO-8601 value as an aware datetime: any form Python understands (``Z``, ``±hh:mm``,
    ``±hhmm``, ``±hh``, any number of fraction digits), no offset = UTC, a date alone = midnight
    UTC. A space where a ``+`` offset belongs (an unencoded ``+`` in a query string) is tolerated.
    Raises ValueError."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty date")
    candidates = [raw]
    if " " in raw and "T" in raw:
        candidates.append(raw.replace(" ", "+"))
    for candidate in candidates:
        try:
            parsed = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed
    raise ValueError(f"not an ISO-8601 date/time: {text!r}")


def parse_filter_instant(text: str) -> int:
    """A filter value (see :func:`parse_iso`) as integer microseconds since the epoch. Raises ValueError."""
    return (parse_iso(text) - EPOCH) // _US
