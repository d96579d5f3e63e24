"""Query-string helpers shared by the API endpoints: case-insensitive parameters, list values,
integers, booleans, GUIDs, dates, and the opaque keyset page cursor.

A cursor is urlsafe base64 (no padding) of ``version | query fingerprint | JSON body | MAC``. The
body names where the page ended in the collection's sort order, not a row position: ``after``,
the sort key of the last row served, and ``skip_to``, the sort key of the last row the page's
look-ahead scanned (the rows between them did not match the filters), valid only while the rows
are as they were (``stamp``, the version of the rows the page was read from). A page resumes by
bisection on the sorted rows: at ``skip_to`` when nothing was written since, so that paging
through N rows scans each once; otherwise just after ``after``, so that a row inserted or deleted
between two pages is neither skipped nor repeated unless it sorts at or before the last row served.

The fingerprint is a hash of the endpoint, the participant and the normalised filters, so a
cursor used with different filters is refused; sort keys only grow along one query, so a cursor
never repeats. Only the exact string issued is accepted (no whitespace, padding, alphabet or
trailing-bit variants). The MAC's secret is the backend's own, random (not derived from the seed,
which anyone may know), and a decoded key must have the shape of the collection's keys
(:meth:`Cursor.check_fits`): a cursor is never trusted further than that.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import re
import struct
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .exceptions import BadRequest, clipped, shown
from .isotime import parse_filter_instant

Predicate = Callable[[Any], bool]
"""A row test built from a query's filters."""

__all__ = [
    "Cursor",
    "CursorCodec",
    "Params",
    "Predicate",
    "SortKey",
    "exclusive_range",
    "fingerprint",
    "parse_bool",
    "parse_guid",
    "parse_instant_param",
    "parse_int",
    "split_list",
]

#: A row's place in its collection: a flat tuple of ints, floats and strings, unique in the collection.
SortKey = tuple[Any, ...]

_VERSION = 3  # 1: an offset into the filtered rows; 2: a position in the unfiltered rows; 3: keyset
_HEADER = struct.Struct(">B8s")  # version, query fingerprint
_MAC_BYTES = 12
_MAX_CURSOR = 4096  # characters; a cursor of ours is ~100-200
_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]+")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: no full-width digits, no "1_0"
_INVALID_CURSOR = "pageID is not valid; pass back the nextPageID of the previous page unchanged"


