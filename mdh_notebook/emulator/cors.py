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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

__all__ = ["ALLOWED_HEADERS", "EXPOSED_HEADERS", "LOOPBACK_ORIGINS", "check_origin", "with_cors"]

#: Any loopback origin, http or https, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"
ALLOWED_HEADERS = ("Authorization", "Accept", "Accept-Language", "Content-Type")
EXPOSED_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_ORIGIN = re.compile(r"https?://[^/\s?#@]+")


def check_origin(origin: object) -> bool:
    """An origin as a browser sends it (``scheme://host[:port]``, no path), or ``"*"``."""
    return isinstance(origin, str) and (origin == "*" or _ORIGIN.fullmatch(origin) is not None)


def with_cors(app: ASGIApp, origins: Sequence[str] | None) -> ASGIApp:
    """``app`` behind starlette's CORSMiddleware; ``origins`` None = any loopback origin."""
    allowed: dict[str, Any] = {"allow_origins": list(origins)} if origins is not None else {
        "allow_origin_regex": LOOPBACK_ORIGINS}
    return CORSMiddleware(app, allow_methods=_METHODS, allow_headers=ALLOWED_HEADERS,
                          expose_headers=EXPOSED_HEADERS, max_age=600, **allowed)
