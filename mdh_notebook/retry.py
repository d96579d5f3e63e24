"""The one retry policy: which failures are tried again, how long to wait, when to give up, and
what the error then says. The client's request path and its token flows both go through it
(:meth:`Client.request`, :meth:`Client.run_flow`), whatever the transport: nothing here relies on
``httpx.HTTPTransport(retries=)``, so an injected transport is retried the same.

Built on stamina (``stamina.retry_context`` with an ``on=`` hook: exponential backoff with jitter,
bounded attempts, a total cap; ``stamina.set_testing(True, attempts=n, cap=True)`` makes every wait
zero in tests). stamina does not read ``RateLimit-Reset``; that is the job of
:class:`~mdh_notebook.budgets.Budget` (re-exported here), and a rate-limit pause waits through the
client's own ``sleep`` (a test passes one that moves the sandbox's clock).

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
out, the error counts what happened ("503 ×3, connection dropped ×2"). A network error names the
origin of the request that failed (``scheme://host:port/``: a token request may go to another host,
an authenticator's), and what this client heard from that origin decides the words: one that never
answered gets "cannot reach …" (with "check MDH_BASE_URL" when it is the API's), one that did is
"failing part-way"; an HTML 5xx page from an origin that gave 2xx JSON before is a gateway's.

Each try that will be tried again is one INFO line on the ``mdh_notebook.retry`` logger ("GET
/api/v1/…: 503 on try 1 of 5; trying again in 0.2–0.5 s"); a rate-limit wait is a WARNING there.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx
import stamina

from .budgets import Budget, RateLimit, spent_error
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
from .stopping import stop_event
from .stopping import stopped as _stopped

__all__ = ["Budget", "Failure", "RateLimit", "RetryPolicy", "Sender", "Tally", "classify", "reworded"]

log = logging.getLogger(__name__)

# stamina logs every scheduled retry as a bare "stamina.retry_scheduled" record (its details in extras,
# which no default format shows). With no logging configured, Python's last-resort handler prints
# such a WARNING on stderr — in `mdh-notebook fetch`, red in a notebook — saying nothing. A handler on
# the "stamina" logger keeps the last resort away; the records still propagate to any handler the user
# configures. Our own line (_note_retry, INFO on this module's logger) says what happened in words.
logging.getLogger("stamina").addHandler(logging.NullHandler())

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
        self.origin = ""  # origin_of() that request's URL; "" when not known (the base URL's is meant)

    def __str__(self) -> str:  # no token, no key: errors are redacted
        return f"{self.label}: {self.error}"

    def __repr__(self) -> str:  # what stamina's retry record carries (its "stamina.caused_by" extra)
        return f"Failure({str(self)!r})"


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


E = TypeVar("E", bound=MDHError)


def reworded(error: E, text: str) -> E:
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


# -- the loop that applies it ------------------------------------------------------------------

T = TypeVar("T")
Flow = Generator[httpx.Request, httpx.Response, T]
OnWait = Callable[[str], Any]


def origin_of(url: httpx.URL) -> str:
    """``scheme://host[:port]/`` of ``url``: the server a request went to (no user info, path or query)."""
    return _origin(url.scheme, url.host, url.port)


@functools.lru_cache(maxsize=64)
def _origin(scheme: str, host: str, port: int | None) -> str:
    # asked twice a request (the response hook, the error path): building a URL each time was ~0.4 ms a page
    return str(httpx.URL(scheme=scheme, host=host, port=port, path="/"))


def _is_json(response: httpx.Response) -> bool:
    kind = str(response.headers.get("content-type", "")).split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised before a request existed
        return None