class Params:
    """Query parameters with case-insensitive names and repeated values kept."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key.lower(), []).append(value)

    def get(self, name: str) -> str | None:
        values = self._values.get(name.lower())
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return list(self._values.get(name.lower(), []))

    def names(self) -> list[str]:
        """Every parameter name given (lower case), e.g. to find ``dataSource.<key>`` filters."""
        return list(self._values)


def split_list(values: Sequence[str]) -> list[str]:
    """Split comma-joined list values. ``\\,`` is a literal comma and ``\\\\`` a backslash; a
    backslash before anything else is kept literally. Empty items are dropped. Several occurrences
    of the parameter are concatenated."""
    items: list[str] = []
    for value in values:
        current: list[str] = []
        i = 0
        while i < len(value):
            ch = value[i]
            if ch == "\\" and i + 1 < len(value) and value[i + 1] in ",\\":
                current.append(value[i + 1])
                i += 2
                continue
            if ch == ",":
                items.append("".join(current))
                current = []
            else:
                current.append(ch)
            i += 1
        items.append("".join(current))
    return [item for item in items if item != ""]


def parse_int(name: str, raw: str | None, default: int, *, minimum: int, maximum: int | None = None) -> int:
    """An integer parameter: an optional sign and ASCII digits (surrounding spaces allowed).
    Not such an integer, or below ``minimum`` -> 400; above ``maximum`` -> clamped."""
    if raw is None or raw.strip(" \t") == "":
        return default
    text = raw.strip(" \t")
    value: int | None = None
    if _INTEGER_TEXT.fullmatch(text):
        try:
            value = int(text)
        except ValueError:  # more digits than Python converts
            value = None
    if value is None:
        raise BadRequest(f"{name} must be an integer, got {shown(raw)}")
    if value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}, got {clipped(text)}")
    if maximum is not None and value > maximum:
        return maximum
    return value


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise BadRequest(f"{name} must be true or false, got {shown(raw)}")


def parse_guid(name: str, raw: str | None) -> str | None:
    """A GUID parameter in canonical lower-case form (None when absent or empty); 400 otherwise."""
    if raw is None or raw.strip() == "":
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise BadRequest(f"{name} must be a GUID, got {shown(raw)}") from None


def parse_instant_param(name: str, raw: str | None) -> int | None:
    """An ISO-8601 filter parameter as epoch microseconds (None when absent or empty)."""
    if raw is None or raw.strip() == "":
        return None
    try:
        return parse_filter_instant(raw)
    except ValueError:
        raise BadRequest(
            f"{name} is not a valid ISO-8601 date/time: {shown(raw)} (e.g. 2026-10-01T00:00:00Z or 2026-10-01)"
        ) from None


def exclusive_range(params: Params, after: str, before: str,
                    instant: Callable[[Any], int | None]) -> tuple[tuple[int | None, int | None], list[Predicate]]:
    """The query's ``after``/``before`` bounds (both exclusive, as every after/before filter of the
    reference is) as their normalised values and predicates on ``instant(row)``; a row without
    that instant is outside any bound."""
    low = parse_instant_param(after, params.get(after))
    high = parse_instant_param(before, params.get(before))
    preds: list[Predicate] = []
    if low is not None:
        preds.append(lambda row: (value := instant(row)) is not None and value > low)
    if high is not None:
        preds.append(lambda row: (value := instant(row)) is not None and value < high)
    return (low, high), preds


def fingerprint(*parts: object) -> bytes:
    return hashlib.sha256(repr(parts).encode("utf-8")).digest()[:8]


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a page ended (see the module docstring)."""

    after: SortKey
    skip_to: SortKey | None
    stamp: int

    def check_fits(self, example: SortKey) -> None:
        """400 unless the cursor's keys are shaped like ``example`` (a key of the rows it pages):
        as many fields, each a string where it has a string and a number where it has a number —
        so a cursor never makes bisection compare a string with a number."""
        for key in (self.after, self.skip_to):
            if key is not None and (len(key) != len(example) or any(
                    isinstance(k, str) != isinstance(e, str) for k, e in zip(key, example, strict=True))):
                raise BadRequest(_INVALID_CURSOR)


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _key(value: object) -> SortKey:
    if not isinstance(value, list) or not all(isinstance(v, (int, float, str)) for v in value):
        raise BadRequest(_INVALID_CURSOR)
    return tuple(value)


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, cursor: Cursor, query: bytes) -> str:
        body = [cursor.stamp, list(cursor.after), None if cursor.skip_to is None else list(cursor.skip_to)]
        payload = _HEADER.pack(_VERSION, query) + json.dumps(body, separators=(",", ":")).encode("ascii")
        return _text(payload + self._mac(payload))

    def decode(self, page_id: str, query: bytes) -> Cursor:
        """The cursor ``page_id`` spells; 400 if it is not exactly one we issued, or belongs to
        another query."""
        if len(page_id) > _MAX_CURSOR or not _CURSOR_TEXT.fullmatch(page_id):
            raise BadRequest(_INVALID_CURSOR)
        try:
            raw = base64.urlsafe_b64decode(page_id + "=" * (-len(page_id) % 4))
        except (binascii.Error, ValueError):
            raise BadRequest(_INVALID_CURSOR) from None
        if _text(raw) != page_id or len(raw) < _HEADER.size + _MAC_BYTES:
            raise BadRequest(_INVALID_CURSOR)  # e.g. other trailing bits in the last character
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise BadRequest(_INVALID_CURSOR)
        version, fp = _HEADER.unpack_from(payload)
        if version != _VERSION:
            raise BadRequest(_INVALID_CURSOR)
        if not hmac.compare_digest(fp, query):
            raise BadRequest("pageID belongs to a different query; keep the same filters while paging")
        try:
            stamp, after, skip_to = json.loads(payload[_HEADER.size :])
        except (ValueError, TypeError):  # signed by us, so never; but a 400 rather than a 500
            raise BadRequest(_INVALID_CURSOR) from None
        if not isinstance(stamp, int):
            raise BadRequest(_INVALID_CURSOR)
        return Cursor(after=_key(after), skip_to=None if skip_to is None else _key(skip_to), stamp=stamp)
