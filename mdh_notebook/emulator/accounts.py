"""Synthetic external accounts and the provider directory they connect to.

The **provider directory** is project-wide (the same for every participant): about 300 hospitals,
clinics and health systems (category ``Provider``), health plans (``Health Plan``) and device
manufacturers (``Device Manufacturer``), drawn once per seed. Its quirks follow the real API and
the official UI's guards: ``enabled`` is missing on a share of providers (the UI defaults it to
true "while the API is not setting the enabled flag"), disabled ones may carry ``message:
"Unavailable"`` and a ``relatedProvider`` / ``managingOrganization``; ``logoUrl`` is null for
some small clinics and missing for a few; a retired device brand names its ``successorID``.

**External accounts** (per participant): the participant's connections to providers in that
directory. PT-0001 has seven (two health plans, three providers, two device manufacturers, every
status); the others have none to four (PT-0004, without demographics, none). A device
manufacturer account is only for a device the participant has data from
(``Participant.sources``). Each is connected after enrollment and refreshed after connecting,
never after the window's end or a withdrawal; ``lastRefreshDate`` comes in every ISO form (often
without an offset, as the admin docs show); ``providerUserID``, ``connectionDate`` and
``dataScopes`` are sometimes missing, sometimes null.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from typing import Any

from .cohort import NULL_DEMOGRAPHICS_INDEX, Participant, rng_for
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = [
    "CATEGORIES",
    "STATUSES",
    "AccountRow",
    "FeaturedRow",
    "ProviderRow",
    "account_record",
    "featured_providers",
    "fitbit_provider_id",
    "generate_external_accounts",
    "provider_directory",
]

CATEGORIES = ("Provider", "Health Plan", "Device Manufacturer")
STATUSES = ("fetchComplete", "fetchingData", "error", "unauthorized")
_FORM_WEIGHTS = (25, 10, 15, 15, 35)  # Z3, Z2, UTC, LOCAL, NAIVE (the admin docs' example has no offset)

_CITIES = (
    "Boston", "Cambridge", "Worcester", "Springfield", "Hartford", "Providence", "Albany", "Buffalo",
    "Rochester", "Pittsburgh", "Philadelphia", "Baltimore", "Richmond", "Raleigh", "Charlotte", "Atlanta",
    "Nashville", "Memphis", "Louisville", "Columbus", "Cleveland", "Detroit", "Ann Arbor", "Chicago",
    "Madison", "Milwaukee", "Minneapolis", "St. Louis", "Kansas City", "Omaha", "Denver", "Boulder",
    "Salt Lake City", "Phoenix", "Tucson", "Albuquerque", "Austin", "Houston", "Dallas", "San Antonio",
    "Seattle", "Tacoma", "Portland", "Oakland", "San Diego", "Sacramento", "Honolulu", "Anchorage",
)
_PATRONS = ("St. Mary's", "St. Luke's", "St. Joseph's", "Mercy", "Providence", "Good Samaritan",
            "Baptist", "Methodist", "Presbyterian", "Sacred Heart", "Holy Cross", "Beth Israel")
_FACILITIES = (
    "General Hospital", "Medical Center", "Regional Medical Center", "Community Hospital",
    "Children's Hospital", "Family Medicine", "Orthopedic Associates", "Cardiology Clinic", "Health System",
    "Urgent Care", "Women's Health", "Cancer Center", "Physicians Group", "Dermatology & Skin Care",
    "Pediatrics", "Internal Medicine", "Eye Institute", "Rehabilitation Hospital", "Veterans Affairs Clinic",
)
_STATES = (
    "Massachusetts", "Rhode Island", "Vermont", "New York", "Pennsylvania", "Michigan", "Illinois",
    "Wisconsin", "Minnesota", "Colorado", "Arizona", "Texas", "North Carolina", "Tennessee", "Kansas",
    "Nebraska", "Louisiana", "Alabama",
)
_PLAN_BRANDS = ("Aetna", "Cigna", "Humana", "UnitedHealthcare", "Anthem", "Kaiser Permanente",
                "Molina Healthcare", "Ambetter", "Highmark", "Oscar Health", "Harvard Pilgrim",
                "Tufts Health Plan", "Priority Health", "Medica")
_PLAN_PRODUCTS = ("Medicare Advantage", "Commercial", "Medicaid", "Employer Plans", "Individual & Family")
#: Device manufacturers; the ``source`` is the Participant.sources name a device account needs.
_DEVICES: tuple[tuple[str, str | None], ...] = (
    ("Fitbit", "Fitbit"), ("Garmin", "Garmin"), ("Omron", "Omron"), ("Dexcom", "Dexcom"), ("Oura", "Oura"),
    ("Withings", None), ("Abbott FreeStyle Libre", None), ("iHealth", None), ("Polar", None),
    ("Samsung Health", None), ("Whoop", None), ("Medtronic CareLink", None), ("Tandem t:connect", None),
    ("Omnipod (Insulet)", None), ("Eversense", None), ("Wahoo", None), ("Suunto", None), ("Coros", None),
    ("Qardio", None), ("Nokia Health", None), ("Jawbone UP", None), ("Misfit", None), ("Google Fit", "GoogleFit"),
)
_RETIRED = {"Nokia Health": "Withings", "Misfit": None, "Jawbone UP": None}
_LOGO_BASE = "https://static.mydatahelps.example/provider-logos/"


@dataclasses.dataclass(frozen=True, slots=True)
class ProviderRow:
    record: dict[str, Any]
    id: int
    name: str  # casefolded, for search
    category: str

    @property
    def sort_key(self) -> tuple[str, int]:
        return (self.name, self.id)

    @property
    def enabled(self) -> bool:
        return self.record.get("enabled") is not False


@dataclasses.dataclass(frozen=True, slots=True)
class FeaturedRow:
    context: str  # casefolded; "" is the project's default list
    rank: int
    record: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class AccountRow:
    record: dict[str, Any]
    id: int
    provider_id: int


def _provider(rng: random.Random, ident: int, name: str, category: str) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ident, "name": name, "category": category}
    roll = rng.random()
    if category == "Provider" and roll < 0.25:
        record["logoUrl"] = None
    elif not (category == "Provider" and roll < 0.3):
        record["logoUrl"] = f"{_LOGO_BASE}{ident}.png"
    enabled = rng.random()
    if enabled < 0.15:
        pass  # the flag left out, as the API still does for some providers
    elif enabled < 0.23 and category != "Device Manufacturer":
        record["enabled"] = False
        if rng.random() < 0.6:
            record["message"] = "Unavailable"
    else:
        record["enabled"] = True
        if rng.random() < 0.05:
            record["message"] = None
    return record


@functools.lru_cache(maxsize=8)
def provider_directory(seed: int) -> tuple[ProviderRow, ...]:
    """Every provider of the project, sorted by (casefolded name, id): the same for every participant."""
    rng = rng_for(seed, "provider-directory")
    names: dict[str, str] = {}
    for city in _CITIES:
        for facility in rng.sample(_FACILITIES, 4):
            names.setdefault(f"{city} {facility}", "Provider")
        if rng.random() < 0.5:
            names.setdefault(f"{rng.choice(_PATRONS)} {rng.choice(('Hospital', 'Medical Center'))} {city}",
                             "Provider")
    for state in _STATES:
        names[f"Blue Cross Blue Shield of {state}"] = "Health Plan"
        if rng.random() < 0.4:
            names[f"{state} Medicaid"] = "Health Plan"
    for brand in _PLAN_BRANDS:
        for product in rng.sample(_PLAN_PRODUCTS, rng.randint(1, 3)):
            names[f"{brand} {product}"] = "Health Plan"
    names["Medicare (CMS Blue Button 2.0)"] = "Health Plan"
    for device, _ in _DEVICES:
        names[device] = "Device Manufacturer"
    ids = rng.sample(range(1, 60_000), len(names))
    by_name = {name: ident for name, ident in zip(names, ids, strict=True)}
    records = {name: _provider(rng, by_name[name], name, category) for name, category in names.items()}
    for old, successor in _RETIRED.items():
        records[old]["enabled"] = False
        records[old]["message"] = "Unavailable"
        if successor is not None:
            records[old]["successorID"] = by_name[successor]
    systems = [n for n, c in names.items() if c == "Provider" and n.endswith("Health System")]
    for name, record in records.items():
        if record.get("enabled") is False and names[name] == "Provider" and systems and rng.random() < 0.7:
            city_systems = [s for s in systems if s.split(" Health System")[0] in name] or systems
            record["managingOrganization"] = rng.choice(city_systems)
            record["relatedProvider"] = rng.choice(city_systems)
    rows = [ProviderRow(record, record["id"], name.casefold(), names[name]) for name, record in records.items()]
    return tuple(sorted(rows, key=lambda row: row.sort_key))


@functools.lru_cache(maxsize=8)
def fitbit_provider_id(seed: int) -> int:
    """The id of the directory's Fitbit provider (device manufacturer ``Fitbit``): the connection
    every participant's Fitbit data (sleep logs, daily summaries) comes through."""
    return next(row.id for row in provider_directory(seed)
                if row.category == "Device Manufacturer" and row.record["name"] == "Fitbit")


