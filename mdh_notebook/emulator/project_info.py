"""The project's own record, and each participant's data collection settings and data availability.

- Project info: one record for every participant (the project's id and name from the cohort,
  the rest seeded): organization with its colour, support contacts, ``learnMoreLink`` ``""``
  and ``learnMoreTitle`` null (as the reference says they may be), ``platforms``.
- Data collection settings follow what the participant HAS (``Participant.sources``): a source's
  flag is true exactly when the participant has data from it (``fitbitEnabled`` ↔ Fitbit,
  ``appleHealthEnabled`` and ``appleHealthRecordsEnabled`` ↔ AppleHealth, ``airQualityEnabled``
  ↔ AirNowApi, ``weatherEnabled`` ↔ WeatherBit, ... see ``SETTING_OF``); ``ehrEnabled`` is true
  for everyone (external health-record accounts are offered project-wide).
  ``queryableDeviceDataTypes`` lists the v1 device-data types generated (``devicedata_v1.V1_TYPES``)
  in each v1 namespace the participant has. ``sensorDataCollectionEndDate`` is the withdrawal
  instant of a withdrawn participant, else null (or, for some, missing).
- Data availability: ``appleHealthRecords`` when Apple Health Records is on and the participant
  shared records (PT-0001 always), ``healthConnectPhr`` likewise for Health Connect.
"""

from __future__ import annotations

from typing import Any

from .cohort import DATA_SOURCES, Participant, guid
from .declarations import GenContext
from .isotime import format_instant

__all__ = ["SETTING_OF", "availability", "collection_settings", "project_info", "queryable_types"]

#: The DataCollectionSettings flag of each source that has one (``Project`` has none).
SETTING_OF = {
    "Fitbit": "fitbitEnabled",
    "GoogleHealth": "googleHealthEnabled",
    "Garmin": "garminEnabled",
    "Dexcom": "dexcomEnabled",
    "Omron": "omronEnabled",
    "AppleHealth": "appleHealthEnabled",
    "GoogleFit": "googleFitEnabled",
    "HealthConnect": "healthConnectEnabled",
    "Oura": "ouraEnabled",
    "AirNowApi": "airQualityEnabled",
    "WeatherBit": "weatherEnabled",
}


def project_info(ctx: GenContext, participant: Participant) -> list[dict[str, Any]]:
    rng = ctx.rng("project-info")
    project_id = ctx.project.id
    org_id = guid(rng)
    code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    return [{
        "id": project_id,
        "name": ctx.project.name,
        "description": "A synthetic study for trying mdh_notebook: surveys, wearables and health records.",
        "code": code,
        "type": "Research Study",
        "organization": {
            "id": org_id,
            "name": "Sandbox Health Research Institute",
            "description": None,
            "logoUrl": f"https://example.org/organizations/{org_id}/logo.png",
            "color": "#0c509b",
        },
        "supportEmail": "study-support@example.org",
        "supportPhone": "+1 617-555-0100",
        "learnMoreLink": "",
        "learnMoreTitle": None,
        "platforms": ["Web", "iOS", "Android"],
    }]


def queryable_types(participant: Participant) -> list[dict[str, str]]:
    """``[{namespace, type}]`` for every v1 type generated in the participant's v1 namespaces
    (``devicedata_v1`` is imported here, when settings are first generated: no import-time tie
    to the device-data family)."""
    from .devicedata_v1 import V1_NAMESPACES, V1_TYPES

    return [{"namespace": namespace, "type": kind}
            for namespace in V1_NAMESPACES if namespace in participant.sources
            for kind in V1_TYPES.get(namespace, ())]


def collection_settings(ctx: GenContext, participant: Participant) -> list[dict[str, Any]]:
    rng = ctx.rng("collection-settings", participant.index)
    has = participant.sources
    record: dict[str, Any] = {SETTING_OF[s]: s in has for s in DATA_SOURCES if s in SETTING_OF}
    record["ehrEnabled"] = True
    record["appleHealthRecordsEnabled"] = "AppleHealth" in has
    record["queryableDeviceDataTypes"] = queryable_types(participant)
    if participant.withdraw_ms is not None:
        record["sensorDataCollectionEndDate"] = format_instant(participant.withdraw_ms, "UTC")
    elif rng.random() < 0.6:
        record["sensorDataCollectionEndDate"] = None
    return [record]


def availability(ctx: GenContext, participant: Participant) -> list[dict[str, Any]]:
    rng = ctx.rng("data-availability", participant.index)
    everything = participant.index == 0
    records = "AppleHealth" in participant.sources and (everything or rng.random() < 0.5)
    phr = "HealthConnect" in participant.sources and (everything or rng.random() < 0.5)
    return [{"appleHealthRecords": records, "healthConnectPhr": phr}]
