"""Custom events (``POST customevents``): kept per participant, visible only on the control plane.

The real API offers no way to read custom events back; the sandbox keeps each one it accepts in
the store (a table of its own, ``CUSTOM_EVENTS``, which no API route serves; ``POST
/_sandbox/reset`` forgets them) and shows them at ``GET /_sandbox/customevents`` (optionally
``?participant=PT-0001``), so round-trip tests can see what arrived.

Decisions where the reference is silent: the body is a JSON object whose ``eventType`` is a
non-empty string (400 otherwise) and whose ``properties``, when present and not null, is a JSON
object of any values (400 otherwise; null or absent is kept as ``{}``); property names match
case-insensitively (``EventType`` is ``eventType``), as ASP.NET binds them; other keys are
ignored. The answer is an empty 200.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from .cohort import Participant
from .declarations import Call, Collection, Empty, GenContext, PublicCall, Result, SingleObject
from .exceptions import BadRequest, NotFound, shown
from .isotime import format_instant

__all__ = ["CUSTOM_EVENTS", "EventRow", "events_view", "track_custom_event"]


@dataclasses.dataclass(frozen=True, slots=True)
class EventRow:
    record: dict[str, Any]
    received_us: int

    @property
    def id(self) -> str:
        return str(self.record["id"])


def _none(ctx: GenContext, participant: Participant) -> list[EventRow]:
    return []


CUSTOM_EVENTS: Collection[EventRow] = Collection(
    name="custom_events",
    path="api/v1/delegated/customevents",
    scope="CustomEvents:write",
    shape=SingleObject(),  # never served: this table is storage only
    generate=_none,
    sort_key=lambda row: (row.received_us, row.id),
    render=lambda row: row.record,
    row_id=lambda row: row.id,
)
"""Where accepted events are kept; not in the registry, so no API route serves it."""


def track_custom_event(call: Call) -> Result:
    body = {str(key).lower(): value for key, value in call.json_object().items()}
    event_type = body.get("eventtype")
    if not isinstance(event_type, str) or not event_type.strip():
        raise BadRequest(f"eventType is required: a non-empty string, got {shown(event_type)}")
    properties = body.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        raise BadRequest("properties must be a JSON object")
    participant = call.participant
    received_ms = int(call.backend.clock.now() * 1000)
    record = {"id": str(uuid.uuid4()), "participantID": participant.id,
              "participantIdentifier": participant.identifier, "eventType": event_type,
              "properties": properties, "receivedDate": format_instant(received_ms, "Z3")}
    call.backend.store.insert(participant, CUSTOM_EVENTS, [EventRow(record, received_ms * 1000)])
    return Empty()


def events_view(call: PublicCall) -> Result:
    """``{"events": [...]}``: what arrived, oldest first (one participant's with ``?participant=``)."""
    backend = call.backend
    wanted = (call.params.get("participant") or "").strip()
    people = backend.participants
    if wanted:
        found = backend.find_by_identifier(wanted) or backend.find_by_id(wanted)
        if found is None:
            raise NotFound(f"participant {shown(wanted)} not found")
        people = [found]
    return {"events": [row.record for person in people for row in backend.store.rows(person, CUSTOM_EVENTS)]}
