"""Every error mdh_notebook raises, under one root.

::

    MDHError
    ├── ConfigurationError        credentials or base URL missing / malformed (``.setting`` names which)
    │   └── GrantsFileError           (mdh_notebook.authenticator) the grants file is missing or wrong
    ├── ScopeError                unknown scope at connect(), or a call whose scope the session lacks
    ├── InvalidArgumentError      a filter or argument the API would refuse (also a ValueError)
    ├── ParticipantNotFound       no participant with that identifier or id
    ├── ClosedError               the session/client was closed (e.g. by leaving a ``with`` block)
    ├── TransportError            the server could not be reached / answered garbage
    ├── CLIError                  (mdh_notebook.cli) a command-line mistake, phrased in options
    ├── Refusal                   (mdh_notebook.authenticator) what the authenticator answers with an error
    ├── AuthenticatorStartError   (mdh_notebook.authenticator) its server could not start
    ├── CohortError               (mdh_notebook.cohort) every participant of a cohort read failed (``.failures``)
    ├── CacheLockTimeout          (mdh_notebook.cache) another writer held a cache file's lock past ``lock_timeout``
    └── APIError                  the server answered with an error status
        ├── BadRequestError           400 on an API call
        ├── TokenRequestError         400/401 from the token endpoint (``.error`` = OAuth code)
        ├── AuthenticationError       401: missing, invalid or expired token (after renewing, tried again)
        ├── PermissionDeniedError     403: the token may not do this
        ├── NotFoundError             404
        ├── RateLimitError            429: the hourly budget is spent (``.reset`` seconds)
        └── ServerError               5xx

Outside the tree, on purpose::

    ValueError
    └── CatalogueError            (mdh_notebook.kinds) a catalogue entry that contradicts itself
    BaseException
    └── _Stopped                  (mdh_notebook.cohort) stops a cohort's workers at their next page; never escapes
    Exception
    ├── Failure                   (mdh_notebook.retry) one failed try, carried through the retry policy
    └── FileProblem               (mdh_notebook.cache_files) a cache file that cannot be used: rebuilt, never raised

A ``CatalogueError`` is raised while the package is imported (or when you build a ``Kind`` /
``Operation`` / ``Param`` yourself): a bug in an entry, not a condition of the data, the
credentials or the server. Nothing is running yet that could handle it, and an ``except MDHError``
around a pull must never swallow a broken catalogue, so it is not an ``MDHError``. A ``Failure``
never reaches a caller: the retry policy unwraps it into the ``MDHError`` it carries.

Warnings (``UserWarning``s, never raised): :class:`SourceDisabledWarning` here, an empty frame
whose source the project has switched off; :class:`UnknownValueWarning`, an empty frame that
asked for a value the API does not list (a mistyped device data type); :class:`NaiveDatetimeWarning`,
a date-time filter without a time zone, taken as UTC; ``DataWarning`` (in
:mod:`mdh_notebook.converters`, also importable from :mod:`mdh_notebook.frames`), a value that
could not be read as its column's type; ``CacheWarning`` (in :mod:`mdh_notebook.cache`), a cache
file that could not be used and is rebuilt; ``CohortWarning`` (in :mod:`mdh_notebook.cohort`),
participants of a cohort read that failed (the others' rows kept).

HTTP statuses become exceptions in exactly one place: :func:`error_for_response` for MyDataHelps
(and the sandbox), :func:`error_for_authenticator` for an authenticator's answers to ``POST /token``.
No message here ever carries a token, an assertion or a key: messages are built from
the method, the path (never the query string of a token request) and the server's
``message`` / ``error_description``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from .paging import PagerState

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClosedError",
    "ConfigurationError",
    "InvalidArgumentError",
    "MDHError",
    "NaiveDatetimeWarning",
    "NotFoundError",
    "ParticipantNotFound",
    "PermissionDeniedError",
    "RateLimitError",
    "ScopeError",
    "ServerError",
    "SourceDisabledWarning",
    "TokenRequestError",
    "TransportError",
    "UnknownValueWarning",
    "error_for_authenticator",
    "error_for_response",
    "oauth_error_code",
    "redact",
]


class MDHError(Exception):
    """Root of every mdh_notebook error.

    ``pager_state``: set when a read failed part-way through its pages. It keeps what had arrived
    (``exc.pager_state.rows``, the records of the pages before the one that failed), so nothing
    fetched is lost: ``session.fetch(kind, resume=exc.pager_state, **same_filters)`` goes on from the
    page that failed and returns the whole frame, exactly what one fault-free fetch returns
    (``session.pager(kind, resume=...)`` yields only the pages after). None otherwise.
    ``tries``: how many attempts the retry policy made before giving up (0: the answer was final).
    """

    pager_state: PagerState | None = None
    tries: int = 0


class ConfigurationError(MDHError):
    """Credentials or the base URL are missing or malformed.

    ``setting``: which one, when the error is about one (``"base_url"``, ``"project_id"``,
    ``"private_key"``, ``"service_account"``), else ``""`` — ``mdh-notebook doctor`` names its step by it.
    """

    def __init__(self, message: str, *, setting: str = "") -> None:
        self.setting = setting
        super().__init__(message)


class ScopeError(MDHError):
    """A scope name is unknown, or the session lacks the scope a call needs."""


class InvalidArgumentError(MDHError, ValueError):
    """An argument the API would refuse, caught before any request."""


class ParticipantNotFound(MDHError, LookupError):
    """No participant in the project matches the given identifier or id."""

    def __init__(self, participant: str, message: str | None = None) -> None:
        self.participant = participant
        super().__init__(
            message
            or f"no participant {participant!r} in this project; pass a participantIdentifier "
            "(e.g. 'PT-0001') or the participant's internal id (a GUID) — client.participants() or "
            "`mdh-notebook participants` lists them"
        )


class ClosedError(MDHError):
    """The session or client was closed; connect again."""


class TransportError(MDHError):
    """The server could not be reached, or answered with something that is not the API."""


class SourceDisabledWarning(UserWarning):
    """An empty frame of a kind whose source the project has switched off for this participant
    (its DataCollectionSettings flag is false): no data because none is collected."""


class NaiveDatetimeWarning(UserWarning):
    """A date-time filter without a time zone (a naive ``datetime``, or a string with a time and no
    offset): it was taken as UTC, the package's one rule (:mod:`mdh_notebook.filters`). Give an
    aware datetime or an offset to mean another zone; a calendar date alone never warns."""


class UnknownValueWarning(UserWarning):
    """An empty frame asked for a value the API does not list (a device data ``type`` no
    ``device_data_types()`` row names): most likely a typo, not an absence of data."""


class APIError(MDHError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, status_code: int, method: str = "", path: str = "") -> None:
        self.status_code = status_code
        self.method = method
        self.path = path
        self.message = message
        where = f" ({method} {path})" if method else ""
        super().__init__(f"HTTP {status_code}{where}: {message}")


class BadRequestError(APIError):
    """400: the server refused the request's parameters."""


