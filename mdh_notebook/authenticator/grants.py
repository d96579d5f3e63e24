"""The grants file: which API key may get tokens for which participants, with which scopes.

TOML, one ``[[grant]]`` table per API key::

    [[grant]]
    name = "study website"                       # optional: how the log names it (default "grant N")
    api_key_sha256 = "9f86d081884c7d65…"          # or api_key = "…" (16+ characters); exactly one of them
    participants = ["PT-0001", "PT-0002"]         # participantIdentifiers; ["*"] = every participant
    scopes = ["SurveyAnswers:read"]

``api_key_sha256`` keeps the key itself out of the file: ``mdh-notebook authenticator --hash-key``
reads a key on stdin and prints the line (or ``printf %s "$KEY" | sha256sum``; :func:`hash_api_key`
in Python). Every
mistake is one :class:`GrantsFileError` naming the file, the grant and the fix — the authenticator
refuses to start on a file it does not fully understand, rather than serve a grant it misread.
A presented key is matched by comparing SHA-256 digests with :func:`hmac.compare_digest` against
every grant (no early exit), so the answer time does not tell how much of a key was right.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, ScopeError
from ..scopes import grants as scope_grants
from ..scopes import validate_scopes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["ALL_PARTICIPANTS", "HASH_HOW", "MIN_API_KEY_LENGTH", "Grant", "Grants", "GrantsFileError",
           "api_key_problem", "hash_api_key"]

ALL_PARTICIPANTS = "*"
MIN_API_KEY_LENGTH = 16
_GRANT_KEYS = ("name", "api_key", "api_key_sha256", "participants", "scopes")
#: How to get an ``api_key_sha256`` value, as the messages say it.
HASH_HOW = ("`mdh-notebook authenticator --hash-key` (reads the key on stdin) or `printf %s \"$KEY\" | sha256sum`")
_MAKE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_EXAMPLE = ('[[grant]]\nname = "study website"\napi_key_sha256 = "<64 hex digits>"\n'
            'participants = ["PT-0001"]\nscopes = ["SurveyAnswers:read"]')


class GrantsFileError(ConfigurationError):
    """The grants file is missing, is not TOML, or a grant in it is incomplete or contradicts itself."""


def hash_api_key(api_key: str) -> str:
    """The ``api_key_sha256`` value for ``api_key`` (hex SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def api_key_problem(key: str, *, what: str = "api_key") -> str | None:
    """What is wrong with ``key`` as an API key (never quoting it), or None: at least
    :data:`MIN_API_KEY_LENGTH` characters, printable ASCII, no spaces (it travels in a header)."""
    if len(key) < MIN_API_KEY_LENGTH:
        return (f"{what} is {len(key)} characters; use at least {MIN_API_KEY_LENGTH} random ones, e.g. "
                f"{_MAKE_KEY}")
    if not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        return f"{what} must be printable ASCII without spaces (it is sent in an Authorization header)"
    return None


@dataclass(frozen=True)
class Grant:
    """One API key's grant. The key is held only as its SHA-256 digest, never shown."""

    name: str
    digest: bytes = field(repr=False)
    participants: tuple[str, ...]  # identifiers, or ("*",)
    scopes: tuple[str, ...]
    plain_key: bool = False  # the file holds the key itself (api_key), not its hash

    @property
    def all_participants(self) -> bool:
        return self.participants == (ALL_PARTICIPANTS,)

    def allows_participant(self, participant: str) -> bool:
        return self.all_participants or participant in self.participants

    def near_participant(self, participant: str) -> str | None:
        """A granted identifier the caller may have meant (``pt-0001`` for ``PT-0001``)."""
        if self.all_participants:
            return None
        folded = {p.casefold(): p for p in self.participants}
        return folded.get(participant.strip().casefold())

    def scopes_not_granted(self, asked: Iterable[str]) -> list[str]:
        """The asked scopes this grant does not cover (``api`` covers all, ``user/*.read`` every read)."""
        return [scope for scope in asked if not scope_grants(self.scopes, scope)]

    def describe(self) -> dict[str, list[str]]:
        """What the key may ask for (the ``GET /grant`` answer)."""
        return {"participants": list(self.participants), "scopes": list(self.scopes)}


class Grants:
    """The parsed grants file: look a presented API key up in constant time."""

    def __init__(self, grants: Sequence[Grant], origin: str = "grants") -> None:
        self.grants = tuple(grants)
        self.origin = origin

    def __repr__(self) -> str:
        return f"Grants({self.origin!r}, {[g.name for g in self.grants]})"

    def __len__(self) -> int:
        return len(self.grants)

    def match(self, api_key: str) -> Grant | None:
        """The grant of ``api_key``, or None; every grant is compared, whichever matches."""
        presented = hashlib.sha256(api_key.encode("utf-8", "surrogateescape")).digest()
        found: Grant | None = None
        for grant in self.grants:
            if hmac.compare_digest(presented, grant.digest):
                found = grant
        return found

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Grants:
        """Read and check a grants file; :class:`GrantsFileError` names the fix."""
        where = str(path)
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise GrantsFileError(f"cannot read the grants file {where!r}: {exc.strerror or exc}; "
                                  f"--config takes a TOML file with one [[grant]] table per API key") from None
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError:
            raise GrantsFileError(f"{where}: not UTF-8 text; a grants file is TOML") from None
        return cls.parse(decoded, origin=where)

    @classmethod
    def parse(cls, text: str, *, origin: str = "grants") -> Grants:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise GrantsFileError(f"{origin}: not valid TOML ({exc}); a grant looks like:\n{_EXAMPLE}") from None
        unknown = sorted(set(document) - {"grant"})
        if unknown:
            hint = " (the table is [[grant]], singular)" if "grants" in unknown else ""
            raise GrantsFileError(f"{origin}: unknown top-level key(s) {', '.join(map(repr, unknown))}{hint}; "
                                  f"the file holds only [[grant]] tables, e.g.:\n{_EXAMPLE}")
        tables = document.get("grant")
        if not tables:
            raise GrantsFileError(f"{origin}: no [[grant]] table; add one per API key, e.g.:\n{_EXAMPLE}")
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise GrantsFileError(f"{origin}: 'grant' must be an array of tables — write [[grant]] (double "
                                  "brackets) above each grant")
        grants = [_parse_grant(table, index, origin) for index, table in enumerate(tables, start=1)]
        _check_distinct(grants, origin)
        return cls(grants, origin)


def _fail(origin: str, label: str, message: str) -> GrantsFileError:
    return GrantsFileError(f"{origin}: {label}: {message}")


def _parse_grant(table: dict[str, Any], index: int, origin: str) -> Grant:
    name = table.get("name", f"grant {index}")
    label = f"grant {index}" if "name" not in table or not isinstance(name, str) else f"grant {index} ({name!r})"
    unknown = [k for k in table if k not in _GRANT_KEYS]
    if unknown:
        first = unknown[0]
        close = difflib.get_close_matches(first, _GRANT_KEYS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise _fail(origin, label, f"unknown key {first!r}{hint} (a grant takes {', '.join(_GRANT_KEYS)})")
    if not isinstance(name, str) or not name.strip():
        raise _fail(origin, label, f"name must be a non-empty string (it names the grant in the log), got {name!r}")
    return Grant(name.strip(), _digest(table, label, origin), _participants(table, label, origin),
                 _scopes(table, label, origin), plain_key="api_key" in table)


def _digest(table: dict[str, Any], label: str, origin: str) -> bytes:
    has_key, has_hash = "api_key" in table, "api_key_sha256" in table
    if has_key == has_hash:
        which = "both api_key and api_key_sha256" if has_key else "neither api_key nor api_key_sha256"
        raise _fail(origin, label, f"has {which}: give exactly one (api_key_sha256 keeps the key out of the file; "
                    f"hash a key with {HASH_HOW})")
    if has_key:
        key = table["api_key"]
        if not isinstance(key, str):
            raise _fail(origin, label, "api_key must be a string")
        problem = api_key_problem(key)
        if problem:
            raise _fail(origin, label, problem)
        return hashlib.sha256(key.encode("utf-8")).digest()
    hexed = table["api_key_sha256"]
    if not isinstance(hexed, str):
        raise _fail(origin, label, "api_key_sha256 must be a string of 64 hex digits")
    how = f"compute it with {HASH_HOW}"
    try:
        digest = bytes.fromhex(hexed.strip())
    except ValueError:
        raise _fail(origin, label, f"api_key_sha256 is not hexadecimal (only 0-9 and a-f); {how}") from None
    if len(digest) != hashlib.sha256().digest_size:
        raise _fail(origin, label, f"api_key_sha256 must be 64 hex digits (a SHA-256), got {len(hexed.strip())}; "
                    + how)
    return digest


def _participants(table: dict[str, Any], label: str, origin: str) -> tuple[str, ...]:
    if "participants" not in table:
        raise _fail(origin, label, 'participants is missing: list participantIdentifiers, e.g. ["PT-0001"], '
                    'or ["*"] for every participant of the project')
    value = table["participants"]
    if not isinstance(value, list):
        raise _fail(origin, label, f'participants must be a list like ["PT-0001"], got {value!r}')
    if not value:
        raise _fail(origin, label, 'participants is empty: list at least one participantIdentifier, or ["*"]')
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(origin, label, f"participants must be non-empty strings (participantIdentifiers), got {item!r}")
        if item.strip() not in names:
            names.append(item.strip())
    if ALL_PARTICIPANTS in names and len(names) > 1:
        raise _fail(origin, label, '"*" already means every participant: list it alone or list identifiers')
    return tuple(names)


def _scopes(table: dict[str, Any], label: str, origin: str) -> tuple[str, ...]:
    if "scopes" not in table:
        raise _fail(origin, label, 'scopes is missing: list what the tokens may do, e.g. ["SurveyAnswers:read"]')
    value = table["scopes"]
    if not isinstance(value, list):
        raise _fail(origin, label, f'scopes must be a list like ["SurveyAnswers:read"], got {value!r}')
    if not value:
        raise _fail(origin, label, 'scopes is empty: list at least one, e.g. ["SurveyAnswers:read"]')
    try:
        return validate_scopes(value)
    except ScopeError as exc:
        raise _fail(origin, label, str(exc)) from None


def _check_distinct(grants: Sequence[Grant], origin: str) -> None:
    seen_keys: dict[bytes, int] = {}
    seen_names: dict[str, int] = {}
    for index, grant in enumerate(grants, start=1):
        if grant.digest in seen_keys:
            first = seen_keys[grant.digest]
            raise GrantsFileError(f"{origin}: grant {index} ({grant.name!r}) has the same API key as grant {first} "
                                  f"({grants[first - 1].name!r}); one key, one grant — give each its own key, or "
                                  "merge the two")
        if grant.name in seen_names:
            raise GrantsFileError(f"{origin}: grant {index} is named {grant.name!r} like grant "
                                  f"{seen_names[grant.name]}; names tell grants apart in the log — rename one")
        seen_keys[grant.digest] = index
        seen_names[grant.name] = index
