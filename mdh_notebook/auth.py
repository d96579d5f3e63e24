"""Tokens: the JWT client assertion, the two token sources, and one renewing ``httpx.Auth``.

Shape (after httpx's auth flows and google-auth's credentials):

* :class:`Token` — an access token with its expiry; ``needs_renewal(now)`` is true once
  less than ``margin`` seconds are left, where ``margin = min(120 s, lifetime / 4)``:
  the JS SDK's 120 s for long-lived tokens, scaled down for short ones.
* Token *sources* describe how to get a token as an httpx generator flow that yields the
  token request and returns a :class:`Token`:
  :class:`ServiceTokenSource` (``client_credentials`` + an RS256 assertion with a fresh
  ``jti``), :class:`ParticipantTokenSource` (``delegated_participant``, which first
  pulls a fresh service token from its own :class:`TokenCache`) and
  :class:`AuthenticatorTokenSource` (``POST {authenticator}/token`` with an API key: participant
  tokens from ``mdh-notebook authenticator``, which holds the service account instead). A source is
  told the token that was refused (``token_flow(rejected=...)``) when a 401 forced the renewal.
* :class:`TokenCache` — holds one token, renews it ahead of expiry, one renewal at a
  time however many threads call, and fires ``on_renew`` hooks with a
  :class:`RenewalEvent` (never the token itself).
* :class:`BearerAuth` — the ``httpx.Auth``: fresh token → request; on a 401 it renews
  once and retries once. It carries the rate-limit :class:`~mdh_notebook.retry.Budget` of the
  bucket its token spends (the service account's, or one participant's).

The clock is injected (``clock=time.time`` by default); nothing patches ``time``.
The flows are for a synchronous ``httpx.Client``: one thread at a time runs a cache's renewal
while the others wait for it, which is what makes it one renewal for many threads (an
``AsyncClient`` would need an asyncio condition instead). That wait always has a bound: a thread
that finds another's renewal still running after ``lock_timeout`` seconds (the client derives it
from its request timeout) gets a :class:`TransportError` saying so. No lock is held across a
token request, and a fresh token is read without one.

Retries of a failed token request are the client's (:mod:`mdh_notebook.retry`): it runs the flow
again from the start, so a service-token request sent again carries a new assertion with a new
``jti`` (a dropped answer may have spent the old one).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import httpx
import jwt

from .config import Config, shown
from .errors import (
    ConfigurationError,
    TransportError,
    error_for_authenticator,
    error_for_response,
    oauth_error_code,
)
from .retry import Budget

__all__ = [
    "ASSERTION_LIFETIME",
    "DELEGATED_CLIENT_ID",
    "LOCK_TIMEOUT",
    "NO_SERVICE_ACCOUNT",
    "RENEWAL_MARGIN_MAX",
    "AuthenticatorAnswer",
    "AuthenticatorTokenSource",
    "BearerAuth",
    "NoServiceAccount",
    "ParticipantTokenSource",
    "RenewalEvent",
    "ServiceTokenSource",
    "Token",
    "TokenCache",
    "TokenSource",
    "authenticator_url",
]

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Flow = Generator[httpx.Request, httpx.Response, "Token"]

ASSERTION_LIFETIME = 200.0  # seconds ahead, as the official quickstarts send today
RENEWAL_MARGIN_MAX = 120.0  # the JS SDK's accessTokenRenewalBufferSeconds
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DELEGATED_CLIENT_ID = "MyDataHelps.DelegatedParticipant"
DELEGATED_CLIENT_SECRET = "secret"  # a documented placeholder: the service token is the credential
LOCK_TIMEOUT = 90.0  # seconds a thread waits for another's renewal (a Client derives its own from its timeout)
NO_SERVICE_ACCOUNT = ("this client has no service account (it was opened through an authenticator, "
                      "Client.for_api): participant lookups, admin calls and service tokens need one — "
                      "use a Client made from a Config with RKS_SERVICE_ACCOUNT and its key")


@dataclass(frozen=True)
class Token:
    """An access token and when it expires (seconds on the injected clock)."""

    value: str = field(repr=False)
    issued_at: float
    expires_at: float
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"Token(<hidden>, lifetime={self.lifetime:.0f}s, scopes={list(self.scopes)}, "
                f"expires_at={datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat()})")

    @property
    def lifetime(self) -> float:
        return self.expires_at - self.issued_at

    @property
    def margin(self) -> float:
        """Renew this long before expiry: 120 s, or a quarter of a shorter lifetime."""
        return min(RENEWAL_MARGIN_MAX, self.lifetime / 4)

    @property
    def expires_in(self) -> float:
        """Seconds left now, on the wall clock (a token from an injected clock: use :meth:`remaining`)."""
        return self.remaining(time.time())

    def remaining(self, now: float) -> float:
        return self.expires_at - now

    def needs_renewal(self, now: float) -> bool:
        return self.remaining(now) <= self.margin


@dataclass(frozen=True)
class RenewalEvent:
    """What an ``on_renew`` hook is told. Carries no secret."""

    kind: str  # "service" | "participant"
    reason: str  # "initial" | "expiring" | "rejected"
    count: int  # renewals so far by this cache, this one included (the first token is 0)
    expires_in: float
    expires_at: datetime
    previous_remaining: float | None  # seconds the replaced token had left; None for the first


class TokenSource(Protocol):
    kind: str

    def token_flow(self, rejected: Token | None = None) -> Flow:
        """Yield the token request(s); return the new :class:`Token`. ``rejected``: the token the API
        refused with a 401, when that forced this renewal (a source whose issuer caches tokens says so)."""
        ...


def _token_from_response(response: httpx.Response, sent_at: float, asked: Sequence[str]) -> Token:
    if response.status_code != 200:
        raise error_for_response(response, token_request=True)
    try:
        body = response.json()
        value = body["access_token"]
        expires_in = float(body["expires_in"])
    except (ValueError, KeyError, TypeError):
        raise TransportError(
            f"the token endpoint {response.request.url.path} answered 200 without access_token/expires_in; "
            "is MDH_BASE_URL pointing at MyDataHelps?"
        ) from None
    scope = body.get("scope")
    scopes = tuple(scope.split()) if isinstance(scope, str) and scope else tuple(asked)
    return Token(str(value), sent_at, sent_at + expires_in, scopes)


def _form_request(url: str, form: dict[str, str]) -> httpx.Request:
    return httpx.Request("POST", url, data=form, headers={"Accept": "application/json"})


class ServiceTokenSource:
    """``client_credentials`` with an RS256 client assertion signed by the service account key."""

    kind = "service"

    def __init__(self, config: Config, *, clock: Clock = time.time) -> None:
        self._config = config
        self._clock = clock

    def __repr__(self) -> str:
        return f"ServiceTokenSource(account={self._config.service_account!r}, token_url={self._config.token_url!r})"

    def assertion(self) -> str:
        """A fresh signed assertion: iss = sub = the account, aud = the token URL, exp ≈ 200 s, new jti."""
        now = time.time()  # the server judges the assertion by the wall clock, not our token clock
        claims = {
            "iss": self._config.service_account,
            "sub": self._config.service_account,
            "aud": self._config.token_url,
            "iat": int(now),
            "exp": int(now + ASSERTION_LIFETIME),
            "jti": str(uuid.uuid4()),
        }
        # the key object is parsed once in Config; PEM text here would be re-parsed every call
        return jwt.encode(claims, self._config.private_key, algorithm="RS256", headers={"typ": "JWT"})

    def token_flow(self, rejected: Token | None = None) -> Flow:
        sent_at = self._clock()
        request = _form_request(self._config.token_url, {
            "scope": "api",
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.assertion(),
        })
        response = yield request
        return _token_from_response(response, sent_at, ("api",))


class NoServiceAccount:
    """The service token source of a client without a service account (:meth:`Client.for_api`):
    any use is a :class:`ConfigurationError` saying so, raised before any request."""

    kind = "service"

    def __repr__(self) -> str:
        return "NoServiceAccount()"

    def token_flow(self, rejected: Token | None = None) -> Flow:
        raise ConfigurationError(NO_SERVICE_ACCOUNT)
        yield  # a generator like every flow (never reached)


class ParticipantTokenSource:
    """``delegated_participant`` for one participant's internal id and exactly the scopes asked."""

    kind = "participant"

    def __init__(self, service: TokenCache, token_url: str, participant_id: str, scopes: Sequence[str],
                 *, clock: Clock = time.time) -> None:
        self._service = service
        self._token_url = token_url
        self.participant_id = participant_id
        self.scopes = tuple(scopes)
        self._clock = clock

    def __repr__(self) -> str:
        return f"ParticipantTokenSource(participant_id={self.participant_id!r}, scopes={list(self.scopes)})"

    def _exchange(self, service_token: Token) -> httpx.Request:
        return _form_request(self._token_url, {
            "scope": " ".join(self.scopes),
            "grant_type": "delegated_participant",
            "participant_id": self.participant_id,
            "client_id": DELEGATED_CLIENT_ID,
            "client_secret": DELEGATED_CLIENT_SECRET,
            "token": service_token.value,
        })

    def token_flow(self, rejected: Token | None = None) -> Flow:  # the token endpoint keeps no cache to tell
        service_token = yield from self._service.fresh_flow()
        sent_at = self._clock()
        response = yield self._exchange(service_token)
        if response.status_code == 400 and oauth_error_code(response) == "invalid_grant":
            # the server may have stopped honouring our service token (a restart, a revocation):
            # renew it once and ask again; a second refusal is the real answer
            service_token = yield from self._service.fresh_flow(force=True, stale=service_token)
            sent_at = self._clock()
            response = yield self._exchange(service_token)
        return _token_from_response(response, sent_at, self.scopes)


