"""Tokens: the JWT client assertion, the two token sources, and one renewing ``httpx.Auth``.

Shape (after httpx's auth flows and google-auth's credentials):

* :class:`Token` — an access token with its expiry; ``needs_renewal(now)`` is true once
  less than ``margin`` seconds are left, where ``margin = min(120 s, lifetime / 4)``:
  the JS SDK's 120 s for long-lived tokens, scaled down for short ones.
* Token *sources* describe how to get a token as an httpx generator flow that yields the
  token request and returns a :class:`Token`:
  :class:`ServiceTokenSource` (``client_credentials`` + an RS256 assertion with a fresh
  ``jti``) and :class:`ParticipantTokenSource` (``delegated_participant``, which first
  pulls a fresh service token from its own :class:`TokenCache`).
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

from .config import Config
from .errors import ConfigurationError, TransportError, error_for_response, oauth_error_code
from .retry import Budget

__all__ = [
    "ASSERTION_LIFETIME",
    "DELEGATED_CLIENT_ID",
    "LOCK_TIMEOUT",
    "NO_SERVICE_ACCOUNT",
    "RENEWAL_MARGIN_MAX",
    "BearerAuth",
    "NoServiceAccount",
    "ParticipantTokenSource",
    "RenewalEvent",
    "ServiceTokenSource",
    "Token",
    "TokenCache",
    "TokenSource",
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

    def token_flow(self) -> Flow:
        """Yield the token request(s); return the new :class:`Token`."""
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

    def token_flow(self) -> Flow:
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

    def token_flow(self) -> Flow:
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

    def token_flow(self) -> Flow:
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
            new = yield from self.source.token_flow()
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