class TokenRequestError(APIError):
    """The token endpoint refused a token request; ``error`` is the OAuth error code."""

    def __init__(self, message: str, *, error: str, status_code: int, method: str = "", path: str = "") -> None:
        self.error = error
        super().__init__(message, status_code=status_code, method=method, path=path)


class AuthenticationError(APIError):
    """401: the token was missing, invalid or expired, and renewing did not help: each try renews
    once, and the request is tried up to ``RetryPolicy.renewals`` more times (default 2) before this."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not do this (a missing scope, the wrong kind of token)."""


class NotFoundError(APIError):
    """404: no such resource."""


class RateLimitError(APIError):
    """429: the hourly request budget is spent; ``reset`` is seconds until it refills."""

    def __init__(self, message: str, *, status_code: int, method: str = "", path: str = "",
                 limit: int | None = None, reset: int | None = None, sent: bool = True) -> None:
        self.limit = limit
        self.reset = reset
        self.sent = sent  # False: refused here, before sending, as the last answer said nothing was left
        super().__init__(message, status_code=status_code, method=method, path=path)
        if not sent:
            self.args = (f"not sent ({method} {path}): {message}",)


class ServerError(APIError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}

_RATE_HINT = ("the hourly budget is spent; wait for it to reset, or ask for a higher limit "
              "(the sandbox takes --rate-limit)")
