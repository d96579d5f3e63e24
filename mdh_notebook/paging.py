"""One pager for every response shape and paging style (after python-api-core's ``page_iterator``).

* ``cursor``: send the kind's size parameter at its maximum (``limit`` 100 for delegated
  lists, ``pageSize`` 25 for Fitbit) and ``pageID``; follow ``nextPageID`` until it is
  null, empty or absent. A cursor the server repeats is an error, not an endless loop.
* ``page_number``: ``pageSize`` + ``pageNumber`` counting from the kind's first page (0 or 1),
  until the reported total is reached (a server may cap pages below what was asked: trust the
  total) or an empty page arrives; a short page ends it only when no total is sent.
* ``none``: one request.

The body is read by the kind's shape: ``keyed`` (the list under ``items_key``), ``array`` (a
bare JSON array) or ``object`` (one record).

``Pager(fetch, kind, path, params).pages`` yields one list of records per page; iterating the
pager yields records. ``fetch(path, params)`` is the client's JSON GET. :attr:`Pager.state` says
where it stands after each page (next cursor or page number, pages and records so far, the
total when the server sends one, done); ``Pager(..., resume=state)`` goes on from there — also
after an error, which leaves the state at the page that failed (a failed page is tried again in
place by the client's retry policy first: the state only moves once a page has arrived). A state
names the kind and a hash of the query (path and filters) it belongs to: resuming another kind or
other filters with it is an :class:`InvalidArgumentError`, not a silently wrong page.

The state on the error of a pull that stopped part-way (``exc.pager_state``, set by
:meth:`Client.frame`) also holds the records that had arrived (``rows``): ``frame(..., resume=)``
starts from them, so nothing fetched is thrown away; a :class:`Pager` ignores them (it yields only
what it fetches itself). The state of a pull fetched in time slices (:mod:`mdh_notebook.slicing`)
holds page 1's rows and one :class:`SliceState` per slice (``slices``), each with its own pager
state and rows: resuming goes on in each slice from where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import InvalidArgumentError, MDHError, RateLimitError, ServerError, TransportError
from .kinds import Kind
from .retry import reworded

__all__ = ["Pager", "PagerState", "SliceState", "query_hash", "stopped_page"]

Fetch = Callable[[str, Mapping[str, str]], Any]


@dataclass(frozen=True)
class PagerState:
    """Where a pager stands: what the next request sends, and what came so far; ``kind`` and
    ``query`` (a hash of the path and filters) say which pull it belongs to."""

    kind: str = ""
    query: str = ""
    cursor: str | None = None  # the next pageID to send (cursor paging; None = the first page)
    page_number: int | None = None  # the next pageNumber to send (page-number paging; None = the first)
    pages: int = 0
    records: int = 0
    total: int | None = None  # records in all, when the server says (page numbers, Apple Health)
    done: bool = False
    # the records of the pages so far, kept by a pull that stopped part-way (exc.pager_state); else empty
    rows: tuple[dict[str, Any], ...] = field(default=(), repr=False, compare=False)
    # a time-sliced pull (mdh_notebook.slicing): page 1 (rows above) and each slice's own state; else empty
    slices: tuple[SliceState, ...] = ()


@dataclass(frozen=True)
class SliceState:
    """One time slice of a sliced pull (:mod:`mdh_notebook.slicing`): the bounds it sends (wire
    values; None = the bound left open), where its rows start to be its own, and its pager's state
    (with the rows that arrived, when the pull stopped part-way).

    ``cut`` (microseconds since the epoch): the rows at the head of the slice that the API orders
    before this instant belong to the slice before it (each slice asks from a second before its
    edge, as the filters are strict); ``skip``: of the rows at exactly ``cut``, how many page 1
    already had (only the first slice, whose edge is page 1's last record)."""

    after: str | None
    before: str | None
    cut: int
    skip: int
    state: PagerState


def query_hash(path: str, params: Mapping[str, str]) -> str:
    """What a :class:`PagerState` remembers of its query: the path and filters, hashed."""
    text = json.dumps([path, sorted(params.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Pager:
    def __init__(self, fetch: Fetch, kind: Kind, path: str, params: Mapping[str, str] | None = None, *,
                 resume: PagerState | None = None) -> None:
        self._fetch = fetch
        self.kind = kind
        self.path = path
        self.params = dict(params or {})
        query = query_hash(path, self.params)
        if resume is not None and (resume.kind, resume.query) != (kind.name, query):
            whose = (f"{resume.kind} with other filters" if resume.kind == kind.name
                     else resume.kind or "no pull (it names no kind)")
            raise InvalidArgumentError(
                f"{kind.name}: this PagerState belongs to {whose}; resume with the kind and the filters "
                "the state came from, or leave out resume= to start from the first page")
        self.state = resume or PagerState(kind=kind.name, query=query)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for page in self.pages:
            yield from page

    @property
    def pages_fetched(self) -> int:
        return self.state.pages

    def _fail(self, what: str) -> TransportError:
        return TransportError(f"{self.kind.name}: the response from {self.path} {what}; "
                              "is the base URL a MyDataHelps API?")

    def _items(self, body: Any) -> list[dict[str, Any]]:
        shape = self.kind.shape
        if shape == "object":
            if not isinstance(body, dict):
                raise self._fail(f"is {type(body).__name__}, not a JSON object")
            return [body]
        if shape == "array":
            items = body
            if not isinstance(items, list):
                raise self._fail(f"is {type(body).__name__}, not a JSON array")
        else:
            key = self.kind.items_key
            items = body.get(key) if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise self._fail(f"has no list {key!r}")
        if not all(type(item) is dict for item in items):
            raise self._fail("holds records that are not JSON objects")
        return items

    @staticmethod
    def _total(body: Any, key: str) -> int | None:
        total = body.get(key) if key and isinstance(body, dict) else None
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    @property
    def pages(self) -> Iterator[list[dict[str, Any]]]:
        paging = self.kind.paging
        params = dict(self.params)
        if paging.style != "none":
            params[paging.size_param] = str(paging.max_size)
        seen: set[str] = {self.state.cursor} if self.state.cursor else set()
        while not self.state.done:
            state = self.state
            if paging.style == "cursor" and state.cursor:
                params[paging.cursor_param] = state.cursor
            number = state.page_number if state.page_number is not None else paging.first_page
            if paging.style == "page_number":
                params[paging.number_param] = str(number)
            body = self._fetch(self.path, params)
            items = self._items(body)
            records = state.records + len(items)
            total = self._total(body, paging.total_key)
            if paging.style == "cursor":
                cursor = body.get(paging.next_key) if isinstance(body, dict) else None
                repeated = bool(cursor) and str(cursor) in seen
                if cursor:
                    seen.add(str(cursor))
                self.state = replace(state, cursor=str(cursor) if cursor else None, pages=state.pages + 1,
                                     records=records, total=total, done=not cursor)
                if repeated:
                    yield items  # what the server sent is kept; the loop is not followed
                    raise TransportError(f"{self.kind.name}: the server repeated page cursor {cursor!r}; stopping")
            elif paging.style == "page_number":
                # a server may cap pages below what we asked: with a total, trust it over a short page
                done = (not items or records >= total) if total is not None else len(items) < paging.max_size
                self.state = replace(state, page_number=number + 1, pages=state.pages + 1, records=records,
                                     total=total, done=done)
            else:
                self.state = replace(state, pages=state.pages + 1, records=records, total=total, done=True)
            yield items


def stopped_page(error: MDHError, state: PagerState) -> MDHError:
    """``error`` saying where the pull stopped and what it keeps, with the state to resume from.

    A final refusal on the first page (a 400, 403, 404, not retried: the request itself is wrong) is
    the server's answer as it stands: there is nothing kept, and the same call would be refused again."""
    if not state.pages and not error.tries and not isinstance(error, (ServerError, TransportError, RateLimitError)):
        error.pager_state = state
        return error
    page = state.pages + 1
    pages = "page 1" if state.pages == 1 else f"pages 1–{state.pages}"
    kept = (f"{state.records} row{'s' if state.records != 1 else ''} ({pages}) had arrived and are kept"
            if state.pages else "no rows had arrived")
    text = (f"{error} [{state.kind}: page {page} failed; {kept} — the same call with resume=exc.pager_state "
            f"goes on from page {page}]")
    stopped = reworded(error, text)
    stopped.pager_state = state
    return stopped
