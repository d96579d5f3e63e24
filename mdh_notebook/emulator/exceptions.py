"""Sandbox error classes and their HTTP rendering, in one place.

::

    SandboxError
    ├── OAuthError            400 {"error", "error_description"}   (token endpoint)
    │   ├── InvalidRequest        invalid_request
    │   │   └── TokenRequestTooLarge  413 invalid_request
    │   ├── InvalidClient         invalid_client
    │   ├── InvalidGrant          invalid_grant
    │   ├── InvalidScope          invalid_scope
    │   └── UnsupportedGrantType  unsupported_grant_type
    └── ApiError              {"message"}                            (API and control plane)
        ├── BadRequest            400
        ├── Unauthorized          401  + WWW-Authenticate: Bearer error="invalid_token"
        ├── Forbidden             403
        ├── NotFound              404
        ├── MethodNotAllowed      405
        ├── PayloadTooLarge       413
        └── TooManyRequests       429

Messages never contain tokens, assertions or keys, and echo client input only through ``shown`` /
``clipped`` (at most ``ECHO_LIMIT`` characters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from . import wire_json

__all__ = [
    "ECHO_LIMIT",
    "ApiError",
    "BadRequest",
    "Forbidden",
    "InvalidClient",
    "InvalidGrant",
    "InvalidRequest",
    "InvalidScope",
    "JsonResponse",
    "MethodNotAllowed",
    "NotFound",
    "OAuthError",
    "PayloadTooLarge",
    "SandboxError",
    "TokenRequestTooLarge",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedGrantType",
    "clipped",
    "error_response",
    "shown",
]

#: Client-supplied values are echoed in error messages up to this many characters.
ECHO_LIMIT = 100


def clipped(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was when cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """A client-supplied value quoted for an error message (``repr``), cut to ``limit`` characters."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else f"{value[:limit]!r}... ({len(value)} characters)"
    return clipped(repr(value), limit)


class JsonResponse(JSONResponse):
    """JSON with the charset parameter, as ASP.NET sends it; Starlette's bytes, made by orjson (``wire_json``)."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return wire_json.encode(content)


class SandboxError(Exception):
    status: int = 500

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, str]:
        return {"message": self.message}


class OAuthError(SandboxError):
    status = 400
    error = "invalid_request"

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.message}


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class TokenRequestTooLarge(InvalidRequest):
    status = 413


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class ApiError(SandboxError):
    status = 500


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message, headers)
        safe = message.replace("\\", "").replace('"', "'")
        self.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{safe}"'


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405


class PayloadTooLarge(ApiError):
    status = 413


class TooManyRequests(ApiError):
    status = 429


def error_response(exc: SandboxError, extra_headers: Mapping[str, str] | None = None) -> JsonResponse:
    headers = dict(extra_headers or {})
    headers.update(exc.headers)
    if isinstance(exc, OAuthError):
        headers.setdefault("Cache-Control", "no-store")
    return JsonResponse(exc.body(), status_code=exc.status, headers=headers)