#: Featured lists by context (casefolded); "" is the default (no ``featuredProvidersContext``).
_FEATURED_CONTEXTS = {"": 10, "healthplans": 8, "providers": 8, "devices": 6}


@functools.lru_cache(maxsize=8)
def featured_providers(seed: int) -> tuple[FeaturedRow, ...]:
    """The featured providers of each context, enabled providers only, in their featured order."""
    rng = rng_for(seed, "featured-providers")
    enabled = [row for row in provider_directory(seed) if row.enabled]
    pools = {
        "": [r for r in enabled if r.category != "Provider" or r.record["name"].endswith(
            ("Health System", "Medical Center"))],
        "healthplans": [r for r in enabled if r.category == "Health Plan"],
        "providers": [r for r in enabled if r.category == "Provider"],
        "devices": [r for r in enabled if r.category == "Device Manufacturer"],
    }
    rows = []
    for context, count in _FEATURED_CONTEXTS.items():
        for rank, row in enumerate(rng.sample(pools[context], min(count, len(pools[context])))):
            rows.append(FeaturedRow(context, rank, row.record))
    return tuple(rows)


_DATA_SCOPES = {
    "Provider": ("patient/*.read launch/patient offline_access", "patient/*.read", None),
    "Health Plan": ("patient/ExplanationOfBenefit.read patient/Coverage.read patient/Patient.read", None),
    "Device Manufacturer": ("activity heartrate sleep profile", "readonly", None),
}


