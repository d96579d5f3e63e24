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

Whether a token is handed out again and the ``expires_in`` it is sent with are read from one clock
reading, so a token passing the check is never sent with less than the check allowed.

A participant the project does not have is remembered as missing for :data:`MISS_TTL` seconds: a key
holder of a ``["*"]`` grant asking again and again for an unknown identifier does not spend the
service account's (admin) request budget on each ask.

What a key holder is told of a MyDataHelps failure is short and generic (what failed, when to try
again: ``Retry-After`` on a spent budget); the detail — which is about the service account's
configuration, for the operator — goes to the log. Values echoed back (participant, scopes) are
clipped to :data:`ECHO_MAX` characters.

The log (logger ``mdh_notebook.authenticator``, INFO) says who (the grant's name, the peer address)
got what (participant, scopes, seconds left) or was refused and why. It never holds a token or a key.
"""

from __future__ import annotations

import difflib
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
from ..scopes import KNOWN_SCOPES, validate_scopes
from .grants import Grant, Grants

__all__ = ["ECHO_MAX", "LOGGER_NAME", "MISS_TTL", "IssuedToken", "Refusal", "TokenService", "peer_note"]

LOGGER_NAME = "mdh_notebook.authenticator"
log = logging.getLogger(LOGGER_NAME)

#: At most this many participant records and token caches are kept; expired ones go first.
MAX_CACHED = 10_000
#: Seconds a participant the project does not have is answered 404 without asking MyDataHelps again.
MISS_TTL = 60.0
#: The longest participant identifier asked for (longer ones are not looked up).
MAX_PARTICIPANT = 256
#: Characters of a caller's value (participant, scope) shown back in a message or the log.
ECHO_MAX = 64
_SCOPES_EXAMPLE = '["SurveyAnswers:read"]'
_FOLDED_SCOPES = {scope.casefold(): scope for scope in KNOWN_SCOPES}


def peer_note(peer: str) -> str:
    """`` (peer 127.0.0.1)`` for a log line, or nothing when the address is not known."""
    return f" (peer {peer})" if peer else ""


def _echo(value: str) -> str:
    """A caller's value quoted for a message: at most :data:`ECHO_MAX` characters, escapes visible."""
    return repr(value if len(value) <= ECHO_MAX else value[:ECHO_MAX] + "…")


def _json_type(value: object) -> str:
    """What a JSON value is, in JSON's words (a caller over HTTP never wrote a Python ``int``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string"


def _nearest_scope(name: str) -> str:
    folded = name.strip().casefold()
    for candidate in (folded, folded + ":read"):
        if candidate in _FOLDED_SCOPES:
            return _FOLDED_SCOPES[candidate]
    close = difflib.get_close_matches(folded, list(_FOLDED_SCOPES), n=1, cutoff=0.5)
    return _FOLDED_SCOPES[close[0]] if close else ""


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
        self._misses: dict[str, float] = {}  # identifier → when the project was found not to have it
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
        """The participant and the validated scopes asked, or a 400/403 :class:`Refusal` (worded for a
        caller over HTTP: JSON, not Python)."""
        if not isinstance(participant, str) or not participant.strip():
            raise Refusal(400, "invalid_request", 'name the participant: {"participant": "PT-0001", '
                          f'"scopes": {_SCOPES_EXAMPLE}}}')
        participant = participant.strip()
        if len(participant) > MAX_PARTICIPANT:
            raise Refusal(400, "invalid_request", f"participant is {len(participant)} characters; a "
                          f"participantIdentifier is at most {MAX_PARTICIPANT}")
        asked = grant.scopes if scopes is None else self._scopes(grant, scopes)
        if not grant.allows_participant(participant):
            near = grant.near_participant(participant)
            hint = f"; did you mean {near!r}?" if near else ""
            raise Refusal(403, "not_granted", f"participant {_echo(participant)} is not granted to this API key"
                          f"{hint} (GET /grant lists what it may ask for)")
        outside = grant.scopes_not_granted(asked)
        if outside:
            raise Refusal(403, "not_granted", f"scope(s) {', '.join(map(_echo, outside))} not granted to this API key "
                          f"(it may ask for {', '.join(grant.scopes)}); ask for fewer scopes")
        return participant, tuple(asked)

    @staticmethod
    def _scopes(grant: Grant, scopes: Any) -> tuple[str, ...]:
        """``scopes`` from a JSON body: an array of names (or one space-separated string, as OAuth's
        ``scope``), each a known name."""
        bad_shape = (f"scopes must be an array of scope names like {_SCOPES_EXAMPLE}, or left out for all "
                     f"the key's ({', '.join(grant.scopes)})")
        if isinstance(scopes, str):
            names: list[Any] = scopes.split()
        elif isinstance(scopes, list):
            names = scopes
        else:
            raise Refusal(400, "invalid_request", f"{bad_shape}; got {_json_type(scopes)}")
        if not names:
            raise Refusal(400, "invalid_request", f"scopes is empty: ask for at least one, e.g. {_SCOPES_EXAMPLE}, "
                          "or leave it out for all the key's")
        for name in names:
            if not isinstance(name, str):
                raise Refusal(400, "invalid_request", f"{bad_shape}; an item is {_json_type(name)}")
            parts = [part for part in name.replace(",", " ").split() if part]
            if len(parts) > 1 or not parts:
                items = ", ".join(f'"{part[:ECHO_MAX]}"' for part in parts[:8]) or '"SurveyAnswers:read"'
                raise Refusal(400, "invalid_request", f"each scope is its own array item: [{items}]")
            if parts[0] not in KNOWN_SCOPES:
                near = _nearest_scope(parts[0])
                hint = f"; did you mean {near!r}?" if near else ""
                raise Refusal(400, "invalid_request", f"unknown scope {_echo(parts[0])}{hint} (this key may ask "
                              f"for {', '.join(grant.scopes)}; GET /grant lists them)")
        try:
            return validate_scopes([name.strip() for name in names])  # known names: de-duplicated, in order
        except ScopeError as exc:  # pragma: no cover - every name was checked above
            raise Refusal(400, "invalid_request", str(exc)) from None

    def issue(self, grant: Grant, participant: Any, scopes: Any = None, *, rejected: Any = None,
              peer: str = "") -> IssuedToken:
        """A token for ``participant`` with exactly ``scopes`` (default: all the grant's), within ``grant``.

        ``rejected``: the access token the caller was handed and the API refused (a 401 — revoked, or
        expired early): if it is still the cached one, a new one is fetched instead; if the cache already
        holds a newer one, that is the answer. Ten callers with the same refused token cost one renewal.
        ``peer``: the caller's address, for the log.
        """
        where = peer_note(peer)
        try:
            if rejected is not None and not isinstance(rejected, str):
                raise Refusal(400, "invalid_request", "rejected_token must be the access_token that was refused")
            identifier, asked = self.check(grant, participant, scopes)
        except Refusal as refusal:
            log.info("refused grant %r: %s%s", grant.name, refusal.message, where)
            raise
        try:
            record = self._participant(identifier)
            cache = self._cache(str(record["id"]), asked)
            before = cache.token
            now = self.client.clock()  # one reading decides the hand-out and the expires_in sent with it
            # the whole seconds it would be handed out with: 120.9 s left is sent as 120, which the SDK
            # would answer with tokenWillExpire at once
            if before is not None and (int(before.remaining(now)) <= self.reuse_margin or _same(rejected, before)):
                token = self.client.run_flow(  # refused, or too little left for the SDK
                    lambda: cache.fresh_flow(force=True, stale=before))
            else:
                token = self.client.run_flow(cache.fresh_flow)  # cached unless it needs renewal by its own margin
        except ParticipantNotFound:
            log.info("refused grant %r: no participant %s in the project%s", grant.name, _echo(identifier), where)
            raise Refusal(404, "participant_not_found", f"no participant {_echo(identifier)} in this project; "
                          "check the participantIdentifier (and the grants file that lists it)") from None
        except Refusal:
            raise
        except MDHError as exc:
            raise self._upstream(grant, identifier, exc, where) from None
        reused = token is before
        left = token.remaining(now if reused else self.client.clock())
        issued = IssuedToken(token, max(0, int(left)), str(record["id"]), record.get("participantIdentifier"),
                             (record.get("demographics") or {}).get("timeZone") or None, self.base_url,
                             reused=reused)
        log.info("grant %r got a token for %s (%s), expires in %d s%s%s", grant.name, _echo(identifier),
                 " ".join(token.scopes), issued.expires_in, " (cached)" if issued.reused else "", where)
        if not issued.reused and token.lifetime <= self.reuse_margin and not self._warned_short:
            self._warned_short = True
            log.warning("participant tokens live %.0f s, no more than the %.0f s a JS SDK renews ahead: every "
                        "request gets a new token and the SDK asks again at once", token.lifetime, self.reuse_margin)
        return issued

    def _upstream(self, grant: Grant, participant: str, exc: MDHError, where: str) -> Refusal:
        """What the key holder is told: short and generic (the detail is about the service account's
        configuration, for the operator, and goes to the log)."""
        detail = str(exc).replace(", or unset it to use the embedded sandbox", " (--base-url / MDH_BASE_URL)")
        log.warning("grant %r asked for %s, MyDataHelps failed%s: %s", grant.name, _echo(participant), where, detail)
        if isinstance(exc, RateLimitError):
            seconds = max(1, int(exc.reset)) if exc.reset is not None else None
            after = f"retry in {seconds} s" if seconds is not None else "retry later"
            return Refusal(503, "upstream_rate_limited", f"MyDataHelps' request budget for this authenticator is "
                           f"spent; {after}", headers={"Retry-After": str(seconds)} if seconds is not None else {})
        if isinstance(exc, TransportError):
            return Refusal(502, "upstream_unavailable", "the authenticator cannot reach MyDataHelps just now; "
                           "retry in a minute (its operator's log has the detail)")
        status = getattr(exc, "status_code", None)
        if isinstance(status, int) and status >= 500:
            return Refusal(502, "upstream_error", f"MyDataHelps failed to answer the authenticator (HTTP {status}); "
                           "retry in a minute")
        return Refusal(502, "upstream_error", "MyDataHelps refused the authenticator's request; tell the "
                       "authenticator's operator (its log has the detail)")

    # -- caches --------------------------------------------------------------------------

    def _participant(self, identifier: str) -> dict[str, Any]:
        """The participant's record, looked up once; a miss is remembered for :data:`MISS_TTL` s."""
        now = self.client.clock()
        with self._lock:
            known = self._participants.get(identifier)
            missed = self._misses.get(identifier)
            if missed is not None and now - missed >= MISS_TTL:
                del self._misses[identifier]
                missed = None
        if known is not None:
            return known
        if missed is not None:
            raise ParticipantNotFound(identifier)
        try:
            record = self.client.find_participant(identifier)
        except ParticipantNotFound:
            with self._lock:
                _bounded(self._misses)[identifier] = self.client.clock()
            raise
        with self._lock:
            _bounded(self._participants)[identifier] = record
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


def _bounded(cache: dict[str, Any]) -> dict[str, Any]:
    """``cache`` with room for one more entry (the oldest dropped past :data:`MAX_CACHED`)."""
    if len(cache) >= MAX_CACHED:
        cache.pop(next(iter(cache)))
    return cache
