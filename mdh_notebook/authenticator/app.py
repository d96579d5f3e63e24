"""The authenticator's HTTP face: a small Starlette app over a :class:`~.service.TokenService`.

Routes::

    POST /token    Authorization: Bearer <api key>; {"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}
                   → 200 {"access_token", "expires_in", "token_type": "Bearer", "scope", "participant_id",
                          "participant_identifier", "time_zone", "base_url"}
                   401 invalid_api_key · 403 not_granted · 400 invalid_request · 413 over 16 KiB
                   · 404 participant_not_found · 502/503 when MyDataHelps fails (every error is
                   {"error", "message"}; a 503 has Retry-After)
    GET  /grant    (same auth) → {"participants": [...], "scopes": [...]}
    GET  /health   → {"status": "ok"} (no auth; for readiness probes and ``mdh-notebook doctor``)

``scopes`` may be left out: the grant's scopes. A token is handed out again while it has more than
120 s left; ``"rejected_token": "<the access_token the API refused>"`` in the body asks for a new one
(after a 401: a revoked or early-expired token), unless a newer one is already cached.

CORS is starlette's ``CORSMiddleware``, wrapped around the whole app — Starlette's own 500 handling
included — so every answer an allowed page gets is readable by it, an internal error too. By default
any loopback origin (``http(s)://localhost``, ``127.0.0.1`` or ``[::1]`` on any port), else exactly the
origins given (``"*"`` for any; each checked by :func:`check_origins`: an origin as a browser sends it,
no path, no trailing slash). ``Retry-After`` is exposed. A page on another origin sends
``Authorization``, which makes every call preflighted.

The body is read with a cap (:data:`MAX_BODY`): a larger ``Content-Length`` is a 413 before a byte
of it is read, and a chunked body is cut off at the cap. The blocking work (MyDataHelps requests)
runs in Starlette's thread pool.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..errors import ConfigurationError
from .service import Refusal, TokenService, log, peer_note

__all__ = ["LOOPBACK_ORIGINS", "MAX_BODY", "AuthenticatorApp", "check_origins", "create_app"]

#: Origins allowed when none are configured: a page served from this machine, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"
MAX_BODY = 16 * 1024
_BODY_KEYS = ("participant", "scopes", "rejected_token")
_EXAMPLE_BODY = '{"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}'
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # a token is never cached by a proxy
_ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language")
_EXPOSED_HEADERS = ("Retry-After",)  # a page can wait as long as a 503 says


def check_origins(origins: Sequence[str], *, option: str = "--cors-origin") -> list[str]:
    """The origins as given, each one as a browser sends it in ``Origin`` (``scheme://host[:port]``:
    no path, no trailing slash, lower case), or ``"*"`` — else a :class:`ConfigurationError` naming
    ``option`` and the spelling meant. A misspelt origin would never match: refused, not ignored."""
    checked: list[str] = []
    for origin in origins:
        if origin == "*":
            checked.append(origin)
            continue
        meant = _origin_meant(origin)
        if not meant or meant != origin:
            example = f"{option} {meant}" if meant else f"{option} https://study.example.org"
            raise ConfigurationError(
                f"{option} {origin!r} is not a web origin: an origin is scheme://host[:port] with no path, "
                f"query or trailing slash, as a browser sends it (e.g. {example}), or '*' for any",
                setting=option)
        checked.append(origin)
    return checked


def _origin_meant(origin: object) -> str:
    """``scheme://host[:port]`` of ``origin`` in a browser's spelling ('' when it has none)."""
    if not isinstance(origin, str):
        return ""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username is not None:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme.lower()]
    return f"{parts.scheme.lower()}://{host.lower()}" + (f":{port}" if port is not None and port != default else "")


def _refused(refusal: Refusal) -> JSONResponse:
    return JSONResponse(refusal.body(), status_code=refusal.status, headers={**_NO_STORE, **refusal.headers})


def _peer(request: Request) -> str:
    return request.client.host if request.client else ""


