"""The catalogue's model: what one read kind (:class:`Kind`) or one write (:class:`Operation`) declares.

Every string-valued field with a fixed set of values is a ``Literal`` type, so a typo in an
entry fails mypy (and, for anyone bypassing mypy, the entry's own check at import).

Column dtypes (each converted by one function in :data:`mdh_notebook.frames.CONVERTERS`):
``string``; ``category`` (low-cardinality strings: namespace, type, units, survey name, statuses); ``Int64``,
``Float64``; ``boolean`` (also from "true"/"false" strings); ``datetime`` (tz-aware UTC);
``date`` (a calendar date, naive midnight); ``wallclock`` (a local wall-clock date-time the API
writes without a zone, e.g. an aggregate interval's start: naive, any offset ignored, never
converted by ``tz``); ``object`` (lists and free-form maps, kept whole).

Response shapes (:data:`Shape`): ``keyed`` — an object whose ``items_key`` holds the list of
records (beside ``nextPageID``, or a total for page numbers); ``array`` — the body is a bare JSON
array of records; ``object`` — the body is the one record.
"""

from __future__ import annotations

import keyword
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from ..scopes import Scope
from .order import Incremental, Order, Ordered, Slicing, check_order

__all__ = [
    "CURSOR",
    "FITBIT",
    "SINGLE",
    "BodyKind",
    "Column",
    "Dtype",
    "How",
    "HttpMethod",
    "Incremental",
    "Kind",
    "Operation",
    "Order",
    "Ordered",
    "Paging",
    "PagingStyle",
    "Param",
    "ParamType",
    "PlotStyle",
    "Setting",
    "Shape",
    "Slicing",
    "Timeline",
    "Token",
    "Vocabulary",
    "snake_case",
    "words",
]

