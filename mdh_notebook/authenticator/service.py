"""The token service: a presented API key → its grant → a participant token from MyDataHelps.

The HTTP layer (:mod:`.app`) is thin; the decisions are here, where a test can call them:

* :meth:`TokenService.authenticate` — the API key's grant, or a 401 :class:`Refusal`;
* :meth:`TokenService.issue` — checks the participant and the scopes against the grant (a 403
  naming what is outside it), looks the participant up once (``Client.find_participant``), and
  hands out a token for exactly the asked scopes from a :class:`~mdh_notebook.auth.TokenCache`
  per (participant, scopes): the token exchange itself is the client wing's
  (``ParticipantTokenSource``), never re-implemented here.

A cached token is handed out again while the whole seconds it has left (its ``expires_in``) are more
than ``reuse_margin`` (and it does not need renewal by its own margin): many users and many renewals
cost the service one token per (participant, scopes) per lifetime. ``reuse_margin`` defaults to the JS
SDK's 120 s renewal buffer — the SDK fires ``tokenWillExpire`` at ``expires_in − 120`` s, so a token
handed out with 120 s or less would make it fire again at once, and ask again, in a loop.

The log (logger ``mdh_notebook.authenticator``, INFO) says who (the grant's name) got what
(participant, scopes, seconds left) or was refused and why. It never holds a token or a key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..auth import RENEWAL_MARGIN_MAX, ParticipantTokenSource, Token, TokenCache
from ..client import Client
from ..errors import MDHError, ParticipantNotFound, RateLimitError, ScopeError, TransportError
from ..scopes import validate_scopes
from .grants import Grant, Grants

__all__ = ["LOGGER_NAME", "IssuedToken", "Refusal", "TokenService"]

LOGGER_NAME = "mdh_notebook.authenticator"
log = logging.getLogger(LOGGER_NAME)

#: At most this many participant records and token caches are kept; expired ones go first.
MAX_CACHED = 10_000


class Refusal(MDHError):
    """A request the authenticator answers with an error: ``status``, OAuth-style ``error`` code and a
    ``message`` naming the fix. Never carries a token or a key."""

    def __init__(self, status: int, error: str, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.headers = dict(headers or {})
        super().__init__(message)

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}


@dataclass(frozen=True)
class IssuedToken:
    """A participant token as handed out: the token, seconds LEFT, and whose it is."""

    token: Token = field(repr=False)
    expires_in: int
    participant_id: str
    participant_identifier: str | None
    time_zone: str | None
    base_url: str
    reused: bool

    def as_json(self) -> dict[str, Any]:
        """The ``POST /token`` answer: what the JS SDK's ``setParticipantAccessToken`` takes, and more."""
        return {
            "access_token": self.token.value,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "scope": " ".join(self.token.scopes),
            "participant_id": self.participant_id,
            "participant_identifier": self.participant_identifier,
            "time_zone": self.time_zone,
            "base_url": self.base_url,
        }


def _same(presented: str | None, token: Token) -> bool:
    """Whether ``presented`` is ``token``'s value (digests compared in constant time)."""
    if presented is None:
        return False
    return hmac.compare_digest(hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest(),
                               hashlib.sha256(token.value.encode("utf-8")).digest())