def _waiting_trace(while_waiting: Callable[[], Any]) -> Callable[[str, Mapping[str, Any]], None]:
    """httpcore's ``trace`` callback that calls ``while_waiting()`` once a request is sent, as its
    response headers start to be read (``http11.…`` or ``http2.receive_response_headers.started``)."""
    def trace(event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("receive_response_headers.started"):
            while_waiting()

    return trace


class Sender:
    """Sends requests and token flows through one ``httpx.Client`` under a :class:`RetryPolicy`
    (the :class:`~mdh_notebook.client.Client` owns one). It notes, per origin, whether any answer
    came (which tells a wrong URL from a connection that drops part-way) and whether a 2xx JSON
    answer did (then an HTML 5xx page is a gateway's, not a sign of a wrong URL): a token request
    to an authenticator is judged by what the authenticator said, not by what the API said."""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, *, timeout: float, clock: Callable[[], float],
                 sleep: Callable[[float], object]) -> None:
        self.http = http
        self.policy = policy
        self.base_url = str(http.base_url)
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self._real_time = sleep is time.sleep  # then a stop event can wake a rate-limit wait (stop_on)
        self._base_origin = origin_of(http.base_url)
        self._answered: set[str] = set()  # origins that sent any answer
        self._json: set[str] = set()  # origins that sent a 2xx JSON answer
        self.anonymous = Budget("this client (no token)")
        http.event_hooks = {**http.event_hooks, "response": [*http.event_hooks.get("response", []), self._heard]}

    @property
    def reached(self) -> bool:
        """Whether any server answered this client yet."""
        return bool(self._answered)

    def answered(self, origin: str) -> bool:
        """Whether the server at ``origin`` (:func:`origin_of`) answered this client yet."""
        return origin in self._answered

    def _heard(self, response: httpx.Response) -> None:  # every response's hook, token requests' too
        origin = origin_of(response.request.url)
        self._answered.add(origin)
        if response.is_success and _is_json(response):
            self._json.add(origin)

    def _named(self, origin: str) -> str:
        """How a message names the server at ``origin``: the base URL as configured, when it is its."""
        return self.base_url if origin in ("", self._base_origin) else origin

    def _unreached_hint(self, origin: str) -> str:
        if origin in ("", self._base_origin):
            return "check MDH_BASE_URL, or unset it to use the embedded sandbox"
        return "it has never answered this client: check that the server there is running and that this is its URL"

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None, auth: httpx.Auth | None,
                json: Any, content: bytes | None, headers: Mapping[str, str] | None, budget: Budget | None,
                on_wait: OnWait | None, while_waiting: Callable[[], Any] | None = None) -> httpx.Response:
        """One request, tried as the policy says; the mapped error when it fails for good.
        ``while_waiting()``: called in this thread once a request has gone out, as its answer starts to
        be awaited (httpcore's ``trace`` extension, when it starts reading the response headers): once
        a try, twice when a 401 is renewed and sent again, never when nothing was sent or the transport
        does not pass the extension on. It must be cheap and repeatable, and should not raise: what it
        raises stops the request as it is (an ``MDHError`` would be taken for a token request's)."""
        budget = budget if budget is not None else self.anonymous
        idempotent = method.upper() in IDEMPOTENT
        tally = Tally()
        last: list[Failure] = []
        try:
            for attempt in self.policy.tries():
                with attempt:
                    try:
                        stopped = _stopped(method, path)
                        if stopped is not None:
                            raise stopped  # not a Failure: never tried again
                        self._pause(budget, last[-1] if last else None, method, path, on_wait)
                        return self._send_once(method, path, params, auth, json, content, headers, budget,
                                               idempotent, tally, while_waiting)
                    except Failure as failure:
                        last.append(failure)
                        self._note_retry(attempt, failure, self.policy)
                        raise
        except Failure:
            pass  # raised below, outside the handler: the caller's error has no context to print
        raise self._final(last[-1], tally, budget) from None

    def _send_once(self, method: str, path: str, params: Mapping[str, str] | None, auth: httpx.Auth | None,
                   json: Any, content: bytes | None, headers: Mapping[str, str] | None, budget: Budget,
                   idempotent: bool, tally: Tally, while_waiting: Callable[[], Any] | None = None) -> httpx.Response:
        extensions = {"trace": _waiting_trace(while_waiting)} if while_waiting is not None else None
        request = self.http.build_request(method, path, params=params, json=json, content=content, headers=headers,
                                          extensions=extensions)
        where = f"{method} {request.url.path}"
        origin = origin_of(request.url)
        try:
            response = self.http.send(request, auth=auth)
        except httpx.TransportError as exc:
            failed = _request_of(exc)
            token = failed is not None and failed is not request  # the auth flow's token request failed
            if failed is not None and token:
                where, origin = f"{failed.method} {failed.url.path}", origin_of(failed.url)
            network = self._network_error(exc, where, origin, write=not (idempotent or token))
            raise self._classify(exc, network, where, idempotent, token, tally, origin) from None
        except MDHError as exc:  # raised by a token flow inside the auth flow: a token request failed
            where = f"{exc.method} {exc.path}" if isinstance(exc, APIError) and exc.method else where
            raise self._classify(exc, exc, where, idempotent, True, tally, "") from None
        limits = RateLimit.from_headers(response.headers)
        if limits is not None and response.status_code != 401:  # a 401 shows the anonymous budget, not ours
            budget.update(limits, self.clock())
        if response.is_success:
            return response
        answered = origin_of(response.request.url)
        refused = error_for_response(response, answered_before=answered in self._json)
        if isinstance(refused, ServerError) and not idempotent:  # it arrived: the server may have done it
            refused = reworded(refused, f"{refused} — the server may have carried out this write before failing, "
                                        "so it is not sent again: check whether it took effect before sending it again")
        raise self._classify(refused, refused, where, idempotent, False, tally, answered)

    def _classify(self, exc: BaseException, error: MDHError, where: str, idempotent: bool, token_request: bool,
                  tally: Tally, origin: str) -> Failure:
        failure = classify(exc, error, idempotent=idempotent, token_request=token_request, policy=self.policy,
                           tally=tally)
        failure.where, failure.origin = where, origin
        return failure

    @staticmethod
    def _note_retry(attempt: stamina.Attempt, failure: Failure, policy: RetryPolicy) -> None:
        """Our line for a failed try that will be tried again (INFO): what failed, which try of how
        many, and the wait — ``GET /api/v1/…: 503 on try 1 of 5; trying again in 0.2–0.5 s``. Only
        redacted text: the request's method and path (no query), the tally label."""
        if not failure.again or attempt.num >= policy.attempts:
            return
        error = failure.error
        if isinstance(error, RateLimitError) and error.reset is not None:
            wait = f"when the budget returns (resets in {error.reset} s)"
        else:
            low = attempt.next_wait  # stamina's lower bound: its jitter comes on top (none in its test mode)
            high = low if stamina.is_testing() else min(policy.wait_max, low + policy.wait_jitter)
            wait = f"in {low:.1f} s" if high == low else f"in {low:.1f}–{high:.1f} s"
        log.info("%s: %s on try %d of %d; trying again %s", failure.where or "a request", failure.label,
                 attempt.num, policy.attempts, wait)

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
            answered_429 = last is not None and isinstance(last.error, RateLimitError)
            raise Failure("budget spent", spent_error(budget, wait, now, cap, method=method, path=path,
                                                      sent=answered_429), again=False)
        note = budget.waiting_note(wait, now, cap)
        log.warning("%s /%s: %s", method, path.lstrip("/"), note)
        if on_wait is not None:
            on_wait(note)
        event = stop_event()
        if event is not None and self._real_time:
            event.wait(wait)
            stopped = _stopped(method, path)
            if stopped is not None:
                raise stopped
        else:
            self.sleep(wait)
        budget.waited()

    def _network_error(self, exc: httpx.TransportError, where: str, origin: str, *, write: bool) -> TransportError:
        label, named = transport_label(exc), self._named(origin)
        if label is None:
            return TransportError(f"{where}: {type(exc).__name__} talking to {named}: {exc}")
        if write and label not in NEVER_ARRIVED:
            return TransportError(f"{where}: {label} ({type(exc).__name__}) before an answer came; a write is sent "
                                  "once, so check whether it took effect before sending it again")
        if label in TIMEOUTS:
            return TransportError(f"{where}: no answer from {named} within timeout={self.timeout:g} s "
                                  f"({label}); try again later, or give it longer with timeout= "
                                  "(e.g. connect(..., timeout=120))")
        if not self.answered(origin or self._base_origin) and label in NEVER_ARRIVED:
            return TransportError(f"{where}: cannot reach {named} ({type(exc).__name__}); "
                                  f"{self._unreached_hint(origin)}")
        return TransportError(f"{where}: {label} ({type(exc).__name__}) talking to {named}")

    def _final(self, failure: Failure, tally: Tally, budget: Budget) -> MDHError:
        """The error a caller gets: as it was when it is not worth trying again; when the tries ran
        out, what failed how often — never "cannot reach" for a server that answered before, and never
        "answered earlier requests" for one that did not (each judged by its own origin)."""
        error, origin = failure.error, failure.origin or self._base_origin
        if not (failure.again or failure.spent):
            if isinstance(error, RateLimitError) and error.reset is not None and failure.label == "429":
                return spent_error(budget, float(error.reset), self.clock(), self.policy.rate_limit_wait,
                                   method=error.method, path=error.path)
            return reworded(error, str(error))  # a fresh copy: no library frames, no chain
        final = self._gave_up(failure, tally, origin)
        final.tries = tally.tries
        return final

    def _gave_up(self, failure: Failure, tally: Tally, origin: str) -> MDHError:
        """The error of a failure retried until the tries ran out, saying what failed how often."""
        error, where = failure.error, failure.where
        times = f"{tally.tries} attempt{'s' if tally.tries != 1 else ''} ({tally})"
        if not isinstance(error, TransportError):
            return reworded(error, f"{error} — gave up after {times}")
        named = self._named(origin)
        if not self.answered(origin) and tally.only(*NEVER_ARRIVED):
            text = f"{where}: cannot reach {named} — gave up after {times}; {self._unreached_hint(origin)}"
        elif failure.label in TIMEOUTS:
            text = (f"{where}: no answer from {named} within timeout={self.timeout:g} s — gave up after "
                    f"{times}; try again later, or give it longer with timeout= (e.g. connect(..., timeout=120))")
        elif self.answered(origin):
            text = (f"{where}: gave up after {times}; {named} answered earlier requests, so the "
                    "connection or the server is failing part-way — try again later")
        else:
            text = (f"{where}: gave up after {times}; {named} has never answered this client (its connections "
                    "fail part-way): the server there or the network to it is failing — try again later")
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
                        self._note_retry(attempt, failure, policy)
                        raise
        except Failure:
            pass  # raised below, outside the handler (no context)
        raise self._final(last[-1], tally, self.anonymous) from None

    def _drive(self, flow: Flow[T], tally: Tally) -> T:
        try:
            request = next(flow)
            while True:
                where, origin = f"{request.method} {request.url.path}", origin_of(request.url)
                try:
                    response = self.http.send(request)
                except httpx.TransportError as exc:
                    network = self._network_error(exc, where, origin, write=False)
                    raise self._classify(exc, network, where, False, True, tally, origin) from None
                response.read()
                request = flow.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        except MDHError as exc:
            where = f"{exc.method} {exc.path}" if isinstance(exc, APIError) and exc.method else "a token request"
            raise self._classify(exc, exc, where, False, True, tally, "") from None
        finally:
            flow.close()
