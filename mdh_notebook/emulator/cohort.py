"""The synthetic cohort: one project, its participants and their admin / delegated representations.

Everything derives from ``random.Random`` instances seeded with strings built from the config seed
(string seeds are hashed with SHA-512, so they are stable across runs and processes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from .isotime import format_instant, to_ms, utc_offset_text

__all__ = [
    "DATA_SOURCES",
    "EMPTY_CUSTOM_FIELDS_INDEX",
    "NO_FITBIT_INDEX",
    "NULL_DEMOGRAPHICS_INDEX",
    "RECENT_ENROLLMENT_INDEX",
    "WITHDRAWN_INDEX",
    "Participant",
    "Project",
    "build_cohort",
    "build_project",
    "guid",
    "rng_for",
]

#: Participant roles by 0-based index (only when the cohort is large enough).
NO_FITBIT_INDEX = 2
NULL_DEMOGRAPHICS_INDEX = 3
WITHDRAWN_INDEX = 4
EMPTY_CUSTOM_FIELDS_INDEX = 5
#: Enrolled a third of the way into the data window (everyone else enrolled before it): no data
#: before enrollment, and a PHQ-9 taken on the day of enrollment (the only "Enrollment" event).
RECENT_ENROLLMENT_INDEX = 6
#: Share of participants whose admin record leaves out null-valued optional keys altogether.
SPARSE_SHARE = 0.4

#: The device-data namespaces / sources a participant may have (``Participant.sources``).
DATA_SOURCES = (
    "Fitbit", "AppleHealth", "GoogleHealth", "Garmin", "Dexcom", "HealthConnect", "Oura", "Omron",
    "GoogleFit", "AirNowApi", "WeatherBit", "Project",
)
#: Chance of each optional source for a participant without a fixed role (Fitbit: everyone but
#: ``NO_FITBIT_INDEX``; the phone's own store: AppleHealth on an iPhone, else HealthConnect).
_SOURCE_SHARES = {
    "GoogleHealth": 0.5, "Garmin": 0.3, "Dexcom": 0.2, "Oura": 0.25, "Omron": 0.2, "GoogleFit": 0.3,
    "AirNowApi": 0.7, "WeatherBit": 0.7, "Project": 0.85,
}
_IPHONE_SHARE = 0.55

_ZONES: tuple[tuple[str, tuple[tuple[str, str, str, str], ...], str], ...] = (
    # zone, (city, state, postal code, phone area code), preferred language
    ("America/New_York", (("Boston", "MA", "02118", "617"), ("New York", "NY", "10027", "212")), "en-US"),
    ("America/Chicago", (("Chicago", "IL", "60614", "312"), ("Madison", "WI", "53703", "608")), "en-US"),
    ("America/Denver", (("Denver", "CO", "80205", "303"),), "en-US"),
    ("America/Los_Angeles", (("Seattle", "WA", "98103", "206"), ("Oakland", "CA", "94612", "510")), "es-US"),
    ("Europe/London", (("London", "", "SW1A 1AA", ""),), "en-GB"),
    ("Pacific/Honolulu", (("Honolulu", "HI", "96813", "808"),), "en-US"),
    ("Europe/Berlin", (("Berlin", "", "10115", ""),), "de-DE"),
)
_FIRST = (
    ("Maria", "F"), ("James", "M"), ("José", "M"), ("Zoë", "F"), ("Aiyana", "F"), ("Wei", "M"),
    ("Priya", "F"), ("Sam", "O"), ("Chloé", "F"), ("Dmitri", "M"), ("Fatima", "F"), ("Kwame", "M"),
    ("Alex", "O"), ("Siobhán", "F"), ("Hiroshi", "M"), ("Olivia", "F"), ("Mateo", "M"), ("Grace", "F"),
)
_MIDDLE = ("Ann", "Lee", "Marie", "J.", "Rose", "Luis")
_LAST = (
    "García", "Smith", "O'Brien", "Nguyễn", "Johnson", "Müller", "Okafor", "Kowalski", "Patel",
    "Williams", "Brown", "Rossi", "Kim", "Haddad", "Larsen", "Davis", "Van der Berg", "Lopez-Ruiz",
)
_STREETS = ("Maple St", "Oak Ave", "Washington Blvd", "Elm St", "Park Rd", "High St")


def rng_for(seed: int, *parts: object) -> random.Random:
    """A private RNG for one purpose; independent of call order and of other purposes."""
    return random.Random("mdh-sandbox/" + "/".join(str(p) for p in (seed, *parts)))


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclasses.dataclass(frozen=True)
class Project:
    id: str
    name: str
    survey_ids: dict[str, str]
    schedule_ids: dict[str, str]


def build_project(seed: int) -> Project:
    rng = rng_for(seed, "project")
    project_id = guid(rng)
    surveys = {name: guid(rng) for name in ("PHQ-9", "DailyMood", "WeeklyActivity")}
    schedules = {name: guid(rng) for name in ("PHQ-9", "DailyMood", "WeeklyActivity")}
    return Project(id=project_id, name="MyDataHelps Sandbox Study", survey_ids=surveys, schedule_ids=schedules)


@dataclasses.dataclass(frozen=True)
class Participant:
    """Internal participant state; ``admin_json`` / ``info_json`` render the two wire views."""

    index: int
    id: str
    identifier: str
    secondary_identifier: str | None
    link_identifier: str
    enrolled: bool
    enrollment_ms: int
    withdraw_ms: int | None
    inserted_ms: int
    invitation_status: str | None
    tz_name: str
    demographics: dict[str, str] | None
    custom_fields: dict[str, str]
    unsubscribed_email: bool
    unsubscribed_sms: bool
    sources: frozenset[str]  # which of DATA_SOURCES this participant has data from
    sparse: bool  # the admin record omits secondaryIdentifier / withdrawDate / invitationStatus when null

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def has_fitbit(self) -> bool:
        return "Fitbit" in self.sources

    def search_texts(self) -> tuple[str, ...]:
        """What the admin list's ``query`` matches against, casefolded."""
        texts = [self.identifier]
        demo = self.demographics or {}
        names = [demo.get(k, "") for k in ("firstName", "middleName", "lastName")]
        texts += [n for n in names if n]
        texts.append(" ".join(n for n in (names[0], names[2]) if n))
        texts.append(" ".join(n for n in names if n))
        if demo.get("email"):
            texts.append(demo["email"])
        return tuple(t.casefold() for t in texts if t)

    def admin_json(self) -> dict[str, Any]:
        record = {
            "id": self.id,
            "participantIdentifier": self.identifier,
            "secondaryIdentifier": self.secondary_identifier,
            "linkIdentifier": self.link_identifier,
            "enrolled": self.enrolled,
            "enrollmentDate": format_instant(self.enrollment_ms, "UTC"),
            "withdrawDate": None if self.withdraw_ms is None else format_instant(self.withdraw_ms, "UTC"),
            "insertedDate": format_instant(self.inserted_ms, "UTC"),
            "invitationStatus": self.invitation_status,
            "demographics": None if self.demographics is None else dict(self.demographics),
            "customFields": dict(self.custom_fields),
        }
        if self.sparse:  # missing rather than null (demographics stays: its null is meaningful)
            for key in ("secondaryIdentifier", "withdrawDate", "invitationStatus"):
                if record[key] is None:
                    del record[key]
        return record

    def info_json(self, project_id: str) -> dict[str, Any]:
        demographics: dict[str, str] = {}
        if self.demographics is not None:
            demographics = dict(self.demographics)
            demographics["unsubscribedFromEmails"] = "true" if self.unsubscribed_email else "false"
            demographics["unsubscribedFromSms"] = "true" if self.unsubscribed_sms else "false"
        return {
            "participantID": self.id,
            "projectID": project_id,
            "participantIdentifier": self.identifier,
            "secondaryIdentifier": self.secondary_identifier,
            "linkIdentifier": self.link_identifier,
            "demographics": demographics,
            "customFields": dict(self.custom_fields),
            "enrollmentDate": format_instant(self.enrollment_ms, "UTC"),
        }


