"""The sandbox's state (the moto "backend"): cohort, the store of synthetic data (``storage``), token
authority, rate-limit buckets, stats and the clock. Routes call into this; it knows nothing of
HTTP beyond the error classes. What it serves is its ``Registry`` (``kinds.REGISTRY`` unless told).

Decisions where the reference is silent:
- the rate-limit bucket follows the token: a service token spends its project's admin budget,
  a participant token its participant's delegated budget, wherever it is sent; a request without
  a usable token is answered 401 before any rate limiting and spends nothing (its RateLimit
  headers show the untouched anonymous per-client budget of the path family, admin / delegated);
- the wrong kind of token for an endpoint is 403 (it authenticates, it is not allowed);
- a well-formed GUID that is not the account's project is 403, anything else 404;
- withdrawn participants can still get delegated tokens and read their (truncated) data;
- an assertion's ``aud`` may name the advertised token URL or the one the request itself reached
  (its scheme and Host header, e.g. ``http://localhost:PORT/``), the path matching exactly.

Each (participant, collection)'s data is generated on first use under its own lock (or ahead of
time by ``warm``, which the server runs on a background thread for large cohorts, in the gaps
between requests), and kept; writes change it, ``reset`` (``POST /_sandbox/reset``) restores the
seeded data.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

from .clock import Clock
from .cohort import Participant, build_cohort, build_project
from .config import SandboxConfig
from .declarations import Collection, GenContext, Registry
from .exceptions import (
    Forbidden,
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    NotFound,
    TooManyRequests,
    Unauthorized,
    UnsupportedGrantType,
    clipped,
    shown,
)
from .faults import FaultPlan
from .kinds import REGISTRY
from .paging import CursorCodec, Params
from .queries import ParticipantIndex, participant_page
from .ratelimit import RateLimiter
from .scopes import FULL_ACCESS, KNOWN_SCOPES, grants, parse_scope_list
from .shapes import Query
from .stats import Activity, Stats
from .storage import Store
from .tokens import DELEGATED_CLIENT_IDS, JWT_BEARER, AccessClaims, TokenAuthority, TokenKind

__all__ = ["TOKEN_PATH", "SandboxBackend"]

TOKEN_PATH = "identityserver/connect/token"
ADMIN_PREFIX = "/api/v1/administration/"
Family = Literal["admin", "delegated"]
Row = TypeVar("Row")


def family_of(path: str) -> Family:
    """Whose rate budget a path spends when no token says otherwise."""
    return "admin" if path.lower().startswith(ADMIN_PREFIX) else "delegated"


def _let_others_run() -> None:
    time.sleep(0)  # releases the GIL: a thread waiting for it takes it now


class SandboxBackend:
    def __init__(self, config: SandboxConfig | None = None, clock: Clock | None = None, *,
                 registry: Registry | None = None) -> None:
        self.registry = registry or REGISTRY
        self.config = config or SandboxConfig()
        self.clock = clock or Clock()
        cfg = self.config
        self.window_end: dt.date = cfg.end_date
        self.window_start: dt.date = cfg.end_date - dt.timedelta(days=cfg.days - 1)
        self.project = build_project(cfg.seed)
        self.participants: list[Participant] = build_cohort(cfg.seed, cfg.participants, self.window_start,
                                                            self.window_end)
        self._by_id = {p.id: p for p in self.participants}
        self._by_identifier = {p.identifier: p for p in self.participants}
        self._index = ParticipantIndex(self.participants)
        self.tokens = TokenAuthority(cfg, self.clock, self.project.id)
        self.rate = RateLimiter(self.clock)
        self.stats = Stats()
        self.activity = Activity()
        #: The faults in force (none until set: ``POST /_sandbox/faults``), over every API path and the token's.
        self.faults = FaultPlan(["/" + TOKEN_PATH, *("/" + c.path for c in self.registry.collections),
                                 *("/" + o.path for o in self.registry.operations)])
        self.cursors = CursorCodec(secrets.token_bytes(32))  # this backend's own: not forged from the seed
        self.context = GenContext(seed=cfg.seed, project=self.project, start=self.window_start,
                                  end=self.window_end, pace=_let_others_run)
        self.store = Store(self.generate)
        #: Set once every participant's data has been generated.
        self.warmed = threading.Event()
        #: The public base URL (``http://host:port/``) once a server serves this backend.
        self.base_url: str | None = None

    # -- lookups and data -------------------------------------------------------------------
    def find_by_id(self, value: str) -> Participant | None:
        try:
            return self._by_id.get(str(uuid.UUID(value.strip())))
        except ValueError:
            return None

    def find_by_identifier(self, identifier: str) -> Participant | None:
        return self._by_identifier.get(identifier)

    def generate(self, collection: Collection[Row], participant: Participant) -> Sequence[Row]:
        """One (participant, collection)'s rows (pure: depends on the config and the participant
        only); none when the collection needs a source the participant lacks.

        Generators call ``ctx.pace()`` once per generated day: it hands the GIL over, so that the
        event loop and other requests get it at once rather than after the interpreter's switch
        interval (5 ms) at each of their many I/O steps (the "convoy effect"), which made a request
        take ~90 ms while a long window was being generated.
        """
        if collection.source is not None and collection.source not in participant.sources:
            return []
        return collection.generate(self.context, participant)

    @overload
    def rows(self, participant: Participant, collection: Collection[Row]) -> Sequence[Row]: ...
    @overload
    def rows(self, participant: Participant, collection: str) -> Sequence[Any]: ...

    def rows(self, participant: Participant, collection: Collection[Any] | str) -> Sequence[Any]:
        """A participant's rows of a collection (or of the collection with that name), sorted."""
        chosen = self.registry.collection(collection) if isinstance(collection, str) else collection
        return self.store.rows(participant, chosen)

    def warm(self, stop: threading.Event | None = None, *, background: bool = False) -> bool:
        """Generate every participant's data (every collection) now; give up early once ``stop`` is set.
        ``background``: start each participant only when no request has been served for a moment
        (requests generate what they need themselves). Returns True (and sets ``warmed``) when all
        data is there."""
        for participant in self.participants:
            if stop is not None and stop.is_set():
                return False
            if background and not self.activity.wait_quiet(stop):
                return False
            for collection in self.registry.collections:
                self.store.table(participant, collection)
        self.warmed.set()
        return True

    def token_urls(self, request_base: str) -> list[str]:
        """The token URLs an assertion's ``aud`` may name: the advertised one, then the one this
        request reached (scheme + Host header)."""
        return list(dict.fromkeys([(self.base_url or request_base) + TOKEN_PATH, request_base + TOKEN_PATH]))

    # -- token endpoint ---------------------------------------------------------------------
    def grant(self, form: Mapping[str, str], request_base: str) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        issuer = (self.base_url or request_base) + "identityserver"
        if grant_type == "client_credentials":
            return self._grant_client_credentials(form, self.token_urls(request_base), issuer)
        if grant_type == "delegated_participant":
            return self._grant_delegated(form, issuer)
        if not grant_type:
            raise UnsupportedGrantType("grant_type is required: client_credentials or delegated_participant")
        raise UnsupportedGrantType(
            f"grant_type {shown(grant_type)} is not supported; use client_credentials or delegated_participant"
        )

    def _token_response(self, token: str, expires_in: int, scopes: list[str]) -> dict[str, Any]:
        return {"access_token": token, "expires_in": expires_in, "token_type": "Bearer", "scope": " ".join(scopes)}

    def _grant_client_credentials(self, form: Mapping[str, str], audiences: list[str], issuer: str) -> dict[str, Any]:
        if not form.get("client_assertion"):
            raise InvalidClient("client_assertion is required (an RS256 JWT signed with the service account key)")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise InvalidClient(f"client_assertion_type must be {JWT_BEARER}")
        account = self.tokens.verify_client_assertion(form["client_assertion"], audiences)
        client_id = form.get("client_id")
        if client_id and client_id != account:
            raise InvalidClient("client_id does not match the client_assertion's service account")
        scopes = parse_scope_list(form.get("scope") or "") or [FULL_ACCESS]
        if scopes != [FULL_ACCESS]:
            raise InvalidScope(f"a service account may only request scope api, got {shown(' '.join(scopes))}")
        token, expires_in = self.tokens.issue(
            "service", account, account, scopes, self.config.service_token_lifetime, issuer
        )
        self.stats.token_issued("client_credentials")
        return self._token_response(token, expires_in, scopes)

    def _grant_delegated(self, form: Mapping[str, str], issuer: str) -> dict[str, Any]:
        client_id = form.get("client_id")
        if client_id not in DELEGATED_CLIENT_IDS:
            raise InvalidClient(
                f"unknown client_id {shown(client_id)}; use one of {', '.join(sorted(DELEGATED_CLIENT_IDS))}"
            )
        if form.get("client_secret") != "secret":
            raise InvalidClient("invalid client_secret (the delegated clients use the documented placeholder)")
        service_token = form.get("token")
        if not service_token:
            raise InvalidGrant("token is required: the service access token")
        try:
            claims = self.tokens.verify(service_token)
        except Unauthorized as exc:
            raise InvalidGrant(self.unusable_service_token(exc.message)) from None
        if claims.kind != "service":
            raise InvalidGrant("token must be a service access token, not a participant token")
        raw_id = form.get("participant_id") or ""
        if not raw_id:
            raise InvalidGrant("participant_id is required: the participant's id (a GUID)")
        participant = self.find_by_id(raw_id)
        if participant is None:
            if self.find_by_identifier(raw_id.strip()) is not None:
                raise InvalidGrant(
                    f"participant_id must be the participant's id (a GUID), not the participantIdentifier "
                    f"{shown(raw_id)}; use the id from GET .../participants/{clipped(raw_id.strip())}"
                )
            raise InvalidGrant(f"unknown participant_id {shown(raw_id)}")
        scopes = parse_scope_list(form.get("scope") or "")
        if not scopes:
            raise InvalidScope(
                "scope is required: a space-separated list such as 'Participant:read SurveyAnswers:read'"
            )
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if unknown:
            raise InvalidScope(f"unknown scope(s): {clipped(', '.join(unknown))}")
        token, expires_in = self.tokens.issue(
            "participant", participant.id, client_id, scopes, self.config.participant_token_lifetime, issuer
        )
        self.stats.token_issued("delegated_participant")
        return self._token_response(token, expires_in, scopes)

    @staticmethod
    def unusable_service_token(reason: str) -> str:
        """What a delegated grant says of a service token that does not verify (e.g. expired)."""
        return f"token is not a usable service access token: {reason}"

    # -- API auth + rate limit --------------------------------------------------------------
    def rate_limit_of(self, family: Family) -> int:
        """Requests per hour in one bucket of ``family``: the project's (admin) or a participant's (delegated)."""
        return self.config.admin_rate_limit if family == "admin" else self.config.rate_limit

    def anonymous_rate_headers(self, family: Family, client: str) -> dict[str, str]:
        """The RateLimit headers of a request without a usable token: the untouched anonymous budget."""
        return self.rate.peek((f"anonymous-{family}", client), self.rate_limit_of(family)).headers()

    def _bearer(self, authorization: str | None) -> AccessClaims:
        if not authorization or not authorization.strip():
            raise Unauthorized("missing access token: send Authorization: Bearer <access token>")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <access token>'")
        return self.tokens.verify(token.strip())

    def authorize(
        self,
        authorization: str | None,
        *,
        family: Family,
        client: str,
        need: TokenKind | None = None,
        scope: str | None = None,
        read_only: bool = True,
        label: str = "this endpoint",
    ) -> tuple[AccessClaims | None, dict[str, str]]:
        """Authenticate, then spend one request of the token's budget, then check kind and scope.

        Returns the claims and the RateLimit headers; raises ApiError subclasses carrying them.
        A request without a usable token spends nothing and is never rate limited: with ``need``
        it is a 401, without (unknown paths) it gets the anonymous budget's headers as they stand.
        """
        try:
            claims = self._bearer(authorization)
        except Unauthorized as failure:
            headers = self.anonymous_rate_headers(family, client)
            if need is None:
                return None, headers
            failure.headers.update(headers)
            raise
        budget: Family = "admin" if claims.kind == "service" else "delegated"  # the token's, whatever the path
        key = (budget, claims.project_id if budget == "admin" else claims.subject)
        limit = self.rate_limit_of(budget)
        who = "project" if budget == "admin" else "participant"
        state = self.rate.hit(key, limit)
        headers = state.headers()
        if not state.allowed:
            raise TooManyRequests(
                f"rate limit exceeded: {limit} requests per hour for this {who}; retry in {state.reset} s",
                headers,
            )
        if need is None:
            return claims, headers
        if claims.kind != need:
            wanted = (
                "a participant access token (grant_type=delegated_participant)"
                if need == "participant"
                else "a service access token (grant_type=client_credentials)"
            )
            raise Forbidden(f"{label} needs {wanted}; a {claims.kind} token was sent", headers)
        if scope is not None and not grants(claims.scopes, scope, read_only=read_only):
            raise Forbidden(f"{label} requires scope {scope}; the token has: {' '.join(claims.scopes)}", headers)
        return claims, headers

    # -- admin ------------------------------------------------------------------------------
    def _check_project(self, project_id: str, claims: AccessClaims) -> None:
        try:
            wanted = str(uuid.UUID(project_id.strip()))
        except ValueError:
            raise NotFound(f"project {shown(project_id)} not found") from None
        if wanted != claims.project_id or wanted != self.project.id:
            raise Forbidden(f"service account {self.config.service_account} has no access to project {wanted}")

    def list_participants(self, project_id: str, claims: AccessClaims, params: Params) -> dict[str, Any]:
        self._check_project(project_id, claims)
        return participant_page(self._index, params)

    def get_participant(self, project_id: str, claims: AccessClaims, identifier: str) -> dict[str, Any]:
        self._check_project(project_id, claims)
        participant = self.find_by_identifier(identifier)
        if participant is None:
            raise NotFound(f"participant {shown(identifier)} not found in project {self.project.id}")
        return participant.admin_json()

    # -- delegated --------------------------------------------------------------------------
    def participant_of(self, claims: AccessClaims) -> Participant:
        participant = self._by_id.get(claims.subject)
        if participant is None:  # a token from a sandbox with another seed sharing our key: impossible
            raise Unauthorized("access token refers to an unknown participant")
        return participant

    def read(self, collection: Collection[Any], claims: AccessClaims, params: Params) -> dict[str, Any] | list[Any]:
        """Serve a read of the token participant's rows in the collection's shape."""
        participant = self.participant_of(claims)
        rows, stamp = self.store.snapshot(participant, collection)
        return collection.shape.serve(Query(collection, rows, stamp, params, self.cursors, participant.id))

    # -- control plane ----------------------------------------------------------------------
    def reset(self) -> None:
        """Zero stats, rate-limit buckets, the jti cache and the clock offset; clear the faults; restore
        the seeded data (every write undone). Keys stay."""
        self.faults.clear()
        self.store.reset()
        self.stats.reset()
        self.rate.reset()
        self.tokens.reset()
        self.clock.reset()

    def revoke(self) -> None:
        """Invalidate every token issued so far (API calls with one: 401; a delegated grant: invalid_grant)."""
        self.tokens.revoke()

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox clock forward; ValueError for a negative, non-finite or too large step."""
        return self.clock.advance(seconds)

    def check_form_fields(self, pairs: list[tuple[str, str]]) -> dict[str, str]:
        form: dict[str, str] = {}
        for key, value in pairs:
            if key in form:
                raise InvalidRequest(f"parameter {shown(key)} is repeated")
            form[key] = value
        return form