class TokenService:
    """Grants → participant tokens through one :class:`~mdh_notebook.client.Client` (the service account).

    Thread-safe: the HTTP layer calls it from a thread pool. One renewal per (participant, scopes) at
    a time however many requests ask (each :class:`TokenCache` has its lock). Give it a client made with
    ``rate_limit_wait=0`` (as the CLI does): a spent budget is then a prompt 503 with ``Retry-After``
    rather than a request held open for minutes.
    """

    def __init__(self, client: Client, grants: Grants, *, reuse_margin: float = RENEWAL_MARGIN_MAX,
                 owns_client: bool = False) -> None:
        self.client = client
        self.grants = grants
        self.reuse_margin = reuse_margin
        self._owns_client = owns_client
        self._lock = threading.Lock()
        self._participants: dict[str, dict[str, Any]] = {}
        self._tokens: dict[tuple[str, tuple[str, ...]], TokenCache] = {}
        self._warned_short = False

    def __repr__(self) -> str:
        return (f"TokenService(base_url={self.client.base_url!r}, grants={len(self.grants)}, "
                f"cached_tokens={len(self._tokens)})")

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    @property
    def base_url(self) -> str:
        return self.client.base_url

    # -- who is asking -------------------------------------------------------------------

    def authenticate(self, authorization: str | None, *, peer: str = "") -> Grant:
        """The grant of the API key in an ``Authorization: Bearer <key>`` header value."""
        where = f" from {peer}" if peer else ""
        scheme, _, key = (authorization or "").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            log.info("refused a request%s: no API key (Authorization: Bearer <key> missing)", where)
            raise Refusal(401, "invalid_api_key", "send your API key as the header 'Authorization: Bearer <key>'",
                          headers={"WWW-Authenticate": 'Bearer realm="mdh-authenticator"'})
        grant = self.grants.match(key)
        if grant is None:
            log.info("refused a request%s: unknown API key", where)
            raise Refusal(401, "invalid_api_key", "unknown API key; ask the authenticator's operator for one "
                          "(a grant in its --config file)",
                          headers={"WWW-Authenticate": 'Bearer realm="mdh-authenticator", error="invalid_token"'})
        return grant

    # -- what they get -------------------------------------------------------------------

    def check(self, grant: Grant, participant: Any, scopes: Any) -> tuple[str, tuple[str, ...]]:
        """The participant and the validated scopes asked, or a 400/403 :class:`Refusal`."""
        if not isinstance(participant, str) or not participant.strip():
            raise Refusal(400, "invalid_request", 'name the participant: {"participant": "PT-0001", '
                          '"scopes": ["SurveyAnswers:read"]}')
        participant = participant.strip()
        try:
            asked = grant.scopes if scopes is None else validate_scopes(scopes)
        except ScopeError as exc:
            raise Refusal(400, "invalid_request", str(exc)) from None
        if not grant.allows_participant(participant):
            near = grant.near_participant(participant)
            hint = f"; did you mean {near!r}?" if near else ""
            raise Refusal(403, "not_granted", f"participant {participant!r} is not granted to this API key{hint} "
                          f"(GET /grant lists what it may ask for)")
        outside = grant.scopes_not_granted(asked)
        if outside:
            raise Refusal(403, "not_granted", f"scope(s) {', '.join(map(repr, outside))} not granted to this API key "
                          f"(it may ask for {', '.join(grant.scopes)}); ask for fewer scopes")
        return participant, tuple(asked)

    def issue(self, grant: Grant, participant: Any, scopes: Any = None, *, rejected: Any = None) -> IssuedToken:
        """A token for ``participant`` with exactly ``scopes`` (default: all the grant's), within ``grant``.

        ``rejected``: the access token the caller was handed and the API refused (a 401 — revoked, or
        expired early): if it is still the cached one, a new one is fetched instead; if the cache already
        holds a newer one, that is the answer. Ten callers with the same refused token cost one renewal.
        """
        try:
            if rejected is not None and not isinstance(rejected, str):
                raise Refusal(400, "invalid_request", "rejected_token must be the access_token that was refused")
            identifier, asked = self.check(grant, participant, scopes)
        except Refusal as refusal:
            log.info("refused grant %r: %s", grant.name, refusal.message)
            raise
        try:
            record = self._participant(identifier)
            cache = self._cache(str(record["id"]), asked)
            before = cache.token
            now = self.client.clock()
            # the whole seconds it would be handed out with: 120.9 s left is sent as 120, which the SDK
            # would answer with tokenWillExpire at once
            if before is not None and (int(before.remaining(now)) <= self.reuse_margin or _same(rejected, before)):
                token = self.client.run_flow(  # refused, or too little left for the SDK
                    lambda: cache.fresh_flow(force=True, stale=before))
            else:
                token = self.client.run_flow(cache.fresh_flow)  # cached unless it needs renewal by its own margin
        except ParticipantNotFound:
            log.info("refused grant %r: no participant %r in the project", grant.name, identifier)
            raise Refusal(404, "participant_not_found", f"no participant {identifier!r} in this project; check "
                          "the participantIdentifier (and the grants file that lists it)") from None
        except Refusal:
            raise
        except MDHError as exc:
            raise self._upstream(grant, identifier, exc) from None
        left = token.remaining(self.client.clock())
        issued = IssuedToken(token, max(0, int(left)), str(record["id"]), record.get("participantIdentifier"),
                             (record.get("demographics") or {}).get("timeZone") or None, self.base_url,
                             reused=token is before)
        log.info("grant %r got a token for %r (%s), expires in %d s%s", grant.name, identifier,
                 " ".join(token.scopes), issued.expires_in, " (cached)" if issued.reused else "")
        if not issued.reused and token.lifetime <= self.reuse_margin and not self._warned_short:
            self._warned_short = True
            log.warning("participant tokens live %.0f s, no more than the %.0f s a JS SDK renews ahead: every "
                        "request gets a new token and the SDK asks again at once", token.lifetime, self.reuse_margin)
        return issued

    def _upstream(self, grant: Grant, participant: str, exc: MDHError) -> Refusal:
        log.warning("grant %r asked for %r, MyDataHelps failed: %s", grant.name, participant, exc)
        if isinstance(exc, RateLimitError):
            after = {"Retry-After": str(exc.reset)} if exc.reset is not None else {}
            return Refusal(503, "upstream_rate_limited", f"MyDataHelps' request budget is spent; retry later "
                           f"({exc.message})", headers=after)
        if isinstance(exc, TransportError):
            return Refusal(502, "upstream_unavailable", f"cannot reach MyDataHelps: {exc}")
        return Refusal(502, "upstream_error", f"MyDataHelps refused the authenticator: {exc}")

    # -- caches --------------------------------------------------------------------------

    def _participant(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            known = self._participants.get(identifier)
        if known is not None:
            return known
        record = self.client.find_participant(identifier)
        with self._lock:
            if len(self._participants) >= MAX_CACHED:
                self._participants.pop(next(iter(self._participants)))
            self._participants[identifier] = record
        return record

    def _cache(self, participant_id: str, scopes: Sequence[str]) -> TokenCache:
        key = (participant_id, tuple(sorted(scopes)))
        with self._lock:
            cache = self._tokens.get(key)
            if cache is None:
                if len(self._tokens) >= MAX_CACHED:
                    self._prune()
                source = ParticipantTokenSource(self.client.service_tokens, self.client.token_url,
                                                participant_id, key[1], clock=self.client.clock)
                cache = self._tokens[key] = TokenCache(source, clock=self.client.clock)
            return cache

    def _prune(self) -> None:
        """Drop the caches whose token has expired (or never came); if none, the oldest."""
        now = self.client.clock()
        stale = [k for k, c in self._tokens.items() if c.token is None or c.token.remaining(now) <= 0]
        for key in stale or [next(iter(self._tokens))]:
            del self._tokens[key]
