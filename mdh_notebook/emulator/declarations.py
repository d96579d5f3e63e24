"""How the sandbox declares what it serves: a read endpoint is one ``Collection``, a write (or any
other endpoint with a handler of its own) one ``Operation``. Family modules under ``kinds/``
contribute them; ``kinds.REGISTRY`` collects them; routing, authorization, rate limiting, scope
checks, paging and storage come from the declaration alone.

A route outside the API that the API's answers point to (a pre-signed storage URL, a provider's
authorization page) is one ``Public``: no token, no rate budget, no RateLimit headers; its path lies
under ``_sandbox/`` and its handler gets a ``PublicCall`` (with the request's headers).

A collection's data is generated per (participant, collection) on first use by its ``generate``
``(ctx, participant) -> rows``, kept sorted by ``sort_key`` (unique per row), filtered by
``filters`` and rendered by ``render``; ``shape`` says how it answers (``shapes``). An operation's
``handler`` gets a ``Call`` (backend, claims, path parameters, query parameters, body) and returns
a ``Result``: a dict or list (JSON), a str (a JSON string), ``Json`` (any status), ``Raw`` (bytes
with a content type) or ``Empty`` (an empty 2xx body, as many writes of the real API answer).

Decisions where the reference is silent: ``Empty`` is a 200 unless declared otherwise; a body's
Content-Type is not checked (``Call.media_type`` tells it); bodies over 1 MiB are a 413 unless the
operation allows more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .cohort import Participant, Project, rng_for
from .exceptions import BadRequest, NotFound, shown
from .paging import Params, SortKey
from .shapes import BareArray, CursorPages, NumberedPages, PageView, Shape, SingleObject, total
from .tokens import AccessClaims, TokenKind

if TYPE_CHECKING:
    from .models import SandboxBackend

__all__ = [
    "MAX_BODY",
    "BareArray",
    "Call",
    "Collection",
    "CursorPages",
    "Empty",
    "GenContext",
    "Json",
    "Method",
    "NumberedPages",
    "Operation",
    "PageView",
    "Params",
    "Public",
    "PublicCall",
    "Raw",
    "Registry",
    "Result",
    "SingleObject",
    "SortKey",
    "no_filters",
    "not_found",
    "total",
]

Row = TypeVar("Row")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
#: Request bodies larger than this are refused with 413 unless an operation says otherwise.
MAX_BODY = 1024 * 1024

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PATH = re.compile(r"api/[A-Za-z0-9/{}_.-]+")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::path)?\}")
_PUBLIC_PATH = re.compile(r"_sandbox/[A-Za-z0-9/{}_.:-]+")


@dataclasses.dataclass(frozen=True)
class GenContext:
    """What a generator may depend on (and nothing else, so that data is reproducible): the seed,
    the project, the data window (local days ``start``..``end``, inclusive) and ``pace``, to call
    once per generated day or so (it lets the server's other threads run)."""

    seed: int
    project: Project
    start: dt.date
    end: dt.date
    pace: Callable[[], None]

    def rng(self, *parts: object) -> random.Random:
        """A private RNG for one purpose (e.g. ``ctx.rng("sleep", participant.index)``)."""
        return rng_for(self.seed, *parts)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


Filters = Callable[[Params], tuple[Any, list[Callable[[Row], bool]]]]


def no_filters(params: Params) -> tuple[Any, list[Callable[[Any], bool]]]:
    return (), []


def _check_path(path: str, what: str) -> None:
    if not _PATH.fullmatch(path) or "//" in path or path.endswith("/"):
        raise ValueError(f"{what}: path must look like 'api/v1/delegated/...' (no leading slash), got {path!r}")


@dataclasses.dataclass(frozen=True)
class Collection(Generic[Row]):
    """One read endpoint over rows kept per participant (the token's participant).

    ``name``: the kind (``survey_answers``); ``path``: after the origin, no leading slash
    (``api/v1/delegated/surveyanswers``, ``api/v2/delegated/devicedata``); ``scope``: what a
    token needs to read it; ``shape``: ``CursorPages`` / ``NumberedPages`` / ``BareArray`` /
    ``SingleObject``; ``generate``: ``(ctx, participant) -> rows`` (any order); ``sort_key``: a
    flat tuple of ints / floats / strings, unique per row (tie-break with an id or ordinal; a
    descending order negates its numbers); ``render``: row -> JSON value; ``filters``: params ->
    (normalised key, predicates), where the key is what binds a cursor to its filters (hashable
    repr, equal for equal filters) and a bad value raises ``BadRequest``; ``row_id``: row -> id,
    for writes that find rows by id; ``source``: when set, participants whose ``sources`` lack it
    have no rows (the generator is not called).
    """

    name: str
    path: str
    scope: str
    shape: Shape
    generate: Callable[[GenContext, Participant], Sequence[Row]]
    sort_key: Callable[[Row], SortKey]
    render: Callable[[Row], Any]
    filters: Filters[Row] = no_filters
    row_id: Callable[[Row], str] | None = None
    source: str | None = None
    token: TokenKind = "participant"

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"collection name must be snake_case, got {self.name!r}")
        _check_path(self.path, self.name)
        if _PLACEHOLDER.search(self.path):
            raise ValueError(f"{self.name}: a collection's path has no placeholders (declare an Operation)")
        if self.token != "participant":
            raise ValueError(f"{self.name}: collections serve the token's participant; for a service-token "
                             "read, declare a GET Operation (as the admin participant list does)")


@dataclasses.dataclass(frozen=True)
class Empty:
    """An empty body (no content type)."""

    status: int = 200


