"""Checking and applying a participant's update of their own record (``PUT participant``).

The body is ``{"demographics": {...}, "customFields": {...}}``, both optional and partial: a key
given sets that field, ``null`` or ``""`` clears it, a key left out stays as it was.

Decisions where the reference is silent (each refusal is a 400 ``{"message": ...}``):
- top-level keys other than ``demographics`` and ``customFields`` are refused (so a misspelling
  is not silently ignored); so is a demographic key the API does not have. Keys match
  case-insensitively and are stored in the API's spelling.
- values are strings (or null); ``dateOfBirth`` is ``YYYY-MM-DD``, a real day between 1900 and
  today; ``gender`` is ``M``, ``F`` or ``O`` (any case); ``email`` has one ``@`` and a dot in its
  domain; ``timeZone`` is an IANA zone, and ``utcOffset`` follows it (``utcOffset`` itself is
  derived, so a value sent for it is ignored, as when a client sends back what it read);
  ``preferredLanguage`` is a language tag like ``en`` or ``en-US``; ``unsubscribedFromEmails`` /
  ``unsubscribedFromSms`` are ``"true"`` or ``"false"``; any value is at most 256 characters.
- custom fields: any non-empty key of at most 100 characters; values strings of at most 4000
  characters (``null`` or ``""`` clears one).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .exceptions import BadRequest, shown
from .isotime import utc_offset_text

__all__ = ["DEMOGRAPHIC_KEYS", "apply_update"]

DEMOGRAPHIC_KEYS = (
    "email", "mobilePhone", "firstName", "middleName", "lastName", "street1", "street2", "city", "state",
    "postalCode", "dateOfBirth", "preferredLanguage", "gender", "utcOffset", "timeZone",
    "unsubscribedFromEmails", "unsubscribedFromSms",
)
_BY_FOLDED = {k.casefold(): k for k in DEMOGRAPHIC_KEYS}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_VALUE = 256


def _text(where: str, value: Any, limit: int = _MAX_VALUE) -> str | None:
    """A string value (None: clear the field)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be a string, got {shown(value)}")
    if len(value) > limit:
        raise BadRequest(f"{where} is longer than {limit} characters")
    return value


def _checked(key: str, value: str, today: dt.date) -> str:
    where = f"demographics.{key}"
    if key == "dateOfBirth":
        try:
            born = dt.date.fromisoformat(value) if _DATE.fullmatch(value) else None
        except ValueError:
            born = None
        if born is None:
            raise BadRequest(f"{where} must be a date like 1980-04-27 (YYYY-MM-DD), got {shown(value)}")
        if not dt.date(1900, 1, 1) <= born <= today:
            raise BadRequest(f"{where} must lie between 1900-01-01 and today, got {shown(value)}")
        return born.isoformat()
    if key == "gender":
        if value.strip().upper() not in ("M", "F", "O"):
            raise BadRequest(f"{where} must be M, F or O, got {shown(value)}")
        return value.strip().upper()
    if key == "email" and not _EMAIL.fullmatch(value.strip()):
        raise BadRequest(f"{where} is not an email address: {shown(value)}")
    if key == "timeZone":
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequest(f"{where} must be an IANA time zone like America/New_York, got {shown(value)}") from None
        return value.strip()
    if key == "preferredLanguage" and not _LANGUAGE.fullmatch(value.strip()):
        raise BadRequest(f"{where} must be a language tag like en or en-US, got {shown(value)}")
    if key in ("unsubscribedFromEmails", "unsubscribedFromSms"):
        if value.strip().lower() not in ("true", "false"):
            raise BadRequest(f"{where} must be \"true\" or \"false\", got {shown(value)}")
        return value.strip().lower()
    return value.strip() if key == "email" else value


def _object(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise BadRequest(f"{name} must be a JSON object, got {shown(value)}")
    return value


def apply_update(info: dict[str, Any], body: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The participant's record (the delegated view, ``info``) after the update ``body``; a 400
    for anything the update may not say. ``info`` is not changed."""
    unknown = [k for k in body if k not in ("demographics", "customFields")]
    if unknown:
        raise BadRequest(f"unknown key {shown(unknown[0])} in the body: it takes demographics and customFields")
    demographics = dict(info.get("demographics") or {})
    custom = dict(info.get("customFields") or {})
    changes = _object(body, "demographics") or {}
    for raw_key, raw_value in changes.items():
        key = _BY_FOLDED.get(str(raw_key).casefold())
        if key is None:
            raise BadRequest(f"unknown demographic {shown(raw_key)}; "
                             f"the demographics are {', '.join(DEMOGRAPHIC_KEYS)}")
        value = _text(f"demographics.{key}", raw_value)
        if key == "utcOffset":
            continue  # derived from timeZone
        if value is None:
            demographics.pop(key, None)
        else:
            demographics[key] = _checked(key, value, now.date())
    if "timeZone" in demographics:
        demographics["utcOffset"] = utc_offset_text(ZoneInfo(demographics["timeZone"]), now)
    else:
        demographics.pop("utcOffset", None)
    for raw_key, raw_value in (_object(body, "customFields") or {}).items():
        if not raw_key or len(raw_key) > 100:
            raise BadRequest("a custom field's name must be 1 to 100 characters")
        value = _text(f"customFields.{raw_key}", raw_value, 4000)
        if value is None:
            custom.pop(raw_key, None)
        else:
            custom[raw_key] = value
    return {**info, "demographics": demographics, "customFields": custom}
