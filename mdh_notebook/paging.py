"""One pager for the API's paging styles (after python-api-core's ``page_iterator``).

* ``cursor``: send the kind's size parameter at its maximum (``limit`` 100 for delegated
  lists, ``pageSize`` 25 for Fitbit) and ``pageID``; follow ``nextPageID`` until it is
  null, empty or absent. A cursor the server repeats is an error, not an endless loop.
* ``page_number``: ``pageSize`` + ``pageNumber`` from 0, until the reported total is
  reached or an empty page arrives (a short page ends it only when no total is sent).
* ``none``: the body is one record.

``Pager(fetch, kind, params).pages`` yields one list of records per page; iterating the
pager yields records. ``fetch(path, params)`` is the client's JSON GET.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .catalog import Kind
from .errors import TransportError

__all__ = ["Pager"]

Fetch = Callable[[str, Mapping[str, str]], Any]


class Pager:
    def __init__(self, fetch: Fetch, kind: Kind, path: str, params: Mapping[str, str] | None = None) -> None:
        self._fetch = fetch
        self.kind = kind
        self.path = path
        self.params = dict(params or {})
        self.pages_fetched = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for page in self.pages:
            yield from page

    def _items(self, body: Any) -> list[dict[str, Any]]:
        key = self.kind.items_key
        if not key:
            if not isinstance(body, dict):
                raise TransportError(
                    f"{self.kind.name}: expected a JSON object from {self.path}, got {type(body).__name__}")
            return [body]
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise TransportError(
                f"{self.kind.name}: the response from {self.path} has no list {key!r}; "
                "is the base URL a MyDataHelps API?"
            )
        return body[key]  # type: ignore[no-any-return]

    @property
    def pages(self) -> Iterator[list[dict[str, Any]]]:
        paging = self.kind.paging
        params = dict(self.params)
        if paging.style == "none":
            self.pages_fetched += 1
            yield self._items(self._fetch(self.path, params))
            return
        params[paging.size_param] = str(paging.max_size)
        if paging.style == "cursor":
            seen: set[str] = set()
            while True:
                body = self._fetch(self.path, params)
                self.pages_fetched += 1
                yield self._items(body)
                cursor = body.get(paging.next_key)
                if not cursor:
                    return
                if cursor in seen:
                    raise TransportError(f"{self.kind.name}: the server repeated page cursor {cursor!r}; stopping")
                seen.add(cursor)
                params[paging.cursor_param] = str(cursor)
        elif paging.style == "page_number":
            number = 0
            fetched = 0
            while True:
                params[paging.number_param] = str(number)
                body = self._fetch(self.path, params)
                self.pages_fetched += 1
                items = self._items(body)
                yield items
                fetched += len(items)
                total = body.get(paging.total_key)
                if not items:
                    return
                if isinstance(total, int):
                    if fetched >= total:  # a server may cap pages below what we asked: trust the total
                        return
                elif len(items) < paging.max_size:
                    return
                number += 1
        else:  # pragma: no cover - a catalogue bug
            raise ValueError(f"unknown paging style {paging.style!r}")