@dataclasses.dataclass(frozen=True)
class Raw:
    body: bytes
    media_type: str
    status: int = 200
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Json:
    value: Any
    status: int = 200


Result = dict[str, Any] | list[Any] | str | Json | Raw | Empty


def not_found(what: str, ident: str) -> NotFound:
    """The 404 for an id that names nothing: ``raise not_found("device data point", id)``."""
    return NotFound(f"{what} {shown(ident)} not found")


@dataclasses.dataclass(frozen=True)
class Call:
    """One authorized request to an operation."""

    backend: SandboxBackend
    claims: AccessClaims
    path: Mapping[str, str]  # path parameters, decoded (an encoded slash is part of the value)
    params: Params
    body: bytes  # empty for GET; at most the operation's max_body bytes
    media_type: str  # the Content-Type without parameters, lower case ("" when absent)
    label: str  # "METHOD /path/template", for messages

    @property
    def participant(self) -> Participant:
        """The participant a participant token speaks for."""
        return self.backend.participant_of(self.claims)

    def json(self) -> Any:
        """The body as JSON; 400 ``{"message": ...}`` when empty or not valid JSON."""
        if not self.body.strip():
            raise BadRequest(f"{self.label} needs a JSON body")
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise BadRequest("the request body is not valid JSON") from None

    def json_object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise BadRequest("the request body must be a JSON object")
        return value

    def json_array(self) -> list[Any]:
        value = self.json()
        if not isinstance(value, list):
            raise BadRequest("the request body must be a JSON array")
        return value

    def find(self, collection: Collection[Row], row_id: str, what: str) -> Row:
        """The token participant's row ``row_id`` of ``collection``, or a 404 naming ``what``."""
        row = self.backend.store.get(self.participant, collection, row_id)
        if row is None:
            raise not_found(what, row_id)
        return row

    def delete(self, collection: Collection[Row], row_id: str, what: str) -> Row:
        """Delete the token participant's row ``row_id`` of ``collection``; 404 if there is none."""
        row = self.backend.store.delete(self.participant, collection, row_id)
        if row is None:
            raise not_found(what, row_id)
        return row


@dataclasses.dataclass(frozen=True)
class Operation:
    """Any other endpoint: ``method`` + ``path`` (``{placeholders}`` match one segment each),
    the token kind and scope it needs, and its ``handler``. The body is read (up to ``max_body``
    bytes, else 413) for every method but GET."""

    name: str
    method: Method
    path: str
    scope: str
    handler: Callable[[Call], Result]
    token: TokenKind = "participant"
    max_body: int = MAX_BODY

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"operation name must be snake_case, got {self.name!r}")
        _check_path(self.path, self.name)


@dataclasses.dataclass(frozen=True)
class PublicCall:
    """One request to a public route (no token: whatever it needs is in the URL)."""

    backend: SandboxBackend
    path: Mapping[str, str]  # path parameters, decoded
    params: Params
    headers: Mapping[str, str]  # the request's headers (names case-insensitive)
    body: bytes  # empty for GET; at most the route's max_body bytes
    media_type: str  # the Content-Type without parameters, lower case ("" when absent)
    base_url: str  # the origin the request reached, with a trailing slash
    label: str  # "METHOD /path/template", for messages


@dataclasses.dataclass(frozen=True)
class Public:
    """A route the API's answers point to rather than an API endpoint: ``method`` + ``path`` under
    ``_sandbox/`` (``{name}`` matches one segment, ``{name:path}`` the rest of the path). It takes
    no token and spends no rate budget; the body is read (up to ``max_body`` bytes, else 413) for
    every method but GET."""

    name: str
    method: Method
    path: str
    handler: Callable[[PublicCall], Result]
    max_body: int = MAX_BODY

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"public route name must be snake_case, got {self.name!r}")
        if not _PUBLIC_PATH.fullmatch(self.path) or "//" in self.path or self.path.endswith("/"):
            raise ValueError(f"{self.name}: a public path lies under '_sandbox/' (no leading slash), got {self.path!r}")


@dataclasses.dataclass(frozen=True)
class Registry:
    """Everything the sandbox serves; names unique, and no two routes with one method and path."""

    collections: tuple[Collection[Any], ...]
    operations: tuple[Operation, ...] = ()
    public: tuple[Public, ...] = ()

    def __post_init__(self) -> None:
        names: set[str] = set()
        routes: set[tuple[str, str]] = set()
        for method, path, name in [*self.routes(), *((p.method, p.path, p.name) for p in self.public)]:
            if name in names:
                raise ValueError(f"two declarations named {name!r}")
            route = (method, _PLACEHOLDER.sub("{}", path.lower()))
            if route in routes:
                raise ValueError(f"two declarations for {method} /{path}")
            names.add(name)
            routes.add(route)

    def routes(self) -> list[tuple[str, str, str]]:
        """(method, path, name) of every API declaration (collections, then operations)."""
        return [*(("GET", c.path, c.name) for c in self.collections),
                *((o.method, o.path, o.name) for o in self.operations)]

    def collection(self, name: str) -> Collection[Any]:
        for collection in self.collections:
            if collection.name == name:
                return collection
        raise KeyError(f"no collection named {name!r}")

    def extended(self, collections: Sequence[Collection[Any]] = (),
                 operations: Sequence[Operation] = (), public: Sequence[Public] = ()) -> Registry:
        """This registry plus more declarations (tests serve kinds of their own this way)."""
        return Registry((*self.collections, *collections), (*self.operations, *operations),
                        (*self.public, *public))
