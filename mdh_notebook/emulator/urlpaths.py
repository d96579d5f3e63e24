"""The path the routes match, and the values of path parameters.

Two rules of the real service meet here:

- a run of slashes counts as one (the official Python quickstart sends
  ``//api/v1/administration/...``, reference §7), for every route, the token endpoint included;
- a percent-encoded slash belongs to the value of a path parameter (``participants/PT%2F1`` names
  participant ``PT/1``; it is not a path ``participants/PT/1`` that matches nothing).

So ``PathMiddleware`` rewrites the request's ``path`` from its raw bytes: slashes collapsed, every
escape decoded except those of ``/`` and ``%`` (kept as ``%2F`` / ``%25``, a stray ``%`` written
``%25``), so that a route's placeholder, which matches one segment, gets the whole value; the
handler reads it back with ``path_value``.

The control plane is every routing path under ``/_sandbox/``, in any case (``is_control``: one rule
for the layers that leave it alone); its routes match in any case, as the API's do.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["CONTROL_PREFIX", "PathMiddleware", "is_control", "path_value", "routing_path"]

CONTROL_PREFIX = "/_sandbox/"

_SLASHES = re.compile(rb"/{2,}")
_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})?")
_KEPT = re.compile(r"%(2F|25)")
_KEPT_BYTES = frozenset({0x2F, 0x25})


def _unescape(match: re.Match[bytes]) -> bytes:
    pair = match.group(1)
    if pair is None:
        return b"%25"  # a stray percent sign is itself
    value = int(pair, 16)
    return b"%" + pair.upper() if value in _KEPT_BYTES else bytes([value])


def routing_path(raw: bytes) -> str:
    """The path routes match, from the raw request path (no query): see the module docstring.
    Bytes that are not UTF-8 are replaced, as uvicorn does."""
    return _ESCAPE.sub(_unescape, _SLASHES.sub(b"/", raw)).decode("utf-8", "replace")


def is_control(path: str) -> bool:
    """Whether a routing path is the control plane's (never faulted, never counted as an API request)."""
    return path.lower().startswith(CONTROL_PREFIX)


def path_value(matched: str) -> str:
    """The value of a path parameter matched in a ``routing_path``."""
    return _KEPT.sub(lambda m: "/" if m.group(1) == "2F" else "%", matched)


class PathMiddleware:
    """Sets ``path`` to the ``routing_path`` (and ``raw_path`` to its raw form, slashes collapsed).
    Without a raw path (some in-process servers), the decoded one is used with its ``%`` kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        changed: dict[str, Any] = dict(scope)
        raw = scope.get("raw_path")
        if isinstance(raw, bytes):
            collapsed = _SLASHES.sub(b"/", raw.split(b"?", 1)[0])
            changed["raw_path"] = collapsed
            changed["path"] = routing_path(collapsed)
        else:
            changed["path"] = re.sub("/{2,}", "/", str(scope["path"])).replace("%", "%25")
        await self.app(changed, receive, send)
