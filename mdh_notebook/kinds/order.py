"""What a kind declares about its rows' order and change filters, read by the cache and by slicing.

``Kind.order`` is the API's row order, declared once: the cache (:mod:`mdh_notebook.cache`) puts
upserted rows where a full pull would, and slicing (:mod:`mdh_notebook.slicing`) cuts and joins a
pull on it. ``Kind.slicing`` names the (after, before) filters a pull may be cut on;
``Kind.incremental`` how the cache asks only for what changed; ``Kind.uncached`` why the cache passes
by a kind that has change filters all the same. Each is checked against the kind at import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Kind, Param

__all__ = ["Incremental", "Order", "Ordered", "Slicing", "check_order"]


@dataclass(frozen=True)
class Ordered:
    """One part of an order: ``columns`` (frame column names) coalesced — a row sorts by the first
    that has a value — in ``ascending`` (or descending) order."""

    columns: tuple[str, ...]
    ascending: bool = True


Order = tuple[Ordered, ...]


@dataclass(frozen=True)
class Slicing:
    """The lower and upper time filters (catalogue names) a long pull may be cut on, the instants of
    ``Kind.order``'s first part. ``needs_after``: cut only when the caller gave the lower bound (v1
    device data: a point without an observation date is left out by any observed filter)."""

    after: str
    before: str
    needs_after: bool = False


@dataclass(frozen=True)
class Incremental:
    """How the cache asks a kind only for what changed since its last pull (rows land by ``Kind.order``).

    ``after``: the filter taking an exclusive lower bound on ``stamp`` (``inserted_after``,
    ``modified_after``); ``stamp``: the date-time column the server compares it with, whose largest
    value seen is the watermark (a server date, never the local clock); ``key``: the column that
    identifies a record, for upserts. ``blind``: what the cache cannot see for this kind, in words
    (deletions always; edits that leave ``stamp`` where it was), for the docs.
    """

    after: str
    stamp: str
    key: str = "id"
    blind: str = ""


Check = Callable[[bool, str, str], None]


def check_order(kind: Kind, check: Check) -> None:
    """``check`` (the catalogue's: a CatalogueError) that ``kind``'s order, slicing, incremental and
    uncached name its own columns and filters, and agree with each other."""
    where = kind.name
    dtypes = {c.name: c.dtype for c in kind.columns}
    params: Mapping[str, Param] = {p.name: p for p in kind.params}
    for part in kind.order:
        check(bool(part.columns) and all(c in dtypes for c in part.columns), where,
              f"order {part.columns} names its columns")
    if kind.slicing is not None:
        spec = kind.slicing
        for bound in (spec.after, spec.before):
            check(bound in params and params[bound].type in ("datetime", "date"), where,
                  f"slicing filter {bound!r} is not one of its date or date-time filters")
        check(bool(kind.order), where, "slicing cuts on the order's first part: declare order")
    plan = kind.incremental
    if plan is not None:
        inc = f"{where} (incremental)"
        param = params.get(plan.after)
        check(param is not None and param.type == "datetime", inc, f"after {plan.after!r} is not one of its "
              "date-time filters")
        check(dtypes.get(plan.stamp) == "datetime", inc, f"stamp {plan.stamp!r} is not one of its datetime columns")
        check(plan.key in dtypes, inc, f"key {plan.key!r} is not one of its columns")
        check(bool(kind.order), inc, "the cache puts rows in the kind's order: declare order")
        check(not kind.uncached, where, "a kind is either incremental or uncached")