def _demographics(rng: random.Random, tz_name: str, places: tuple[tuple[str, str, str, str], ...],
                  language: str, end: dt.datetime) -> dict[str, str]:
    first, gender = rng.choice(_FIRST)
    last = rng.choice(_LAST)
    middle = rng.choice(_MIDDLE) if rng.random() < 0.4 else ""
    city, state, postal, area = rng.choice(places)
    suffix = str(rng.randint(1, 99)) if rng.random() < 0.3 else ""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 54 * 365))
    candidate = {
        "email": f"{_ascii(first)}.{_ascii(last)}{suffix}@example.org",
        "firstName": first,
        "middleName": middle,
        "lastName": last,
        "dateOfBirth": born.isoformat(),
        "preferredLanguage": language if rng.random() < 0.9 else "",
        "gender": gender if rng.random() < 0.9 else "",
        "street1": f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}" if rng.random() < 0.8 else "",
        "city": city,
        "state": state,
        "postalCode": postal,
        "mobilePhone": f"+1 {area}-555-01{rng.randint(0, 99):02d}" if area and rng.random() < 0.75 else "",
        "utcOffset": utc_offset_text(ZoneInfo(tz_name), end),
        "timeZone": tz_name,
    }
    return {k: v for k, v in candidate.items() if v}  # empty ones are omitted, as the API does


