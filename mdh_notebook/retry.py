"""The one retry policy: which failures are tried again, how long to wait, when to give up, and
what the error then says. The client's request path and its token flows both go through it
(:meth:`Client.request`, :meth:`Client.run_flow`), whatever the transport: nothing here relies on
``httpx.HTTPTransport(retries=)``, so an injected transport is retried the same.

Built on stamina (``stamina.retry_context`` with an ``on=`` hook: exponential backoff with jitter,
bounded attempts, a total cap; ``stamina.set_testing(True, attempts=n, cap=True)`` makes every wait
zero in tests). stamina does not read ``RateLimit-Reset``; that is :class:`Budget`'s job, and a
rate-limit pause waits through the client's own ``sleep`` (a test passes one that moves the
sandbox's clock).

What is tried again (``token`` = a token request, which is sent again with a *new* assertion)::

    failure                          GET / token    a write (POST, …)          tally label
    no connection / connect timeout  yes            yes: it never arrived      "no connection", "connect timeout"
    pool timeout                     yes            yes: it was never sent     "pool timeout"
    read / write timeout             yes            no: it may have arrived    "read timeout", "write timeout"
    connection dropped               yes            no                         "connection dropped"
    5xx                              yes            no                         "500", "502", "503", …
    401 after its one renewal        up to ``renewals`` more tries, each renewing once   "401"
    invalid_grant on a delegated grant (after renewing the service token once): as a 401  "invalid_grant"
    429 resetting within ``rate_limit_wait``    yes, after the wait (the server did nothing)   "429"
    anything else                    no

A 401 means the server did nothing, so a write is tried again after it too. When the tries run
out, the error counts what happened ("503 ×3, connection dropped ×2"); a server that was never
reached at all gets the "cannot reach … check MDH_BASE_URL" message, and only that one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx
import stamina

from .errors import (
    APIError,
    AuthenticationError,
    InvalidArgumentError,
    MDHError,
    RateLimitError,
    ServerError,
    TokenRequestError,
    TransportError,
    error_for_response,
)

__all__ = ["Budget", "Failure", "RateLimit", "RetryPolicy", "Sender", "Tally", "classify", "reworded"]

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request is tried.

    ``attempts``: tries in all, the first included. ``timeout``: seconds of trying after which no
    new try starts (rate-limit waits, up to ``rate_limit_wait``, come on top). ``wait_*``: stamina's
    exponential backoff (``wait_initial * 2**n`` plus up to ``wait_jitter``, at most ``wait_max``).
    ``renewals``: how many more times a request refused with 401 *after* its one renewal is tried
    (each try renews once). ``rate_limit_wait``: a spent budget that returns within this many
    seconds is waited out (and said so); a later one is raised as :class:`RateLimitError`.
    """

    attempts: int = 5
    timeout: float = 60.0
    wait_initial: float = 0.2
    wait_max: float = 5.0
    wait_jitter: float = 0.3
    renewals: int = 2
    rate_limit_wait: float = 300.0

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or self.attempts < 1:
            raise InvalidArgumentError(f"attempts must be an integer of at least 1 (1 = no retries), "
                                       f"got {self.attempts!r}")
        if isinstance(self.renewals, bool) or not isinstance(self.renewals, int) or self.renewals < 0:
            raise InvalidArgumentError(f"renewals must be an integer of at least 0, got {self.renewals!r}")
        for name in ("timeout", "wait_initial", "wait_max", "wait_jitter", "rate_limit_wait"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise InvalidArgumentError(f"{name} must be a number of seconds >= 0, got {value!r}")

    def tries(self) -> Iterator[stamina.Attempt]:
        """stamina's attempts: a failure is tried again when its :class:`Failure` says so."""
        return iter(stamina.retry_context(
            on=_again, attempts=self.attempts, timeout=self.timeout + self.rate_limit_wait,
            wait_initial=self.wait_initial, wait_max=self.wait_max, wait_jitter=self.wait_jitter,
        ))


class Failure(Exception):  # internal: carried through stamina, never raised to a caller
    """One failed try: its tally ``label``, the ``error`` a caller would get, and whether to try again."""

    def __init__(self, label: str, error: MDHError, again: bool, where: str = "", *, spent: bool = False) -> None:
        super().__init__(label, error, again)
        self.label = label
        self.error = error
        self.again = again
        self.spent = spent  # worth trying again, but this kind's own allowance is used up (renewals)
        self.where = where  # "GET /api/v1/…" of the request that failed (maybe the token request)

    def __str__(self) -> str:  # what stamina's retry log shows: no token, no key (errors are redacted)
        return f"{self.label}: {self.error}"


def _again(exc: Exception) -> bool:
    return isinstance(exc, Failure) and exc.again


class Tally:
    """What failed how often, in the order first seen: ``503 ×3, connection dropped ×2``."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, label: str) -> int:
        self.counts[label] = self.counts.get(label, 0) + 1
        return self.counts[label]

    @property
    def tries(self) -> int:
        return sum(self.counts.values())

    def only(self, *labels: str) -> bool:
        return bool(self.counts) and all(label in labels for label in self.counts)

    def __str__(self) -> str:
        return ", ".join(f"{label} ×{n}" for label, n in self.counts.items())


# -- what a failure is ------------------------------------------------------------------------

NEVER_ARRIVED = ("no connection", "connect timeout", "pool timeout")
TIMEOUTS = ("connect timeout", "read timeout", "write timeout", "pool timeout")

_HTTPX_LABELS: tuple[tuple[type[httpx.TransportError], str], ...] = (
    (httpx.ConnectTimeout, "connect timeout"),
    (httpx.PoolTimeout, "pool timeout"),
    (httpx.ReadTimeout, "read timeout"),
    (httpx.WriteTimeout, "write timeout"),
    (httpx.ConnectError, "no connection"),
    (httpx.RemoteProtocolError, "connection dropped"),
    (httpx.ReadError, "connection dropped"),
    (httpx.WriteError, "connection dropped"),
    (httpx.CloseError, "connection dropped"),
)


def transport_label(exc: httpx.TransportError) -> str | None:
    """The tally label of a network failure worth trying again; None for one that is not (a proxy
    refusing, an unsupported scheme, a request httpx could not even build)."""
    for cls, label in _HTTPX_LABELS:
        if isinstance(exc, cls):
            return label
    return None


def classify(exc: BaseException, error: MDHError, *, idempotent: bool, token_request: bool,
             policy: RetryPolicy, tally: Tally) -> Failure:
    """The decision: ``exc`` is what happened (an httpx error or our mapped error), ``error`` what
    the caller gets if it is final. ``idempotent``: a GET; ``token_request``: it failed on a token
    request (safe to send again with a new assertion)."""
    safe = idempotent or token_request
    if isinstance(exc, httpx.TransportError):
        label = transport_label(exc)
        if label is None:
            return Failure(type(exc).__name__, error, again=False)
        tally.add(label)
        return Failure(label, error, again=safe or label in NEVER_ARRIVED)
    if isinstance(exc, ServerError):
        label = str(exc.status_code)
        tally.add(label)
        return Failure(label, error, again=safe)
    if isinstance(exc, AuthenticationError) or (isinstance(exc, TokenRequestError) and exc.error == "invalid_grant"):
        # refused even after the one renewal (401), or a delegated grant refused after renewing the
        # service token once (invalid_grant): the token was good a moment ago, so a few more tries
        label = "401" if isinstance(exc, AuthenticationError) else "invalid_grant"
        tally.add(label)
        within = tally.counts.get("401", 0) + tally.counts.get("invalid_grant", 0) <= policy.renewals
        return Failure(label, error, again=within, spent=not within)
    if isinstance(exc, RateLimitError):
        tally.add("429")
        return Failure("429", error, again=exc.reset is not None and exc.reset <= policy.rate_limit_wait)
    return Failure(type(exc).__name__, error, again=False)


def reworded(error: MDHError, text: str) -> MDHError:
    """A fresh copy of ``error`` (same class and attributes, no traceback, no chain) saying ``text``
    — so a caller's ``except ServerError`` still matches after the message says more."""
    cls = type(error)
    new = cls.__new__(cls)
    new.__dict__.update(error.__dict__)
    new.args = (text,)
    if isinstance(new, APIError):
        prefix = f"HTTP {new.status_code}" + (f" ({new.method} {new.path})" if new.method else "") + ": "
        new.message = text.removeprefix(prefix)
    return new


# -- rate-limit budgets ------------------------------------------------------------------------

@dataclass(frozen=True)
class RateLimit:
    """The budget the server reported on its last response (``reset`` in seconds)."""

    limit: int
    remaining: int
    reset: int

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        try:
            return cls(int(headers["RateLimit-Limit"]), int(headers["RateLimit-Remaining"]),
                       int(headers["RateLimit-Reset"]))
        except (KeyError, ValueError):
            return None


def clock_time(at: float) -> str:
    """``14:05:10 UTC+02:00`` style: the local wall clock, which a notebook user reads."""
    moment = datetime.fromtimestamp(at, timezone.utc).astimezone()
    offset = moment.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    zone = "UTC" if not offset else f"UTC{'+' if offset >= timedelta(0) else '-'}{abs(hours):02d}:{rest:02d}"
    return f"{moment:%H:%M:%S} {zone}"


SPEND_LESS = ("to spend fewer requests: fetch narrower date ranges or fewer kinds (start=/end=, filters), keep the "
              "frames you already have instead of fetching them again, and for minute-level device data ask "
              "device_data_aggregate() (one row per interval) instead of every point")


class Budget:
    """One rate-limit bucket as its last response described it: the service account's (admin
    calls, one per project) or one participant's (delegated calls). The server says
    ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds) on every answer; when the last one
    said 0 left, the next request waits for the reset (within ``rate_limit_wait``) instead of
    provoking a 429. Thread-safe."""

    def __init__(self, owner: str) -> None:
        self.owner = owner  # "the service account", "participant 'PT-0001'"
        self._lock = threading.Lock()
        self._last: RateLimit | None = None
        self._returns_at: float | None = None  # clock time the spent budget comes back; None = not spent

    def __repr__(self) -> str:
        return f"Budget({self.owner!r}, last={self._last!r})"

    @property
    def last(self) -> RateLimit | None:
        return self._last

    def update(self, limits: RateLimit, now: float) -> None:
        with self._lock:
            self._last = limits
            self._returns_at = now + limits.reset if limits.remaining <= 0 else None

    def spent_for(self, now: float) -> float | None:
        """Seconds until the spent budget returns; None when it is not known to be spent."""
        with self._lock:
            if self._returns_at is None:
                return None
            if now >= self._returns_at:
                self._returns_at = None
                return None
            return self._returns_at - now

    def waited(self) -> None:
        """The wait is over: send (the next answer says how the budget stands)."""
        with self._lock:
            self._returns_at = None

    def _described(self) -> str:
        per_hour = f" ({self._last.limit} requests per hour)" if self._last else ""
        return f"the rate-limit budget of {self.owner}{per_hour}"

    def waiting_note(self, seconds: float, now: float, cap: float) -> str:
        return (f"waiting {seconds:.0f} s for {self._described()} to return (at {clock_time(now + seconds)}; "
                f"rate_limit_wait={cap:g} s)")

    def spent_text(self, seconds: float, now: float, cap: float) -> str:
        return (f"{self._described()} is spent; it returns at {clock_time(now + seconds)} (resets in {seconds:.0f} s), "
                f"later than rate_limit_wait={cap:g} s allows waiting — pass a larger rate_limit_wait= to wait it "
                f"out, or {SPEND_LESS}; or ask for a higher limit (the sandbox takes --rate-limit)")


def spent_error(budget: Budget, seconds: float, now: float, cap: float, *, method: str, path: str,
                status_code: int = 429) -> RateLimitError:
    """The :class:`RateLimitError` for a budget that returns later than ``cap`` (raised before
    sending when the last answer said nothing is left, or for a 429)."""
    limit = budget.last.limit if budget.last else None
    return RateLimitError(budget.spent_text(seconds, now, cap), status_code=status_code, method=method, path=path,
                          limit=limit, reset=int(seconds + 0.999))


# -- the loop that applies it ------------------------------------------------------------------

T = TypeVar("T")
Flow = Generator[httpx.Request, httpx.Response, T]
OnWait = Callable[[str], Any]


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised before a request existed
        return None


class Sender:
    """Sends requests and token flows through one ``httpx.Client`` under a :class:`RetryPolicy`
    (the :class:`~mdh_notebook.client.Client` owns one). ``reached``: whether any answer ever came,
    which tells a wrong base URL from a connection that dropped part-way."""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, *, timeout: float, clock: Callable[[], float],
                 sleep: Callable[[float], object]) -> None:
        self.http = http
        self.policy = policy
        self.base_url = str(http.base_url)
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.reached = False
        self.anonymous = Budget("this client (no token)")
        http.event_hooks = {**http.event_hooks, "response": [*http.event_hooks.get("response", []), self._heard]}

    def _heard(self, response: httpx.Response) -> None:
        self.reached = True

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None, auth: httpx.Auth | None,
                json: Any, content: bytes | None, headers: Mapping[str, str] | None, budget: Budget | None,
                on_wait: OnWait | None) -> httpx.Response:
        """One request, tried as the policy says; the mapped error when it fails for good."""
        budget = budget if budget is not None else self.anonymous
        idempotent = method.upper() in IDEMPOTENT
        tally = Tally()
        last: list[Failure] = []
        try:
            for attempt in self.policy.tries():
                with attempt:
                    try:
                        self._pause(budget, last[-1] if last else None, method, path, on_wait)
                        return self._send_once(method, path, params, auth, json, content, headers, budget,
                                               idempotent, tally)
                    except Failure as failure:
                        last.append(failure)
                        raise
        except Failure:
            pass  # raised below, outside the handler: the caller's error has no context to print
        raise self._final(last[-1], tally, budget) from None

    def _send_once(self, method: str, path: str, params: Mapping[str, str] | None, auth: httpx.Auth | None,
                   json: Any, content: bytes | None, headers: Mapping[str, str] | None, budget: Budget,
                   idempotent: bool, tally: Tally) -> httpx.Response:
        request = self.http.build_request(method, path, params=params, json=json, content=content, headers=headers)
        where = f"{method} {request.url.path}"
        try:
            response = self.http.send(request, auth=auth)
        except httpx.TransportError as exc:
            failed = _request_of(exc)
            token = failed is not None and failed is not request  # the auth flow's token request failed
            if failed is not None and token:
                where = f"{failed.method} {failed.url.path}"
            network = self._network_error(exc, where, write=not (idempotent or token))
            raise self._classify(exc, network, where, idempotent, token, tally) from None
        except MDHError as exc:  # raised by a token flow inside the auth flow: a token request failed
            where = f"{exc.method} {exc.path}" if isinstance(exc, APIError) and exc.method else where
            raise self._classify(exc, exc, where, idempotent, True, tally) from None
        limits = RateLimit.from_headers(response.headers)
        if limits is not None and response.status_code != 401:  # a 401 shows the anonymous budget, not ours
            budget.update(limits, self.clock())
        if response.is_success:
            return response
        refused = error_for_response(response)
        raise self._classify(refused, refused, where, idempotent, False, tally)

    def _classify(self, exc: BaseException, error: MDHError, where: str, idempotent: bool, token_request: bool,
                  tally: Tally) -> Failure:
        failure = classify(exc, error, idempotent=idempotent, token_request=token_request, policy=self.policy,
                           tally=tally)
        failure.where = where
        return failure

    def _pause(self, budget: Budget, last: Failure | None, method: str, path: str, on_wait: OnWait | None) -> None:
        """Before a try: wait for a spent budget (the last answer said 0 left, or a 429 said when it
        resets) within ``rate_limit_wait``, saying so; beyond it, raise without sending."""
        now = self.clock()
        wait = budget.spent_for(now)
        if last is not None and isinstance(last.error, RateLimitError) and last.error.reset is not None:
            wait = max(wait or 0.0, float(last.error.reset))  # a token endpoint's 429 spends no budget of ours
        if wait is None or wait <= 0:
            return
        cap = self.policy.rate_limit_wait
        if wait > cap:
            raise Failure("budget spent", spent_error(budget, wait, now, cap, method=method, path=path), again=False)
        note = budget.waiting_note(wait, now, cap)
        log.warning("%s /%s: %s", method, path.lstrip("/"), note)
        if on_wait is not None:
            on_wait(note)
        self.sleep(wait)
        budget.waited()

    def _network_error(self, exc: httpx.TransportError, where: str, *, write: bool) -> TransportError:
        label = transport_label(exc)
        if label is None:
            return TransportError(f"{where}: {type(exc).__name__} talking to {self.base_url}: {exc}")
        if write and label not in NEVER_ARRIVED:
            return TransportError(f"{where}: {label} ({type(exc).__name__}) before an answer came; a write is sent "
                                  "once, so check whether it took effect before sending it again")
        if label in TIMEOUTS:
            return TransportError(f"{where}: no answer from {self.base_url} within timeout={self.timeout:g} s "
                                  f"({label}); try again later, or give it longer with timeout= "
                                  "(e.g. connect(..., timeout=120))")
        if not self.reached and label in NEVER_ARRIVED:
            return TransportError(f"{where}: cannot reach {self.base_url} ({type(exc).__name__}); "
                                  "check MDH_BASE_URL, or unset it to use the embedded sandbox")
        return TransportError(f"{where}: {label} ({type(exc).__name__}) talking to {self.base_url}")

    def _final(self, failure: Failure, tally: Tally, budget: Budget) -> MDHError:
        """The error a caller gets: as it was when it is not worth trying again; when the tries ran
        out, what failed how often — never "cannot reach" for a server that answered before."""
        error, where = failure.error, failure.where
        if not (failure.again or failure.spent):
            if isinstance(error, RateLimitError) and error.reset is not None and failure.label == "429":
                return spent_error(budget, float(error.reset), self.clock(), self.policy.rate_limit_wait,
                                   method=error.method, path=error.path)
            return reworded(error, str(error))  # a fresh copy: no library frames, no chain
        times = f"{tally.tries} attempt{'s' if tally.tries != 1 else ''} ({tally})"
        if not isinstance(error, TransportError):
            return reworded(error, f"{error} — gave up after {times}")
        if not self.reached and tally.only(*NEVER_ARRIVED):
            text = (f"{where}: cannot reach {self.base_url} — gave up after {times}; check MDH_BASE_URL, "
                    "or unset it to use the embedded sandbox")
        elif failure.label in TIMEOUTS:
            text = (f"{where}: no answer from {self.base_url} within timeout={self.timeout:g} s — gave up after "
                    f"{times}; try again later, or give it longer with timeout= (e.g. connect(..., timeout=120))")
        else:
            text = (f"{where}: gave up after {times}; {self.base_url} answered earlier requests, so the "
                    "connection or the server is failing part-way — try again later")
        return reworded(error, text)

    def run_flow(self, flow: Callable[[], Flow[T]] | Flow[T]) -> T:
        """Run a token flow under the policy: a maker (called per try) is run again from the start,
        with a new assertion; a flow object itself can only be run once."""
        policy = self.policy if callable(flow) else replace(self.policy, attempts=1)
        tally = Tally()
        last: list[Failure] = []
        try:
            for attempt in policy.tries():
                with attempt:
                    try:
                        return self._drive(flow() if callable(flow) else flow, tally)
                    except Failure as failure:
                        last.append(failure)
                        raise
        except Failure:
            pass  # raised below, outside the handler (no context)
        raise self._final(last[-1], tally, self.anonymous) from None

    def _drive(self, flow: Flow[T], tally: Tally) -> T:
        try:
            request = next(flow)
            while True:
                where = f"{request.method} {request.url.path}"
                try:
                    response = self.http.send(request)
                except httpx.TransportError as exc:
                    network = self._network_error(exc, where, write=False)
                    raise self._classify(exc, network, where, False, True, tally) from None
                response.read()
                request = flow.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        except MDHError as exc:
            where = f"{exc.method} {exc.path}" if isinstance(exc, APIError) and exc.method else "a token request"
            raise self._classify(exc, exc, where, False, True, tally) from None
        finally:
            flow.close()
