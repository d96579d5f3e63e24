"""Project family: the participant's own record, the project's, the data collection settings and
the data availability (single objects, one row each).

Data availability needs ``DataCollectionSettings:read``: the reference has "?" for its scope (an
inference, the same on both wings: it tells whether health-record sources have data, next to the
settings that switch them on). The settings' flags are what ``Kind.setting`` names.
"""

from __future__ import annotations

from .model import Column, Kind, Operation, Setting

#: how this family is named to a reader (the scope picker's group)
LABEL = "Participant & project"

__all__ = [
           "DATA_AVAILABILITY",
           "DATA_COLLECTION_SETTINGS",
           "DEMOGRAPHICS",
           "KINDS",
           "LABEL",
           "OPERATIONS",
           "PARTICIPANT_INFO",
           "PROJECT_INFO",
           "SETTINGS",
]

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

PROJECT_INFO = Kind(
    name="project_info",
    path="api/v1/delegated/project",
    token="participant",
    scope="Project:read",
    shape="object",
    columns=(
        Column("id", "string"),
        Column("name", "string"),
        Column("description", "string"),
        Column("code", "string"),
        Column("type", "string"),
        Column("organization.id", "string"),
        Column("organization.name", "string"),
        Column("organization.description", "string"),
        Column("organization.logoUrl", "string"),
        Column("organization.color", "string"),
        Column("supportEmail", "string"),
        Column("supportPhone", "string"),
        Column("learnMoreLink", "string"),
        Column("learnMoreTitle", "string"),
        Column("platforms", "object"),
    ),
    doc=("The participant's project (GET project): name, code, type (Research Study, Wellness Program, "
         "Clinical Program, ...), the organization flattened, support contacts, platforms (a list)."),
)

SETTINGS: tuple[Setting, ...] = (
    "fitbitEnabled", "googleHealthEnabled", "ehrEnabled", "garminEnabled", "dexcomEnabled", "omronEnabled",
    "airQualityEnabled", "weatherEnabled", "appleHealthRecordsEnabled", "appleHealthEnabled",
    "googleFitEnabled", "healthConnectEnabled", "ouraEnabled",
)
"""Every boolean of DataCollectionSettings (reference §3.2), in the JS SDK's order."""

DATA_COLLECTION_SETTINGS = Kind(
    name="data_collection_settings",
    path="api/v1/delegated/datacollectionsettings",
    token="participant",
    scope="DataCollectionSettings:read",
    shape="object",
    columns=(
        *(Column(flag, "boolean") for flag in SETTINGS),
        Column("queryableDeviceDataTypes", "object"),
        Column("sensorDataCollectionEndDate", "datetime"),
    ),
    doc=("What the project collects from this participant (GET datacollectionsettings): one boolean per "
         "source (fitbit_enabled, apple_health_enabled, ...), the device data types that may be queried "
         "(a list of {namespace, type}) and when sensor data collection ends."),
)

DATA_AVAILABILITY = Kind(
    name="data_availability",
    path="api/v1/delegated/dataavailability",
    token="participant",
    scope="DataCollectionSettings:read",
    shape="object",
    columns=(
        Column("appleHealthRecords", "boolean"),
        Column("healthConnectPhr", "boolean"),
    ),
    doc=("Whether health records are available from Apple Health Records and Health Connect (GET "
         "dataavailability; its scope is not published: DataCollectionSettings:read is assumed)."),
)

KINDS: tuple[Kind, ...] = (PARTICIPANT_INFO, PROJECT_INFO, DATA_COLLECTION_SETTINGS, DATA_AVAILABILITY)
OPERATIONS: tuple[Operation, ...] = ()
