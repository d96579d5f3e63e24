"""One client object owning one ``httpx.Client``: transport, retries, the rate-limit
budgets, and the single place where HTTP statuses become exceptions.

:meth:`Client.frame` is the one path every read kind takes: catalogue entry → checked
query parameters → pager (maximum page size) → records → one typed frame; a long pull of a kind
that filters by time goes in time slices, ``Client(parallel=4)`` at once (:mod:`mdh_notebook.slicing`).
:meth:`Client.call` is the one path every write takes: operation → filled path and checked
query parameters → one request with its body → the decoded JSON (None for an empty body).

Every request, and every token flow run on its own (:meth:`Client.run_flow`), goes through the
retry policy of :mod:`mdh_notebook.retry` (stamina): GETs and token requests are tried again on
5xx, timeouts and dropped connections; a write (POST, PUT, DELETE) only when the server surely did
nothing — it never arrived (no connection, a connect or pool timeout), or a 401 (renewed first) or
a 429 (after the wait) refused it — never after a 5xx, a read timeout or a dropped connection, when
it may have taken effect. The budget a request spends is its token's (a
:class:`~mdh_notebook.retry.Budget` on its ``BearerAuth``): ``client.rate_limit`` is the service
account's, ``session.rate_limit`` that participant's — one budget per participant per client
(:meth:`Client.participant_budget`), shared by every session for them, as the server keeps one
bucket per participant.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
import orjson
import pandas as pd

from . import __version__
from .auth import (
    NO_SERVICE_ACCOUNT,
    BearerAuth,
    NoServiceAccount,
    RenewalEvent,
    ServiceTokenSource,
    TokenCache,
    TokenSource,
)
from .config import TOKEN_PATH, Config, _normalise_base_url
from .errors import (
    APIError,
    ClosedError,
    ConfigurationError,
    InvalidArgumentError,
    MDHError,
    ParticipantNotFound,
    TransportError,
)
from .filters import as_guid, as_integer, encode_params, encode_path
from .frames import check_tz, convert_tz, to_frame
from .kinds import Kind, Operation
from .kinds import kind as lookup_kind
from .kinds import operation as lookup_operation
from .paging import Pager, PagerState, SliceState, stopped_page
from .progress import PageProgress
from .reading import PageReader
from .retry import Budget, Flow, OnWait, RateLimit, RetryPolicy, Sender
from .slicing import WORTH, Slicing, in_order, join, out_of_order, plan, run, slice_params, slicing_for, stopped_slice

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .session import ParticipantSession

__all__ = ["Client", "RateLimit", "RetryPolicy"]

T = TypeVar("T")


class Client:
    """A connection to one MyDataHelps project (or the sandbox) as its service account.

    ``transport`` replaces httpx's network transport (tests, proxies); ``timeout`` is httpx's, per
    request; ``clock`` is the time source for token expiry and budgets; ``retry`` is the
    :class:`~mdh_notebook.retry.RetryPolicy` (``retries=`` and ``rate_limit_wait=`` override its
    ``attempts - 1`` and ``rate_limit_wait``: a spent budget that returns within that many seconds is
    waited out, saying so, default 300); ``sleep(seconds)`` is how a rate-limit wait waits (a test
    passes one that moves the sandbox clock; the backoff between retries is stamina's, zero under
    ``stamina.set_testing``); ``lock_timeout``: how long a thread waits for another's token renewal
    (default three request timeouts: a participant renewal may take three token requests);
    ``parallel``: at most this many requests at once for one long pull of a kind that filters by
    time (:mod:`mdh_notebook.slicing`; 1 = page after page); ``slice_above``: cut a pull into slices
    only when its rest is expected (page 1's round trip × the pages page 1 predicts) to take longer
    than this many seconds (0: whenever it can be cut; default :data:`~mdh_notebook.slicing.WORTH`).

    :meth:`for_api` makes one without a service account, for tokens from elsewhere (an authenticator).
    """

    def __init__(self, config: Config | None, *, base_url: str | None = None,
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 clock: Callable[[], float] = time.time, retries: int | None = None,
                 rate_limit_wait: float | None = None, sleep: Callable[[float], object] = time.sleep,
                 retry: RetryPolicy | None = None, lock_timeout: float | None = None, parallel: int = 4,
                 slice_above: float = WORTH) -> None:
        if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
            raise InvalidArgumentError(f"parallel is how many requests one pull may have in flight at once: a whole "
                                       f"number of at least 1 (1 = page after page), got {parallel!r}")
        if isinstance(slice_above, bool) or not isinstance(slice_above, (int, float)) or not slice_above >= 0:
            raise InvalidArgumentError(f"slice_above is in seconds: a number of at least 0, got {slice_above!r}")
        self._parallel, self._slice_above = parallel, float(slice_above)
        if config is None and base_url is None:
            raise ConfigurationError("a Client needs a Config (a service account) or, through Client.for_api, "
                                     "the base_url of the API its tokens are for")
        self._config = config
        self.base_url: str = config.base_url if config is not None else _normalise_base_url(base_url or "")
        self.token_url = str(httpx.URL(self.base_url).join(TOKEN_PATH))
        self.clock = clock
        policy = retry or RetryPolicy()
        if retries is not None:
            policy = replace(policy, attempts=retries + 1)
        if rate_limit_wait is not None:
            policy = replace(policy, rate_limit_wait=rate_limit_wait)
        self.timeout = timeout
        self.lock_timeout = lock_timeout if lock_timeout is not None else 3 * timeout
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport or httpx.HTTPTransport(),  # no transport retries: the policy is ours, for any
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": f"mdh_notebook/{__version__}"},
        )
        self._sender = Sender(self._http, policy, timeout=timeout, clock=clock, sleep=sleep)
        source: TokenSource = ServiceTokenSource(config, clock=clock) if config is not None else NoServiceAccount()
        self.service_tokens = TokenCache(source, clock=clock, lock_timeout=self.lock_timeout)
        self.service_auth = BearerAuth(self.service_tokens, Budget("the service account"))
        self._budgets: dict[str, Budget] = {}  # participant id → its bucket, shared by its sessions
        self._budgets_lock = threading.Lock()

    @property
    def parallel(self) -> int:
        """At most this many requests at once for one long pull (1: page after page)."""
        return self._parallel

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy every request of this client follows."""
        return self._sender.policy

    @classmethod
    def for_api(cls, base_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None,
                rate_limit_wait: float | None = None, sleep: Callable[[float], object] = time.sleep,
                lock_timeout: float | None = None, parallel: int = 4, slice_above: float = WORTH) -> Client:
        """A client for the API at ``base_url`` with no service account: for sessions whose tokens
        come from elsewhere (``ParticipantSession(..., token_source=...)``). Its service-account
        calls (participant lookups, admin kinds, ``config``) raise :class:`ConfigurationError`."""
        return cls(None, base_url=base_url, transport=transport, timeout=timeout, clock=clock, retry=retry,
                   rate_limit_wait=rate_limit_wait, sleep=sleep, lock_timeout=lock_timeout, parallel=parallel,
                   slice_above=slice_above)

    @property
    def config(self) -> Config:
        """The service account's configuration (a :class:`ConfigurationError` on a :meth:`for_api` client)."""
        if self._config is None:
            raise ConfigurationError(NO_SERVICE_ACCOUNT)
        return self._config

    @property
    def rate_limit(self) -> RateLimit | None:
        """The service account's budget as the last admin answer reported it (limit, remaining, reset s)."""
        return self.service_auth.budget.last

    def participant_budget(self, participant_id: str, who: str | None = None) -> Budget:
        """The rate-limit budget of one participant (by internal id) on this client: the server keeps
        one bucket per participant, so every session for them spends, and waits for, the same one —
        a second session would otherwise learn of a spent bucket only from a 429. ``who`` names them
        in messages (their participantIdentifier) the first time."""
        with self._budgets_lock:
            budget = self._budgets.get(participant_id)
            if budget is None:
                budget = self._budgets[participant_id] = Budget(f"participant {who or participant_id!r}")
            return budget

    def __repr__(self) -> str:
        account = self._config.service_account if self._config is not None else None
        return f"Client(base_url={self.base_url!r}, service_account={account!r})"

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

    # -- the one request path -------------------------------------------------------------

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                auth: httpx.Auth | None = None, json: Any = None, content: bytes | None = None,
                headers: Mapping[str, str] | None = None, on_wait: OnWait | None = None,
                while_waiting: Callable[[], Any] | None = None) -> httpx.Response:
        """Send under the retry policy (:mod:`mdh_notebook.retry`); raise the mapped error on failure.
        ``json`` or ``content`` is the body, if any; ``on_wait(text)`` hears of a rate-limit wait;
        ``while_waiting()`` is called once a request has gone out, while its answer is awaited
        (see :meth:`Sender.request <mdh_notebook.retry.Sender.request>`: cheap, repeatable, not raising)."""
        self._check_open()
        if json is not None and content is not None:
            raise InvalidArgumentError(f"{method} {path}: send a json= body or content=, not both")
        budget = auth.budget if isinstance(auth, BearerAuth) else None
        return self._sender.request(method, path, params=params, auth=auth, json=json, content=content,
                                    headers=headers, budget=budget, on_wait=on_wait, while_waiting=while_waiting)

    def run_flow(self, flow: Callable[[], Flow[T]] | Flow[T]) -> T:
        """Run a token flow (see :mod:`mdh_notebook.auth`) outside any API request, under the retry
        policy: pass the flow's maker (``cache.fresh_flow``, uncalled, or a lambda) so a failed token
        request is sent again from the start, with a new assertion. A flow object is run once."""
        self._check_open()
        return self._sender.run_flow(flow)

    @staticmethod
    def _decode(response: httpx.Response, allow_empty: bool = False) -> Any:
        if allow_empty and not response.content.strip():
            return None
        body = response.content
        try:
            return orjson.loads(body)  # straight from the bytes: a page decodes several times faster
        except orjson.JSONDecodeError:
            pass
        try:  # what orjson refuses and JSON readers commonly take (NaN, a UTF-16 body): as before
            return json.loads(body)
        except ValueError:
            raise TransportError(
                f"{response.request.method} {response.request.url.path}: the server answered "
                f"{response.status_code} with something that is not JSON "
                f"({response.headers.get('content-type', 'no content type')}); is the base URL a MyDataHelps API?"
            ) from None

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, auth: httpx.Auth | None = None,
                 on_wait: OnWait | None = None) -> Any:
        return self._decode(self.request("GET", path, params=params, auth=auth, on_wait=on_wait))

    def fill_path(self, template: str, values: Mapping[str, Any] | None = None, *, what: str = "") -> str:
        """``template`` with its ``{placeholders}`` filled from ``values``, each percent-encoded;
        ``{project_id}`` comes from the configuration."""
        from string import Formatter

        names = [name for _, name, _, _ in Formatter().parse(template) if name is not None]
        given = dict(values or {})
        filled: dict[str, str] = {}
        if "project_id" in names:  # an admin path: only a client with a service account has a project
            filled["project_id"] = quote(self.config.project_id, safe="")
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
              auth: httpx.Auth | None = None, resume: PagerState | None = None,
              on_wait: OnWait | None = None, timed: list[float] | None = None,
              while_waiting: Callable[[], Any] | None = None) -> Pager:
        """The pager for ``kind`` with checked ``filters``; ``resume`` goes on from a pager's state;
        ``on_wait(text)`` hears of a rate-limit wait; ``timed`` gets each page's round trip (seconds,
        ``while_waiting``'s time included); ``while_waiting()`` is called as each page's answer is awaited."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        params = encode_params(entry, filters or {})
        path = self.fill_path(entry.path, encode_path(entry, filters or {}), what=f"{entry.name}()")
        return Pager(self._fetcher(auth, on_wait, timed, while_waiting), entry, path, params, resume=resume)

    def _fetcher(self, auth: httpx.Auth | None, on_wait: OnWait | None, timed: list[float] | None = None,
                 while_waiting: Callable[[], Any] | None = None) -> Callable[[str, Mapping[str, str]], Any]:
        auth = auth if auth is not None else self.service_auth

        def fetch(path: str, page_params: Mapping[str, str]) -> Any:
            response = self.request("GET", path, params=page_params, auth=auth, on_wait=on_wait,
                                    while_waiting=while_waiting)
            if timed is not None:  # the answering try's own round trip: no token exchange, retry or wait in it
                try:
                    timed.append(response.elapsed.total_seconds())
                except RuntimeError:  # a transport that never closed its response (some test fakes): untimed
                    timed.append(0.0)
            return self._decode(response)

        return fetch

    def frame(self, kind: Kind | str, filters: Mapping[str, Any] | None = None, *,
              auth: httpx.Auth | None = None, tz: str | None = None, progress: bool | None = None,
              on_page: Callable[[PagerState], Any] | None = None, resume: PagerState | None = None) -> pd.DataFrame:
        """Every record of ``kind`` matching ``filters`` as one typed frame (paging invisible).

        Pages are gathered, and each is read for the frame while the request for the next one is on its
        way (:mod:`mdh_notebook.reading`); the frame is built once, at the end, after the progress
        bar has closed (a frame per page then ``concat`` was measured at ~30 ms per 100-record page of
        fixed per-column cost). A pull of one page, and a pull in time slices, are read whole at the end.
        ``progress``: a bar for a long pull (see :mod:`mdh_notebook.progress`); ``on_page``: called
        with the pull's :class:`PagerState` after every page (a widget's own progress), always
        from the thread that called ``frame``. A failed page is tried again in place (the retry
        policy); an error that still stops the pull says which page and how many rows had arrived,
        and carries them as ``exc.pager_state`` (its ``rows``): the same call with
        ``resume=exc.pager_state`` goes on from that page and returns the whole frame, exactly what
        one fault-free call returns.

        A long pull of a kind that filters by time is fetched in time slices, ``parallel`` at once
        (:mod:`mdh_notebook.slicing`): page 1 first (a one-page pull costs one request), then the
        rest in slices, joined in the API's order — the same frame as page after page. Its
        ``exc.pager_state`` holds each slice's state; resuming with it goes on in slices, whatever
        this client's ``parallel`` (a state of a pull paged one after another goes on that way).
        """
        if tz:
            check_tz(tz)
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        reader = PageReader(entry)
        with PageProgress(entry.name, progress) as bar:
            timed: list[float] = []
            pager = self.pager(entry, filters, auth=auth, resume=resume, on_wait=bar.note, timed=timed,
                               while_waiting=reader.read_waiting)
            records: list[dict[str, Any]] = list(resume.rows) if resume is not None else []
            spec = slicing_for(entry, pager.params)
            cut = 0
            if resume is not None and resume.slices:
                if spec is None:
                    raise InvalidArgumentError(f"{entry.name}: this PagerState is of a pull in time slices, which "
                                               "this kind is not fetched in; leave out resume= to start again")
                joined = self._sliced(pager, spec, records, resume.slices, bar, on_page, auth)
                if joined is None:  # a slice out of order, and no page 1 cursor left to page on from
                    raise out_of_order(entry, spec)
                (records, pages), cut = joined, len(resume.slices)
            else:
                sliced = spec is not None and self._parallel > 1 and (resume is None or not resume.pages)
                if records:
                    reader.add(records)  # the rows of the pages before the resume, first
                # page 1 of a pull that may be cut is not read yet: cut, its records are read whole
                self._pages(pager, records, bar, on_page, None if sliced else reader, first_only=sliced)
                pages = pager.pages_fetched
                if sliced and spec is not None and not pager.state.done:
                    slices = plan(spec, entry, pager.params, records, now=self.clock(), parallel=self._parallel,
                                  page_seconds=timed[-1] if timed else 0.0, worth=self._slice_above)
                    joined = self._sliced(pager, spec, records, slices, bar, on_page, auth) if slices else None
                    if joined is not None:
                        (records, pages), cut = joined, len(slices)
                    else:  # not worth cutting, nowhere to cut, or a slice out of order: on from page 1's cursor
                        reader.add(records)  # page 1, then each page as it comes
                        self._pages(pager, records, bar, on_page, reader)
                        pages = pager.pages_fetched
        # the bar is closed: the frame's warnings are printed below it. Slices are joined by time, not in
        # the order their pages came, and a page 1 alone was not given to the reader: both are read whole
        frame = to_frame(entry, records) if cut else reader.frame(records)
        frame.attrs["pages"] = pages
        if cut:
            frame.attrs["slices"] = cut  # the time slices after page 1 (absent: page after page)
        return convert_tz(frame, tz) if tz else frame

    def _pages(self, pager: Pager, records: list[dict[str, Any]], bar: PageProgress,
               on_page: Callable[[PagerState], Any] | None, reader: PageReader | None, *,
               first_only: bool = False) -> None:
        """Page ``pager`` to its end (or only its next page), into ``records`` (and ``reader``, if any);
        a stop says where."""
        stopped: MDHError | None = None
        try:
            for page in pager.pages:
                records.extend(page)
                if reader is not None:
                    reader.add(page)
                bar.update(pager.state, len(page))
                if on_page is not None:
                    on_page(pager.state)
                if first_only:
                    break
        except MDHError as exc:
            stopped = stopped_page(exc, replace(pager.state, rows=tuple(records)))
        if stopped is not None:
            raise stopped from None  # outside the handler: no context to print

    def _sliced(self, pager: Pager, spec: Slicing, head: list[dict[str, Any]], slices: tuple[SliceState, ...],
                bar: PageProgress, on_page: Callable[[PagerState], Any] | None,
                auth: httpx.Auth | None) -> tuple[list[dict[str, Any]], int] | None:
        """The rest of a pull after its page 1 (``head``), in ``slices`` at most ``parallel`` at once:
        the joined records and the pages they took (page 1's included); None when a slice came out
        of the API's order (the join would be wrong)."""
        entry, top = pager.kind, pager.state
        head_pages = top.pages - sum(piece.state.pages for piece in slices)
        fetch = self._fetcher(auth, bar.note)

        def pager_for(piece: SliceState) -> Pager:
            params = slice_params(spec, entry, pager.params, piece)
            return Pager(fetch, entry, pager.path, params, resume=piece.state if piece.state.query else None)

        def whole(pieces: tuple[SliceState, ...]) -> PagerState:
            return replace(top, pages=head_pages + sum(p.state.pages for p in pieces),
                           records=len(head) + sum(p.state.records for p in pieces),
                           done=all(p.state.done for p in pieces), rows=(), slices=())

        def page_seen(index: int, page: list[dict[str, Any]], pieces: tuple[SliceState, ...]) -> None:
            state = whole(pieces)
            bar.update(state, len(page))
            if on_page is not None:
                on_page(state)

        done, failed, error = run(slices, pager_for, self._parallel, page_seen)
        if error is not None:
            state = replace(whole(done), rows=tuple(head), slices=done)
            raise stopped_slice(error, state, failed) from None
        if not all(in_order(spec, piece.state.rows) for piece in done):
            return None
        return join(spec, head, done), whole(done).pages

    # -- writes --------------------------------------------------------------------------

    def call(self, operation: Operation | str, *, path: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
             headers: Mapping[str, str] | None = None, auth: httpx.Auth | None = None) -> Any:
        """Run one catalogue operation: the decoded JSON answer, or None for an empty body.

        ``path`` fills the operation's ``{placeholders}``; ``params`` are its filters; the body is
        ``json`` (a ``json`` operation) or ``content`` (a ``bytes`` one). Everything is checked
        before the request. A write is sent again only when the server surely did nothing (it never
        arrived, or a 401 or 429 refused it); after a 5xx or a dropped connection it is not, and the
        error says to check whether it took effect.
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
        url = self.fill_path(op.path, {**(path or {}), **encode_path(op, path or {})}, what=where)
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
            # a 404 from the token endpoint (asked inside the lookup's auth flow) is a wrong base URL
            if exc.status_code != 404 or exc.path == httpx.URL(self.config.token_url).path:
                raise
        else:
            if isinstance(record, dict) and record.get("id"):
                return record
        guid = as_guid(participant)
        if guid is not None:  # an internal id: found by listing, whatever GUID form it was given in
            for record in self.pager("participants", auth=self.service_auth):
                if as_guid(str(record.get("id", ""))) == guid:
                    return record
            raise ParticipantNotFound(participant)
        raise self._not_found(participant)

    def _not_found(self, participant: str) -> ParticipantNotFound:
        """ParticipantNotFound, with the identifier meant when one differs only in case (identifiers
        are case-sensitive): found with one listing query, which matches case-insensitively."""
        try:
            page = next(iter(self.pager("participants", {"query": participant}, auth=self.service_auth).pages), [])
        except MDHError:
            page = []  # a courtesy lookup: its failure leaves the plain answer
        meant = [str(r["participantIdentifier"]) for r in page
                 if isinstance(r.get("participantIdentifier"), str)
                 and r["participantIdentifier"].casefold() == participant.casefold()]
        if not meant:
            return ParticipantNotFound(participant)
        return ParticipantNotFound(participant, f"no participant {participant!r} in this project; did you mean "
                                                f"{meant[0]!r}? (participant identifiers are case-sensitive)")

    def connect(self, participant: str | Mapping[str, Any], scopes: Sequence[str] | str, *,
                on_renew: Callable[[RenewalEvent], Any] | None = None,
                token_source: TokenSource | None = None) -> ParticipantSession:
        """A :class:`ParticipantSession` for one participant with exactly ``scopes`` (see
        :meth:`ParticipantSession.open` for ``token_source`` and a participant record)."""
        from .session import ParticipantSession

        return ParticipantSession.open(self, participant, scopes, on_renew=on_renew, token_source=token_source)