def authenticator_url(value: object, origin: str = "authenticator=") -> str:
    """The authenticator's URL (its root, with a trailing slash), or a :class:`ConfigurationError`
    naming the fix. A query, fragment or user part is refused without being shown: it may hold a key."""
    example = "(the URL `mdh-notebook authenticator` printed: 'MDH authenticator listening on …')"
    if not isinstance(value, str) or not value.strip():
        got = shown(value) if isinstance(value, str) else f"a {type(value).__name__}"
        raise ConfigurationError(f"{origin} must be the authenticator's URL, e.g. 'http://127.0.0.1:8765/' "
                                 f"{example}; got {got}", setting="authenticator")
    text = value.strip()
    if "://" not in text:
        host = text.split("/")[0]
        scheme = "http" if host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]") else "https"
        raise ConfigurationError(f"{origin} {shown(text)} has no scheme: write {scheme}://{text.rstrip('/')}/ "
                                 f"{example}", setting="authenticator")
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        raise ConfigurationError(f"{origin} {shown(text)} is not a URL; give the authenticator's, e.g. "
                                 f"'http://127.0.0.1:8765/' {example}", setting="authenticator") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"{origin} {shown(text)} must be an http(s) URL with a host {example}",
                                 setting="authenticator")
    root = parsed.copy_with(query=None, fragment=None, username=None, password=None)
    if parsed.query or parsed.fragment or parsed.userinfo:
        raise ConfigurationError(f"{origin} has a query, fragment or user name in it (not shown: it may hold a "
                                 f"key): give the URL alone, {root}, and the API key as MDH_API_KEY or api_key=",
                                 setting="authenticator")
    segments = [segment for segment in parsed.path.split("/") if segment]
    if segments and segments[-1].lower() in AUTHENTICATOR_ROUTES:
        base = root.copy_with(path="/" + "".join(f"{s}/" for s in segments[:-1]))
        raise ConfigurationError(f"{origin} {shown(text, limit=200)} names the authenticator's /{segments[-1]} "
                                 f"route: give its root, {base}", setting="authenticator")
    return str(root) if str(root).endswith("/") else f"{root}/"