_HINTS: dict[tuple[str, int], str] = {  # (API family, status) -> what to do about it
    ("admin", 401): "the service token was refused even after renewal; check RKS_SERVICE_ACCOUNT and its key",
    ("delegated", 401): "the participant token was refused even after renewal; connect again",
    ("admin", 403): "check RKS_PROJECT_ID and that the service account may use this project",
    ("delegated", 403): "reconnect with the scope this call needs",
    ("admin", 429): _RATE_HINT,
    ("delegated", 429): _RATE_HINT,
}
# what the token endpoint's refusals mean for the one who configured the client
_CLOCK_WORDS = re.compile(r"\b(?:expired|in the future|not yet valid|nbf|iat|lifetime too long)\b", re.IGNORECASE)
_CLOCK_HINT = ("the assertion's times are judged by the server's clock: check this machine's clock "
               "(e.g. timedatectl status; turn on NTP: timedatectl set-ntp true)")
_TOKEN_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unknown service account|unknown client|client not found", re.IGNORECASE),
     "check RKS_SERVICE_ACCOUNT: it is the service account's name exactly as registered with MyDataHelps"),
    (re.compile(r"signature", re.IGNORECASE),
     "RKS_PRIVATE_KEY is not the key registered for RKS_SERVICE_ACCOUNT: use that account's own key"),
    (re.compile(r"invalid_scope|unknown scope|scope", re.IGNORECASE),
     "ask only for scopes MyDataHelps knows (mdh_notebook.KNOWN_SCOPES) and the project grants"),
)


def _token_hint(error: str, message: str) -> str:
    """What to check when the token endpoint refuses: the clock, the account, the key, the scopes."""
    if error == "invalid_client" and _CLOCK_WORDS.search(message):
        return _CLOCK_HINT
    for pattern, hint in _TOKEN_HINTS:
        if pattern.search(message) or pattern.search(error):
            return hint
    if error == "invalid_client":
        return ("check RKS_SERVICE_ACCOUNT and that RKS_PRIVATE_KEY is its registered key; if both are right, "
                "check this machine's clock (the assertion is only valid for a few minutes)")
    return ""


_TOKENISH = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*|Bearer\s+(?!<)\S+", re.IGNORECASE)  # not "Bearer <token>"


def redact(text: str) -> str:
    """Server text goes into exceptions; a token echoed back in it must not (also a last guard on
    what ``mdh-notebook doctor`` prints)."""
    return _TOKENISH.sub("<redacted>", text)



