"""Project family: the participant's own record (later: project info, data collection settings, data
availability, participant updates, custom events)."""

from __future__ import annotations

from .model import Column, Kind, Operation

__all__ = ["DEMOGRAPHICS", "KINDS", "OPERATIONS", "PARTICIPANT_INFO"]

DEMOGRAPHICS: tuple[Column, ...] = (
    Column("demographics.email", "string"),
    Column("demographics.mobilePhone", "string"),
    Column("demographics.firstName", "string"),
    Column("demographics.middleName", "string"),
    Column("demographics.lastName", "string"),
    Column("demographics.street1", "string"),
    Column("demographics.street2", "string"),
    Column("demographics.city", "string"),
    Column("demographics.state", "string"),
    Column("demographics.postalCode", "string"),
    Column("demographics.dateOfBirth", "date"),
    Column("demographics.preferredLanguage", "string"),
    Column("demographics.gender", "string"),
    Column("demographics.utcOffset", "string"),
    Column("demographics.timeZone", "string"),
)
"""The demographics fields, shared by the participant's own record and the admin listing."""

PARTICIPANT_INFO = Kind(
    name="participant_info",
    path="api/v1/delegated/participant",
    token="participant",
    scope="Participant:read",
    shape="object",
    columns=(
        Column("participantID", "string"),
        Column("projectID", "string"),
        Column("participantIdentifier", "string"),
        Column("secondaryIdentifier", "string"),
        Column("linkIdentifier", "string"),
        Column("enrollmentDate", "datetime"),
        *DEMOGRAPHICS,
        Column("demographics.unsubscribedFromEmails", "boolean"),
        Column("demographics.unsubscribedFromSms", "boolean"),
        Column("customFields", "object"),
    ),
    doc="The participant's own record (GET participant): identifiers, demographics, custom fields.",
)

KINDS: tuple[Kind, ...] = (PARTICIPANT_INFO,)
OPERATIONS: tuple[Operation, ...] = ()
