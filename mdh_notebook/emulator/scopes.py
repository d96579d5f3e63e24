"""Scopes the sandbox knows, and what each grants.

Known scopes: the list on the participant-token documentation page, plus ``Project:read``
(named by the starter kit) and ``user/*.read`` (sent by the quickstarts in 2024). ``api`` grants
every endpoint (documented: "full read/write access"). ``user/*.read`` granting every *read*
endpoint is an inference from its name.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FULL_ACCESS", "KNOWN_SCOPES", "READ_ALL", "grants", "parse_scope_list"]

FULL_ACCESS = "api"
READ_ALL = "user/*.read"

KNOWN_SCOPES: frozenset[str] = frozenset(
    {
        "api",
        "AppleHealthActivitySummaries:read",
        "AppleHealthWorkouts:read",
        "CustomEvents:write",
        "DataCollectionSettings:read",
        "DeviceData:read",
        "DeviceData:write",
        "ExternalAccounts:connect",
        "ExternalAccounts:read",
        "ExternalAccounts:write",
        "File:read",
        "File:write",
        "FitbitDataSummary:read",
        "FitbitDailySummaries:read",
        "FitbitSleepLogs:read",
        "Notifications:read",
        "Participant:read",
        "SurveyAnswers:read",
        "SurveyResults:write",
        "SurveyTasks:read",
        "Project:read",
        READ_ALL,
    }
)


def parse_scope_list(text: str) -> list[str]:
    """Space-separated scope string -> ordered, de-duplicated list (exact, case-sensitive names)."""
    seen: dict[str, None] = {}
    for item in text.split():
        seen.setdefault(item, None)
    return list(seen)


def grants(held: Iterable[str], required: str, *, read_only: bool) -> bool:
    """Does a token holding ``held`` satisfy an endpoint needing ``required``?"""
    held_set = set(held)
    if FULL_ACCESS in held_set or required in held_set:
        return True
    return read_only and READ_ALL in held_set
