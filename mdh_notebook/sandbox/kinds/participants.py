"""Participants: the delegated ``participant`` object (a single-object collection) and the admin
participant routes (service-token GET operations: the list sorts as asked, so it serves the
cohort itself rather than stored rows).
"""

from __future__ import annotations

from typing import Any

from ..cohort import Participant
from ..declarations import Call, Collection, GenContext, Operation, SingleObject

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


def _list(call: Call) -> dict[str, Any]:
    return call.backend.list_participants(call.path["projectId"], call.claims, call.params)


def _get(call: Call) -> dict[str, Any]:
    return call.backend.get_participant(call.path["projectId"], call.claims, call.path["participantIdentifier"])


COLLECTIONS: tuple[Collection[Any], ...] = (PARTICIPANT_INFO,)
OPERATIONS: tuple[Operation, ...] = (
    Operation("participants", "GET", f"{ADMIN}/participants", "api", _list, token="service"),
    Operation("participant", "GET", f"{ADMIN}/participants/{{participantIdentifier}}", "api", _get,
              token="service"),
)