def _user_id(rng: random.Random, category: str) -> str:
    if category == "Provider":
        return f"MRN{rng.randint(100000, 9999999)}"
    if category == "Health Plan":
        return f"{rng.choice('WXYZ')}{rng.randint(100000000, 999999999)}"
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def account_record(rng: random.Random, participant: Participant, ident: int, provider: dict[str, Any],
                   status: str, connected_ms: int | None, refreshed_ms: int | None,
                   form: str = "Z3") -> dict[str, Any]:
    """One external account as the delegated API sends it."""
    record: dict[str, Any] = {
        "id": ident,
        "provider": dict(provider),
        "status": status,
        "lastRefreshDate": None if refreshed_ms is None else format_instant(refreshed_ms, form, participant.tz),
    }
    roll = rng.random()
    if roll < 0.75:
        record["providerUserID"] = _user_id(rng, provider["category"])
    elif roll < 0.85:
        record["providerUserID"] = None
    if connected_ms is not None and rng.random() < 0.85:
        record["connectionDate"] = format_instant(connected_ms, form, participant.tz)
    scopes = rng.choice(_DATA_SCOPES[provider["category"]])
    if scopes is not None or rng.random() < 0.5:
        record["dataScopes"] = scopes
    return record


def _window_end_ms(ctx: GenContext, participant: Participant) -> int:
    end = to_ms(dt.datetime.combine(ctx.end, dt.time(12), dt.timezone.utc))
    return end if participant.withdraw_ms is None else min(end, participant.withdraw_ms)


def account_id_base(participant: Participant) -> int:
    """Account ids of a participant lie in a block of their own (new connections continue it)."""
    return 10_000 + participant.index * 1_000


def generate_external_accounts(ctx: GenContext, participant: Participant) -> list[AccountRow]:
    """One participant's external accounts, by id (connection order)."""
    rng = ctx.rng("external-accounts", participant.index)
    directory = provider_directory(ctx.seed)
    usable = [row for row in directory if row.enabled]
    plans = [r for r in usable if r.category == "Health Plan"]
    providers = [r for r in usable if r.category == "Provider"]
    device_names = {name for name, source in _DEVICES if source in participant.sources}
    devices = [r for r in usable if r.category == "Device Manufacturer" and r.record["name"] in device_names]
    if participant.index == 0:
        chosen = [*rng.sample(plans, 2), *rng.sample(providers, 3), *rng.sample(devices, min(2, len(devices)))]
        statuses = ["fetchComplete", "fetchComplete", "error", "fetchComplete", "unauthorized", "fetchingData",
                    "fetchComplete"][: len(chosen)]
    else:
        count = rng.choice((0, 0, 1, 2, 2, 3, 4))
        if participant.index == NULL_DEMOGRAPHICS_INDEX:
            count = 0  # connected nothing (and told the study nothing): the empty case, always there
        pool = plans + providers + devices * 6  # a device is the likeliest connection
        chosen = []
        while len(chosen) < count:
            pick = rng.choice(pool)
            if pick not in chosen:
                chosen.append(pick)
        statuses = rng.choices(STATUSES, weights=(70, 8, 10, 12), k=count)
    start_ms = participant.enrollment_ms
    end_ms = _window_end_ms(ctx, participant)
    span = max(1, end_ms - start_ms)
    ids = sorted(rng.sample(range(account_id_base(participant), account_id_base(participant) + 900), len(chosen)))
    connections = sorted(start_ms + int(span * rng.uniform(0.0, 0.8)) for _ in chosen)
    rows = []
    for ident, provider, status, connected in zip(ids, chosen, statuses, connections, strict=True):
        ctx.pace()
        if status == "unauthorized":  # stopped refreshing when the authorization lapsed
            refreshed = connected + int((end_ms - connected) * rng.uniform(0.05, 0.5))
        else:
            refreshed = end_ms - rng.randint(60_000, min(3 * 86_400_000, max(60_001, end_ms - connected)))
            refreshed = max(refreshed, connected)
        form = rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]
        record = account_record(rng, participant, ident, provider.record, status, connected, refreshed, form)
        rows.append(AccountRow(record, ident, provider.id))
    return rows
