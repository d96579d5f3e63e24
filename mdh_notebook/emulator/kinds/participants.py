"""Participants: the delegated ``participant`` object (a single-object collection), the
participant's own update of it (``PUT participant``), and the admin participant routes
(service-token GET operations: the list sorts as asked, so it serves the cohort itself rather than
stored rows).

An update changes the participant's stored ``participant_info`` row (so ``POST /_sandbox/reset``
undoes it); the admin views show that row's demographics and custom fields once it has been
written. Decision where the reference is silent: ``PUT participant`` needs the scope ``api``: the
seed's scope list has no participant write scope, and a read scope granting a write would be
wrong. The admin list's ``query`` still matches the seeded names and emails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..cohort import Participant
from ..declarations import Call, Collection, GenContext, Json, Operation, Result, SingleObject
from ..participant_update import apply_update

__all__ = ["ADMIN", "COLLECTIONS", "OPERATIONS", "PARTICIPANT_INFO"]

ADMIN = "api/v1/administration/projects/{projectId}"


def _info(ctx: GenContext, participant: Participant) -> list[dict[str, Any]]:
    return [participant.info_json(ctx.project.id)]


PARTICIPANT_INFO: Collection[dict[str, Any]] = Collection(
    name="participant_info",
    path="api/v1/delegated/participant",
    scope="Participant:read",
    shape=SingleObject(),
    generate=_info,
    sort_key=lambda row: (row["participantID"],),
    render=lambda row: row,
    row_id=lambda row: str(row["participantID"]),
)


_DELEGATED_ONLY = ("unsubscribedFromEmails", "unsubscribedFromSms")


def _update(call: Call) -> Result:
    body = call.json_object()
    now = dt.datetime.fromtimestamp(call.backend.clock.now(), dt.timezone.utc)
    participant = call.participant
    current = call.find(PARTICIPANT_INFO, participant.id, "participant")
    updated = apply_update(current, body, now)
    call.backend.store.update(participant, PARTICIPANT_INFO, participant.id, lambda row: updated)
    return Json(updated)


def _as_updated(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    """An admin record with the participant's own updates, if they made any."""
    participant = call.backend.find_by_id(str(record.get("id", "")))
    if participant is None or not call.backend.store.generated(participant, PARTICIPANT_INFO):
        return record
    info = call.backend.store.rows(participant, PARTICIPANT_INFO)[0]
    demographics = {k: v for k, v in info["demographics"].items() if k not in _DELEGATED_ONLY}
    seeded = record.get("demographics")
    return {**record, "demographics": demographics if demographics or seeded is not None else None,
            "customFields": dict(info["customFields"])}


def _list(call: Call) -> dict[str, Any]:
    page = call.backend.list_participants(call.path["projectId"], call.claims, call.params)
    return {**page, "participants": [_as_updated(call, record) for record in page["participants"]]}


def _get(call: Call) -> dict[str, Any]:
    record = call.backend.get_participant(call.path["projectId"], call.claims, call.path["participantIdentifier"])
    return _as_updated(call, record)


COLLECTIONS: tuple[Collection[Any], ...] = (PARTICIPANT_INFO,)
OPERATIONS: tuple[Operation, ...] = (
    Operation("update_participant", "PUT", "api/v1/delegated/participant", "api", _update),
    Operation("participants", "GET", f"{ADMIN}/participants", "api", _list, token="service"),
    Operation("participant", "GET", f"{ADMIN}/participants/{{participantIdentifier}}", "api", _get,
              token="service"),
)