AUTHENTICATOR_ROUTES = ("token", "grant", "health")


class _Hidden:
    """A secret held so that printing its holder (its repr, ``vars()``) never shows it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__


@dataclass(frozen=True)
class AuthenticatorAnswer:
    """What an authenticator's token answer says besides the token: whose it is, and which API it is for."""

    participant_id: str
    participant_identifier: str | None
    time_zone: str | None
    base_url: str

    @property
    def record(self) -> dict[str, Any]:
        """As much of the participant's admin record as a :class:`ParticipantSession` needs."""
        return {"id": self.participant_id, "participantIdentifier": self.participant_identifier,
                "demographics": {"timeZone": self.time_zone} if self.time_zone else {}}


class AuthenticatorTokenSource:
    """Participant tokens from an authenticator (``mdh-notebook authenticator``), for an API key.

    The flow is ``POST {authenticator}token`` with ``Authorization: Bearer <api key>`` and
    ``{"participant", "scopes"}`` — plus ``"rejected_token"`` when a 401 forced the renewal, so the
    authenticator replaces the token it had cached instead of handing the refused one out again. Its
    ``expires_in`` is the time *left* (a cached token is handed out part-spent), so the token's
    lifetime and renewal margin are measured from when it was asked for. Every answer's
    :class:`AuthenticatorAnswer` is kept as ``answer`` (connect() builds the session from the first).

    The API key never leaves the request header: not in the repr, ``vars()``, a log record or an
    error (the authenticator's refusals are mapped by :func:`~mdh_notebook.errors.error_for_authenticator`,
    scrubbed of it). The authenticator's 5xx answers and dropped connections are retried by the
    client's retry policy (a token request is safe to send again).
    """

    kind = "participant"

    def __init__(self, authenticator: str, api_key: str, participant: str, scopes: Sequence[str], *,
                 clock: Clock = time.time) -> None:
        self.url = authenticator_url(authenticator)
        if not isinstance(api_key, str) or not api_key.strip():
            raise ConfigurationError("no API key for the authenticator: pass api_key= or set MDH_API_KEY (in the "
                                     "environment or .env) to the key its operator gave you", setting="api_key")
        self.token_url = f"{self.url}token"
        self._api_key = _Hidden(api_key.strip())
        self.participant = participant
        self.scopes = tuple(scopes)
        self._clock = clock
        self.answer: AuthenticatorAnswer | None = None

    def __repr__(self) -> str:
        return (f"AuthenticatorTokenSource(url={self.url!r}, participant={self.participant!r}, "
                f"scopes={list(self.scopes)}, api_key=<hidden>)")

    def token_flow(self, rejected: Token | None = None) -> Flow:
        body: dict[str, Any] = {"participant": self.participant, "scopes": list(self.scopes)}
        if rejected is not None:
            body["rejected_token"] = rejected.value
        sent_at = self._clock()
        response = yield httpx.Request("POST", self.token_url, json=body, headers={
            "Authorization": f"Bearer {self._api_key.value}", "Accept": "application/json"})
        if response.status_code != 200:
            raise error_for_authenticator(response, url=self.url, participant=self.participant,
                                          hide=(self._api_key.value,))
        token, answer = self._read(response, sent_at)
        before = self.answer
        if before is not None and (answer.participant_id, answer.base_url) != (before.participant_id,
                                                                               before.base_url):
            raise TransportError(f"the authenticator at {self.url} now answers for another participant or API "
                                 f"than when this session began ({answer.base_url}); connect again")
        self.answer = answer
        return token

    def _read(self, response: httpx.Response, sent_at: float) -> tuple[Token, AuthenticatorAnswer]:
        try:
            body = response.json()
            value, base_url, participant_id = body["access_token"], body["base_url"], body["participant_id"]
            expires_in = float(body["expires_in"])
            if not (isinstance(value, str) and value and isinstance(base_url, str) and participant_id):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TransportError(f"{self.token_url} answered 200 without an authenticator's token (access_token, "
                                 "expires_in, base_url, participant_id): is MDH_AUTHENTICATOR_URL (authenticator=) "
                                 "the URL `mdh-notebook authenticator` printed?") from None
        scope = body.get("scope")
        scopes = tuple(scope.split()) if isinstance(scope, str) and scope else self.scopes
        identifier, zone = body.get("participant_identifier"), body.get("time_zone")
        answer = AuthenticatorAnswer(str(participant_id), str(identifier) if identifier else None,
                                     str(zone) if zone else None, base_url)
        return Token(value, sent_at, sent_at + max(0.0, expires_in), scopes), answer


