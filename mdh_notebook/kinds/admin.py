"""Admin family (service token, ``api/v1/administration/projects/{project_id}/...``): participants."""

from __future__ import annotations

from .model import Column, Kind, Operation, Paging, Param, Timeline
from .project import DEMOGRAPHICS

#: how this family is named to a reader (the scope picker's group)
LABEL = "Administration (service token)"

__all__ = ["KINDS", "LABEL", "OPERATIONS", "PARTICIPANTS"]

PARTICIPANTS = Kind(
    name="participants",
    path="api/v1/administration/projects/{project_id}/participants",
    token="service",
    scope="",
    shape="keyed",
    items_key="participants",
    # page numbers from 0 (3P code); the admin maximum page size is unconfirmed: the pager trusts the total
    paging=Paging(style="page_number", size_param="pageSize", max_size=100, total_key="totalParticipants"),
    columns=(
        Column("id", "string"),
        Column("participantIdentifier", "string"),
        Column("secondaryIdentifier", "string"),
        Column("linkIdentifier", "string"),
        Column("enrolled", "boolean"),
        Column("enrollmentDate", "datetime"),
        Column("withdrawDate", "datetime"),
        Column("insertedDate", "datetime"),
        Column("invitationStatus", "category"),
        *DEMOGRAPHICS,
        Column("customFields", "object"),
    ),
    params=(Param("query", "query", "str", "matches identifier, name or email"),),
    timeline=Timeline("enrollment_date", group="enrolled"),
    doc="The project's participants (admin API, service token).",
)

KINDS: tuple[Kind, ...] = (PARTICIPANTS,)
OPERATIONS: tuple[Operation, ...] = ()
