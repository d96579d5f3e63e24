"""Query-string helpers shared by the list endpoints: list values, integers, dates, and the
opaque page cursor.

A cursor is urlsafe base64 (no padding) of ``version | position | query fingerprint | MAC``. The
position is the index, in the endpoint's unfiltered row order, of the first row of the next page,
so a page resumes scanning there (paging through N rows costs O(N) in all). The fingerprint is a
hash of the endpoint, the participant and the normalised filters, so a cursor used with different
filters is refused; positions only grow along one query, so a cursor never repeats. Only the exact
string issued is accepted (no whitespace, padding or alphabet variants).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Sequence

from .exceptions import BadRequest, clipped, shown
from .isotime import parse_filter_instant

__all__ = ["CursorCodec", "fingerprint", "parse_bool", "parse_instant_param", "parse_int", "split_list"]

_VERSION = 2  # 1 carried an offset into the filtered rows; 2 a position in the unfiltered rows
_LAYOUT = struct.Struct(">BI8s")  # version, position, fingerprint
_MAC_BYTES = 11  # 13 + 11 = 24 bytes: 32 base64 characters, no spare bits
_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]{32}")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: no full-width digits, no "1_0"
_INVALID_CURSOR = "pageID is not valid; pass back the nextPageID of the previous page unchanged"


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


def fingerprint(*parts: object) -> bytes:
    return hashlib.sha256(repr(parts).encode("utf-8")).digest()[:8]


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, position: int, query: bytes) -> str:
        payload = _LAYOUT.pack(_VERSION, position, query)
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode("ascii")

    def decode(self, page_id: str, query: bytes) -> int:
        """The row position a cursor points at; 400 if it is not exactly one we issued, or belongs to
        another query."""
        if not _CURSOR_TEXT.fullmatch(page_id):
            raise BadRequest(_INVALID_CURSOR)
        try:
            raw = base64.urlsafe_b64decode(page_id)
        except (binascii.Error, ValueError):
            raise BadRequest(_INVALID_CURSOR) from None
        if len(raw) != _LAYOUT.size + _MAC_BYTES:
            raise BadRequest(_INVALID_CURSOR)
        payload, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise BadRequest(_INVALID_CURSOR)
        version, position, fp = _LAYOUT.unpack(payload)
        if version != _VERSION:
            raise BadRequest(_INVALID_CURSOR)
        if not hmac.compare_digest(fp, query):
            raise BadRequest("pageID belongs to a different query; keep the same filters while paging")
        return int(position)