def _too_large() -> Refusal:
    return Refusal(413, "invalid_request", f"the request body is over {MAX_BODY} bytes; a token request is "
                   f"small: {_EXAMPLE_BODY}")


async def _read_capped(request: Request) -> bytes:
    """The body, never more than :data:`MAX_BODY` of it held: a larger declared length is refused
    before reading, a longer stream as soon as it passes the cap."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refusal(400, "invalid_request", "the Content-Length header is not a number of bytes")
        if int(declared) > MAX_BODY:
            raise _too_large()
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY:
            raise _too_large()
    return bytes(received)


async def _body(request: Request) -> dict[str, Any]:
    raw = await _read_capped(request)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise Refusal(400, "invalid_request", f"the body is not JSON; send {_EXAMPLE_BODY} with "
                      "Content-Type: application/json") from None
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_request", f"the body must be a JSON object like {_EXAMPLE_BODY}")
    unknown = sorted(set(body) - set(_BODY_KEYS))
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise Refusal(400, "invalid_request", f"unknown field(s) {shown} in the body; it takes "
                      f"{', '.join(_BODY_KEYS)}")
    return body


async def _token(request: Request) -> Response:
    service: TokenService = request.app.state.service
    peer = _peer(request)
    try:
        grant = service.authenticate(request.headers.get("authorization"), peer=peer)
        try:
            body = await _body(request)
        except Refusal as refusal:
            log.info("refused grant %r: %s%s", grant.name, refusal.message, peer_note(peer))
            raise
        issued = await run_in_threadpool(service.issue, grant, body.get("participant"), body.get("scopes"),
                                         rejected=body.get("rejected_token"), peer=peer)
    except Refusal as refusal:
        return _refused(refusal)
    return JSONResponse(issued.as_json(), headers=_NO_STORE)


async def _grant(request: Request) -> Response:
    service: TokenService = request.app.state.service
    try:
        grant = service.authenticate(request.headers.get("authorization"), peer=_peer(request))
    except Refusal as refusal:
        return _refused(refusal)
    return JSONResponse(grant.describe(), headers=_NO_STORE)


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "not_found", "message": f"no route {request.url.path[:80]}; the authenticator "
                         "serves POST /token, GET /grant and GET /health"}, status_code=404)


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "method_not_allowed", "message": f"{request.method} {request.url.path[:80]} is "
                         "not served; POST /token, GET /grant, GET /health"}, status_code=405)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %s", request.method, request.url.path[:80], type(exc).__name__)
    return JSONResponse({"error": "server_error", "message": "the authenticator failed; see its log"},
                        status_code=500)


class AuthenticatorApp(Starlette):
    """The Starlette app behind CORS: the middleware wraps Starlette's whole stack, its 500 handling
    included (Starlette puts user middleware inside it), so an internal error reaches an allowed
    page as a readable 500, not as an opaque CORS failure."""

    def __init__(self, *, cors_origins: Sequence[str] | None, **kwargs: Any) -> None:
        self.cors_origins = check_origins(cors_origins) if cors_origins else None
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        allowed: dict[str, Any] = ({"allow_origins": self.cors_origins} if self.cors_origins
                                   else {"allow_origin_regex": LOOPBACK_ORIGINS})
        return CORSMiddleware(super().build_middleware_stack(), allow_methods=["GET", "POST"], max_age=600,
                              allow_headers=list(_ALLOWED_HEADERS), expose_headers=list(_EXPOSED_HEADERS),
                              **allowed)


def create_app(service: TokenService, *, cors_origins: Sequence[str] | None = None) -> Starlette:
    """The ASGI app; ``cors_origins`` None = any loopback origin, else exactly these (``"*"`` = any).
    A malformed origin raises :class:`~mdh_notebook.errors.ConfigurationError` (see :func:`check_origins`)."""
    app = AuthenticatorApp(
        cors_origins=cors_origins,
        routes=[
            Route("/token", _token, methods=["POST"]),
            Route("/grant", _grant, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
        ],
        exception_handlers={404: _not_found, 405: _method_not_allowed, Exception: _server_error},
    )
    app.state.service = service
    return app
