"""Session methods generated from the catalogue: one per participant read kind, one per exposed write.

The runtime methods (attached to :class:`mdh_notebook._kind_methods._KindMethods` at import) and
the typed stub ``_kind_methods.pyi`` (written by ``python -m mdh_notebook._stubgen``) are built from
the same :func:`arguments` here, so what ``help()`` shows, what mypy checks and what runs agree.

A read method takes its kind's filters as keywords (``positional`` ones also by position), plus
``tz``, ``progress``, ``on_page``, ``resume`` and ``refresh``, and returns the frame of
:meth:`ParticipantSession.fetch`.
A write method takes its path placeholders by position, then its body (``body`` for JSON, ``content`` for
bytes), its query filters as keywords, and returns :meth:`ParticipantSession.call`'s answer.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import InvalidArgumentError
from .filters import encode_path
from .kinds import KINDS, OPERATIONS, Kind, Operation, Param, ParamType

__all__ = ["Arg", "annotation", "arguments", "attach", "generated", "method_doc", "read_method", "write_method"]

_TYPES: dict[ParamType, str] = {
    "str": "str",
    "list": "str | Sequence[str]",
    "guid": "str | UUID",
    "guids": "str | UUID | Sequence[str | UUID]",
    "datetime": "datetime | date | str",
    "date": "date | str",
    "int": "int",
    "bool": "bool",
}
_BODY_ARG = {"json": ("body", "Any"), "bytes": ("content", "bytes")}


def annotation(param: Param) -> str:
    """The filter's type as the stub writes it (``None`` allowed unless required or defaulted)."""
    if param.prefix:
        base = "Mapping[str, str | Sequence[str]]" if param.type == "list" else "Mapping[str, str]"
    elif param.choices:
        literal = f"Literal[{', '.join(repr(c) for c in param.choices)}]"
        base = f"{literal} | Sequence[{literal}]" if param.type == "list" else literal
    else:
        base = _TYPES[param.type]
    return base if param.required or param.default is not None else f"{base} | None"


def _doc(param: Param) -> str:
    if param.default is None:
        return param.doc
    default = ", ".join(param.default) if isinstance(param.default, tuple) else param.default
    return f"{param.doc} (default {default})" if param.doc else f"default {default}"


# the docs of tz, on_page and refresh: a session's, and a cohort's (which runs on worker threads,
# refuses 'local' — several zones in one column — and has its cache from cohort(cache_dir=))
_SESSION_DOCS = ("show date-times in this IANA zone, or 'local' for the participant's own (default UTC)",
                 "called with the pager's state after every page (your own progress display)",
                 "with a cache (connect(cache_dir=...)): fetch everything again and rewrite the stored copy")
_COHORT_DOCS = ("show date-times in this IANA zone, e.g. 'Europe/Berlin' (default UTC; not 'local': the "
                "participants' zones differ)",
                "called with a participant's pager state after every page, from the cohort's worker threads, "
                "several at once (a hook that keeps state must lock it)",
                "with a cache (mdh.cohort(cache_dir=...)): fetch every participant's kind again and rewrite "
                "the stored copies")

_COHORT_ATTRS = ("``frame.attrs`` holds ``'pages'`` (the requests made, all participants), ``'failures'`` "
                 "(this call's: identifier → why) and, with a cache, ``'cache'`` (the participants' state, or "
                 "'mixed') and ``'caches'`` (each participant's).")


@dataclass(frozen=True)
class Arg:
    name: str
    annotation: str
    required: bool
    positional: bool  # positional-or-keyword; else keyword-only
    doc: str = ""
    default: object = None  # what an optional argument defaults to


def arguments(entry: Kind | Operation, *, cohort: bool = False) -> list[Arg]:
    """The method's parameters after ``self``, in signature order (``cohort``: with the docs of a
    :class:`~mdh_notebook.Cohort`'s method, whose ``tz``, ``on_page`` and ``refresh`` differ)."""
    if isinstance(entry, Kind):
        by_name = {p.name: p for p in entry.params}
        args = [Arg(n, annotation(by_name[n]), by_name[n].required, True, _doc(by_name[n]), by_name[n].default)
                for n in entry.positional]
        args += [Arg(p.name, annotation(p), p.required, False, _doc(p), p.default) for p in entry.params
                 if p.name not in entry.positional]
        tz, on_page, refresh = _COHORT_DOCS if cohort else _SESSION_DOCS
        return [*args, Arg("tz", "str | None", False, False, tz),
                Arg("progress", "bool | None", False, False,
                    "a progress bar for a long pull (default: in Jupyter or a terminal)"),
                Arg("on_page", "Callable[[PagerState], Any] | None", False, False, on_page),
                Arg("resume", "PagerState | None", False, False,
                    "a failed pull's exc.pager_state: go on from the page that failed, keeping its rows "
                    "(same filters)"),
                Arg("refresh", "bool", False, False, refresh, False)]
    typed = {p.name: p for p in entry.path_params}
    args = [Arg(h, annotation(typed[h]), True, True, typed[h].doc) if h in typed
            else Arg(h, "str | int", True, True, "the path's {" + h + "}") for h in entry.placeholders]
    if entry.body in _BODY_ARG:
        name, kind = _BODY_ARG[entry.body]
        args.append(Arg(name, kind, True, True, "the request body"))
    return args + [Arg(p.name, annotation(p), p.required, False, p.doc) for p in entry.params]