def _sources(seed: int, index: int) -> frozenset[str]:
    """PT-0001 has every source; PT-0003 (``NO_FITBIT_INDEX``) neither Fitbit nor GoogleHealth (its
    successor); the others Fitbit and a seeded draw of the rest. Drawn from an RNG of their own,
    so no other value of the cohort depends on them."""
    if index == 0:
        return frozenset(DATA_SOURCES)
    rng = rng_for(seed, "sources", index)
    chosen = {"Fitbit"} if index != NO_FITBIT_INDEX else set()
    chosen.add("AppleHealth" if rng.random() < _IPHONE_SHARE else "HealthConnect")
    for source, share in _SOURCE_SHARES.items():
        if rng.random() < share:
            chosen.add(source)
    if index == NO_FITBIT_INDEX:
        chosen.discard("GoogleHealth")
    return frozenset(chosen)


def build_cohort(seed: int, count: int, window_start: dt.date, window_end: dt.date) -> list[Participant]:
    """``count`` participants ``PT-0001``.. enrolled before ``window_start`` (but one, see
    ``RECENT_ENROLLMENT_INDEX``)."""
    start = dt.datetime.combine(window_start, dt.time(), dt.timezone.utc)
    end = dt.datetime.combine(window_end, dt.time(12), dt.timezone.utc)
    span_days = (window_end - window_start).days + 1
    people = []
    for index in range(count):
        rng = rng_for(seed, "participant", index)
        pid = guid(rng)
        zone, places, language = _ZONES[index % len(_ZONES)] if index < len(_ZONES) else rng.choice(_ZONES)
        enrolled_at = start - dt.timedelta(days=rng.randint(5, 200), seconds=rng.randint(0, 86399),
                                           milliseconds=rng.randint(0, 999))
        inserted_at = enrolled_at - dt.timedelta(days=rng.randint(0, 20), seconds=rng.randint(60, 86399))
        if index == RECENT_ENROLLMENT_INDEX:  # its own RNG, so the draws below stay as they were
            late = rng_for(seed, "recent-enrollment", index)
            enrolled_at = start + dt.timedelta(days=span_days // 3, hours=late.uniform(8, 11))
            inserted_at = enrolled_at - dt.timedelta(days=late.randint(0, 3), seconds=late.randint(60, 86399))
        withdraw_ms = None
        if index == WITHDRAWN_INDEX:
            withdrawn_at = start + dt.timedelta(days=max(1, span_days // 2), hours=15, minutes=rng.randint(0, 59))
            withdraw_ms = to_ms(withdrawn_at)
        demographics: dict[str, str] | None = _demographics(rng, zone, places, language, end)
        if index == NULL_DEMOGRAPHICS_INDEX:
            demographics = None
        custom = {
            "StudyArm": rng.choice(("Control", "Intervention")),
            "Site": places[0][0],
            "Cohort": f"2026-{rng.choice('AB')}",
        }
        if rng.random() < 0.3:
            custom["Notes"] = rng.choice(("prefers SMS", "night shift, sleeps days", "tablet, no phone"))
        if index == EMPTY_CUSTOM_FIELDS_INDEX:
            custom = {}
        people.append(
            Participant(
                index=index,
                id=pid,
                identifier=f"PT-{index + 1:04d}",
                secondary_identifier=f"S-{1000 + index * 7}" if rng.random() < 0.7 else None,
                link_identifier=guid(rng),
                enrolled=withdraw_ms is None,
                enrollment_ms=to_ms(enrolled_at),
                withdraw_ms=withdraw_ms,
                inserted_ms=to_ms(inserted_at),
                invitation_status=rng.choice(("approved", "approved", "approved", "notInvited", None)),
                tz_name=zone,
                demographics=demographics,
                custom_fields=custom,
                unsubscribed_email=rng.random() < 0.15,
                unsubscribed_sms=rng.random() < 0.25,
                sources=_sources(seed, index),
                sparse=rng_for(seed, "sparse", index).random() < SPARSE_SHARE,
            )
        )
    return people
