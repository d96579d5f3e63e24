"""One client object owning one ``httpx.Client``: transport, retries, the rate-limit
budget, and the single place where HTTP statuses become exceptions.

:meth:`Client.frame` is the one path every read kind takes: catalogue entry → checked
query parameters → pager (maximum page size) → records → one typed frame.
:meth:`Client.call` is the one path every write takes: operation → filled path and checked
query parameters → one request with its body → the decoded JSON (None for an empty body).
Only GETs are retried on a 5xx; a write is sent once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
import pandas as pd

from . import __version__
from .auth import BearerAuth, RenewalEvent, ServiceTokenSource, TokenCache
from .config import Config
from .errors import (
    APIError,
    ClosedError,
    InvalidArgumentError,
    MDHError,
    ParticipantNotFound,
    RateLimitError,
    ServerError,
    TransportError,
    error_for_response,
)
from .filters import as_integer, encode_params, encode_path
from .frames import check_tz, convert_tz, to_frame
from .kinds import Kind, Operation
from .kinds import kind as lookup_kind
from .kinds import operation as lookup_operation
from .paging import Pager, PagerState
from .progress import PageProgress

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .session import ParticipantSession

__all__ = ["Client", "RateLimit"]

T = TypeVar("T")

_GUID_LEN = 36


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


class Client:
    """A connection to one MyDataHelps project (or the sandbox) as its service account.

    ``transport`` replaces httpx's network transport (tests, proxies); ``clock`` is the
    time source for token expiry; ``retries`` covers connection failures and 5xx on GETs;
    ``rate_limit_wait`` is how many seconds a 429 may be waited out before it is raised;
    ``sleep(seconds)`` is how a retry waits (tests pass one that returns at once, or records).
    """

    def __init__(self, config: Config, *, transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 clock: Callable[[], float] = time.time, retries: int = 2, rate_limit_wait: float = 0.0,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.config = config
        self.clock = clock
        self._sleep = sleep
        self._retries = retries
        self._rate_limit_wait = rate_limit_wait
        self._http = httpx.Client(
            base_url=config.base_url,
            transport=transport or httpx.HTTPTransport(retries=retries),
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": f"mdh_notebook/{__version__}"},
        )
        self.service_tokens = TokenCache(ServiceTokenSource(config, clock=clock), clock=clock)
        self.service_auth = BearerAuth(self.service_tokens)
        self.rate_limit: RateLimit | None = None

    def __repr__(self) -> str:
        return f"Client(base_url={self.config.base_url!r}, service_account={self.config.service_account!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def _check_open(self) -> None:
        if self._http.is_closed:
            raise ClosedError("this client (or the session made with it) is closed — e.g. by leaving its "
                              "`with` block; connect again")

    def _unreachable(self, method: str, path: str, exc: Exception) -> TransportError:
        return TransportError(f"{method} {path}: cannot reach {self.config.base_url} ({type(exc).__name__}); "
                              "check MDH_BASE_URL, or unset it to use the embedded sandbox")

    # -- the one request path -------------------------------------------------------------

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                auth: httpx.Auth | None = None, json: Any = None, content: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> httpx.Response:
        """Send, retrying 5xx (and a 429 that resets within ``rate_limit_wait``) on GETs only;
        raise the mapped error on failure. ``json`` or ``content`` is the body, if any."""
        self._check_open()
        if json is not None and content is not None:
            raise InvalidArgumentError(f"{method} {path}: send a json= body or content=, not both")
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, params=params, auth=auth, json=json, content=content,
                                              headers=headers)
            except httpx.TimeoutException as exc:
                raise TransportError(f"{method} {path}: no answer from {self.config.base_url} in time "
                                     f"({type(exc).__name__}); retry, or raise timeout=") from None
            except httpx.TransportError as exc:
                raise self._unreachable(method, path, exc) from None
            limits = RateLimit.from_headers(response.headers)
            if limits is not None:
                self.rate_limit = limits
            if response.is_success:
                return response
            error = error_for_response(response)
            retryable = method == "GET" and attempt < self._retries
            if isinstance(error, ServerError) and retryable:
                attempt += 1
                self._sleep(0.25 * 2 ** attempt)
                continue
            if (isinstance(error, RateLimitError) and retryable and error.reset is not None
                    and error.reset <= self._rate_limit_wait):
                attempt += 1
                self._sleep(error.reset + 0.05)
                continue
            raise error

    def run_flow(self, flow: Generator[httpx.Request, httpx.Response, T]) -> T:
        """Drive a token flow (see :mod:`mdh_notebook.auth`) outside any API request."""
        self._check_open()
        try:
            request = next(flow)
            while True:
                try:
                    response = self._http.send(request)
                except httpx.TransportError as exc:
                    raise self._unreachable(request.method, request.url.path, exc) from None
                response.read()
                request = flow.send(response)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        finally:
            flow.close()

    @staticmethod
    def _decode(response: httpx.Response, allow_empty: bool = False) -> Any:
        if allow_empty and not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise TransportError(
                f"{response.request.method} {response.request.url.path}: the server answered "
                f"{response.status_code} with something that is not JSON "
                f"({response.headers.get('content-type', 'no content type')}); is the base URL a MyDataHelps API?"
            ) from None

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, auth: httpx.Auth | None = None) -> Any:
        return self._decode(self.request("GET", path, params=params, auth=auth))

    def fill_path(self, template: str, values: Mapping[str, Any] | None = None, *, what: str = "") -> str:
        """``template`` with its ``{placeholders}`` filled from ``values``, each percent-encoded;
        ``{project_id}`` comes from the configuration."""
        from string import Formatter

        names = [name for _, name, _, _ in Formatter().parse(template) if name is not None]
        given = dict(values or {})
        filled: dict[str, str] = {"project_id": quote(self.config.project_id, safe="")}
        where = what or template
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise InvalidArgumentError(f"{where} got unknown path argument(s) {', '.join(unknown)}; "
                                       f"it takes: {', '.join(n for n in names if n != 'project_id') or 'none'}")
        for name in names:
            if name == "project_id":
                continue
            value = given.get(name)
            number = as_integer(value) if not isinstance(value, str) else None
            if number is not None:
                value = number  # an id taken from a frame is a numpy integer
            if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
                raise InvalidArgumentError(f"{where} needs {name}= (a non-empty string or an integer), got {value!r}")
            filled[name] = quote(str(value), safe="")
        return template.format(**filled)

    # -- read kinds ----------------------------------------------------------------------

    def kind_path(self, kind: Kind) -> str:
        return self.fill_path(kind.path, what=f"{kind.name}()")

    def pager(self, kind: Kind | str, filters: Mapping[str, Any] | None = None, *,
              auth: httpx.Auth | None = None, resume: PagerState | None = None) -> Pager:
        """The pager for ``kind`` with checked ``filters``; ``resume`` goes on from a pager's state."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        params = encode_params(entry, filters or {})
        path = self.fill_path(entry.path, encode_path(entry, filters or {}), what=f"{entry.name}()")
        auth = auth if auth is not None else self.service_auth

        def fetch(path: str, page_params: Mapping[str, str]) -> Any:
            return self.get_json(path, page_params, auth=auth)

        return Pager(fetch, entry, path, params, resume=resume)

    def frame(self, kind: Kind | str, filters: Mapping[str, Any] | None = None, *,
              auth: httpx.Auth | None = None, tz: str | None = None, progress: bool | None = None,
              on_page: Callable[[PagerState], Any] | None = None) -> pd.DataFrame:
        """Every record of ``kind`` matching ``filters`` as one typed frame (paging invisible).

        Pages are gathered first and converted once: a frame per page then ``concat`` was
        measured at ~30 ms per 100-record page of fixed per-column cost (benchmarks/run.py).
        ``progress``: a bar for a long pull (see :mod:`mdh_notebook.progress`); ``on_page``: called
        with the pager's :class:`PagerState` after every page (a widget's own progress). An error part-way
        carries the pager's state as ``exc.pager_state``, to resume from with :meth:`pager`.
        """
        if tz:
            check_tz(tz)
        pager = self.pager(kind, filters, auth=auth)
        records: list[dict[str, Any]] = []
        with PageProgress(pager.kind.name, progress) as bar:
            try:
                for page in pager.pages:
                    records.extend(page)
                    bar.update(pager.state, len(page))
                    if on_page is not None:
                        on_page(pager.state)
            except MDHError as exc:
                exc.pager_state = pager.state  # where to resume: the page that failed
                raise
        frame = to_frame(pager.kind, records)
        frame.attrs["pages"] = pager.pages_fetched
        return convert_tz(frame, tz) if tz else frame

    # -- writes --------------------------------------------------------------------------

    def call(self, operation: Operation | str, *, path: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
             headers: Mapping[str, str] | None = None, auth: httpx.Auth | None = None) -> Any:
        """Run one catalogue operation: the decoded JSON answer, or None for an empty body.

        ``path`` fills the operation's ``{placeholders}``; ``params`` are its filters; the body is
        ``json`` (a ``json`` operation) or ``content`` (a ``bytes`` one). Everything is checked
        before the request; a write is sent once (never retried).
        """
        op = lookup_operation(operation) if isinstance(operation, str) else operation
        where = f"{op.name}()"
        if op.body == "json" and json is None:
            raise InvalidArgumentError(f"{where} sends a JSON body: pass json=...")
        if op.body == "bytes" and not isinstance(content, (bytes, bytearray)):
            raise InvalidArgumentError(f"{where} sends raw bytes: pass content=b'...'")
        if (op.body != "json" and json is not None) or (op.body != "bytes" and content is not None):
            raise InvalidArgumentError(f"{where} sends {'no' if op.body == 'none' else op.body} body; "
                                       f"leave out {'json=' if json is not None else 'content='}")
        url = self.fill_path(op.path, path, what=where)
        query = encode_params(op, params or {})
        response = self.request(op.method, url, params=query or None,
                                auth=auth if auth is not None else self.service_auth, json=json,
                                content=bytes(content) if content is not None else None, headers=headers)
        return self._decode(response, allow_empty=True)

    # -- participants (admin API, service token) -----------------------------------------

    def participants(self, query: str | None = None) -> pd.DataFrame:
        """The project's participants; ``query`` matches identifier, name or email."""
        return self.frame("participants", {"query": query})

    def find_participant(self, participant: str) -> dict[str, Any]:
        """The admin record for a participantIdentifier (e.g. ``PT-0001``) or an internal id."""
        if not isinstance(participant, str) or not participant.strip():
            raise InvalidArgumentError(
                f"participant must be a participantIdentifier like 'PT-0001' or an internal id, got {participant!r}")
        participant = participant.strip()
        path = f"{self.kind_path(lookup_kind('participants'))}/{quote(participant, safe='')}"
        try:
            record = self.get_json(path, auth=self.service_auth)
        except APIError as exc:
            if exc.status_code != 404:
                raise
        else:
            if isinstance(record, dict) and record.get("id"):
                return record
        if len(participant) == _GUID_LEN and participant.count("-") == 4:
            for record in self.pager("participants", auth=self.service_auth):
                if str(record.get("id", "")).lower() == participant.lower():
                    return record
        raise ParticipantNotFound(participant)

    def connect(self, participant: str, scopes: Sequence[str] | str, *,
                on_renew: Callable[[RenewalEvent], Any] | None = None) -> ParticipantSession:
        """A :class:`ParticipantSession` for one participant with exactly ``scopes``."""
        from .session import ParticipantSession

        return ParticipantSession.open(self, participant, scopes, on_renew=on_renew)
