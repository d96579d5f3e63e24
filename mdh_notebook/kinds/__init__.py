"""The catalogue: one declarative entry per data kind (:class:`Kind`) and per write (:class:`Operation`).

An entry says where its endpoint lives (path, which token, which scope), how it pages and what
its response looks like, its columns with their dtypes, and the filters it takes. The session's
methods (and their ``.pyi``), the pager, the frame builder, the CLI and :func:`catalog` all read
these tables; adding a kind means adding one entry to its family module here (plus the sandbox's
generator and a test) — nothing else. Each family module exports ``KINDS`` and ``OPERATIONS``::

    surveys      survey answers, results, tasks, inbox        devicedata   v1/v2 points, aggregates
    fitbit       Fitbit daily summaries, sleep logs           applehealth  workouts, activity summaries
    accounts     external accounts and providers              files        participant files
    project      participant, project, settings               admin        service-token kinds

The user-facing view is :func:`mdh_notebook.catalog` (a DataFrame). The package is named
``kinds`` rather than ``catalog`` so that ``mdh_notebook.catalog`` can be that function.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, TypeVar

from . import accounts, admin, applehealth, devicedata, devicedata_v2, files, fitbit, project, surveys
from .model import (
    CURSOR,
    FITBIT,
    SINGLE,
    CatalogueError,
    Column,
    Dtype,
    How,
    Kind,
    Operation,
    Paging,
    Param,
    ParamType,
    PlotStyle,
    Shape,
    Timeline,
    snake_case,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CURSOR",
    "FITBIT",
    "KINDS",
    "OPERATIONS",
    "SINGLE",
    "CatalogueError",
    "Column",
    "Dtype",
    "How",
    "Kind",
    "Operation",
    "Paging",
    "Param",
    "ParamType",
    "PlotStyle",
    "Shape",
    "Timeline",
    "catalog",
    "kind",
    "operation",
    "snake_case",
]

FAMILIES = (surveys, devicedata, devicedata_v2, fitbit, applehealth, accounts, files, project, admin)
for _family in FAMILIES:  # each family names itself to a reader (the scope picker's groups)
    if not isinstance(getattr(_family, "LABEL", None), str) or not _family.LABEL:
        raise CatalogueError(f"catalogue family {_family.__name__} has no LABEL (how a reader sees it named)")

E = TypeVar("E", Kind, Operation)


def _collect(entries: list[E], taken: set[str]) -> dict[str, E]:
    table: dict[str, E] = {}
    for entry in entries:
        if entry.name in taken or entry.name in table:
            raise CatalogueError(f"catalogue name {entry.name!r} is declared twice (kinds and writes share names)")
        table[entry.name] = entry
    return table


KINDS: dict[str, Kind] = _collect([k for family in FAMILIES for k in family.KINDS], set())
OPERATIONS: dict[str, Operation] = _collect([o for family in FAMILIES for o in family.OPERATIONS], set(KINDS))


def _lookup(table: dict[str, E], name: str, what: str) -> E:
    from ..errors import InvalidArgumentError

    try:
        return table[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(name, list(table), n=1) if isinstance(name, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        listing = ", ".join(table) or "none yet"
        raise InvalidArgumentError(f"unknown {what} {name!r}{hint} ({what}s: {listing})") from None


def kind(name: str) -> Kind:
    """The catalogue entry ``name``, or an error listing the kinds there are."""
    return _lookup(KINDS, name, "data kind")


def operation(name: str) -> Operation:
    """The write ``name``, or an error listing the writes there are."""
    return _lookup(OPERATIONS, name, "operation")


def catalog() -> pd.DataFrame:
    """The catalogue as a DataFrame: one row per read kind and per write, by scope then method.

    Columns: ``scope`` (``""`` for service-account kinds), ``method`` (the session / ``to_frame``
    name), ``http_method``, ``path`` (after the base URL), ``token``, ``access`` (read / write / call),
    ``filters`` and ``columns`` (lists of names), ``doc``.
    """
    import pandas as pd

    rows = [
        {"scope": k.scope, "method": k.name, "http_method": "GET", "path": k.path, "token": k.token,
         "access": "read", "filters": [p.name for p in k.params], "columns": k.column_names, "doc": k.doc}
        for k in KINDS.values()
    ] + [
        {"scope": o.scope, "method": o.name, "http_method": o.method, "path": o.path, "token": o.token,
         "access": "call" if o.method == "GET" else "write",
         "filters": [*o.placeholders, *(p.name for p in o.params)], "columns": [], "doc": o.doc}
        for o in OPERATIONS.values()
    ]
    frame = pd.DataFrame(rows, columns=["scope", "method", "http_method", "path", "token", "access", "filters",
                                        "columns", "doc"])
    frame = frame.sort_values(["token", "scope", "method"], ignore_index=True)
    for name in ("scope", "method", "http_method", "path", "token", "access", "doc"):
        frame[name] = frame[name].astype("string")
    return frame