Token = Literal["participant", "service"]
Dtype = Literal["string", "category", "Int64", "Float64", "boolean", "datetime", "date", "wallclock", "object"]
ParamType = Literal["str", "list", "guid", "guids", "datetime", "date", "int", "bool"]
PagingStyle = Literal["cursor", "page_number", "none"]
Shape = Literal["keyed", "array", "object"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
BodyKind = Literal["none", "json", "bytes"]
PlotStyle = Literal["series", "score", "sleep"]
How = Literal["mean", "median", "sum", "min", "max"]
"""How the values falling in one time bucket combine (a level such as heart rate: ``mean``; an amount
such as steps: ``sum``)."""
Setting = Literal[
    "", "fitbitEnabled", "ehrEnabled", "airQualityEnabled", "weatherEnabled", "googleHealthEnabled",
    "garminEnabled", "dexcomEnabled", "omronEnabled", "appleHealthRecordsEnabled", "appleHealthEnabled",
    "googleFitEnabled", "healthConnectEnabled", "ouraEnabled",
]
"""A DataCollectionSettings flag (reference §3.2) saying whether a kind's source is switched on."""

# keywords every generated session method takes besides its filters, and the first arguments of
# ParticipantSession.fetch(kind, ...) / .pager(kind, resume=...), which take filters as **keywords
RESERVED = frozenset({"self", "tz", "progress", "body", "content", "kind", "resume", "refresh"})


class CatalogueError(ValueError):
    """An entry that contradicts itself: a bug in the catalogue, raised at import."""


def snake_case(name: str) -> str:
    """``surveyResultID`` → ``survey_result_id``; ``source.identifier`` → ``source_identifier``."""
    parts = []
    for part in name.split("."):
        part = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", part)
        part = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", part)
        parts.append(re.sub(r"[^0-9a-zA-Z]+", "_", part).strip("_").lower())
    return "_".join(p for p in parts if p)


def _check(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise CatalogueError(f"catalogue entry {where}: {message}")


def _check_literal(value: object, literal: object, where: str, what: str) -> None:
    _check(value in get_args(literal), where, f"{what} {value!r} is not one of {get_args(literal)}")


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


@dataclass(frozen=True, kw_only=True)
class Paging:
    """How a kind pages.

    ``cursor``: ``size_param`` at ``max_size`` + ``cursor_param`` → the body's ``next_key``;
    ``page_number``: ``size_param`` + ``number_param`` counting from ``first_page`` (0 or 1),
    until the body's ``total_key`` is reached (or a short/empty page when there is no total);
    ``none``: one request. ``total_key`` on a cursor kind (Apple Health's ``totalResults``) only
    feeds the progress bar.
    """

    style: PagingStyle
    size_param: str = ""
    max_size: int = 0
    cursor_param: str = "pageID"
    next_key: str = "nextPageID"
    number_param: str = "pageNumber"
    first_page: Literal[0, 1] = 0
    total_key: str = ""

    def __post_init__(self) -> None:
        where = f"Paging({self.style!r})"
        _check_literal(self.style, PagingStyle, where, "style")
        _check(self.first_page in (0, 1), where, "first_page is 0 or 1")
        if self.style == "none":
            _check(not self.size_param and not self.total_key, where, "a single request has no size or total")
        else:
            _check(bool(self.size_param) and self.max_size > 0, where, "needs size_param and max_size > 0")

    @property
    def wires(self) -> tuple[str, ...]:
        """The query parameters the pager itself sends (size, then cursor or page number)."""
        if self.style == "cursor":
            return (self.size_param, self.cursor_param)
        if self.style == "page_number":
            return (self.size_param, self.number_param)
        return ()


CURSOR = Paging(style="cursor", size_param="limit", max_size=100)  # delegated lists: limit ≤ 100 (reference §3)
FITBIT = Paging(style="cursor", size_param="pageSize", max_size=25)  # Fitbit: pageSize ≤ 25 (D:sdk/fitbit.html)
SINGLE = Paging(style="none")


@dataclass(frozen=True)
class Column:
    """One frame column read from ``wire`` (dotted for a nested object's field).

    ``name`` defaults to ``snake_case(wire)``; give it to read one wire key twice, e.g.
    ``Column("value", "string")`` and ``Column("value", "Float64", name="value_number", quiet=True)``.
    ``quiet``: values that are not of the dtype become missing without a DataWarning (a derived copy).
    """

    wire: str
    dtype: Dtype
    name: str = ""
    quiet: bool = False

    def __post_init__(self) -> None:
        where = f"Column({self.wire!r})"
        _check_literal(self.dtype, Dtype, where, "dtype")
        if not self.name:
            object.__setattr__(self, "name", snake_case(self.wire))
        _check(_identifier(self.name), where, f"name {self.name!r} is not a Python identifier")

    @property
    def path(self) -> tuple[str, ...]:
        """The keys the column reads, outermost first (``schedule.id`` → ``("schedule", "id")``)."""
        return tuple(self.wire.split("."))


@dataclass(frozen=True)
class Param:
    """A filter: the Python keyword ``name`` sent as the query parameter ``wire``.

    Types: ``str``; ``list`` (a string or strings, one comma-joined value with ``\\`` and ``,``
    escaped); ``guid`` (an id the API takes only as a GUID: a ``uuid.UUID`` or its text in any
    case, sent in canonical lower-case form — anything else is refused before the request the API
    would answer 400, or 404 for a path); ``guids`` (one GUID or several, each checked, sent like a
    ``list``); ``datetime`` (sent as UTC ``...Z``); ``date`` (``YYYY-MM-DD``); ``int``; ``bool``
    (``true``/``false``). ``taken_from``, for a ``guid``/``guids`` filter (required there): the
    ``(kind, column)`` pairs whose values it takes, named in the refusal of a value that is not a
    GUID. ``required``: refused when missing, before any request. ``choices``:
    the values the API takes (a case-insensitive match is corrected to the canonical spelling).
    ``prefix``: the argument is a mapping ``{key: value}`` sent as ``<wire>.<key>=<value>`` (type
    ``list``: each value a string or strings, comma-joined and escaped like a list filter).
    ``default``: sent when the filter is left out (or None). ``in_path``: the value fills the
    kind's ``{<name>}`` path placeholder instead of a query parameter (``wire`` names it in docs).
    """

    name: str
    wire: str
    type: ParamType
    doc: str = ""
    required: bool = False
    choices: tuple[str | int, ...] = ()
    prefix: bool = False
    default: str | int | bool | tuple[str, ...] | None = None
    in_path: bool = False
    taken_from: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        where = f"Param({self.name!r})"
        _check_literal(self.type, ParamType, where, "type")
        guid = self.type in ("guid", "guids")
        _check(guid == bool(self.taken_from), where, "taken_from= (the (kind, column) pairs a GUID is taken from, "
               "named when a value is not one) is given for a guid or guids filter, and only there")
        _check(all(len(pair) == 2 and all(isinstance(n, str) and n for n in pair) for pair in self.taken_from),
               where, "taken_from holds (kind, column) pairs of names")
        _check(_identifier(self.name) and self.name not in RESERVED, where,
               f"name must be an identifier other than {sorted(RESERVED)}")
        _check(bool(self.wire), where, "wire is empty")
        if self.choices:
            kind = int if self.type == "int" else str
            _check(self.type in ("str", "list", "int"), where, "choices are for str, list and int filters")
            _check(all(type(c) is kind for c in self.choices), where, f"choices must be {kind.__name__}s")
            _check(not self.prefix, where, "a prefix filter takes free keys, not choices")
        if self.prefix:
            _check(self.type in ("str", "list"), where, "a prefix filter maps keys to strings: type 'str' or 'list'")
        if self.default is not None:
            _check(not self.required and not self.prefix, where, "a default is for an optional, non-prefix filter")
            values = self.default if isinstance(self.default, tuple) else (self.default,)
            kinds = {"str": str, "list": str, "int": int, "bool": bool}
            _check(self.type in kinds and (isinstance(self.default, tuple) == (self.type == "list"))
                   and all(type(v) is kinds[self.type] for v in values), where,
                   f"default {self.default!r} does not fit type {self.type!r} (a list default is a tuple)")
            _check(not self.choices or all(v in self.choices for v in values), where,
                   f"default {self.default!r} is not among the choices")
        if self.in_path:
            _check(self.type in ("str", "guid", "int") and not self.prefix
                   and (self.required or self.default is not None),
                   where, "a path filter is a str, guid or int that always has a value (required, or a default)")


def _placeholders(path: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(path) if name is not None)


def _check_path(path: str, where: str) -> None:
    _check(path.startswith("api/") and "//" not in path, where,
           f"path {path!r} is relative to the base URL, like 'api/v1/delegated/...'")
    for name in _placeholders(path):
        _check(_identifier(name), where, f"placeholder {{{name}}} is not an identifier")


def _check_params(params: tuple[Param, ...], where: str) -> None:
    names = [p.name for p in params]
    _check(len(set(names)) == len(names), where, f"filter names repeat: {names}")


def _check_access(token: str, scope: str, where: str) -> None:
    _check_literal(token, Token, where, "token")
    if token == "participant":
        _check_literal(scope, Scope, where, "scope")
    else:
        _check(scope == "", where, "a service-token entry has no participant scope")


@dataclass(frozen=True)
class Vocabulary:
    """Where the values a filter may take are listed: the rows of the kind ``kind`` (read with
    ``filters``), in its column named like the filter. Rows are narrowed by the caller's other
    filters that are columns there too (device data types by ``namespace``). An empty frame whose
    filter value is not listed comes with an :class:`~mdh_notebook.UnknownValueWarning`."""

    param: str
    kind: str
    filters: tuple[tuple[str, str | int | bool], ...] = ()


@dataclass(frozen=True)
class Timeline:
    """When a kind's rows happened, how to filter them by time, and what to plot over time.

    ``column``: the frame column (snake_case) saying when a row happened, the x axis (dtype
    ``datetime``, ``date`` or ``wallclock``). ``after`` / ``before``: the kind's filters taking the
    lower / upper bound of a time range (``""``: the kind cannot be filtered by time). ``value``: a
    numeric column plotted over time (``""``: rows are counted per day); ``fallback``: numeric columns
    plotted instead, in order, when ``value`` has no values (an aggregate asked for other statistics).
    ``group``: the column whose values split the series. ``plot``: ``series`` (value or count over
    time), ``score`` (survey totals per result, one line per survey), ``sleep`` (time asleep per night).

    ``how``: how the values in one time bucket combine (:data:`How`): ``mean`` for a level (heart
    rate), ``sum`` for an amount (steps per day; a sum's axis starts at zero). Where one kind holds
    both (device data: a ``type`` column), ``amounts`` lists the words that make a ``group`` value an
    amount, summed whatever ``how`` says: a value is one when a word of it (split at case changes,
    ``-``, ``_`` and spaces, ignoring case) is listed, so ``("steps",)`` covers ``Steps``,
    ``steps-daily`` and ``HourlySteps``. ``amount_value``: the column plotted for amounts instead of
    ``value`` (an aggregate's ``statistics_sum`` beside its ``statistics_avg``). ``units``: the column
    naming each row's unit, shown on the value axis.
    """

    column: str
    after: str = ""
    before: str = ""
    value: str = ""
    group: str = ""
    plot: PlotStyle = "series"
    fallback: tuple[str, ...] = ()
    how: How = "mean"
    amounts: tuple[str, ...] = ()
    amount_value: str = ""
    units: str = ""

    def is_amount(self, group_value: object) -> bool:
        """Whether the rows whose ``group`` is this value are amounts (summed per bucket)."""
        return bool(self.amounts) and not set(self.amounts).isdisjoint(words(str(group_value)))


def words(name: str) -> list[str]:
    """``HourlySteps`` → ``['hourly', 'steps']``; ``steps-daily`` → ``['steps', 'daily']``."""
    return snake_case(name).split("_")


_TIMES: tuple[Dtype, ...] = ("datetime", "date", "wallclock")
_NUMBERS: tuple[Dtype, ...] = ("Int64", "Float64")


def _check_timeline(timeline: Timeline | None, count_by: str, columns: Mapping[str, Dtype],
                    params: Mapping[str, Param], where: str) -> None:
    def column(name: str, what: str, dtypes: tuple[Dtype, ...] | None = None) -> None:
        _check(name in columns, where, f"{what} {name!r} is not one of its columns ({', '.join(columns)})")
        _check(dtypes is None or columns[name] in dtypes, where,
               f"{what} {name!r} is a {columns[name]} column, not one of {dtypes}")

    if count_by:
        column(count_by, "count_by", tuple(d for d in get_args(Dtype) if d != "object"))
    if timeline is None:
        return
    _check_literal(timeline.plot, PlotStyle, where, "timeline plot")
    column(timeline.column, "timeline column", _TIMES)
    for bound in (timeline.after, timeline.before):
        _check(not bound or bound in params, where, f"timeline filter {bound!r} is not one of its filters")
        _check(not bound or params[bound].type in ("datetime", "date"), where,
               f"timeline filter {bound!r} takes no date or date-time")
    for name in (timeline.value, *timeline.fallback):
        if name:
            column(name, "timeline value", _NUMBERS)
    _check(bool(timeline.value) or not timeline.fallback, where, "a timeline fallback needs a value")
    if timeline.group:
        column(timeline.group, "timeline group", tuple(d for d in get_args(Dtype) if d != "object"))
    _check_literal(timeline.how, How, where, "timeline how")
    _check(timeline.how == "mean" or bool(timeline.value), where,
           f"timeline how {timeline.how!r} combines values: it needs a value (rows without one are counted)")
    _check(not timeline.amounts or (bool(timeline.group) and bool(timeline.value)), where,
           "timeline amounts name values of its group: they need a group and a value")
    for word in timeline.amounts:
        _check(bool(word) and words(word) == [word], where,
               f"timeline amount {word!r} is not one lower-case word (like 'steps')")
    if timeline.amount_value:
        _check(bool(timeline.amounts), where, "a timeline amount_value is plotted for amounts: it needs amounts")
        column(timeline.amount_value, "timeline amount_value", _NUMBERS)
    if timeline.units:
        column(timeline.units, "timeline units", ("string", "category"))


@dataclass(frozen=True, kw_only=True)
class Kind:
    """One read kind: a session method, a ``to_frame`` kind, one endpoint.

    ``path`` is relative to the base URL (``{project_id}`` is filled in for admin kinds);
    ``items_key`` names the list in a ``keyed`` response. ``positional`` filters are also taken
    by position, in that order (e.g. ``("start", "end")``). ``timeline`` says when its rows happened
    and what to plot over time (:class:`Timeline`); ``count_by``, for a kind without one, names the
    column a bar chart counts rows by (neither: nothing to plot). ``setting`` names the
    DataCollectionSettings flag of the kind's source (e.g. ``"fitbitEnabled"``); where the source
    is picked by a filter (device data's ``namespace``), ``settings_by`` names that filter and
    ``settings`` maps its values to flags instead. ``order``: the API's row order (:class:`Ordered`
    parts; the cache and slicing both read it); ``slicing``: the filters a long pull may be cut on
    (:class:`Slicing`); ``incremental``: how the cache asks it only for what changed
    (:class:`Incremental`; None: the cache passes the kind by); ``uncached``: why the cache passes by
    a kind that has change filters all the same (see :mod:`mdh_notebook.kinds.order`).
    """

    name: str
    path: str
    token: Token
    scope: Scope | Literal[""]
    shape: Shape
    columns: tuple[Column, ...]
    items_key: str = ""
    paging: Paging = SINGLE
    params: tuple[Param, ...] = ()
    positional: tuple[str, ...] = ()
    setting: Setting = ""
    settings_by: str = ""
    settings: tuple[tuple[str, Setting], ...] = ()
    vocabulary: Vocabulary | None = None
    timeline: Timeline | None = None
    count_by: str = ""
    order: Order = ()
    slicing: Slicing | None = None
    incremental: Incremental | None = None
    uncached: str = ""
    doc: str = ""

    def __post_init__(self) -> None:
        where = self.name
        _check(_identifier(self.name) and not self.name.startswith("_"), where, "name must be a public identifier")
        _check_access(self.token, self.scope, where)
        _check_literal(self.shape, Shape, where, "shape")
        check_order(self, _check)
        _check_literal(self.setting, Setting, where, "setting")
        for _, flag in self.settings:
            _check_literal(flag, Setting, where, "settings flag")
        _check(bool(self.settings_by) == bool(self.settings), where, "settings_by and settings go together")
        _check(not (self.setting and self.settings_by), where, "a kind has one setting or settings by a filter")
        _check(not self.settings_by or any(p.name == self.settings_by for p in self.params), where,
               f"settings_by {self.settings_by!r} is not one of its filters")
        _check(self.vocabulary is None or any(p.name == self.vocabulary.param for p in self.params), where,
               "a vocabulary names one of the kind's filters")
        _check_path(self.path, where)
        in_path = {p.name for p in self.params if p.in_path}
        allowed = ({"project_id"} if self.token == "service" else set()) | in_path
        _check(set(_placeholders(self.path)) <= allowed, where, f"path placeholders other than {allowed or '{}'}")
        _check(in_path <= set(_placeholders(self.path)), where, f"path filters {sorted(in_path)} need placeholders")
        if self.shape == "keyed":
            _check(bool(self.items_key), where, "a keyed response names its items_key")
        else:
            _check(not self.items_key, where, f"a bare {self.shape} response has no items_key")
        if self.shape == "object":
            _check(self.paging.style == "none", where, "a single object does not page")
        if self.shape == "array":
            _check(self.paging.style != "cursor", where, "a bare array carries no next cursor")
        names = [c.name for c in self.columns]
        _check(len(set(names)) == len(names), where, f"column names repeat: {names}")
        _check_params(self.params, where)
        _check_timeline(self.timeline, self.count_by, {c.name: c.dtype for c in self.columns},
                        {p.name: p for p in self.params}, where)
        paging = {w.casefold() for w in self.paging.wires}  # servers read parameter names in any case
        clash = sorted(p.wire for p in self.params if not p.in_path and p.wire.casefold() in paging)
        _check(not clash, where, f"filters sent as {clash} clash with the parameters the pager sets itself "
               f"({', '.join(self.paging.wires)}); drop the filter, or name the paging parameter in Paging(...)")
        by_name = {p.name: p for p in self.params}
        _check(all(n in by_name for n in self.positional), where, "positional names must be filters")
        optional_seen = False
        for n in self.positional:
            if by_name[n].required:
                _check(not optional_seen, where, f"required positional filter {n!r} follows an optional one")
            optional_seen = optional_seen or not by_name[n].required

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def setting_for(self, filters: Mapping[str, object]) -> str:
        """The DataCollectionSettings flag of the source these filters read ("" when none)."""
        if not self.settings_by:
            return self.setting
        value = filters.get(self.settings_by)
        if not isinstance(value, str):
            return ""
        return next((flag for key, flag in self.settings if key.casefold() == value.casefold()), "")


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One write (or any call that is not a frame): method, path, body, scope.

    ``path`` may hold ``{placeholders}`` (e.g. ``api/v1/delegated/devicedata/{id}``), filled from
    the call's arguments and percent-encoded; ``{project_id}`` comes from the configuration.
    ``path_params`` types some placeholders: each a :class:`Param` named like its placeholder,
    ``in_path`` and ``required`` (a ``guid`` id is checked before any request, see
    :func:`mdh_notebook.filters.encode_path`); an undeclared one takes a non-empty string or an integer.
    ``body``: ``none``, ``json`` (any JSON value) or ``bytes`` (raw content). The call returns the
    decoded JSON, or None for an empty body. ``expose=False`` generates no session method (a
    hand-written friendly one calls :meth:`ParticipantSession.call` instead).
    """

    name: str
    method: HttpMethod
    path: str
    token: Token
    scope: Scope | Literal[""]
    body: BodyKind = "none"
    params: tuple[Param, ...] = ()
    path_params: tuple[Param, ...] = ()
    doc: str = ""
    expose: bool = True
    placeholders: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        where = self.name
        _check(_identifier(self.name) and not self.name.startswith("_"), where, "name must be a public identifier")
        _check_access(self.token, self.scope, where)
        _check_literal(self.method, HttpMethod, where, "method")
        _check_literal(self.body, BodyKind, where, "body")
        _check(not (self.method == "GET" and self.body != "none"), where, "a GET sends no body")
        _check_path(self.path, where)
        _check_params(self.params, where)
        _check(not any(p.in_path for p in self.params), where, "an operation's placeholders are its path arguments")
        holes = tuple(n for n in dict.fromkeys(_placeholders(self.path)) if n != "project_id")
        _check(not (self.token == "participant" and "project_id" in _placeholders(self.path)), where,
               "a participant-token path has no {project_id}")
        clash = set(holes) & ({p.name for p in self.params} | RESERVED)
        _check(not clash, where, f"placeholders {sorted(clash)} clash with filters or reserved names")
        typed = [p.name for p in self.path_params]
        _check(len(set(typed)) == len(typed) and set(typed) <= set(holes), where,
               f"path_params {typed} name placeholders of its path, once each ({', '.join(holes) or 'none'})")
        _check(all(p.in_path and p.required for p in self.path_params), where,
               "path_params are in_path and required (a placeholder always has a value)")
        object.__setattr__(self, "placeholders", holes)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)
