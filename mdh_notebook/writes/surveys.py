"""Friendly write methods of the surveys family (see :mod:`mdh_notebook.writes`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import APIError, InvalidArgumentError, TransportError
from ._base import SessionLike

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SurveyWrites"]


class SurveyWrites(SessionLike):
    """Deleting a survey result, reading and marking inbox items, logging custom events."""

    def delete_survey_result(self, survey_result_id: str) -> None:
        """Delete one survey result and every answer of it (``survey_results().id``, or an answer's
        ``survey_result_id``). Needs scope ``SurveyResults:write``. A result that does not exist (or
        is already deleted) is a :class:`~mdh_notebook.NotFoundError`."""
        self.call("delete_survey_result", path={"id": survey_result_id})  # a GUID, checked before sending

    def inbox_item(self, item_id: str) -> pd.DataFrame:
        """One inbox item by id, as one row of ``inbox()``'s frame. Needs scope ``SurveyTasks:read``;
        an unknown id is a :class:`~mdh_notebook.NotFoundError`."""
        from ..frames import to_frame

        record = self.call("inbox_item", path={"id": item_id})
        if not isinstance(record, dict):
            raise TransportError(f"inbox_item(): the server answered {type(record).__name__}, not the item")
        return to_frame("inbox", [record])

    def mark_inbox_item_read(self, item_id: str) -> bool:
        """Mark one inbox item read (``is_new`` becomes False; an open message or resource becomes
        complete). Returns True if it was new, False if it already was read. Needs scope
        ``SurveyTasks:read``; an unknown id is a :class:`~mdh_notebook.NotFoundError`."""
        answer = self.call("mark_inbox_item_read", path={"id": item_id})
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == "success":
            return True
        if status == "noChange":
            return False
        message = answer.get("message") if isinstance(answer, dict) else None
        raise APIError(f"the item was not marked read: {message or f'the server answered {answer!r}'}",
                       status_code=200, method="PUT", path=f"api/v1/delegated/inbox/{item_id}/markRead")

    def log_custom_event(self, event_type: str, properties: Mapping[str, Any] | None = None) -> None:
        """Record a custom event for the participant (``POST customevents``), e.g.
        ``log_custom_event("OpenedReport", {"report": "sleep"})``; ``properties`` is any
        JSON-serialisable mapping (default none). Needs scope ``CustomEvents:write``. The API keeps
        events without offering a way to read them back."""
        if not isinstance(event_type, str) or not event_type.strip():
            raise InvalidArgumentError(f"log_custom_event(): event_type must be a non-empty string, got {event_type!r}")
        if properties is not None and not isinstance(properties, Mapping):
            raise InvalidArgumentError("log_custom_event(): properties must be a mapping (or None), "
                                       f"got {type(properties).__name__}")
        body = {"eventType": event_type, "properties": dict(properties or {})}
        self.call("log_custom_event", json=body)
