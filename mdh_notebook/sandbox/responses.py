"""Thin request handlers: parse the HTTP request, call the backend, render JSON.

Every API handler shares one wrapper (``api_endpoint``) that authenticates, spends the rate
budget, checks token kind and scope, and puts the RateLimit headers on every outcome.

API handlers (and the 404 / 405 handlers, which authenticate too) are plain functions: Starlette
runs them on its thread pool, so CPU work (token checks, data generation, filtering) never holds
up the event loop. The token and clock endpoints read their body on the loop, with a size limit,
then do their work on the pool.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .exceptions import (
    BadRequest,
    InvalidRequest,
    JsonResponse,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    SandboxError,
    TokenRequestTooLarge,
    clipped,
    error_response,
)
from .models import Family, SandboxBackend
from .queries import Collection, Params
from .tokens import AccessClaims, TokenKind
from .urlpaths import path_value

__all__ = [
    "MAX_CONTROL_BODY",
    "MAX_TOKEN_BODY",
    "ApiRoute",
    "api_endpoint",
    "method_not_allowed",
    "not_found",
    "server_error",
    "token_endpoint",
]

Handler = Callable[[SandboxBackend, AccessClaims, Request], dict[str, Any]]
Endpoint = Callable[[Request], Response]

#: Larger token requests are refused with 413 (a real one is about 1 KB).
MAX_TOKEN_BODY = 64 * 1024
#: Larger control-plane bodies are refused with 413.
MAX_CONTROL_BODY = 4 * 1024


def backend_of(request: Request) -> SandboxBackend:
    backend: SandboxBackend = request.app.state.backend
    return backend


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def params_of(request: Request) -> Params:
    return Params(request.query_params.multi_items())


@dataclasses.dataclass(frozen=True)
class ApiRoute:
    """One API endpoint: the sandbox's own table of what it serves (see ``/_sandbox/routes``)."""

    method: str
    path: str
    family: Family
    token: TokenKind
    scope: str
    handler: Handler

    def describe(self) -> dict[str, str]:
        return {"method": self.method, "path": self.path, "token": self.token, "scope": self.scope}


def api_endpoint(route: ApiRoute) -> Endpoint:
    label = f"{route.method} {route.path}"

    def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        headers: dict[str, str] = {}
        try:
            claims, headers = backend.authorize(
                request.headers.get("authorization"),
                family=route.family,
                client=_client(request),
                need=route.token,
                scope=route.scope,
                read_only=route.method == "GET",
                label=label,
            )
            assert claims is not None
            payload = route.handler(backend, claims, request)
        except SandboxError as exc:
            return error_response(exc, headers)
        return JsonResponse(payload, headers=headers)

    endpoint.__name__ = f"api_{route.path.strip('/').replace('/', '_')}"
    return endpoint


# -- API handlers ----------------------------------------------------------------------------
def list_participants(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.list_participants(path_value(request.path_params["projectId"]), claims, params_of(request))


def _no_such_endpoint(request: Request) -> NotFound:
    return NotFound(f"no such endpoint: {request.method} {clipped(request.url.path)}")


def get_participant(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.get_participant(path_value(request.path_params["projectId"]), claims,
                                   path_value(request.path_params["participantIdentifier"]))


def delegated_participant(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.participant_info(claims)


def collection_handler(collection: Collection[Any]) -> Handler:
    def handler(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
        return backend.collection(collection, claims, params_of(request))

    return handler


# -- request bodies --------------------------------------------------------------------------
async def _read_body(request: Request, limit: int, too_large: Callable[[str], SandboxError]) -> bytes:
    """The request body, refused (``too_large``) past ``limit`` bytes without reading it all."""
    message = f"the request body is larger than {limit} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(message)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(message)
        chunks.append(chunk)
    return b"".join(chunks)


# -- token endpoint --------------------------------------------------------------------------
def _grant(backend: SandboxBackend, body: bytes, request_base: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the token request body is not UTF-8") from None
    form = backend.check_form_fields(parse_qsl(text, keep_blank_values=True))
    return backend.grant(form, request_base)


async def token_endpoint(request: Request) -> Response:
    backend = backend_of(request)
    try:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise InvalidRequest("the token request body must be application/x-www-form-urlencoded")
        body = await _read_body(request, MAX_TOKEN_BODY, TokenRequestTooLarge)
        payload = await run_in_threadpool(_grant, backend, body, str(request.base_url))
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse(payload, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


# -- 404 / 405 / 500 -------------------------------------------------------------------------
def _api_headers(request: Request) -> dict[str, str]:
    """Unknown paths under /api/ still report a rate budget, like any API response (and spend it
    when a usable token is sent)."""
    path = request.url.path
    if not path.lower().startswith("/api/"):
        return {}
    family: Family = "admin" if path.lower().startswith("/api/v1/administration/") else "delegated"
    _, headers = backend_of(request).authorize(
        request.headers.get("authorization"), family=family, client=_client(request)
    )
    return headers


def not_found(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    return error_response(_no_such_endpoint(request), headers)


def method_not_allowed(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    return error_response(
        MethodNotAllowed(f"method {clipped(request.method)} is not allowed on {clipped(request.url.path)}"),
        headers,
    )


async def server_error(request: Request, exc: Exception) -> Response:
    return JsonResponse({"message": f"internal sandbox error ({type(exc).__name__})"}, status_code=500)


# -- control plane ---------------------------------------------------------------------------
async def health(request: Request) -> Response:
    return JsonResponse({"status": "ok"})


async def stats(request: Request) -> Response:
    return JsonResponse(backend_of(request).stats.snapshot())


async def reset(request: Request) -> Response:
    backend_of(request).reset()
    return JsonResponse({"status": "reset"})


async def clock(request: Request) -> Response:
    """GET: the offset. POST ``{"advance": seconds}``: a finite number >= 0, the total offset
    staying within 100 years; anything else is a 400 and leaves the clock alone."""
    backend = backend_of(request)
    if request.method == "GET":
        return JsonResponse({"offset": backend.clock.offset})
    usage = 'body must be JSON like {"advance": 3600} (seconds, a number)'
    try:
        raw = await _read_body(request, MAX_CONTROL_BODY, PayloadTooLarge)
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise BadRequest(usage) from None
        advance = body.get("advance") if isinstance(body, dict) else None
        if isinstance(advance, bool) or not isinstance(advance, (int, float)):
            raise BadRequest(usage)
        try:
            offset = backend.advance_clock(advance)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse({"offset": offset})
