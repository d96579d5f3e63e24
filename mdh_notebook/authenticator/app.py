"""The authenticator's HTTP face: a small Starlette app over a :class:`~.service.TokenService`.

Routes::

    POST /token    Authorization: Bearer <api key>; {"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}
                   → 200 {"access_token", "expires_in", "token_type": "Bearer", "scope", "participant_id",
                          "participant_identifier", "time_zone", "base_url"}
                   401 invalid_api_key · 403 not_granted · 400 invalid_request · 404 participant_not_found
                   · 502/503 when MyDataHelps fails (every error is {"error", "message"})
    GET  /grant    (same auth) → {"participants": [...], "scopes": [...]}
    GET  /health   → {"status": "ok"} (no auth; for readiness probes and ``mdh-notebook doctor``)

``scopes`` may be left out: the grant's scopes. A token is handed out again while it has more than
120 s left; ``"rejected_token": "<the access_token the API refused>"`` in the body asks for a new one
(after a 401: a revoked or early-expired token), unless a newer one is already cached.

CORS is starlette's ``CORSMiddleware``: by default any loopback origin (``http(s)://localhost``,
``127.0.0.1`` or ``[::1]`` on any port), or exactly the origins given (``"*"`` for any). A page on another
origin sends ``Authorization``, which makes every call preflighted.
The blocking work (MyDataHelps requests) runs in Starlette's thread pool.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .service import Refusal, TokenService, log

__all__ = ["LOOPBACK_ORIGINS", "MAX_BODY", "create_app"]

#: Origins allowed when none are configured: a page served from this machine, any port.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"
MAX_BODY = 16 * 1024
_BODY_KEYS = ("participant", "scopes", "rejected_token")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # a token is never cached by a proxy


def _refused(refusal: Refusal) -> JSONResponse:
    return JSONResponse(refusal.body(), status_code=refusal.status, headers={**_NO_STORE, **refusal.headers})


def _peer(request: Request) -> str:
    return request.client.host if request.client else ""


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise Refusal(400, "invalid_request", f"the request body is over {MAX_BODY} bytes; send "
                      '{"participant": "PT-0001", "scopes": ["SurveyAnswers:read"]}')
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "invalid_request", 'the body is not JSON; send {"participant": "PT-0001", '
                      '"scopes": ["SurveyAnswers:read"]} with Content-Type: application/json') from None
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_request", 'the body must be a JSON object like {"participant": "PT-0001", '
                      '"scopes": ["SurveyAnswers:read"]}')
    unknown = sorted(set(body) - set(_BODY_KEYS))
    if unknown:
        raise Refusal(400, "invalid_request", f"unknown field(s) {', '.join(map(repr, unknown))} in the body; "
                      f"it takes {', '.join(_BODY_KEYS)}")
    return body


async def _token(request: Request) -> Response:
    service: TokenService = request.app.state.service
    try:
        grant = service.authenticate(request.headers.get("authorization"), peer=_peer(request))
        try:
            body = await _body(request)
        except Refusal as refusal:
            log.info("refused grant %r: %s", grant.name, refusal.message)
            raise
        issued = await run_in_threadpool(service.issue, grant, body.get("participant"), body.get("scopes"),
                                         rejected=body.get("rejected_token"))
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
    return JSONResponse({"error": "not_found", "message": f"no route {request.url.path}; the authenticator "
                         "serves POST /token, GET /grant and GET /health"}, status_code=404)


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "method_not_allowed", "message": f"{request.method} {request.url.path} is "
                         "not served; POST /token, GET /grant, GET /health"}, status_code=405)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"error": "server_error", "message": "the authenticator failed; see its log"},
                        status_code=500)


def create_app(service: TokenService, *, cors_origins: Sequence[str] | None = None) -> Starlette:
    """The ASGI app; ``cors_origins`` None = any loopback origin, else exactly these (``"*"`` = any)."""
    cors: dict[str, Any] = {"allow_origins": list(cors_origins)} if cors_origins else {
        "allow_origin_regex": LOOPBACK_ORIGINS}
    app = Starlette(
        routes=[
            Route("/token", _token, methods=["POST"]),
            Route("/grant", _grant, methods=["GET"]),
            Route("/health", _health, methods=["GET"]),
        ],
        middleware=[Middleware(CORSMiddleware, allow_methods=["GET", "POST"], max_age=600,
                               allow_headers=["Authorization", "Content-Type", "Accept", "Accept-Language"],
                               **cors)],
        exception_handlers={404: _not_found, 405: _method_not_allowed, Exception: _server_error},
    )
    app.state.service = service
    return app
