"""The four response shapes of a read endpoint, each serving a collection's sorted rows.

- ``CursorPages``: ``{items_key: [...], "nextPageID": cursor | null}`` with a size parameter
  (``limit`` or ``pageSize``) and keyset cursors (see ``paging``); most delegated lists.
- ``NumberedPages``: ``{items_key: [...], total_key: n}`` with ``pageSize`` + ``pageNumber`` and a
  first page number of its own (0 or 1); e.g. external-account providers, admin participants.
- ``BareArray``: a JSON array of every matching row; e.g. ``externalaccounts``.
- ``SingleObject``: one object, the collection's first row (404 when it has none); e.g. ``participant``.

A keyed shape may add keys of its own through ``extra`` (Apple Health sends ``totalResults``
beside ``nextPageID``: ``extra=total("totalResults")``).

Decisions where the reference is silent: sizes above the maximum are clamped, below 1 are a 400;
a page number below the first is a 400, one past the end an empty page with the total.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .exceptions import NotFound
from .paging import Cursor, CursorCodec, Params, fingerprint, parse_int

if TYPE_CHECKING:
    from .declarations import Collection

__all__ = ["BareArray", "CursorPages", "NumberedPages", "PageView", "Query", "Shape", "SingleObject", "total"]


@dataclasses.dataclass(frozen=True)
class Query:
    """One read of a collection: its rows as they stand (sorted by its sort key), their version
    (``stamp``), the request's parameters, and whose rows they are (bound into cursors)."""

    collection: Collection[Any]
    rows: Sequence[Any]
    stamp: int
    params: Params
    codec: CursorCodec
    owner: str

    def filters(self) -> tuple[Any, list[Callable[[Any], bool]]]:
        return self.collection.filters(self.params)

    def render(self, rows: Sequence[Any]) -> list[Any]:
        render = self.collection.render
        return [render(row) for row in rows]


def _matching(rows: Sequence[Any], preds: list[Callable[[Any], bool]]) -> Sequence[Any]:
    return [row for row in rows if all(p(row) for p in preds)] if preds else rows


@dataclasses.dataclass(frozen=True)
class PageView:
    """What an ``extra`` sees: the parameters, the rows of this page, its number (numbered pages),
    and ``matching()``: how many rows match the filters in all (counted when first asked)."""

    params: Params
    items: Sequence[Any]
    page_number: int | None
    count: Callable[[], int]

    def matching(self) -> int:
        return self.count()


Extra = Callable[[PageView], Mapping[str, Any]]


def total(key: str) -> Extra:
    """An ``extra`` adding ``key``: the number of rows matching the filters."""
    return lambda view: {key: view.matching()}


def _check_sizes(default: int, maximum: int) -> None:
    if not 1 <= default <= maximum:
        raise ValueError(f"page sizes must satisfy 1 <= default_size <= max_size, got {default} and {maximum}")


@dataclasses.dataclass(frozen=True)
class CursorPages:
    items_key: str
    size_param: str = "limit"
    default_size: int = 100
    max_size: int = 100
    extra: Extra | None = None
    page_param: str = "pageID"
    next_key: str = "nextPageID"

    def __post_init__(self) -> None:
        _check_sizes(self.default_size, self.max_size)

    def serve(self, q: Query) -> dict[str, Any]:
        size = parse_int(self.size_param, q.params.get(self.size_param), self.default_size,
                         minimum=1, maximum=self.max_size)
        key, preds = q.filters()
        query = fingerprint(q.collection.path, q.owner, key)
        rows, sort_key = q.rows, q.collection.sort_key
        position, end = 0, len(rows)
        page_id = q.params.get(self.page_param)
        if page_id:
            cursor = q.codec.decode(page_id, query)
            if rows:
                cursor.check_fits(sort_key(rows[0]))
            resume = cursor.skip_to if cursor.skip_to is not None and cursor.stamp == q.stamp else cursor.after
            position = bisect_right(rows, resume, key=sort_key)
        skip_to = None
        if not preds:
            page = list(rows[position : position + size])
            position += len(page)
        else:
            page = []
            while position < end and len(page) < size:
                row = rows[position]
                position += 1
                if all(p(row) for p in preds):
                    page.append(row)
            while position < end and not all(p(rows[position]) for p in preds):
                position += 1  # the next page starts at the next match; none left -> this is the last page
            if position < end and rows[position - 1] is not page[-1]:
                skip_to = sort_key(rows[position - 1])
        next_id = None
        if position < end:
            next_id = q.codec.encode(Cursor(after=sort_key(page[-1]), skip_to=skip_to, stamp=q.stamp), query)
        body: dict[str, Any] = {self.items_key: q.render(page), self.next_key: next_id}
        if self.extra is not None:
            body.update(self.extra(PageView(q.params, page, None, lambda: len(_matching(rows, preds)))))
        return body


@dataclasses.dataclass(frozen=True)
class NumberedPages:
    items_key: str
    total_key: str
    size_param: str = "pageSize"
    number_param: str = "pageNumber"
    first_page: int = 0
    default_size: int = 100
    max_size: int = 100
    extra: Extra | None = None

    def __post_init__(self) -> None:
        _check_sizes(self.default_size, self.max_size)

    def serve(self, q: Query) -> dict[str, Any]:
        _, preds = q.filters()
        return self.page(_matching(q.rows, preds), q.params, q.collection.render)

    def bounds(self, params: Params) -> tuple[int, int]:
        """(page number, page size) from ``params``; 400 for a bad value."""
        number = parse_int(self.number_param, params.get(self.number_param), self.first_page,
                           minimum=self.first_page)
        size = parse_int(self.size_param, params.get(self.size_param), self.default_size,
                         minimum=1, maximum=self.max_size)
        return number, size

    def page(self, matching: Sequence[Any], params: Params, render: Callable[[Any], Any],
             bounds: tuple[int, int] | None = None) -> dict[str, Any]:
        """The page ``params`` ask for (or ``bounds``, already parsed) of rows already filtered and
        ordered (the admin participant list, which sorts as asked, uses this directly)."""
        number, size = bounds or self.bounds(params)
        start = (number - self.first_page) * size
        items = matching[start : start + size]
        body: dict[str, Any] = {self.items_key: [render(row) for row in items], self.total_key: len(matching)}
        if self.extra is not None:
            body.update(self.extra(PageView(params, items, number, lambda: len(matching))))
        return body


@dataclasses.dataclass(frozen=True)
class BareArray:
    def serve(self, q: Query) -> list[Any]:
        _, preds = q.filters()
        return q.render(_matching(q.rows, preds))


@dataclasses.dataclass(frozen=True)
class SingleObject:
    missing: str = "not found"  # the 404's message when there is no row

    def serve(self, q: Query) -> dict[str, Any]:
        if not q.rows:
            raise NotFound(self.missing)
        record: dict[str, Any] = q.collection.render(q.rows[0])
        return record


Shape = CursorPages | NumberedPages | BareArray | SingleObject