def method_doc(entry: Kind | Operation, *, cohort: bool = False) -> str:
    """The method's docstring (lines of at most 100 characters); ``cohort``: a Cohort's method's."""
    wires = {p.name: p.wire for p in entry.params}
    lines = [textwrap.fill(f"{a.name}: {a.doc or '(no description)'}"
                           + (f" (``{wires[a.name]}``)" if a.name in wires else ""),
                           width=96, initial_indent="    ", subsequent_indent="        ")
             for a in arguments(entry, cohort=cohort)]
    if isinstance(entry, Kind):
        attrs = (_COHORT_ATTRS if cohort else
                 "``frame.attrs`` holds ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut "
                 "into time slices fetched in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', "
                 "'refresh' or 'bypass').")
        head = (f"Needs scope ``{entry.scope}``. Every page is fetched; the result is one frame "
                f"with the columns of ``mdh_notebook.to_frame({entry.name!r}, [])``. {attrs}")
        title = "Filters"
    else:
        head = (f"Needs scope ``{entry.scope}``. ``{entry.method} {entry.path}``; returns the "
                "decoded JSON answer, or None for an empty one.")
        title = "Arguments"
    paragraphs = [textwrap.fill(part, width=100) for part in (entry.doc, head) if part]
    return "\n\n".join(paragraphs) + f"\n\n{title}:\n" + ("\n".join(lines) or "    (none)") + "\n"


def _signature(entry: Kind | Operation, returns: str) -> inspect.Signature:
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for arg in arguments(entry):
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if arg.positional else inspect.Parameter.KEYWORD_ONLY
        default = inspect.Parameter.empty if arg.required else arg.default
        params.append(inspect.Parameter(arg.name, kind, default=default, annotation=arg.annotation))
    return inspect.Signature(params, return_annotation=returns)


def _finish(method: Callable[..., Any], entry: Kind | Operation, returns: str) -> Callable[..., Any]:
    method.__signature__ = _signature(entry, returns)  # type: ignore[attr-defined]
    method.__name__ = method.__qualname__ = entry.name
    method.__doc__ = method_doc(entry)
    return method


def read_method(entry: Kind) -> Callable[..., Any]:
    """The session method reading ``entry``: filters checked, then :meth:`ParticipantSession.fetch`."""
    positional = list(entry.positional)

    def method(self: Any, *args: Any, tz: str | None = None, progress: bool | None = None,
               on_page: Callable[..., Any] | None = None, resume: Any = None, refresh: bool = False,
               **filters: Any) -> Any:
        if len(args) > len(positional):
            raise InvalidArgumentError(
                f"{entry.name}() takes filters as keywords ({', '.join(p.name for p in entry.params) or 'none'})"
            )
        for name, value in zip(positional, args, strict=False):
            if name in filters:
                raise InvalidArgumentError(f"{entry.name}() got {name!r} twice")
            filters[name] = value
        return self.fetch(entry, tz=tz, progress=progress, on_page=on_page, resume=resume, refresh=refresh,
                          **filters)

    return _finish(method, entry, "pandas.DataFrame")


def write_method(entry: Operation) -> Callable[..., Any]:
    """The session method running ``entry`` through :meth:`ParticipantSession.call`."""
    body = _BODY_ARG.get(entry.body, ("", ""))[0]
    names = [*entry.placeholders, *([body] if body else [])]

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > len(names):
            raise InvalidArgumentError(f"{entry.name}() takes {len(names)} argument(s) by position "
                                       f"({', '.join(names) or 'none'}); pass filters as keywords")
        given = dict(zip(names, args, strict=False))
        for name in names:
            if name in kwargs:
                if name in given:
                    raise InvalidArgumentError(f"{entry.name}() got {name!r} twice")
                given[name] = kwargs.pop(name)
        missing = [n for n in names if given.get(n) is None]
        if missing:
            raise InvalidArgumentError(f"{entry.name}() needs {', '.join(missing)}")
        content = given.get(body)
        path = {h: given[h] for h in entry.placeholders}
        if entry.path_params:  # a GUID id checked before any request, once the scope is (no permission first)
            self._check_access(entry)
            path.update(encode_path(entry, path))
        return self.call(entry, path=path, params=kwargs,
                         json=content if entry.body == "json" else None,
                         content=content if entry.body == "bytes" else None)

    return _finish(method, entry, "Any")


def generated() -> Iterator[Kind | Operation]:
    """The entries that become session methods: participant-token kinds and exposed writes."""
    yield from (k for k in KINDS.values() if k.token == "participant")
    yield from (o for o in OPERATIONS.values() if o.token == "participant" and o.expose)


def attach(cls: type) -> type:
    """Give ``cls`` one method per generated entry."""
    for entry in generated():
        if entry.name in vars(cls):  # pragma: no cover - a catalogue bug
            raise TypeError(f"catalogue name {entry.name!r} is declared twice")
        setattr(cls, entry.name, read_method(entry) if isinstance(entry, Kind) else write_method(entry))
    return cls