def oauth_error_code(response: httpx.Response) -> str:
    """The OAuth ``error`` code of a token-endpoint response ('' when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _server_message(response: httpx.Response, *, answered_before: bool = False) -> str:
    """The server's own words: JSON ``message``/``error_description``/``error``, or plain text;
    an HTML page is described, never quoted (a proxy's or login page says nothing about the API).
    ``answered_before``: the same client had JSON answers from this server already, so a 5xx page
    is a gateway's (the base URL is not in question)."""
    if _is_html(response):
        reason = response.reason_phrase or "no reason given"
        if answered_before and response.status_code >= 500:
            return (f"a proxy or gateway answered with an HTML page ({response.status_code} {reason}) where the "
                    "API had answered with JSON before: the service behind it is failing or restarting")
        return (f"the server answered with an HTML page ({reason}), "
                "not the API's JSON — is MDH_BASE_URL a MyDataHelps API, or is a proxy or login page answering?")
    return redact(_raw_message(response))


def _is_html(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _raw_message(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else (response.reason_phrase or "no message")
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    if isinstance(body, str) and body:
        return body[:300]
    return response.reason_phrase or "no message"


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def error_for_response(response: httpx.Response, *, token_request: bool = False,
                       answered_before: bool = False) -> APIError:
    """The one mapping from an error response to an exception (not raised: returned).
    ``answered_before``: this server gave the same client JSON answers before this one (then a 5xx
    HTML page is described as a gateway's, not as a wrong base URL)."""
    status = response.status_code
    method = response.request.method
    path = response.request.url.path
    message = _server_message(response, answered_before=answered_before)
    if token_request and status in (400, 401):
        error = oauth_error_code(response) or "invalid_request"
        advice = _token_hint(error, message)
        text = f"token request refused ({error}): {message}" + (f" — {advice}" if advice else "")
        return TokenRequestError(text, error=error, status_code=status, method=method, path=path)
    if token_request and status in (404, 405):
        return NotFoundError(
            f"the token endpoint {response.request.url.copy_with(query=None)} answered {status} ({message}) — "
            "MDH_BASE_URL is probably wrong: it should be the site root of MyDataHelps, e.g. "
            "https://mydatahelps.org/ (the client adds identityserver/connect/token)",
            status_code=status, method=method, path=path)
    family = "admin" if "/administration/" in path else "delegated" if "/api/" in path.lower() else ""
    hint = _HINTS.get((family, status))  # none off the API (e.g. a pre-signed storage URL)
    text = f"{message} — {hint}" if hint else message
    if status == 429:
        reset = _int_header(response, "RateLimit-Reset")
        when = f"; resets in {reset} s" if reset is not None else ""
        return RateLimitError(text + when, status_code=status, method=method, path=path,
                              limit=_int_header(response, "RateLimit-Limit"), reset=reset)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    return cls(text, status_code=status, method=method, path=path)


_AUTHENTICATOR_PRINTED = "the URL `mdh-notebook authenticator` printed ('MDH authenticator listening on …')"


def error_for_authenticator(response: httpx.Response, *, url: str, participant: str,
                            hide: tuple[str, ...] = ()) -> MDHError:
    """An authenticator's refusal of ``POST /token`` (``{"error", "message"}``) as the error naming
    the fix (not raised: returned). ``hide``: values scrubbed from its words (the API key), as a
    last guard — the authenticator never echoes one. A 5xx is a :class:`ServerError`, which the
    retry policy tries again."""
    status = response.status_code
    method = response.request.method
    path = response.request.url.path
    code = oauth_error_code(response)
    said = _server_message(response)
    for secret in hide:
        if secret:
            said = said.replace(secret, "<hidden>")
    where: dict[str, Any] = {"method": method, "path": path, "status_code": status}
    if status == 401:
        return TokenRequestError(f"the authenticator at {url} does not know this API key ({said}) — check "
                                 "MDH_API_KEY or api_key=: it must be the key the authenticator's operator gave you",
                                 error=code or "invalid_api_key", **where)
    if status == 403 and code == "not_granted":
        return PermissionDeniedError(f"outside your grant: {said} — for more, ask the authenticator's operator "
                                     "to add it to your grant (its grants file)", **where)
    if status == 404 and code == "participant_not_found":
        return ParticipantNotFound(participant, f"{said} (the authenticator at {url} says)")
    if status in (404, 405):
        return NotFoundError(f"{url} has no token route ({said}): is MDH_AUTHENTICATOR_URL (authenticator=) "
                             f"{_AUTHENTICATOR_PRINTED}?", **where)
    if status in (400, 413):
        return BadRequestError(f"the authenticator refused the token request: {said}", **where)
    if status >= 500:
        return ServerError(f"the authenticator at {url} failed: {said}", **where)
    cls = _BY_STATUS.get(status, APIError)
    return cls(f"the authenticator at {url} answered: {said}", **where)
