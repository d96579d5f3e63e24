"""Participant-token scopes: the names MyDataHelps knows, validation, and what grants what.

The list is the seed document's scope table plus two names real clients send
(reference §1.4): ``Project:read`` (the starter kit) and ``user/*.read`` (the 2024
quickstarts). ``api`` grants everything; ``user/*.read`` is taken to grant every
``:read`` scope (an inference: it is the SMART-on-FHIR spelling of "read all").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Literal, get_args

from .errors import ScopeError

__all__ = ["ALL_ACCESS", "KNOWN_SCOPES", "Scope", "grants", "missing_scope", "validate_scopes"]

ALL_ACCESS = "api"
READ_ALL = "user/*.read"

Scope = Literal[
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
    "Project:read",
    "SurveyAnswers:read",
    "SurveyResults:write",
    "SurveyTasks:read",
    "user/*.read",
]
"""A scope name: a typo in a catalogue entry fails mypy."""

KNOWN_SCOPES: tuple[Scope, ...] = get_args(Scope)

_BY_FOLDED = {s.casefold(): s for s in KNOWN_SCOPES}


def _suggestion(name: str) -> str:
    folded = name.strip().casefold()
    if folded in _BY_FOLDED:
        return _BY_FOLDED[folded]
    if folded + ":read" in _BY_FOLDED:
        return _BY_FOLDED[folded + ":read"]
    close = difflib.get_close_matches(folded, list(_BY_FOLDED), n=1, cutoff=0.5)
    return _BY_FOLDED[close[0]] if close else ""


def _refuse_joined(text: str) -> None:
    """Scopes are separated by spaces (as the token endpoint takes them), never by commas: one
    comma-joined string is refused showing the list it meant, rather than guessed at."""
    if "," in text:
        names = [part for part in re.split(r"[\s,]+", text) if part]
        raise ScopeError(f"scopes {text!r} is joined with commas: pass a list, scopes={names!r} "
                         "(or one string with spaces between the names)")


def validate_scopes(scopes: Iterable[str] | str) -> tuple[str, ...]:
    """Check scope names and return them de-duplicated in the order given.

    A single string is split on whitespace, as the token endpoint does; commas are refused,
    naming the list they meant. An unknown name raises :class:`ScopeError` naming the nearest
    valid one.
    """
    if isinstance(scopes, str):
        _refuse_joined(scopes)
        scopes = scopes.split()
    elif not isinstance(scopes, (list, tuple, set, frozenset)):
        raise ScopeError(f"scopes must be a list of names like ['SurveyAnswers:read'], got {scopes!r}")
    result: list[str] = []
    for scope in scopes:
        if not isinstance(scope, str):
            raise ScopeError(f"scopes must be strings like 'SurveyAnswers:read', got {scope!r}")
        if len(scope.split()) > 1:
            raise ScopeError(f"the scope {scope!r} holds several names: give each its own list item, "
                             f"scopes={scope.split()!r}")
        _refuse_joined(scope)
        scope = scope.strip()
        if scope not in KNOWN_SCOPES:
            hint = _suggestion(scope)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise ScopeError(
                f"unknown scope {scope!r}{did_you_mean} "
                f"(see mdh_notebook.KNOWN_SCOPES for the {len(KNOWN_SCOPES)} valid names)"
            )
        if scope not in result:
            result.append(scope)
    if not result:
        raise ScopeError("no scopes given: ask for the ones you need, e.g. scopes=['SurveyAnswers:read']")
    return tuple(result)


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether scopes ``held`` cover the scope ``needed``."""
    held = set(held)
    return needed in held or ALL_ACCESS in held or (READ_ALL in held and needed.endswith(":read"))


def missing_scope(held: Iterable[str], needed: str, what: str) -> ScopeError | None:
    """The error for calling ``what`` without ``needed``, or None when it is granted."""
    held = tuple(held)
    if grants(held, needed):
        return None
    return ScopeError(
        f"{what} needs the scope {needed!r}, which this session does not have "
        f"(it has {', '.join(held)}); reconnect with scopes=[..., {needed!r}]"
    )
