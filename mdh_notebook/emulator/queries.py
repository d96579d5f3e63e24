"""The admin participant list: the cohort indexed once for search, sorted as asked, served as
numbered pages (``shapes.NumberedPages``).

Decisions where the reference is silent: ``pageNumber`` is 0-based, ``pageSize`` defaults to 100
and is clamped to 200; ``sortBy`` is one of InsertedDate | EnrollmentDate | ParticipantIdentifier |
Id (case-insensitive; default InsertedDate), ties by participantIdentifier; ``sortAscending``
defaults to true; ``query`` is a case-insensitive substring of the identifier, the first / middle /
last / full name or the email.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from .cohort import Participant
from .exceptions import BadRequest, shown
from .paging import Params, parse_bool
from .shapes import NumberedPages

__all__ = ["PARTICIPANT_PAGES", "ParticipantIndex", "participant_page"]

#: ``{"participants": [...], "totalParticipants": n, "pageNumber": n}``
PARTICIPANT_PAGES = NumberedPages(
    items_key="participants", total_key="totalParticipants", default_size=100, max_size=200,
    extra=lambda view: {"pageNumber": view.page_number},
)

_SORTS: dict[str, Callable[[Participant], Any]] = {
    "inserteddate": lambda p: p.inserted_ms,
    "enrollmentdate": lambda p: p.enrollment_ms,
    "participantidentifier": lambda p: p.identifier,
    "id": lambda p: p.id,
}


class ParticipantIndex:
    """The cohort prepared for the admin list: search texts computed once, sort orders on first use."""

    def __init__(self, participants: Sequence[Participant]) -> None:
        by_identifier = sorted(participants, key=lambda p: p.identifier)
        self._entries = [(p, p.search_texts()) for p in by_identifier]
        self._orders: dict[tuple[str, bool], list[tuple[Participant, tuple[str, ...]]]] = {}
        self._lock = threading.Lock()

    def ordered(self, sort_name: str, ascending: bool) -> list[tuple[Participant, tuple[str, ...]]]:
        """Entries sorted by ``sort_name`` (a key of the sort table), ties by participantIdentifier."""
        with self._lock:
            order = self._orders.get((sort_name, ascending))
            if order is None:
                sort_key = _SORTS[sort_name]
                order = sorted(self._entries, key=lambda entry: sort_key(entry[0]), reverse=not ascending)
                self._orders[(sort_name, ascending)] = order
            return order


def participant_page(index: ParticipantIndex, params: Params) -> dict[str, Any]:
    """One page of the admin participant list (see the module docstring)."""
    bounds = PARTICIPANT_PAGES.bounds(params)  # checked first, as before
    sort_name = (params.get("sortBy") or "InsertedDate").strip() or "InsertedDate"
    if sort_name.lower() not in _SORTS:
        raise BadRequest(f"sortBy must be one of InsertedDate, EnrollmentDate, ParticipantIdentifier, Id; "
                         f"got {shown(sort_name)}")
    ascending = parse_bool("sortAscending", params.get("sortAscending"), True)
    text = (params.get("query") or "").strip().casefold()
    ordered = index.ordered(sort_name.lower(), ascending)
    chosen = [p for p, texts in ordered if any(text in t for t in texts)] if text else [p for p, _ in ordered]
    return PARTICIPANT_PAGES.page(chosen, params, lambda p: p.admin_json(), bounds)
