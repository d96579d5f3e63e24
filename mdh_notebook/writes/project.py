"""Friendly write methods of the project family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgumentError, TransportError
from ._base import SessionLike

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ProjectWrites"]


def _strings(values: Mapping[str, Any] | None, what: str) -> dict[str, str | None] | None:
    if values is None:
        return None
    if not isinstance(values, Mapping):
        raise InvalidArgumentError(f"update_participant(): {what} must be a mapping of names to strings, "
                                   f"got {type(values).__name__}")
    out: dict[str, str | None] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"update_participant(): {what} names must be non-empty strings, got {name!r}")
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError(f"update_participant(): {what}[{name!r}] must be a string (or None to clear "
                                       f"it), got {type(value).__name__}")
        out[name] = value
    return out


class ProjectWrites(SessionLike):
    """Updating the participant's own record."""

    if TYPE_CHECKING:
        time_zone: str | None

    def update_participant(self, demographics: Mapping[str, Any] | None = None,
                           custom_fields: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Update the participant's own demographics and/or custom fields; returns the updated
        record as ``participant_info()`` does (one row).

        Each mapping is partial: a name given sets that field, ``None`` (or ``""``) clears it, the
        rest stay. Demographics use the API's names (``firstName``, ``dateOfBirth`` as
        ``YYYY-MM-DD`` or a ``date``, ``gender`` M/F/O, ``timeZone``, ...); custom field values are
        strings. The server refuses an unknown demographic or a bad value (BadRequestError with its
        message). Needs scope ``api`` (MyDataHelps names no participant write scope).
        """
        body: dict[str, Any] = {}
        checked = _strings(demographics, "demographics")
        if checked is not None:
            body["demographics"] = checked
        fields = _strings(custom_fields, "custom_fields")
        if fields is not None:
            body["customFields"] = fields
        if not body:
            raise InvalidArgumentError("update_participant() needs demographics= and/or custom_fields=")
        from ..frames import to_frame

        record = self.call("update_participant", json=body)
        if not isinstance(record, dict):
            raise TransportError(f"update_participant(): the server answered {type(record).__name__}, not the record")
        demographics = record.get("demographics")
        if isinstance(demographics, dict):
            self.time_zone = demographics.get("timeZone") or None  # tz="local" follows the update
        return to_frame("participant_info", [record])
