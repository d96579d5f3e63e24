"""Cursor pages in an order the request chooses (``sortOrder``, ``sortColumn``).

``OrderedCursorPages`` is ``CursorPages`` whose ``order(params)`` names the sort key of the order
asked for: the rows are sorted by it for that request and its cursors are keyset cursors on it,
exactly as for the collection's own order (None: the collection's own order). The order must be
part of the normalised key the collection's filters return, so a cursor of one order is refused
in another (its query fingerprint differs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .exceptions import BadRequest, shown
from .paging import Params, SortKey
from .shapes import CursorPages, Query

__all__ = ["Order", "OrderedCursorPages", "parse_choice"]

Order = Callable[[Params], Callable[[Any], SortKey] | None]


def _own_order(params: Params) -> None:
    return None


@dataclasses.dataclass(frozen=True)
class OrderedCursorPages(CursorPages):
    order: Order = _own_order

    def serve(self, q: Query) -> dict[str, Any]:
        key = self.order(q.params)
        if key is None:
            return super().serve(q)
        collection = dataclasses.replace(q.collection, sort_key=key)
        return super().serve(dataclasses.replace(q, collection=collection, rows=sorted(q.rows, key=key)))


def parse_choice(name: str, raw: str | None, choices: tuple[str, ...]) -> str | None:
    """One of ``choices`` in its canonical spelling, matched case-insensitively (None when absent
    or empty); 400 for anything else."""
    if raw is None or raw.strip() == "":
        return None
    folded = raw.strip().casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    raise BadRequest(f"{name} must be one of {', '.join(choices)}, got {shown(raw)}")
