"""CORS for Embeddables: the JS SDK in a page on another origin calls the API, so the sandbox answers
preflights and lets allowed origins read its answers, errors included.

Which origins the real service allows and which headers it exposes are not published (reference
"CORS"); the sandbox decides: by default any loopback origin (``http(s)://localhost``, ``127.0.0.1``
or ``[::1]``, any port), else exactly the configured ones (``"*"``: any); the request headers the JS
SDK sends (Authorization, Accept, Accept-Language, Content-Type); the RateLimit headers exposed, so a
page can pace itself. No credentials mode: the SDK sends a bearer token, not cookies.

The middleware wraps the whole app, Starlette's own 500 handling included, so that a 401, a 429, an
injected fault and an internal error all carry ``Access-Control-Allow-Origin`` (a page cannot read
a response without it). A preflight is answered here, before the fault layer: it is never faulted.

What CORS saw goes to the stats (``seen``): each preflight answered (``preflights``; of them, those
refused with a 400, ``preflights_refused``) and each other request carrying an allowed ``Origin``
(``cross_origin``), outside the control plane, so a page's developer can tell whether its browser
asked at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .urlpaths import is_control

__all__ = ["ALLOWED_HEADERS", "CORS_SEEN", "EXPOSED_HEADERS", "LOOPBACK_ORIGINS", "CorsSeen", "check_origin",
           "origin_hint", "with_cors"]

CorsSeen = Literal["preflights", "preflights_refused", "cross_origin"]
CORS_SEEN: tuple[CorsSeen, ...] = ("preflights", "preflights_refused", "cross_origin")

#: Any loopback origin, http or https, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"
ALLOWED_HEADERS = ("Authorization", "Accept", "Accept-Language", "Content-Type")
EXPOSED_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ORIGIN = re.compile(r"https?://[^/\s?#@]+")


def check_origin(origin: object) -> bool:
    """An origin as a browser sends it (``scheme://host[:port]``, no path), or ``"*"``."""
    return isinstance(origin, str) and (origin == "*" or _ORIGIN.fullmatch(origin) is not None)


def origin_hint(origin: str) -> str:
    """What is wrong with ``origin`` (one ``check_origin`` refuses), and the origin meant if it has one."""
    start = _ORIGIN.match(origin)
    meant = f"; {start.group(0)!r} is the origin of that address" if start else ""
    return f"{origin!r} is not an origin: an origin is scheme://host[:port] with no path, or '*' for any{meant}"


def with_cors(app: ASGIApp, origins: Sequence[str] | None, seen: Callable[[CorsSeen], None]) -> ASGIApp:
    """``app`` behind starlette's CORSMiddleware (``origins`` None = any loopback origin), telling
    ``seen`` what it answered (see the module docstring)."""
    allowed: dict[str, Any] = {"allow_origins": list(origins)} if origins is not None else {
        "allow_origin_regex": LOOPBACK_ORIGINS}
    cors = CORSMiddleware(app, allow_methods=_METHODS, allow_headers=ALLOWED_HEADERS,
                          expose_headers=EXPOSED_HEADERS, max_age=600, **allowed)
    return _Counted(cors, seen)


class _Counted:
    """Tells ``seen`` what ``cors`` answers; a preflight is told apart as starlette does."""

    def __init__(self, cors: CORSMiddleware, seen: Callable[[CorsSeen], None]) -> None:
        self.cors = cors
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control(scope["path"]):
            await self.cors(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.cors(scope, receive, send)
        elif scope["method"] == "OPTIONS" and "access-control-request-method" in headers:

            async def told(message: Message) -> None:
                if message["type"] == "http.response.start":
                    self.seen("preflights")
                    if message["status"] != 200:
                        self.seen("preflights_refused")
                await send(message)

            await self.cors(scope, receive, told)
        else:
            if self.cors.is_allowed_origin(origin):
                self.seen("cross_origin")
            await self.cors(scope, receive, send)