class TokenCache:
    """One token from one source, renewed ahead of expiry; thread-safe, one renewal at a time.

    No lock is held across a token request: one thread marks the renewal as its own and runs the
    flow; the others wait on a condition for at most ``lock_timeout`` seconds, then give up with a
    :class:`TransportError` (a hanging token request must not hang every caller). httpx may close
    an abandoned flow later, on another thread (the garbage collector's): that only clears the mark.
    """

    def __init__(self, source: TokenSource, *, clock: Clock = time.time,
                 on_renew: Sequence[Callable[[RenewalEvent], Any]] = (), lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.source = source
        self._clock = clock
        self._changed = threading.Condition(threading.Lock())
        self._renewing = False  # a thread is running the source's flow
        self._token: Token | None = None
        self.renewals = 0
        self.hooks: list[Callable[[RenewalEvent], Any]] = list(on_renew)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"TokenCache({self.source!r}, token={self._token!r}, renewals={self.renewals})"

    @property
    def token(self) -> Token | None:
        return self._token

    def _reusable(self, force: bool, stale: Token | None) -> Token | None:
        """The cached token if it may be used as it is, else None."""
        current = self._token
        if current is None or current.needs_renewal(self._clock()) or (force and current is stale):
            return None
        return current

    def _claim(self, force: bool, stale: Token | None) -> Token | None:
        """A usable token, or None once this thread owns the renewal; waits (bounded) for another's."""
        deadline = time.monotonic() + self.lock_timeout
        with self._changed:
            while True:
                reusable = self._reusable(force, stale)
                if reusable is not None:
                    return reusable
                if not self._renewing:
                    self._renewing = True
                    return None
                left = deadline - time.monotonic()
                if left <= 0 or (not self._changed.wait(left) and self._renewing):
                    raise TransportError(
                        f"another thread has been renewing the {self.source.kind} token for over "
                        f"{self.lock_timeout:g} s (lock_timeout, derived from the request timeout) and has not "
                        "finished: the token endpoint may be hanging — try again, or give requests longer with "
                        "timeout=")

    def fresh_flow(self, *, force: bool = False, stale: Token | None = None) -> Flow:
        """Return a token good for at least its margin, fetching one if needed.

        ``force`` with ``stale`` renews only if the cached token is still the one that was
        refused — so ten threads hitting the same 401 cause one renewal, not ten.
        """
        reusable = self._reusable(force, stale)
        if reusable is not None:  # the common case waits for nothing
            return reusable
        reusable = self._claim(force, stale)
        if reusable is not None:  # another thread renewed it meanwhile
            return reusable
        try:
            current = self._token
            now = self._clock()
            reason = "initial" if current is None else ("rejected" if force else "expiring")
            refused = current if force and current is not None and current is stale else None
            new = yield from self.source.token_flow(rejected=refused)
            with self._changed:
                self._token = new
                if current is not None:
                    self.renewals += 1
                count = self.renewals
        finally:
            with self._changed:
                self._renewing = False
                self._changed.notify_all()
        self._fire(RenewalEvent(
            kind=self.source.kind, reason=reason, count=count, expires_in=new.lifetime,
            expires_at=datetime.fromtimestamp(new.expires_at, timezone.utc),
            previous_remaining=None if current is None else current.remaining(now),
        ))
        return new

    def seed(self, token: Token) -> None:
        """Hold ``token``, got from this cache's source before the cache existed, as its first token
        (hooks are told of it as ``initial``). ``connect()`` through an authenticator needs this: the
        first answer also says which API the session's client is for, so it comes before the client."""
        with self._changed:
            if self._token is not None or self._renewing:
                raise RuntimeError("seed() gives a cache its first token; this one already has one")
            self._token = token
        self._fire(RenewalEvent(kind=self.source.kind, reason="initial", count=0, expires_in=token.lifetime,
                                expires_at=datetime.fromtimestamp(token.expires_at, timezone.utc),
                                previous_remaining=None))

    def _fire(self, event: RenewalEvent) -> None:
        log.debug("%s token %s (renewal %d, expires in %.0f s)", event.kind, event.reason, event.count,
                  event.expires_in)
        for hook in list(self.hooks):
            try:
                hook(event)
            except Exception:  # a notebook callback must not break data fetching
                log.exception("on_renew hook %r failed", hook)


class BearerAuth(httpx.Auth):
    """Bearer auth from a :class:`TokenCache`: renew ahead of expiry; on a 401 renew once and retry.

    ``budget``: the rate-limit bucket this token spends (the client keeps it up to date from the
    RateLimit headers of every answer); by default one of its own, named after the token's kind.
    """

    requires_response_body = True

    def __init__(self, cache: TokenCache, budget: Budget | None = None) -> None:
        self.cache = cache
        self.budget = budget if budget is not None else Budget(f"the {cache.source.kind} token")

    def __repr__(self) -> str:
        return f"BearerAuth({self.cache.source!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """httpx's own, except that the flow is closed when httpx closes this one (on an error part-way):
        httpx's leaves it to the garbage collector, which may run much later, on another thread, while
        the cache still counts a renewal as running."""
        flow = self.auth_flow(request)
        try:
            request = next(flow)
            while True:
                response = yield request
                response.read()
                try:
                    request = flow.send(response)
                except StopIteration:
                    break
        finally:
            flow.close()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self.cache.fresh_flow()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code == 401:
            token = yield from self.cache.fresh_flow(force=True, stale=token)
            request.headers["Authorization"] = f"Bearer {token.value}"
            yield request
